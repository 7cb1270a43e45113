"""The programme, speaker and material pages in Chromium: axe-core finds no WCAG 2.1 AA
violation in English and Hungarian at 1280 and 360 px, nothing scrolls sideways at 360 px,
and the time-zone switch offers the visitor's own zone when scripts run."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.browser import test_accessibility_browser as a11y
from tests.browser.test_accessibility_browser import (
    LANGUAGES,
    ORGANISER_PASSWORD,
    WIDTHS,
    _log_in,
    assert_no_violations,
)

# The accessibility suite's fixtures: axe-core's script and a page per language and width.
axe_script = a11y.axe_script
visitor = a11y.visitor

pytestmark = pytest.mark.browser


@pytest.fixture
def site(make_event, make_registration, make_user, regions):
    from webapp.extensions import db
    from webapp.models import Attendance, Material, ProgrammeItem, Speaker
    from webapp.timezones import local_to_utc

    start = (datetime.now() + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    event = make_event(
        slug="lombardy-visit",
        title="Study visit: digital export services in Lombardy",
        kind="study_visit",
        format="onsite",
        venue="Unioncamere Lombardia",
        address="Via Ercole Oldofredi 23, Milan",
        online_url="",
        start=local_to_utc(start, "Europe/Rome"),
        duration=timedelta(days=1, hours=8),
        timezone="Europe/Rome",
        region_codes=("IT", "HU", "LT"),
        meeting_point="Hotel Berna lobby, 08:30",
        travel_notes="Malpensa Express to Milano Centrale.",
        accommodation_notes="Rooms held at Hotel Berna.",
    )
    speaker = Speaker(name="Francesca Colombo", organisation="Unioncamere", bio="Export desk.")
    for day, hour, title, kind, place in (
        (0, 9, "Welcome and the Lombard measures", "talk", "Unioncamere Lombardia"),
        (0, 11, "Visit to a textile company selling online", "site_visit", "Ferrari Tessuti"),
        (0, 13, "Lunch", "meal", "Ristorante Lario"),
        (1, 9, "Lessons for the regional action plans", "session", "Milano Innovation Hub"),
    ):
        local = start + timedelta(days=day, hours=hour - 9)
        db.session.add(
            ProgrammeItem(
                event=event,
                starts_at=local_to_utc(local, "Europe/Rome"),
                ends_at=local_to_utc(local + timedelta(hours=1, minutes=30), "Europe/Rome"),
                title=title,
                kind=kind,
                place=place,
                address="Milan",
                speakers=[speaker] if kind == "talk" else [],
                translations={"hu": {"title": f"{title} (HU)"}},
            )
        )
    for audience in ("everyone", "registrants", "organisers"):
        db.session.add(
            Material(
                event=event,
                title=f"Slides for {audience}",
                audience=audience,
                url=f"https://files.example.org/{audience}",
            )
        )
    registration = make_registration(event, name="Rasa Petrauskienė", locale="lt")
    db.session.add(Attendance(registration=registration, day=event.days[0], status="present"))
    db.session.commit()
    organiser = make_user(email="organiser@pannon.example", password=ORGANISER_PASSWORD)
    return {"event": event, "registration": registration, "organiser": organiser}


PUBLIC_PAGES = {
    "event with programme": lambda site: f"/events/{site['event'].slug}",
    "printable programme": lambda site: f"/events/{site['event'].slug}/programme",
    "registrant page with materials": lambda site: f"/registrations/{site['registration'].token}",
}
ORGANISER_PAGES = {
    "programme": lambda site: f"/organiser/events/{site['event'].id}/programme",
    "programme item form": lambda site: f"/organiser/events/{site['event'].id}/programme/new",
    "materials": lambda site: f"/organiser/events/{site['event'].id}/materials",
    "speakers": lambda site: "/organiser/speakers",
    "speaker form": lambda site: "/organiser/speakers/new",
}

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_programme_pages_pass_axe(visitor, site, axe_script, name, lang, width):
    page = visitor(lang, width)
    response = page.goto(PUBLIC_PAGES[name](site))
    assert response.status == 200
    assert page.get_by_text("Lunch").count() >= 1 or name.startswith("registrant")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    assert_no_violations(page, axe_script, f"{name} ({lang}, {width})")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_organiser_programme_pages_pass_axe(visitor, site, axe_script, lang, width):
    page = visitor(lang, width)
    _log_in(page, site["organiser"])
    for name, path in ORGANISER_PAGES.items():
        response = page.goto(path(site))
        assert response.status == 200, name
        assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0, name
        assert_no_violations(page, axe_script, f"{name} ({lang}, {width})")


def test_item_form_errors_pass_axe(visitor, site, axe_script):
    page = visitor("en", "narrow")
    _log_in(page, site["organiser"])
    page.goto(f"/organiser/events/{site['event'].id}/programme/new")
    page.locator("input[name=title]").fill("Too early")
    page.locator("input[name=starts_local]").fill("2020-01-01T09:00")
    page.locator("input[name=ends_local]").fill("2020-01-01T10:00")
    page.locator("form.event-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    assert page.get_by_text("the programme must stay within those days").count() >= 1
    assert_no_violations(page, axe_script, "programme item form with errors")


def test_the_visitor_s_own_zone_is_offered_by_script_and_works(browser, live_server, site):
    context = browser.new_context(base_url=live_server, timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.goto(f"/events/{site['event'].slug}")
        select = page.locator("select[name=tz]")
        assert select.locator("option[value='America/New_York']").count() == 1
        select.select_option("America/New_York")
        page.locator("form.zone-switch button[type=submit]").click()
        page.wait_for_url("**tz=America%2FNew_York*")
        # 09:00 in Rome is 03:00 or 04:00 in New York, depending on the season.
        first_time = page.locator(".programme-time time").first.inner_text()
        assert first_time in ("03:00", "04:00", "3:00 AM", "4:00 AM")
    finally:
        context.close()


def test_without_script_the_zone_switch_still_works(browser, live_server, site):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/events/{site['event'].slug}")
        page.locator("select[name=tz]").select_option("Europe/Vilnius")
        page.locator("form.zone-switch button[type=submit]").click()
        page.wait_for_url("**tz=Europe%2FVilnius*")
        assert page.locator(".programme-time time").first.inner_text() in ("10:00", "10:00 AM")
    finally:
        context.close()
