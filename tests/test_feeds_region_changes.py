"""Feeds follow an event whose only change is the regions it serves.

The regions are another table; saving them must still give every feed a new ETag, so a
subscribed calendar downloads the change instead of getting 304: the event appears in
the new region's feed and leaves the old one's. Regions are CATEGORIES in a calendar:
the SEQUENCE stays and registrants get no change notice.
"""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from webapp.extensions import db
from webapp.feeds.services import feed_cache
from webapp.models import Event, OutboxMessage
from webapp.timezones import utcnow


@pytest.fixture(autouse=True)
def empty_feed_cache():
    feed_cache.clear()
    yield
    feed_cache.clear()


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


@pytest.fixture
def webinar(make_event, make_registration):
    event = make_event(
        title="Digital tools for SME internationalisation", region_codes=("HU",), capacity=30
    )
    make_registration(event)
    # Scheduled a while ago, as events are.
    event.created_at = event.updated_at = utcnow() - timedelta(days=3)
    db.session.commit()
    return event


def edit_form(event: Event, regions: list[str]) -> dict[str, object]:
    """The event form as the edit page fills it, with ``regions`` ticked."""
    return {
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "language": event.language,
        "timezone": event.timezone,
        "starts_local": event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_local": event.local_ends_at.strftime("%Y-%m-%dT%H:%M"),
        "format": event.format,
        "online_url": event.online_url,
        "capacity": str(event.capacity or ""),
        "visibility": event.visibility,
        "status": event.status,
        "regions": regions,
        "host_partner": event.host_partner.short_name,
        "reminder_hours": str(event.reminder_hours or ""),
        "save": "1",
    }


def entries(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_changing_only_the_regions_gives_feeds_a_new_etag_and_moves_the_event(
    client, organiser, webinar
):
    feeds = ("/calendar.ics", "/regions/HU/calendar.ics", "/regions/LT/calendar.ics")
    before = {path: client.get(path) for path in feeds}
    assert webinar.title in entries(before["/regions/HU/calendar.ics"])
    assert webinar.title not in entries(before["/regions/LT/calendar.ics"])
    event_file = client.get(f"/events/{webinar.slug}.ics")
    old_entry = entries(before["/calendar.ics"])[webinar.title]
    assert {str(c) for c in old_entry["CATEGORIES"].cats} >= {"Hungary"}

    response = client.post(f"/organiser/events/{webinar.id}/edit", data=edit_form(webinar, ["LT"]))

    assert response.headers["Location"].endswith(f"/organiser/events/{webinar.id}")
    db.session.expire_all()
    assert db.session.get(Event, webinar.id).region_codes == ["LT"]
    after = {
        path: client.get(path, headers={"If-None-Match": before[path].headers["ETag"]})
        for path in feeds
    }
    for path in feeds:
        assert after[path].status_code == 200, path
        assert after[path].headers["ETag"] != before[path].headers["ETag"], path
    assert webinar.title not in entries(after["/regions/HU/calendar.ics"])
    assert webinar.title in entries(after["/regions/LT/calendar.ics"])
    new_entry = entries(after["/calendar.ics"])[webinar.title]
    assert {str(c) for c in new_entry["CATEGORIES"].cats} >= {"Klaipėda"}
    assert "Hungary" not in {str(c) for c in new_entry["CATEGORIES"].cats}
    assert new_entry["LAST-MODIFIED"].dt > old_entry["LAST-MODIFIED"].dt
    # Categories are no change a calendar or a registrant must be told about.
    assert int(new_entry["SEQUENCE"]) == int(old_entry["SEQUENCE"])
    notices = db.select(db.func.count()).where(OutboxMessage.kind == "event_changed")
    assert db.session.scalar(notices) == 0
    # The event's own file changes as well.
    changed_file = client.get(
        f"/events/{webinar.slug}.ics", headers={"If-None-Match": event_file.headers["ETag"]}
    )
    assert changed_file.status_code == 200
    assert b"Klaip" in changed_file.data


def test_saving_the_same_regions_again_keeps_the_etag(client, organiser, webinar):
    etag = client.get("/regions/HU/calendar.ics").headers["ETag"]

    client.post(f"/organiser/events/{webinar.id}/edit", data=edit_form(webinar, ["HU"]))

    again = client.get("/regions/HU/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
