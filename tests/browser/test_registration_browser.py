"""A stakeholder registers for a webinar and cancels, using only the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models import Registration

pytestmark = pytest.mark.browser

MAX_TABS = 80


def tab_to(page, *, name: str | None = None, element_id: str | None = None) -> None:
    """Press Tab until the focused element has the accessible text or id given."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return {id: e.id, text: (e.innerText || e.value || '').trim()}; }"
        )
        assert focused["id"] != "website", "the honeypot field must not be reachable by Tab"
        if element_id is not None and focused["id"] == element_id:
            return
        if name is not None and focused["text"].startswith(name):
            return
    raise AssertionError(f"could not reach {name or element_id!r} with the Tab key")


def test_register_and_cancel_with_the_keyboard_only(page, make_event):
    make_event(
        slug="digital-export-webinar",
        title="Digital export webinar",
        capacity=20,
        online_url="https://meet.jit.si/digital-export-room",
    )
    page.goto("/")

    tab_to(page, name="Digital export webinar")
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/digital-export-webinar")
    assert "digital-export-room" not in page.content()

    tab_to(page, name="Register")
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/digital-export-webinar/register")
    assert page.get_by_text("20 seats left").is_visible()

    tab_to(page, element_id="name")
    page.keyboard.type("Aušra Jonaitė")
    page.keyboard.press("Tab")
    page.keyboard.type("ausra.jonaite@example.lt")
    page.keyboard.press("Tab")
    page.keyboard.type("Klaipėda Science Park")
    page.keyboard.press("Tab")
    page.keyboard.type("R")  # Research or education
    page.keyboard.press("Tab")
    page.keyboard.type("K")  # Klaipėda (Lithuania)
    tab_to(page, element_id="consent")
    page.keyboard.press("Space")
    tab_to(page, name="Register")
    page.keyboard.press("Enter")

    page.wait_for_url("**/register/check-your-inbox")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"

    # The personal link arrives by e-mail only; open it as the registrant would.
    token = db.session.scalar(
        db.select(Registration.token).where(Registration.email == "ausra.jonaite@example.lt")
    )
    page.goto(page.url.split("/events/")[0] + f"/registrations/{token}")
    assert page.get_by_role("heading", name="Your registration", exact=True).is_visible()
    assert page.get_by_role("link", name="https://meet.jit.si/digital-export-room").is_visible()
    assert page.get_by_text("Aušra Jonaitė").is_visible()

    tab_to(page, name="Cancel my registration")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cancel your registration?")).to_be_visible()
    tab_to(page, name="Yes, cancel my registration")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    assert page.locator(".badge-cancelled").inner_text() == "Cancelled"
    assert "digital-export-room" not in page.content()

    db.session.expire_all()
    [registration] = db.session.scalars(db.select(Registration))
    assert (registration.status, registration.region.code, registration.stakeholder_type) == (
        "cancelled",
        "LT",
        "research",
    )


def test_confirm_the_address_on_a_phone(page, make_event, make_registration):
    from datetime import UTC, datetime, timedelta

    event = make_event(
        slug="small-workshop",
        capacity=2,
        requires_email_confirmation=True,
        online_url="https://meet.jit.si/small-workshop-room",
    )
    person = make_registration(
        event, name="Aušra Jonaitė", email_confirm_by=datetime.now(UTC) + timedelta(hours=1)
    )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/registrations/{person.token}")
    assert "small-workshop-room" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Confirm my e-mail address").click()

    expect(page.get_by_text("Thank you: your e-mail address is confirmed.")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.jit.si/small-workshop-room")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my e-mail address")).to_have_count(0)
