"""A registrant's e-mail is queued as what to say and written when it is sent.

The request that registers (holding the event's lock) stores the kind and its arguments;
the outbox worker renders the message in the registrant's language right before
sending it, keeps the text (a retry sends the same words), and never writes to, or
about, a person whose registration was erased or is gone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import text

from webapp.extensions import db
from webapp.mail.delivery import backend_from_config
from webapp.mail.outbox import deliver_all_due, failed_messages_for
from webapp.mail.queue import queue_registration_mail
from webapp.models import OutboxMessage, Registration
from webapp.registrations.services import erase_registration
from webapp.timezones import EventTimes

START = datetime(2030, 3, 12, 9, 0, tzinfo=UTC)  # 10:00 in Budapest, 11:00 in Vilnius


def deliver(app, **kwargs):
    backend = backend_from_config(app.config, app.instance_path)
    return deliver_all_due(backend, app.config, domain="events.example.org", **kwargs)


def stored_messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def register(client, slug: str, email: str, *, language: str = "en", region: str = "HU"):
    response = client.post(
        f"/events/{slug}/register",
        data={
            "name": "Dorota Wiśniewska",
            "email": email,
            "organisation": "Podkarpackie SME",
            "stakeholder_type": "sme",
            "region": region,
            "consent": "y",
        },
        headers={"Accept-Language": language},
    )
    assert response.headers["Location"].endswith("/register/check-your-inbox")
    return db.session.scalar(db.select(Registration).where(Registration.email == email))


@pytest.fixture
def webinar(make_event):
    return make_event(
        start=START, title="Cross-border export webinar", slug="export-webinar", capacity=1
    )


def test_the_request_queues_what_to_say_and_delivery_sends_it_written_with_its_calendar(
    app, client, smtp_server, webinar
):
    registration = register(client, webinar.slug, "dorota@sme.example", language="pl")
    (queued,) = stored_messages()
    assert queued.kind == "confirmed" and queued.registration_id == registration.id
    assert (queued.subject, queued.body_text, queued.attachments) == ("", "", [])
    assert queued.awaits_rendering

    assert deliver(app).sent == 1

    (received,) = smtp_server.messages
    message = received.message
    assert received.rcpt_tos == ["dorota@sme.example"]
    assert message["Subject"] == "Rejestracja potwierdzona: Cross-border export webinar"
    plain = message.get_body(("plain",)).get_content()
    assert f"/registrations/{registration.token}" in plain
    assert "Cross-border export webinar" in message.get_body(("html",)).get_content()
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    (vevent,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert vevent.decoded("DTSTART") == START
    # What was sent is kept: the text, the attachments, and no arguments left to render.
    (sent,) = stored_messages()
    assert sent.sent_at is not None and not sent.awaits_rendering
    assert sent.subject == message["Subject"]
    assert sent.body_text.replace("\r\n", "\n") == plain.replace("\r\n", "\n")
    assert [a["filename"] for a in sent.attachments] == ["export-webinar.ics"]


def test_a_retry_sends_the_words_written_at_the_first_attempt(
    app, smtp_server, webinar, make_registration
):
    registration = make_registration(webinar)
    queue_registration_mail(registration, "confirmed")
    db.session.commit()
    smtp_server.stop()
    assert deliver(app).retrying == 1
    (waiting,) = stored_messages()
    assert waiting.subject == "Registration confirmed: Cross-border export webinar"
    assert not waiting.awaits_rendering

    webinar = db.session.get(type(webinar), webinar.id)
    webinar.title = "Renamed after the first attempt"
    db.session.commit()
    smtp_server.start()
    later = waiting.next_attempt_at + timedelta(seconds=1)
    assert deliver(app, clock=lambda: later).sent == 1
    (received,) = smtp_server.messages
    assert received.message["Subject"] == "Registration confirmed: Cross-border export webinar"


def test_nothing_goes_to_a_person_erased_before_delivery(
    app, client, smtp_server, webinar, make_registration
):
    registration = register(client, webinar.slug, "erase.me@sme.example")
    assert [m.kind for m in stored_messages()] == ["confirmed"]
    with app.test_request_context():
        erase_registration(db.session.get(Registration, registration.id))
    db.session.commit()

    report = deliver(app)

    assert report.handled == 0 and smtp_server.messages == []
    assert stored_messages() == []  # the queued message went with the person's data


def test_a_message_whose_registration_is_gone_fails_with_the_reason(
    app, smtp_server, webinar, make_registration
):
    kept = make_registration(webinar, email="kept@sme.example")
    gone = make_registration(webinar, email="gone@sme.example", status="waitlisted")
    queue_registration_mail(kept, "confirmed")
    queue_registration_mail(gone, "waitlisted")
    db.session.commit()
    # Removed outside the app: PostgreSQL sets the outbox's reference to NULL, SQLite
    # (no foreign keys enforced) leaves it pointing at nothing. Neither is written.
    db.session.execute(text("DELETE FROM registrations WHERE id = :id"), {"id": gone.id})
    db.session.commit()

    report = deliver(app)

    assert (report.sent, report.failed) == (1, 1)
    assert [r.rcpt_tos for r in smtp_server.messages] == [["kept@sme.example"]]
    failed = next(m for m in stored_messages() if m.kind == "waitlisted")
    assert failed.failed_at is not None and failed.sent_at is None
    assert failed.last_error == "not sent: the registration no longer exists"
    assert (failed.subject, failed.body_text) == ("", "")
    assert failed_messages_for([kept.id]) == {}


def test_an_erased_registration_is_never_written_about(
    app, smtp_server, webinar, make_registration
):
    registration = make_registration(webinar)
    queue_registration_mail(registration, "confirmed")
    db.session.commit()
    # Erased by a path that left the queued message behind (older code, a script).
    db.session.execute(
        text("UPDATE registrations SET erased_at = :now, name = '—' WHERE id = :id"),
        {"now": datetime.now(UTC), "id": registration.id},
    )
    db.session.commit()

    assert deliver(app).failed == 1
    assert smtp_server.messages == []
    (message,) = stored_messages()
    assert message.last_error == "not sent: the registration was erased"
    assert message.body_text == ""
    assert failed_messages_for([registration.id])[registration.id] == [message]


def test_a_change_notice_shows_the_earlier_times_kept_in_the_queue(
    app, smtp_server, make_event, make_registration, regions
):
    event = make_event(start=START, timezone="Europe/Budapest", title="Blue growth forum")
    registration = make_registration(event, region=regions["LT"])
    earlier = EventTimes.of(event)
    event.starts_at += timedelta(hours=2)
    event.ends_at += timedelta(hours=2)
    event.sequence += 1
    queue_registration_mail(registration, "event_changed", changes=["starts_at"], earlier=earlier)
    db.session.commit()
    (queued,) = stored_messages()
    assert queued.render_args["earlier"] == {
        "starts_at": "2030-03-12T09:00:00+00:00",
        "ends_at": earlier.ends_at.isoformat(),
        "timezone": "Europe/Budapest",
        "all_day": False,
    }

    assert deliver(app).sent == 1

    plain = smtp_server.messages[0].message.get_body(("plain",)).get_content()
    # On the Lithuanian reader's clock (EET in March).
    lines = plain.splitlines()
    assert "Before: 12 March 2030, 11:00–13:00 (Eastern European Time (UTC+02:00))" in lines
    assert "Now: 12 March 2030, 13:00–15:00 (Eastern European Time (UTC+02:00))" in lines


def test_the_waiting_list_mail_tells_the_place_given_at_registration(
    app, client, smtp_server, webinar, make_registration
):
    make_registration(webinar, email="seat@sme.example")
    first = register(client, webinar.slug, "first@sme.example")
    second = register(client, webinar.slug, "second@sme.example")
    assert (first.status, second.status) == ("waitlisted", "waitlisted")
    # The first person waiting leaves before the worker runs (no mail for that here).
    db.session.execute(
        text("UPDATE registrations SET status = 'cancelled' WHERE id = :id"), {"id": first.id}
    )
    db.session.commit()

    deliver(app)

    subjects = {r.rcpt_tos[0]: r.message["Subject"] for r in smtp_server.messages}
    assert subjects["second@sme.example"].startswith("Waiting list, number 2:")
