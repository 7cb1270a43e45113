"""Attendance rules: marking per day and walk-ins (QR check-in: ``registrations.checkin``).

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

from webapp.attendance.errors import AttendanceError
from webapp.attendance.queries import ATTENDABLE_STATUSES
from webapp.extensions import db
from webapp.models import (
    ATTENDANCE_STATUSES,
    STAKEHOLDER_TYPES,
    Attendance,
    Event,
    Region,
    Registration,
    User,
)
from webapp.registrations.rules import InvalidEmail, normalise_email
from webapp.registrations.transitions import admit_walk_in
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

    admission = admit_walk_in(
        event,
        name=name,
        email=email,
        organisation=(organisation or "").strip(),
        stakeholder_type=stakeholder_type,
        region=region,
        day=day,
        recorded_by=recorded_by,
        locale=locale,
        privacy_version=privacy_version,
        now=now,
    )
    mark_attendance(
        admission.registration.event,
        admission.registration,
        day,
        "present",
        recorded_by=recorded_by,
        now=now,
    )
    return WalkIn(admission.registration, admission.created)
