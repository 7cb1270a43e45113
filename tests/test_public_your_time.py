"""Times on the public pages: the zone shown, and the hooks for the visitor's own zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture
def budapest_ten_oclock(make_event):
    start = datetime(2031, 3, 12, 10, 0, tzinfo=ZoneInfo("Europe/Budapest"))
    return make_event(
        title="Morning webinar", start=start, timezone="Europe/Budapest", region_codes=("LT", "HU")
    )


def test_region_page_shows_times_on_the_regions_clock(client, budapest_ten_oclock):
    page = client.get("/regions/LT", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "11:00" in page and "(Europe/Vilnius)" in page
    assert "10:00" not in page
    assert 'data-zone="Europe/Vilnius"' in page

    catalogue = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "10:00" in catalogue and "(Europe/Budapest)" in catalogue
    assert 'data-zone="Europe/Budapest"' in catalogue


def test_pages_carry_the_instants_for_the_visitors_own_zone(client, budapest_ten_oclock):
    event = budapest_ten_oclock
    for url in ("/", "/regions/HU", f"/events/{event.slug}"):
        page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert 'datetime="2031-03-12T09:00:00+00:00"' in page, url
        assert 'data-end="2031-03-12T11:00:00+00:00"' in page, url
        assert 'data-your-time="Your time"' in page, url
        assert "js/your_time.js" in page, url
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    # The regions' table names its zones, so the script adds a row only for another one.
    assert 'data-your-time-row="' in page
    assert "Europe/Budapest" in page.split('data-zones="')[1].split('"')[0]


def test_all_day_events_keep_their_dates(client, make_event):
    start = datetime(2031, 5, 4, 0, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    make_event(
        title="Study visit Burgos",
        start=start,
        timezone="Europe/Madrid",
        all_day=True,
        region_codes=("LT",),
    )
    page = client.get("/regions/LT", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "4 May 2031" in page or "Sunday, 4 May 2031" in page
    assert "data-your-time=" not in page
