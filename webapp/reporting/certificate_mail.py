"""Certificates e-mailed once after the event (``flask certificates send``).

Apart from ``certificates``: the mail renderer attaches certificates, and this module
queues that mail, so it sits above the mail layer instead of closing a cycle.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.mail.queue import queue_registration_mail
from webapp.models import Attendance, Certificate, Event, Registration
from webapp.reporting.certificates import is_eligible, issue
from webapp.timezones import utcnow

SEND_WITHIN_DAYS = 14  # events that ended longer ago get no e-mail (people download it)


def certificate_mail_key(registration: Registration) -> str:
    return f"certificate:{registration.id}"


def send_certificates(now: datetime | None = None, *, within_days: int = SEND_WITHIN_DAYS) -> int:
    """E-mail their certificate to everyone present at an event over in the last days.

    Each registration gets the e-mail once, however often this runs (a dedupe key in
    the outbox, and ``Certificate.emailed_at``). Commits per event, like reminders.
    """
    now = now or utcnow()
    event_ids = list(
        db.session.scalars(
            select(Event.id)
            .where(
                Event.status == "published",
                Event.ends_at <= now,
                Event.ends_at > now - timedelta(days=within_days),
            )
            .order_by(Event.ends_at, Event.id)
        )
    )
    queued = 0
    for event_id in event_ids:
        emailed = select(Certificate.registration_id).where(Certificate.emailed_at.is_not(None))
        present = select(Attendance.registration_id).where(Attendance.status == "present")
        registrations = db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.erased_at.is_(None),
                Registration.id.in_(present),
                Registration.id.not_in(emailed),
            )
            .options(selectinload(Registration.attendances))
            .order_by(Registration.id)
        ).all()
        for registration in registrations:
            if not is_eligible(registration, now):
                continue
            queue_registration_mail(
                registration, "certificate", dedupe_key=certificate_mail_key(registration)
            )
            issue(registration, now).emailed_at = now
            queued += 1
        db.session.commit()
    return queued
