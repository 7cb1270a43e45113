"""Reminders before events (``flask reminders send``) and the outbox commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.outbox import render_queued
from webapp.extensions import db
from webapp.mail.reminders import send_due_reminders
from webapp.models import OutboxMessage
from webapp.timezones import utcnow

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def reminders():
    render_queued()
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.kind == "reminder")
            .order_by(OutboxMessage.id)
        )
    )


def test_reminder_goes_once_to_each_confirmed_registrant_however_often_it_runs(
    runner, make_event, make_registration
):
    event = make_event(start=timedelta(hours=20))  # inside the default 24 hours
    confirmed = make_registration(event, created_at=LONG_AGO)
    for status in ("waitlisted", "pending", "cancelled", "rejected"):
        make_registration(event, status=status, created_at=LONG_AGO)

    first = runner.invoke(args=["reminders", "send"])
    again = runner.invoke(args=["reminders", "send"])

    assert first.exit_code == 0, first.output
    assert first.output == "Queued 1 reminder.\n"
    assert again.output == "Queued 0 reminders.\n"
    (message,) = reminders()
    assert message.to_address == confirmed.email
    assert message.subject.startswith(f"Reminder: {event.title}, ")
    assert event.online_url in message.body_text  # online: the join link comes along
    assert message.dedupe_key.startswith(f"reminder:{confirmed.id}:")


def test_no_reminder_before_its_time_or_after_the_start(make_event, make_registration):
    later = make_event(start=timedelta(hours=30))
    started = make_event(start=timedelta(hours=-1))
    none = make_event(start=timedelta(hours=2))
    none.reminder_hours = None  # no reminders for this event
    for event in (later, started, none):
        make_registration(event, created_at=LONG_AGO)
    assert send_due_reminders() == 0
    # The reminder time is per event.
    later.reminder_hours = 48
    db.session.commit()
    assert send_due_reminders() == 1


def test_draft_and_cancelled_events_send_no_reminder(make_event, make_registration):
    for status in ("draft", "cancelled"):
        make_registration(make_event(start=timedelta(hours=3), status=status), created_at=LONG_AGO)
    assert send_due_reminders() == 0


def test_registrant_who_registered_inside_the_window_is_not_reminded(make_event, make_registration):
    event = make_event(start=timedelta(hours=5))
    make_registration(event, created_at=utcnow() - timedelta(hours=1))
    assert send_due_reminders() == 0


def test_a_moved_event_reminds_again_before_the_new_date(make_event, make_registration):
    event = make_event(start=timedelta(hours=10))
    make_registration(event, created_at=LONG_AGO)
    assert send_due_reminders() == 1
    event.starts_at += timedelta(days=3)
    event.ends_at += timedelta(days=3)
    db.session.commit()
    assert send_due_reminders() == 0
    assert send_due_reminders(now=event.starts_at - timedelta(hours=2)) == 1
    assert send_due_reminders(now=event.starts_at - timedelta(hours=1)) == 0
    assert len(reminders()) == 2


def test_onsite_reminder_has_the_place_and_no_join_link(make_event, make_registration):
    event = make_event(
        start=timedelta(hours=10), format="onsite", venue="Burgos Chamber", online_url=""
    )
    make_registration(event, created_at=LONG_AGO)
    send_due_reminders()
    (message,) = reminders()
    assert "Where: Burgos Chamber" in message.body_text
    assert "Join online" not in message.body_text


def test_outbox_send_command_reports_what_it_did(
    runner, app, tmp_path, make_event, make_registration
):
    app.config["MAIL_FILE_DIRECTORY"] = str(tmp_path / "eml")
    make_registration(make_event(start=timedelta(hours=10)), created_at=LONG_AGO)
    runner.invoke(args=["reminders", "send"])

    status = runner.invoke(args=["outbox", "status"])
    sent = runner.invoke(args=["outbox", "send"])
    after = runner.invoke(args=["outbox", "status"])

    assert status.output == "1 due, 0 waiting to be retried, 0 sent, 0 failed.\n"
    assert sent.exit_code == 0 and sent.output == "Sent 1, 0 to be retried, 0 failed.\n"
    assert after.output == "0 due, 0 waiting to be retried, 1 sent, 0 failed.\n"
    assert len(list((tmp_path / "eml").glob("*.eml"))) == 1


def test_outbox_send_refuses_bad_options_and_an_unknown_backend(runner, app):
    assert runner.invoke(args=["outbox", "send", "--batch", "0"]).exit_code == 2
    assert runner.invoke(args=["outbox", "send", "--interval", "x"]).exit_code == 2
    app.config["MAIL_BACKEND"] = "pigeon"
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 2 and "MAIL_BACKEND" in result.output
