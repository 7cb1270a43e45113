"""Reporting pages in Chromium: axe-core finds no WCAG 2.1 AA violation and nothing
scrolls sideways at 360 px, in English and Hungarian."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser import test_accessibility_browser as a11y
from tests.browser.test_accessibility_browser import (
    ORGANISER_PASSWORD,
    WIDTHS,
    assert_no_violations,
)

pytestmark = pytest.mark.browser

# The accessibility suite's fixtures: axe-core's script and a page in a language and width.
axe_script = a11y.axe_script
visitor = a11y.visitor


@pytest.fixture
def reporting_site(make_event, make_registration, make_user, regions):
    from webapp.extensions import db
    from webapp.models import ActionPlan, Attendance, PlanAction, ReportingPeriod
    from webapp.reporting import certificates
    from webapp.timezones import utcnow

    plan = ActionPlan(
        region=regions["HU"],
        title="Action plan of PANNON EGTC (Hungary–Croatia)",
        policy_instrument="Regional policy instrument for the internationalisation of SMEs",
    )
    plan.actions = [PlanAction(position=1, title="Amended regional cross-border support scheme")]
    today = utcnow().date()
    db.session.add_all(
        [
            plan,
            ReportingPeriod(
                name="Semester", starts_on=today - timedelta(days=90), ends_on=today + timedelta(90)
            ),
        ]
    )
    past = make_event(
        start=timedelta(days=-3),
        title="Workshop: the “preparedness test” for cross-border SMEs",
        format="hybrid",
        venue="Pécs",
    )
    past.actions = list(plan.actions)
    person = make_registration(past, name="Őry Ünőke", organisation="Pécsi Tudományegyetem")
    db.session.add(Attendance(registration=person, day=past.days[0], status="present"))
    make_registration(make_event(start=timedelta(days=2), title="Soon"), status="pending")
    db.session.commit()
    certificate = certificates.issue(person)
    db.session.commit()
    admin = make_user(role="admin", email="admin@pannon.example", password=ORGANISER_PASSWORD)
    return {
        "event": past,
        "plan": plan,
        "person": person,
        "certificate": certificate,
        "admin": admin,
    }


def _log_in(page, user) -> None:
    page.goto("/organiser/login")
    page.locator("input[name=email]").fill(user.email)
    page.locator("input[name=password]").fill(ORGANISER_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


ORGANISER_PAGES = {
    "dashboard": (lambda s: "/organiser/", 200),
    "reports": (lambda s: "/organiser/reports", 200),
    "reports with every event": (lambda s: "/organiser/reports?period=&when=all", 200),
    "reports with errors": (lambda s: "/organiser/reports?date_from=1066-10-14", 400),
    "reporting periods": (lambda s: "/organiser/reports/periods", 200),
    "new period": (lambda s: "/organiser/reports/periods/new", 200),
    "action plans": (lambda s: "/organiser/action-plans", 200),
    "edit plan": (lambda s: f"/organiser/action-plans/{s['plan'].id}", 200),
    "new action": (lambda s: f"/organiser/action-plans/{s['plan'].id}/actions/new", 200),
    "event actions": (lambda s: f"/organiser/events/{s['event'].id}/actions", 200),
    "event page": (lambda s: f"/organiser/events/{s['event'].id}", 200),
}
PUBLIC_PAGES = {
    "certificate lookup": (lambda s: "/certificates", 200),
    "certificate unknown": (lambda s: "/certificates?code=nope", 404),
    "certificate": (lambda s: f"/certificates/{s['certificate'].formatted_code}", 200),
    "registrant page with certificate": (lambda s: f"/registrations/{s['person'].token}", 200),
}


def _check(page, axe_script, what: str, width: str) -> None:
    assert_no_violations(page, axe_script, what)
    if width == "narrow":
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{what} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_reporting_pages_have_no_wcag_violations(visitor, reporting_site, axe_script, lang, width):
    page = visitor(lang, width)
    _log_in(page, reporting_site["admin"])
    for name, (path, status) in ORGANISER_PAGES.items():
        response = page.goto(path(reporting_site))
        assert response.status == status, name
        assert page.evaluate("document.documentElement.lang") == lang
        _check(page, axe_script, f"{name} ({lang}, {width})", width)
    # A form sent with errors.
    page.goto("/organiser/reports/periods/new")
    page.locator("input[name=name]").fill("Semester")
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    _check(page, axe_script, f"period form with errors ({lang}, {width})", width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_certificate_pages_have_no_wcag_violations(
    visitor, reporting_site, axe_script, lang, width
):
    page = visitor(lang, width)
    for name, (path, status) in PUBLIC_PAGES.items():
        response = page.goto(path(reporting_site))
        assert response.status == status, name
        _check(page, axe_script, f"{name} ({lang}, {width})", width)
