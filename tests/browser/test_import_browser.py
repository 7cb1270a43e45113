"""The attendance import in a browser: upload, preview, decide, confirm; axe and 360 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser.test_accessibility_browser import (  # noqa: F401  (fixtures)
    LANGUAGES,
    ORGANISER_PASSWORD,
    WIDTHS,
    _log_in,
    assert_no_violations,
    axe_script,
    visitor,
)
from webapp.extensions import db
from webapp.models import Attendance

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def webinar_site(make_event, make_registration, make_user, regions):
    event = make_event(
        start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        duration=timedelta(hours=2),
        kind="webinar",
        title="Cross-border e-commerce for SMEs",
    )
    for name, email in [
        ("Anna Kovács", "anna.kovacs@pannon.example"),
        ("Marco Rossi", "marco.rossi@unioncamere.example"),
        ("Łukasz Nowak", "l.nowak@rarr.example"),
        ("Lucía García", "lucia.garcia@sodebur.example"),
        ("Ilona Szabó-Kiss", "ilona@pecs.example"),
    ]:
        make_registration(event, name=name, email=email, region=regions["HU"])
    organiser = make_user(email="organiser@pannon.example", password=ORGANISER_PASSWORD)
    return {"event": event, "organiser": organiser}


def upload(page, event, filename: str) -> None:
    page.goto(f"/organiser/events/{event.id}/attendance/import")
    page.locator("input[name=report]").set_input_files(str(DATA / filename))
    page.locator("form.import-upload button[type=submit]").click()
    page.wait_for_load_state()


def assert_fits(page, what: str) -> None:
    """Nothing but a table's own scroll box is wider than the window."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} is {overflow} px wider than the screen"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_import_pages_have_no_wcag_violations(visitor, webinar_site, axe_script, lang, width):  # noqa: F811
    page = visitor(lang, width)
    event = webinar_site["event"]
    _log_in(page, webinar_site["organiser"])
    page.goto(f"/organiser/events/{event.id}/attendance/import")
    assert_no_violations(page, axe_script, f"import upload ({lang}, {width})")
    assert_fits(page, "the upload page")

    # A refused file: the error sits next to the field.
    upload(page, event, "unknown_layout.csv")
    assert page.locator("#report-error").count() == 1
    assert_no_violations(page, axe_script, f"import upload with an error ({lang}, {width})")

    upload(page, event, "zoom_meeting_participants.csv")
    assert "/attendance/import/" in page.url
    assert page.locator("#matched-table").count() == 1
    assert page.locator("#undecided-list .import-person").count() == 1
    assert page.locator("#team-list .import-person").count() == 1
    assert_no_violations(page, axe_script, f"import preview ({lang}, {width})")
    assert_fits(page, "the import preview")

    page.locator("#undecided-list a.button").first.click()
    page.wait_for_load_state()
    assert page.locator("input[name=walkin-name]").input_value() == "Ilona Szabó"
    assert_no_violations(page, axe_script, f"walk-in from an import ({lang}, {width})")
    assert_fits(page, "the walk-in page")


def test_organiser_matches_a_guest_and_confirms_on_a_phone(visitor, webinar_site):  # noqa: F811
    page = visitor("en", "narrow")
    event = webinar_site["event"]
    _log_in(page, webinar_site["organiser"])
    upload(page, event, "zoom_meeting_participants.csv")
    guest = page.locator("#undecided-list .import-person").first
    assert "Ilona Szabó (Guest)" in guest.inner_text()
    # "Ilona Szabó" is a likely registrant ("Ilona Szabó-Kiss"), offered first.
    guest.get_by_label("Possible registrants").select_option(
        label="Ilona Szabó-Kiss (ilona@pecs.example)"
    )
    guest.get_by_role("button", name="Match to this registrant").click()
    page.wait_for_load_state()
    assert page.get_by_text("Matched to Ilona Szabó-Kiss.").count() == 1
    assert page.locator("#undecided-list").count() == 0
    page.get_by_role("button", name="Confirm and store attendance").click()
    page.wait_for_url(f"**/organiser/events/{event.id}/attendance")
    stored = {
        a.registration.name: (a.status, a.minutes_online)
        for a in db.session.scalars(db.select(Attendance))
    }
    assert stored == {
        "Anna Kovács": ("present", 118),
        "Marco Rossi": ("absent", 50),
        "Łukasz Nowak": ("present", 108),
        "Lucía García": ("absent", 35),
        "Ilona Szabó-Kiss": ("present", 95),
    }
