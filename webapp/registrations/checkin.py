"""Check-in at the door: scanning a registrant's QR check-in code.

A scan records the person present today (attendance); admitting someone without a
confirmed seat is a status change and goes through the state machine
(``transitions.admit_at_check_in``), which locks the event, writes the audit entry and
e-mails them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from webapp.attendance.days import event_today
from webapp.attendance.services import mark_attendance, record_for
from webapp.models import Attendance, Registration, User
from webapp.registrations.queries import find_by_checkin_token
from webapp.registrations.rules import InvalidTransition
from webapp.registrations.transitions import admit_at_check_in
from webapp.timezones import utcnow

__all__ = ["CheckIn", "check_in_by_token", "find_by_checkin_token"]


@dataclass
class CheckIn:
    """What scanning a check-in code did.

    ``outcome``: ``checked_in`` (just now), ``already`` (earlier — nothing changed),
    ``unknown`` (no such code), ``cancelled`` (registration cancelled or rejected),
    ``not_confirmed`` (waiting list or awaiting approval: nothing stored),
    ``not_today`` (the event does not run today: nothing stored).
    """

    outcome: str
    registration: Registration | None = None
    attendance: Attendance | None = None
    day: date | None = None


def check_in_by_token(
    token: str,
    *,
    recorded_by: User | None,
    now: datetime | None = None,
    confirm: bool = False,
) -> CheckIn:
    """Check in the holder of a check-in code for today (idempotent).

    A second scan changes nothing and says when the person was checked in. ``confirm``
    lets an organiser admit someone from the waiting list or awaiting approval: they
    are confirmed under the event's lock, e-mailed and recorded in the audit trail.
    """
    now = now or utcnow()
    registration = find_by_checkin_token(token)
    if registration is None:
        return CheckIn("unknown")
    event = registration.event
    if registration.status in ("cancelled", "rejected"):
        return CheckIn("cancelled", registration)
    today = event_today(event, now)
    if today not in event.days:
        return CheckIn("not_today", registration, day=today)
    if registration.status != "confirmed" and not confirm:
        return CheckIn("not_confirmed", registration, day=today)
    record = record_for(registration, today)
    if record is not None and record.status == "present":
        return CheckIn("already", registration, record, today)
    if registration.status != "confirmed":
        try:
            registration = admit_at_check_in(registration, actor=recorded_by, now=now)
        except InvalidTransition:  # cancelled or turned down since the page was shown
            return CheckIn("cancelled", registration)
    record = mark_attendance(
        event, registration, today, "present", recorded_by=recorded_by, source="qr", now=now
    )
    return CheckIn("checked_in", registration, record, today)
