"""An organiser schedules an online webinar in Chromium, from login to the public feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from webapp.extensions import db
from webapp.models import Event

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_organiser_schedules_a_webinar_in_vilnius(page, live_server, make_user, regions):
    organiser = make_user("organiser", password=PASSWORD)
    day = (datetime.now(UTC) + timedelta(days=21)).date()

    page.goto("/organiser/")
    page.wait_for_url("**/organiser/login?next=*")
    page.get_by_label("E-mail address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")

    page.get_by_role("link", name="Schedule an event").click()
    page.get_by_label("Kind of event").select_option("webinar")
    page.get_by_label("Title (required)").fill("Digital export tools for SMEs")
    page.get_by_label("Summary", exact=True).fill("Online marketplaces and e-commerce basics.")
    page.get_by_label("Time zone").select_option("Europe/Vilnius")
    page.get_by_label("Starts").fill(f"{day.isoformat()}T14:00")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T15:30")
    page.get_by_label("Format").select_option("online")
    for name in (
        "Hungary (HU)",
        "Lombardy (IT)",
        "Podkarpackie (PL)",
        "Burgos (ES)",
        "Klaipėda (LT)",
    ):
        page.get_by_label(name).check()

    page.get_by_role("button", name="Check times").click()
    table = page.locator("table.region-times")
    expected = {"HU": "13:00", "IT": "13:00", "PL": "13:00", "ES": "13:00", "LT": "14:00"}
    for code, clock in expected.items():
        cell = table.locator(f"tr[data-region='{code}'] td.local-start")
        assert cell.inner_text() == f"{day.isoformat()} {clock}"
    assert page.get_by_text("Within working hours in every region served").is_visible()

    page.get_by_role("button", name="Create a Jitsi Meet room").click()
    room = page.get_by_label("Join link").input_value()
    assert room.startswith("https://meet.jit.si/InterVentures")

    page.get_by_label("Status").select_option("draft")
    page.get_by_role("button", name="Save", exact=True).last.click()
    page.wait_for_url("**/organiser/events/*")
    assert page.get_by_role("heading", name="Digital export tools for SMEs").is_visible()

    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("The event is published").is_visible()

    event = db.session.scalar(
        db.select(Event).where(Event.title == "Digital export tools for SMEs")
    )
    expected_start = datetime(
        day.year, day.month, day.day, 14, 0, tzinfo=ZoneInfo("Europe/Vilnius")
    )
    assert event.starts_at == expected_start.astimezone(UTC)
    assert event.online_url == room

    page.goto("/")
    page.get_by_role("link", name="Digital export tools for SMEs").click()
    page.wait_for_url(f"**/events/{event.slug}")
    start_attr = page.locator("time[datetime]").first.get_attribute("datetime")
    assert datetime.fromisoformat(start_attr) == expected_start

    with urlopen(f"{live_server}/calendar.ics", timeout=10) as response:
        calendar = Calendar.from_ical(response.read())
    vevents = [c for c in calendar.walk("VEVENT") if str(c.get("SUMMARY")) == event.title]
    assert len(vevents) == 1
    dtstart = vevents[0].decoded("DTSTART")
    assert dtstart == expected_start  # the same instant, whatever zone the feed writes
    assert room not in calendar.to_ical().decode()  # public feeds never carry the join link
