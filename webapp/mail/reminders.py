"""Reminders before an event, queued by ``flask reminders send`` (meant for cron).

Each confirmed registration gets one reminder when its event is ``Event.reminder_hours``
away, however often the command runs: every reminder is queued under a dedupe key, which
the outbox's unique index holds to once. The key includes the start time, so an event
moved to another day reminds its registrants again before the new date. A registration
made inside the reminder window gets no reminder: its confirmation has just arrived.

Like the outbox worker, this runs outside requests and commits, one event at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.mail.queue import queue_registration_mail
from webapp.models import Event, OutboxMessage, Registration
from webapp.timezones import utcnow

# The longest reminder an event may ask for (the Event check constraint's upper bound).
MAX_REMINDER_HOURS = 720


def reminder_key(registration: Registration, event: Event) -> str:
    return f"reminder:{registration.id}:{event.starts_at:%Y%m%dT%H%M%SZ}"


def events_due_for_reminders(now: datetime) -> list[Event]:
    """Published events that have not started and whose reminder time has come."""
    candidates = db.session.scalars(
        db.select(Event)
        .where(
            Event.status == "published",
            Event.reminder_hours.is_not(None),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(hours=MAX_REMINDER_HOURS),
        )
        .order_by(Event.starts_at, Event.id)
    )
    return [e for e in candidates if e.starts_at - timedelta(hours=e.reminder_hours) <= now]


def queue_reminders_for(event: Event) -> int:
    """Queue the missing reminders of ``event`` (flushed, not committed)."""
    reminder_at = event.starts_at - timedelta(hours=event.reminder_hours or 0)
    registrations = db.session.scalars(
        db.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == "confirmed",
            Registration.created_at <= reminder_at,
        )
        .options(selectinload(Registration.region))
        .order_by(Registration.id)
    ).all()
    keys = {r.id: reminder_key(r, event) for r in registrations}
    if not keys:
        return 0
    already = set(
        db.session.scalars(
            db.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values()))
        )
    )
    queued = 0
    for registration in registrations:
        key = keys[registration.id]
        if key not in already:
            queue_registration_mail(registration, "reminder", dedupe_key=key)
            queued += 1
    return queued


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder that is due and not queued yet; commits per event."""
    now = now or utcnow()
    queued = 0
    for event_id in [e.id for e in events_due_for_reminders(now)]:
        for attempt in (1, 2):
            event = db.session.get_one(Event, event_id)
            try:
                count = queue_reminders_for(event)
                db.session.commit()
            except IntegrityError:
                # Another run queued some of the same reminders at this moment: look again.
                db.session.rollback()
                if attempt == 2:
                    raise
            else:
                queued += count
                break
    return queued
