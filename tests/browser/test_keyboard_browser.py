"""Keyboard only, 200 % text and the language switcher, as a stakeholder meets them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def event(make_event):
    return make_event(
        slug="smart-specialisation-webinar",
        title="Smart specialisation: what SMEs in Podkarpackie can learn from Lombardy",
        summary="An online workshop of Unioncamere Lombardia for business-support organisations.",
        description="Part one: regional strategies.\n\nPart two: questions from participants.",
        region_codes=("PL", "IT"),
        capacity=40,
    )


def test_a_rejected_form_moves_focus_to_its_error_summary(page, event):
    page.goto(f"/events/{event.slug}/register")
    page.locator("form.registration-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    # Each link leads into its field; the field says it is invalid and why.
    summary.get_by_role("link", name="E-mail address").click()
    assert page.evaluate("document.activeElement.id") == "email"
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby").split()
    assert any("Enter your e-mail address" in page.locator(f"#{i}").inner_text() for i in described)


def test_the_error_summary_link_to_a_choice_focuses_the_first_option(page, event):
    page.goto(f"/events/{event.slug}/register")
    page.locator("form.registration-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    page.locator("#error-summary a").filter(has_text="Kind of organisation").click()
    focused = page.evaluate("document.activeElement.name")
    assert focused == "stakeholder_type"


def test_keyboard_focus_is_always_visible(page, event):
    page.goto(f"/events/{event.slug}")
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => {
              const el = document.activeElement;
              const style = getComputedStyle(el);
              return {tag: el.tagName, text: (el.textContent || '').trim().slice(0, 40),
                      outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                      shadow: style.boxShadow};
            }"""
        )
        if state["tag"] == "BODY":
            break
        seen.append(state)
        visible = (state["outline"] != "none" and state["width"] >= 2) or state["shadow"] != "none"
        assert visible, f"no visible focus on {state}"
    assert len(seen) >= 10, "fewer tab stops than links on the page"
    texts = [s["text"] for s in seen]
    assert "Skip to main content" in texts[0]
    assert "Magyar" in texts


def test_the_language_switcher_works_from_the_keyboard(page, event):
    page.goto(f"/events/{event.slug}")
    page.get_by_role("link", name="Polski").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/events/{event.slug}")
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert page.get_by_role("heading", name="Czas lokalny w każdym regionie").is_visible()
    current = page.locator(".language-switcher [aria-current=true]")
    assert current.inner_text() == "Polski"


@pytest.mark.parametrize(
    "path",
    ["/", "/events/smart-specialisation-webinar", "/regions/PL", "/no-such-page"],
)
def test_text_doubled_in_size_needs_no_horizontal_scrolling(page, event, regions, path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    before = page.evaluate("document.body.scrollHeight")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    after = page.evaluate("document.body.scrollHeight")
    assert after > before * 1.3, "the text did not grow"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal scrolling at 200 % text on {path}"


def test_the_registration_form_at_200_percent_text(page, event):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/events/{event.slug}/register")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    # Nothing is clipped: every label is fully inside the viewport horizontally.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('label, legend, button')]
              .filter(el => !el.closest('[aria-hidden=true]')).filter(el => { const r = el.getBoundingClientRect();
                              return r.width > 0 && (r.left < 0 || r.right > innerWidth + 1); })
              .map(el => el.textContent.trim())"""
    )
    assert clipped == []
