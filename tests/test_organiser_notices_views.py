"""Change and cancellation notices: the organiser's choice to notify, their note, the old
and new time on the reader's clock, and the calendar file that removes the entry."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import icalendar
import pytest

from tests.support import ical_check
from tests.support.outbox import render_queued, written
from tests.test_organiser_events_views import edit_data
from webapp.event_calendar import event_uid
from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage
from webapp.registrations.services import cancel_registration

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


@pytest.fixture
def icaljs():
    problem = ical_check.icaljs_missing()
    if problem:
        if IN_CI:
            pytest.fail(f"ical.js is needed under CI: {problem}")
        pytest.skip(f"ical.js not available: {problem}")
    return ical_check.icaljs_times


def mails(kind: str) -> list[OutboxMessage]:
    render_queued()
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def calendar_file(message: OutboxMessage) -> dict:
    (attachment,) = [a for a in message.attachments if a["filename"].endswith(".ics")]
    return attachment


def test_change_notice_shows_old_and_new_time_on_the_readers_clock_and_the_note(
    client, organiser, make_event, make_registration, regions
):
    event = make_event(start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC), timezone="Europe/Budapest")
    lithuanian = make_registration(event, region=regions["LT"])
    response = client.post(
        f"/organiser/events/{event.id}/edit",
        data=edit_data(
            event,
            starts_local="2031-06-02T14:00",
            ends_local="2031-06-02T15:00",
            notify_registrants="yes",
            change_note="The keynote speaker's flight was moved.",
        ),
    )
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    (notice,) = mails("event_changed")
    assert notice.registration_id == lithuanian.id
    # 08:00–10:00 and 12:00–13:00 UTC read 11:00–13:00 and 15:00–16:00 in Vilnius in June.
    text = notice.body_text
    before = next(line for line in text.splitlines() if line.startswith("Before:"))
    now = next(line for line in text.splitlines() if line.startswith("Now:"))
    assert "2 June 2031, 11:00–13:00" in before and "UTC+03:00" in before
    assert "2 June 2031, 15:00–16:00" in now and "UTC+03:00" in now
    assert "The keynote speaker's flight was moved." in text
    assert "The keynote speaker&#39;s flight was moved." in notice.body_html
    audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.updated"))
    assert audit.details["note"] == "The keynote speaker's flight was moved."


def test_change_without_notice_raises_the_sequence_and_mails_nobody(
    client, organiser, make_event, make_registration
):
    event = make_event(start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC))
    make_registration(event)
    client.post(
        f"/organiser/events/{event.id}/edit",
        data=edit_data(
            event,
            starts_local="2031-06-02T14:00",
            ends_local="2031-06-02T15:00",
            notify_registrants="no",
            change_note="never sent",
        ),
    )
    db.session.refresh(event)
    assert event.sequence == 1  # the feeds still move the entry
    assert mails("event_changed") == []
    audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.updated"))
    assert audit.details["notified"] == 0 and "note" not in audit.details


def test_a_change_note_that_is_too_long_is_refused_and_nothing_changes(
    client, organiser, make_event, make_registration
):
    event = make_event(start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC))
    make_registration(event)
    response = client.post(
        f"/organiser/events/{event.id}/edit",
        data=edit_data(event, starts_local="2031-06-02T14:00", change_note="x" * 2001),
    )
    assert response.status_code == 200
    assert 'id="change_note-error"' in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.starts_at == datetime(2031, 6, 2, 8, 0, tzinfo=UTC)
    assert mails("event_changed") == []


def test_edit_page_offers_the_notice_choice_for_published_events_only(
    client, organiser, make_event
):
    published = client.get(f"/organiser/events/{make_event().id}/edit").get_data(as_text=True)
    draft = client.get(f"/organiser/events/{make_event(status='draft').id}/edit").get_data(
        as_text=True
    )
    assert 'name="notify_registrants"' in published and 'name="change_note"' in published
    assert 'name="notify_registrants"' not in draft


def test_cancellation_reason_reaches_registrants_with_a_cancel_calendar_file(
    client, organiser, make_event, make_registration, icaljs
):
    event = make_event()
    seat = make_registration(event)
    waiting = make_registration(event, status="waitlisted")
    client.post(
        f"/organiser/events/{event.id}/cancel",
        data={"notify": "yes", "reason": "The venue flooded; we will announce a new date."},
    )
    notices = mails("event_cancelled")
    assert [m.registration_id for m in notices] == [seat.id, waiting.id]
    for notice in notices:
        assert "The venue flooded; we will announce a new date." in notice.body_text
        assert "The venue flooded; we will announce a new date." in notice.body_html
    # Only the person who held a seat has the event in their calendar to remove.
    assert not any(a["filename"].endswith(".ics") for a in notices[1].attachments)
    attachment = calendar_file(notices[0])
    assert attachment["content_type"].startswith("text/calendar; method=CANCEL")
    ics = attachment["content"].encode()
    parsed = icaljs(ics)
    assert parsed["method"] == "CANCEL"
    (uid,) = parsed["events"]
    assert uid == event_uid(event.id)
    assert parsed["events"][uid]["status"] == "CANCELLED"
    db.session.refresh(event)
    assert parsed["events"][uid]["sequence"] == event.sequence == 1
    # The same UID as the file the confirmation carried.
    published = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}.ics").data)
    assert str(published.walk("VEVENT")[0]["UID"]) == uid
    assert "ORGANIZER" in icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]


def test_cancelling_quietly_sends_no_mail(client, organiser, make_event, make_registration):
    event = make_event()
    make_registration(event)
    response = client.post(
        f"/organiser/events/{event.id}/cancel", data={"notify": "no", "reason": "internal"}
    )
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    db.session.refresh(event)
    assert event.status == "cancelled" and event.sequence == 1
    assert mails("event_cancelled") == []
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.cancelled"))
    assert entry.details["notified"] == 0 and entry.details["reason"] == "internal"


def test_cancel_page_with_a_bad_choice_or_long_reason_keeps_the_event(
    client, organiser, make_event, make_registration
):
    event = make_event()
    make_registration(event)
    for data in ({"notify": "perhaps"}, {"notify": "yes", "reason": "r" * 2001}):
        response = client.post(f"/organiser/events/{event.id}/cancel", data=data)
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.status == "published" and event.sequence == 0
    assert mails("event_cancelled") == []


def test_registrants_own_cancellation_removes_the_entry_with_a_higher_sequence(
    app, make_event, make_registration, icaljs
):
    from webapp.mail.queue import queue_registration_mail

    event = make_event(sequence=3)
    registration = make_registration(event)
    confirmation = written(queue_registration_mail(registration, "confirmed"))
    confirmed_ics = icalendar.Calendar.from_ical(calendar_file(confirmation)["content"])
    with app.test_request_context():
        cancel_registration(registration)
    db.session.commit()
    (message,) = mails("cancelled")
    attachment = calendar_file(message)
    assert attachment["content_type"].startswith("text/calendar; method=CANCEL")
    parsed = icaljs(attachment["content"].encode())
    assert parsed["method"] == "CANCEL"
    (uid,) = parsed["events"]
    assert uid == str(confirmed_ics.walk("VEVENT")[0]["UID"])
    assert parsed["events"][uid]["sequence"] == 4 > confirmed_ics.walk("VEVENT")[0]["SEQUENCE"]
    assert parsed["events"][uid]["status"] == "CANCELLED"
    assert "removes the event from your calendar" in message.body_text
    db.session.refresh(event)
    assert event.sequence == 3 and event.status == "published"  # nobody else is affected
    # The join link of an online event is not in the cancellation file.
    assert event.online_url not in attachment["content"]


def test_cancellation_of_someone_who_never_had_a_calendar_file_carries_none(
    app, make_event, make_registration
):
    event = make_event()
    registration = make_registration(event, status="waitlisted")
    with app.test_request_context():
        cancel_registration(registration)
    db.session.commit()
    (message,) = mails("cancelled")
    assert message.attachments == []
    assert "removes the event from your calendar" not in message.body_text
