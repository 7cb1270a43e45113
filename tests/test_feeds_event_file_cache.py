"""The calendar file of one event is built once per process and never served stale.

Every confirmation mail of an event carries the same ``.ics``; it is remembered under
everything it is built from, so any change an attendee's calendar must see (even one
that does not touch the event's row, like a region's name) gives a new file.
"""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from flask_babel import force_locale

from webapp.event_calendar import EVENT_FILE_CACHE_ENTRIES, event_ics, single_event_calendar
from webapp.extensions import db


@pytest.fixture(autouse=True)
def empty_cache():
    single_event_calendar.cache_clear()
    yield
    single_event_calendar.cache_clear()


@pytest.fixture
def webinar(make_event):
    return make_event(
        title="Export to the Baltic states",
        slug="export-baltic",
        region_codes=("HU", "LT"),
        online_url="https://meet.jit.si/InterVenturesBaltic",
    )


def vevent(content: bytes) -> icalendar.Event:
    (entry,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return entry


def builds() -> int:
    return single_event_calendar.cache_info().misses


def test_the_same_event_is_built_once_and_gives_the_same_bytes(app, webinar):
    with app.test_request_context():
        first = event_ics(webinar, personal=True)
        second = event_ics(webinar, personal=True)
    assert first == second
    assert builds() == 1
    assert str(vevent(first)["SUMMARY"]) == "Export to the Baltic states"


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        (lambda e: setattr(e, "title", "Export to Lithuania and Latvia"), b"Lithuania and Latvia"),
        (lambda e: setattr(e, "venue", "Klaipeda ID") or setattr(e, "format", "hybrid"), b"Klaip"),
        (lambda e: setattr(e, "starts_at", e.starts_at + timedelta(hours=1)), None),
        (lambda e: setattr(e, "sequence", e.sequence + 1), b"SEQUENCE:1"),
        (lambda e: setattr(e, "status", "cancelled"), b"STATUS:CANCELLED"),
        (lambda e: setattr(e, "online_url", "https://meet.jit.si/NewRoom"), b"NewRoom"),
        # Neither of these touches the event's row or its updated_at.
        (lambda e: setattr(e.regions[1], "name", "Klaipeda region"), b"Klaipeda region"),
        (lambda e: setattr(e.host_partner, "name", "PANNON European GTC"), b"European GTC"),
    ],
)
def test_any_change_to_what_the_file_shows_gives_a_new_file(app, webinar, change, seen):
    with app.test_request_context():
        before = event_ics(webinar, personal=True)
        change(webinar)
        after = event_ics(webinar, personal=True)
    assert after != before
    if seen is not None:
        assert seen in after.replace(b"\r\n ", b"")
    assert builds() == 2
    db.session.rollback()


def test_language_join_link_method_and_site_address_are_part_of_the_key(app, webinar):
    with app.test_request_context():
        public = event_ics(webinar)
        personal = event_ics(webinar, personal=True)
        with force_locale("hu"):
            hungarian = event_ics(webinar, personal=True)
        webinar.status = "cancelled"
        cancel = event_ics(webinar, method="CANCEL")
        publish = event_ics(webinar)
    app.config["PUBLIC_BASE_URL"] = "https://calendar.inter-ventures.example"
    with app.test_request_context():
        moved = event_ics(webinar)
    db.session.rollback()

    assert b"InterVenturesBaltic" not in public
    assert b"InterVenturesBaltic" in personal
    assert "Szervező: PANNON EGTC" in str(vevent(hungarian)["DESCRIPTION"])
    assert "Hosted by: PANNON EGTC" in str(vevent(personal)["DESCRIPTION"])
    assert b"METHOD:CANCEL" in cancel and b"METHOD:PUBLISH" in publish
    assert b"calendar.inter-ventures.example" in moved.replace(b"\r\n ", b"")
    assert b"calendar.inter-ventures.example" not in publish.replace(b"\r\n ", b"")
    assert builds() == 6


def test_confirmation_mails_of_one_event_share_one_build(app, webinar, make_registration):
    from tests.support.outbox import render_queued
    from webapp.mail.queue import queue_registration_mail

    for _ in range(5):
        queue_registration_mail(make_registration(webinar), "confirmed")
    # The calendar file is drawn when each message is written for delivery.
    messages = render_queued()

    assert len(messages) == 5
    files = {m.attachments[0]["content"] for m in messages}
    assert len(files) == 1
    assert builds() == 1


def test_the_cache_is_bounded(app, make_event):
    events = [make_event(slug=f"webinar-{n}") for n in range(EVENT_FILE_CACHE_ENTRIES + 5)]
    with app.test_request_context():
        for event in events:
            event_ics(event)
    info = single_event_calendar.cache_info()
    assert info.currsize == info.maxsize == EVENT_FILE_CACHE_ENTRIES
