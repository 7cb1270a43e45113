"""WCAG 2.1 A and AA: axe-core (npm) run in Chromium on every page a stakeholder meets.

Each page is checked in English and Hungarian, at desktop width and at 360 px, and must
have zero violations. axe-core comes from ``tests/js`` (``npm ci --prefix tests/js``);
without it these tests skip, except under CI where they fail.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "narrow": {"width": 360, "height": 740}}
LANGUAGES = ["en", "hu"]
ORGANISER_PASSWORD = "correct horse battery"

RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}
"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --prefix tests/js`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['url']}>")
        for node in v["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


# Records what the page's Content-Security-Policy blocked (set up before any page script).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def inject_axe(page, axe_script: Path) -> None:
    """Load axe-core into the page from the test, not as a <script> tag.

    The site's Content-Security-Policy forbids inline scripts, so ``add_script_tag``
    would be blocked; evaluating the source from the test is not a page script.
    """
    page.evaluate(axe_script.read_text(encoding="utf-8"))


def assert_no_violations(page, axe_script: Path, what: str) -> None:
    blocked = page.evaluate("window.__cspViolations || []")
    assert not blocked, f"{what}: the Content-Security-Policy blocked {blocked}"
    inject_axe(page, axe_script)
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert not violations, f"{what} at {page.url}:\n{describe(violations)}"


@pytest.fixture
def visitor(browser, live_server):
    """Open a browser page in a language and at a width."""
    contexts = []

    def open_page(lang: str, width: str):
        context = browser.new_context(base_url=live_server, viewport=WIDTHS[width])
        context.add_init_script(WATCH_CSP)
        context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def site(make_event, make_registration, make_user, regions):
    """Realistic content for every page: a cancelled event, a full one, one with questions."""
    from webapp.extensions import db
    from webapp.models import Question

    event = make_event(
        slug="blue-economy-pitch-day",
        title="Blue economy pitch day in Klaipėda",
        summary="Lithuanian and Polish SMEs pitch to port-logistics investors.",
        description="Morning: pitches.\n\nAfternoon: visits to the port's innovation hub.",
        kind="study_visit",
        format="hybrid",
        venue="Klaipėda Science and Technology Park",
        address="Herkaus Manto g. 84, Klaipėda",
        capacity=30,
        timezone="Europe/Vilnius",
        region_codes=("LT", "PL"),
        translations={"hu": {"title": "Kék gazdaság – befektetői nap Klaipėdában"}},
    )
    db.session.add(Question(event=event, label="Which sector are you in?", required=True))
    lunch = Question(
        event=event,
        label="Lunch",
        kind="single_choice",
        options=["Vegetarian", "Fish"],
        help_text="We order for the group.",
        translations={"hu": {"label": "Ebéd", "options": ["Vegetáriánus", "Hal"]}},
    )
    db.session.add(lunch)
    db.session.commit()
    make_event(
        slug="rural-tourism",
        title="Rural tourism webinar",
        status="cancelled",
        region_codes=("ES",),
    )
    make_event(title="Fully booked workshop", capacity=1, start=timedelta(days=3))
    registration = make_registration(
        event, name="Rasa Petrauskienė", locale="lt", answers={str(lunch.id): "2"}
    )
    pending = make_registration(
        event,
        name="Marek Kowalski-Wiśniewski",
        email="marek.kowalski-wisniewski@rzeszow-agency.example.pl",
        organisation="Rzeszów Regional Development Agency",
        status="pending",
        answers={str(lunch.id): "1"},
    )
    unconfirmed = make_registration(
        event,
        name="Jonas Jonaitis",
        email_confirm_by=datetime.now(UTC) + timedelta(hours=1),
    )
    organiser = make_user(email="organiser@pannon.example", password=ORGANISER_PASSWORD)
    return {
        "event": event,
        "registration": registration,
        "unconfirmed": unconfirmed,
        "pending": pending,
        "organiser": organiser,
    }


def _log_in(page, organiser) -> None:
    page.goto("/organiser/login")
    page.locator("input[name=email]").fill(organiser.email)
    page.locator("input[name=password]").fill(ORGANISER_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


# name -> (path, the HTTP status the page is served with)
PAGES = {
    "catalogue": (lambda site: "/", 200),
    "past events": (lambda site: "/?when=past", 200),
    "event": (lambda site: f"/events/{site['event'].slug}", 200),
    "region": (lambda site: "/regions/LT", 200),
    "not found": (lambda site: "/events/no-such-event", 404),
    "registration form": (lambda site: f"/events/{site['event'].slug}/register", 200),
    "embed snippet": (lambda site: "/embed?region=LT", 200),
    "embedded list": (lambda site: "/embed/events", 200),
    "embedded list, bad filter": (lambda site: "/embed/events?region=ZZ", 400),
    "confirmation": (
        lambda site: f"/registrations/{site['registration'].token}/confirmation",
        200,
    ),
    "registrant page": (lambda site: f"/registrations/{site['registration'].token}", 200),
    "registrant page, address to confirm": (
        lambda site: f"/registrations/{site['unconfirmed'].token}",
        200,
    ),
    "registration closed": (lambda site: "/events/rural-tourism/register", 200),
    "privacy notice": (lambda site: "/privacy", 200),
    "cancel, asked first": (
        lambda site: f"/registrations/{site['registration'].token}/cancel",
        200,
    ),
    "correct your details": (
        lambda site: f"/registrations/{site['registration'].token}/edit",
        200,
    ),
    "check your inbox": (
        lambda site: f"/events/{site['event'].slug}/register/check-your-inbox",
        200,
    ),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_no_wcag_violations(visitor, site, axe_script, name, lang, width):
    page = visitor(lang, width)
    path, status = PAGES[name]
    response = page.goto(path(site))
    assert response.status == status
    assert page.evaluate("document.documentElement.lang") == lang
    assert_no_violations(page, axe_script, f"{name} ({lang}, {width})")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_registration_errors_have_no_wcag_violations(visitor, site, axe_script, lang, width):
    page = visitor(lang, width)
    page.goto(f"/events/{site['event'].slug}/register")
    page.locator("form.registration-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("[aria-invalid=true]").count() >= 2
    assert_no_violations(page, axe_script, f"registration form with errors ({lang}, {width})")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_check_in_sheet_has_no_wcag_violations(visitor, site, axe_script, lang, width):
    page = visitor(lang, width)
    _log_in(page, site["organiser"])
    page.goto(f"/organiser/events/{site['event'].id}/attendance")
    assert page.url.endswith("/attendance"), "the organiser is not logged in"
    assert page.get_by_text("Rasa Petrauskienė").count() >= 1
    # One person marked, so the marked row, its pressed button and "Undo" are checked too.
    page.locator("button.mark-present").first.click()
    page.locator("button.mark-undo:visible").first.wait_for()
    assert_no_violations(page, axe_script, f"check-in sheet ({lang}, {width})")


ORGANISER_PAGES = {
    "registrations": lambda site: f"/organiser/events/{site['event'].id}/registrations",
    "one registration": lambda site: (
        f"/organiser/events/{site['event'].id}/registrations/{site['pending'].id}"
    ),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ORGANISER_PAGES)
def test_registrations_screens_have_no_wcag_violations(
    visitor, site, axe_script, name, lang, width
):
    page = visitor(lang, width)
    _log_in(page, site["organiser"])
    response = page.goto(ORGANISER_PAGES[name](site))
    assert response.status == 200, "the organiser is not logged in"
    assert page.get_by_text("Marek Kowalski-Wiśniewski").count() >= 1
    # At 360 px nothing makes the page scroll sideways: each registration is a card.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    assert_no_violations(page, axe_script, f"{name} ({lang}, {width})")


def test_the_axe_harness_reports_violations(browser, axe_script):
    """Guard: a page with an unlabelled field and an image without text must fail."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            "<!doctype html><html><head><title>x</title></head><body><main>"
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
            "</main></body></html>"
        )
        inject_axe(page, axe_script)
        ids = {v["id"] for v in page.evaluate(RUN_AXE, WCAG_TAGS)}
        assert {"image-alt", "label", "html-has-lang"} <= ids
    finally:
        context.close()


def test_the_csp_watch_reports_a_blocked_inline_script(visitor, live_server):
    """Guard: a page served with the site's policy and an inline script is caught."""
    from webapp.security_headers import content_security_policy

    page = visitor("en", "desktop")
    page.route(
        f"{live_server}/csp-guard",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": content_security_policy()},
            body="<!doctype html><html lang=en><title>x</title><script>window.ran=1</script>",
        ),
    )
    page.goto("/csp-guard")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran === undefined")
    assert "script-src" in page.evaluate("window.__cspViolations[0]")
