"""Delivery through a real SMTP server on loopback: what arrives, and what a down server does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import icalendar
import pytest

from webapp.extensions import db
from webapp.mail.delivery import FileBackend, SMTPBackend, backend_from_config
from webapp.mail.outbox import deliver_all_due, failed_messages_for, retry_delay
from webapp.mail.queue import (
    REGISTRATION_MAIL_KINDS,
    notify_host_organisers,
    queue_mail,
    queue_registration_mail,
)
from webapp.models import OutboxMessage
from webapp.timezones import utcnow

START = datetime(2030, 3, 12, 9, 0, tzinfo=UTC)


def deliver(app, **kwargs):
    backend = backend_from_config(app.config, app.instance_path)
    return deliver_all_due(backend, app.config, domain="events.example.org", **kwargs)


def feed_uid(client, event) -> str:
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200
    (vevent,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return str(vevent["UID"])


def calendar_of(message) -> icalendar.Calendar | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            assert part.get_filename().endswith(".ics")
            calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            # The MIME type names the calendar's METHOD (RFC 6047), as mail clients expect.
            assert part.get_param("method") == str(calendar["METHOD"])
            return calendar
    return None


@pytest.fixture
def webinar(make_event, partner):
    partner.email = "events@pannon.example"
    return make_event(start=START, title="Digital export", slug="digital-export")


@pytest.mark.parametrize("kind", REGISTRATION_MAIL_KINDS)
def test_each_kind_arrives_with_headers_parts_and_calendar(
    kind, app, client, smtp_server, webinar, make_registration
):
    registration = make_registration(webinar, name="Ana Kovač", email="ana@sme.example")
    queue_registration_mail(registration, kind, changes=["starts_at"])
    db.session.commit()

    report = deliver(app)

    assert report.sent == 1
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["ana@sme.example"]
    assert received.mail_from == "events@inter-ventures.eu"
    message = received.message
    assert message["To"] == "ana@sme.example"
    assert message["From"] == "PANNON EGTC <events@inter-ventures.eu>"
    assert message["Reply-To"] == "events@pannon.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@events.example.org>")
    assert abs(parsedate_to_datetime(message["Date"]) - utcnow()) < timedelta(minutes=5)
    assert "Digital export" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith("Hello Ana Kovač,") and "<html" in html
    calendar = calendar_of(message)
    if kind in ("confirmed", "promoted", "approved", "link_resent", "event_changed"):
        assert calendar is not None
        (vevent,) = calendar.walk("VEVENT")
        assert str(vevent["UID"]) == feed_uid(client, webinar)
        assert "ORGANIZER" not in vevent and "ATTENDEE" not in vevent
    elif kind != "event_cancelled":
        assert calendar is None
    stored = db.session.scalar(db.select(OutboxMessage))
    assert stored.sent_at is not None and stored.attempts == 1 and stored.last_error is None


def test_changed_event_sends_higher_sequence_and_cancelled_event_a_cancelled_calendar(
    app, smtp_server, webinar, make_registration
):
    # Each message is written when it is sent: each goes out before the next change.
    registration = make_registration(webinar)
    queue_registration_mail(registration, "confirmed")
    db.session.commit()
    deliver(app)
    webinar.starts_at += timedelta(hours=1)
    webinar.ends_at += timedelta(hours=1)
    webinar.sequence += 1
    queue_registration_mail(registration, "event_changed", changes=["starts_at"])
    db.session.commit()
    deliver(app)
    webinar.status = "cancelled"
    webinar.sequence += 1
    queue_registration_mail(registration, "event_cancelled")
    db.session.commit()
    deliver(app)

    calendars = {
        r.message["Subject"].split(":")[0]: calendar_of(r.message) for r in smtp_server.messages
    }
    first, changed, cancelled = (
        calendars[key].walk("VEVENT")[0]
        for key in ("Registration confirmed", "Event changed", "Event cancelled")
    )
    assert int(changed["SEQUENCE"]) > int(first["SEQUENCE"])
    assert changed["DTSTART"].dt == START + timedelta(hours=1)
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(changed["SEQUENCE"])
    methods = {key: str(calendar["METHOD"]) for key, calendar in calendars.items()}
    assert methods == {
        "Registration confirmed": "PUBLISH",
        "Event changed": "PUBLISH",
        "Event cancelled": "CANCEL",  # removes the entry from the reader's calendar
    }


def test_join_link_only_reaches_confirmed_registrants(app, smtp_server, webinar, make_registration):
    queue_registration_mail(make_registration(webinar, status="pending"), "pending")
    queue_registration_mail(make_registration(webinar), "confirmed")
    db.session.commit()
    deliver(app)
    bodies = {
        r.message["Subject"].split(":")[0]: r.message.as_string() for r in smtp_server.messages
    }
    assert "secret-room" not in bodies["Registration received, awaiting approval"]
    confirmed = smtp_server.messages[1].message
    assert webinar.online_url in confirmed.get_body(("plain",)).get_content()


def test_organiser_notice_arrives_at_the_host_organisers(
    app, smtp_server, make_event, make_registration, make_user
):
    organiser = make_user(email="maria@pannon.example")
    event = make_event(start=START, notify_organisers=True)
    registration = make_registration(event, email="jonas@port.example")
    notify_host_organisers(registration)
    db.session.commit()
    deliver(app)
    (received,) = smtp_server.messages
    assert received.rcpt_tos == [organiser.email]
    assert received.message["Reply-To"] == "jonas@port.example"
    assert "jonas@port.example" in received.message.get_body(("plain",)).get_content()


def test_server_down_keeps_the_message_with_back_off_then_delivers_it_once(
    app, smtp_server, webinar, make_registration
):
    smtp_server.stop()
    registration = make_registration(webinar)
    queue_registration_mail(registration, "confirmed")
    db.session.commit()
    queued_at = utcnow()

    report = deliver(app)

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    message = db.session.scalar(db.select(OutboxMessage))
    db.session.refresh(message)
    assert message.sent_at is None and message.failed_at is None
    assert message.attempts == 1
    assert "refused" in message.last_error
    assert message.next_attempt_at >= queued_at + timedelta(seconds=59)
    # Not due yet: another run does not knock on the server again.
    assert deliver(app).handled == 0

    smtp_server.start()
    later = message.next_attempt_at + timedelta(seconds=1)
    assert deliver(app, clock=lambda: later).sent == 1
    assert deliver(app, clock=lambda: later + timedelta(days=1)).handled == 0
    assert len(smtp_server.messages) == 1
    db.session.refresh(message)
    assert message.sent_at == later and message.attempts == 2 and message.last_error is None


def test_retries_back_off_exponentially_and_end_as_a_failure_shown_for_the_registration(
    app, smtp_server, webinar, make_registration
):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp_server.stop()
    registration = make_registration(webinar)
    queue_registration_mail(registration, "confirmed")
    db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage))

    now = utcnow()
    waits = []
    for _ in range(3):
        deliver(app, clock=lambda at=now: at)
        db.session.refresh(message)
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at

    assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=120)]
    assert message.failed_at is not None and message.attempts == 3
    failures = failed_messages_for([registration.id])
    assert [m.id for m in failures[registration.id]] == [message.id]
    assert "refused" in failures[registration.id][0].last_error
    # A failed message is not tried again.
    smtp_server.start()
    assert deliver(app, clock=lambda: now + timedelta(days=1)).handled == 0
    assert smtp_server.messages == []


def test_retry_delay_doubles_up_to_a_ceiling():
    delays = [retry_delay(n, base_seconds=60, max_seconds=3600) for n in range(1, 9)]
    assert [d.total_seconds() for d in delays] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_recipient_refused_for_good_fails_at_once_and_the_rest_go_out(
    app, smtp_server, webinar, make_registration
):
    smtp_server.refused.add("nobody@sme.example")
    unknown = make_registration(webinar, email="nobody@sme.example")
    known = make_registration(webinar, email="ana@sme.example")
    queue_registration_mail(unknown, "confirmed")
    queue_registration_mail(known, "confirmed")
    db.session.commit()

    report = deliver(app)

    assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
    assert [r.rcpt_tos for r in smtp_server.messages] == [["ana@sme.example"]]
    failures = failed_messages_for([unknown.id, known.id])
    assert list(failures) == [unknown.id]
    assert "550" in failures[unknown.id][0].last_error


def test_many_messages_go_out_in_batches(app, smtp_server, webinar, make_registration):
    for n in range(7):
        queue_mail(kind="test", to_address=f"p{n}@example.org", subject=f"n{n}", body_text="hello")
    db.session.commit()
    report = deliver(app, batch=3)
    assert report.sent == 7
    assert sorted(r.rcpt_tos[0] for r in smtp_server.messages) == sorted(
        f"p{n}@example.org" for n in range(7)
    )


def test_file_backend_writes_one_eml_per_message(app, tmp_path, webinar, make_registration):
    app.config.update(MAIL_BACKEND="file", MAIL_FILE_DIRECTORY=str(tmp_path / "mail"))
    registration = make_registration(webinar, email="ana@sme.example")
    queue_registration_mail(registration, "confirmed")
    db.session.commit()
    assert deliver(app).sent == 1
    (written,) = (tmp_path / "mail").glob("*.eml")
    content = written.read_text()
    assert "To: ana@sme.example" in content and "text/calendar" in content
    assert isinstance(backend_from_config(app.config, app.instance_path), FileBackend)


def test_unknown_backend_is_a_clear_error(app):
    app.config["MAIL_BACKEND"] = "pigeon"
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        backend_from_config(app.config, app.instance_path)
    app.config["MAIL_BACKEND"] = "smtp"
    assert isinstance(backend_from_config(app.config, app.instance_path), SMTPBackend)


def test_smtp_login_when_a_username_is_set(app, webinar, make_registration):
    from tests.support.smtp import SMTPServer

    server = SMTPServer(login=("events", "s3cret-pass")).start()
    try:
        app.config.update(server.config())
        queue_registration_mail(make_registration(webinar), "confirmed")
        db.session.commit()
        app.config.update(MAIL_USERNAME="events", MAIL_PASSWORD="wrong")
        report = deliver(app)
        assert (report.sent, report.retrying) == (0, 1)
        message = db.session.scalar(db.select(OutboxMessage))
        assert "login failed" in message.last_error and message.failed_at is None

        app.config["MAIL_PASSWORD"] = "s3cret-pass"
        assert deliver(app, clock=lambda: utcnow() + timedelta(hours=1)).sent == 1
        assert server.logins == ["events"] and len(server.messages) == 1
    finally:
        server.stop()
