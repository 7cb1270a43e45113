"""Attendance rules: check-in per day, walk-ins, QR check-in and platform imports.

Plain functions with explicit arguments; they never read the request and never commit.
An attendance record exists only once someone was marked (present, absent or
excused); a confirmed registrant with no "present" record after the event is a
no-show in the reports, not a stored state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from webapp.attendance.days import event_today
from webapp.attendance.errors import AttendanceError
from webapp.attendance.queries import ATTENDABLE_STATUSES
from webapp.audit import record_audit
from webapp.extensions import db
from webapp.models import (
    ACTIVE_STATUSES,
    ATTENDANCE_STATUSES,
    STAKEHOLDER_TYPES,
    Attendance,
    Event,
    Region,
    Registration,
    User,
)
from webapp.registrations.services import InvalidEmail, lock_event, normalise_email
from webapp.timezones import utcnow

# --- marking ------------------------------------------------------------------------------


def check_attendable(event: Event, registration: Registration) -> None:
    if registration.event_id != event.id:
        raise AttendanceError(_l("This person is registered for another event."))
    if registration.status not in ATTENDABLE_STATUSES:
        raise AttendanceError(
            _l("%(name)s's registration is no longer active.", name=registration.name)
        )


def record_for(registration: Registration, day: date) -> Attendance | None:
    return db.session.scalar(
        db.select(Attendance).where(
            Attendance.registration_id == registration.id, Attendance.day == day
        )
    )


def mark_attendance(
    event: Event,
    registration: Registration,
    day: date,
    status: str,
    *,
    recorded_by: User | None,
    source: str = "manual",
    now: datetime | None = None,
) -> Attendance:
    """Record ``registration`` as present, absent or excused on ``day`` (replacing a mark).

    Safe when two organisers tap at once: the database's one-record-per-day rule wins
    and the later tap updates the record the earlier one created.
    """
    if status not in ATTENDANCE_STATUSES:
        raise AttendanceError(_l("Choose present, absent or excused."))
    if day not in event.days:
        raise AttendanceError(_l("The event does not run on that day."))
    check_attendable(event, registration)
    now = now or utcnow()
    record = record_for(registration, day)
    if record is None:
        try:
            with db.session.begin_nested():
                record = Attendance(registration=registration, day=day, status=status)
                stamp(record, status, source, recorded_by, now)
                db.session.add(record)
            return record
        except IntegrityError:
            record = record_for(registration, day)
            if record is None:  # pragma: no cover - the other transaction rolled back
                raise
    stamp(record, status, source, recorded_by, now)
    return record


def stamp(
    record: Attendance, status: str, source: str, recorded_by: User | None, now: datetime
) -> None:
    if status == "present" and (record.status != "present" or record.checked_in_at is None):
        record.checked_in_at = now
    elif status != "present":
        record.checked_in_at = None
    record.status = status
    record.source = source
    record.recorded_by = recorded_by


def clear_attendance(event: Event, registration: Registration, day: date) -> bool:
    """Undo: remove the record of ``day`` (the person is unmarked again). False if none."""
    if registration.event_id != event.id:
        raise AttendanceError(_l("This person is registered for another event."))
    record = record_for(registration, day)
    if record is None:
        return False
    db.session.delete(record)
    db.session.flush()
    return True


@dataclass
class WalkIn:
    registration: Registration
    created: bool


def add_walk_in(
    event: Event,
    *,
    name: str,
    email: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    day: date,
    recorded_by: User | None,
    locale: str = "en",
    privacy_version: str = "",
    now: datetime | None = None,
) -> WalkIn:
    """Register someone who came without registering and mark them present on ``day``.

    Unlike an online registration this ignores capacity and the registration period
    (the person is in the room). An address that already has an active registration is
    the same person: that registration is confirmed and marked present instead.
    """

    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name:
        raise AttendanceError(_l("Enter the person's name."))
    try:
        email = normalise_email(email)
    except InvalidEmail as exc:
        raise AttendanceError(exc.message) from exc
    if stakeholder_type not in STAKEHOLDER_TYPES:
        raise AttendanceError(_l("Choose the kind of organisation."))
    if day not in event.days:
        raise AttendanceError(_l("The event does not run on that day."))

    event = lock_event(event.id)
    registration = db.session.scalar(
        db.select(Registration).where(
            Registration.event_id == event.id,
            Registration.email == email,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    )
    created = registration is None
    if registration is None:
        registration = Registration(
            event=event,
            name=name,
            email=email,
            organisation=(organisation or "").strip(),
            stakeholder_type=stakeholder_type,
            region=region,
            locale=locale,
            status="confirmed",
            consent_at=now,
            privacy_version=privacy_version,
            answers={},
            created_at=now,
            updated_at=now,
        )
        db.session.add(registration)
        db.session.flush()
    elif registration.status != "confirmed":
        registration.status = "confirmed"
    mark_attendance(event, registration, day, "present", recorded_by=recorded_by, now=now)
    record_audit(
        recorded_by,
        "attendance.walk_in",
        event=event,
        registration=registration,
        # The entry names the registration by id: the name stays with the registration
        # alone, so erasing it leaves no trace in the history.
        details={"registration_id": registration.id, "day": day.isoformat(), "created": created},
    )
    return WalkIn(registration, created)


# --- QR check-in --------------------------------------------------------------------------


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


def find_by_checkin_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(db.select(Registration).where(Registration.checkin_token == token))


def check_in_by_token(
    token: str,
    *,
    recorded_by: User | None,
    now: datetime | None = None,
    confirm: bool = False,
) -> CheckIn:
    """Check in the holder of a check-in code for today (idempotent).

    A second scan changes nothing and says when the person was checked in. ``confirm``
    lets an organiser admit someone from the waiting list or awaiting approval.
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
        registration.status = "confirmed"
    record = mark_attendance(
        event, registration, today, "present", recorded_by=recorded_by, source="qr", now=now
    )
    return CheckIn("checked_in", registration, record, today)
