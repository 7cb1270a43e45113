"""Uploaded reports awaiting confirmation: matching by hand, walk-ins, confirming."""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from webapp.attendance.errors import AttendanceError
from webapp.attendance.importing import (
    FilePerson,
    ParsedReport,
    group_people,
    minutes_per_day,
    read_report,
)
from webapp.attendance.platform_import import (
    ImportPreview,
    ImportResult,
    apply_import,
    person_ref,
    preview_import,
)
from webapp.attendance.platform_reports import keep_platform_report
from webapp.attendance.queries import ATTENDABLE_STATUSES
from webapp.attendance.services import WalkIn, add_walk_in, check_attendable, record_for, stamp
from webapp.attendance.thresholds import set_event_threshold, threshold_minutes
from webapp.extensions import db, rows_changed
from webapp.models import (
    Attendance,
    AttendanceImport,
    Event,
    Region,
    Registration,
    User,
)
from webapp.timezones import utcnow, zone

# How long an uploaded report waits for its confirmation before it is deleted.
IMPORT_DRAFT_MAX_AGE = timedelta(hours=6)


def purge_import_drafts(now: datetime | None = None) -> int:
    """Delete uploaded reports older than :data:`IMPORT_DRAFT_MAX_AGE`; how many."""
    cutoff = (now or utcnow()) - IMPORT_DRAFT_MAX_AGE
    result = db.session.execute(
        delete(AttendanceImport)
        .where(AttendanceImport.created_at < cutoff)
        .execution_options(synchronize_session="fetch")
    )
    return rows_changed(result)


def start_import(
    event: Event,
    data: bytes,
    *,
    filename: str,
    timezone: str,
    threshold_unit: str,
    threshold_value: int,
    created_by: User | None,
    max_bytes: int,
    now: datetime | None = None,
) -> AttendanceImport:
    """Keep an uploaded report for its preview, once it reads as a participant report.

    Raises ``ImportFileError`` (why the file cannot be read) or ``AttendanceError``
    (a threshold out of range); nothing is kept then.
    """
    now = now or utcnow()
    threshold_minutes(event, threshold_unit, threshold_value)
    read_report(data, tz=zone(timezone), near=event.days, max_bytes=max_bytes)
    purge_import_drafts(now)
    draft = AttendanceImport(
        event_id=event.id,
        created_by=created_by,
        filename=(filename or "")[:200],
        data=data,
        timezone=timezone,
        threshold_unit=threshold_unit,
        threshold_value=threshold_value,
        decisions={},
        created_at=now,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def import_draft(
    event: Event, draft_id: int, now: datetime | None = None
) -> AttendanceImport | None:
    """The uploaded report ``draft_id`` of ``event``, unless it has expired."""
    draft = db.session.get(AttendanceImport, draft_id)
    if draft is None or draft.event_id != event.id:
        return None
    if draft.created_at < (now or utcnow()) - IMPORT_DRAFT_MAX_AGE:
        return None
    return draft


def draft_report(event: Event, draft: AttendanceImport) -> ParsedReport:
    return read_report(
        draft.data, tz=zone(draft.timezone), near=event.days, max_bytes=len(draft.data) + 1
    )


def preview_draft(event: Event, draft: AttendanceImport) -> ImportPreview:
    """The preview of an uploaded report with the organiser's decisions so far."""
    threshold = threshold_minutes(event, draft.threshold_unit, draft.threshold_value)
    return preview_import(
        event,
        draft_report(event, draft),
        threshold,
        decisions=draft.decisions.get("match", {}),
        threshold_unit=draft.threshold_unit,
        threshold_value=draft.threshold_value,
    )


def change_draft_threshold(event: Event, draft: AttendanceImport, unit: str, value: int) -> None:
    threshold_minutes(event, unit, value)
    draft.threshold_unit, draft.threshold_value = unit, value


def _decide(draft: AttendanceImport, key: str, registration_id: int | None) -> None:
    matches = dict(draft.decisions.get("match", {}))
    if registration_id is None:
        matches.pop(key, None)
    else:
        matches[key] = registration_id
    draft.decisions = {**draft.decisions, "match": matches}


def import_person(event: Event, draft: AttendanceImport, ref: str) -> FilePerson | None:
    """The person of the uploaded report that ``ref`` (:func:`person_ref`) names."""
    for person in group_people(draft_report(event, draft).rows):
        if person_ref(person.key) == ref:
            return person
    return None


def _file_person(event: Event, draft: AttendanceImport, ref: str) -> FilePerson:
    person = import_person(event, draft, ref)
    if person is None:
        raise AttendanceError(_l("This person is not in the uploaded report."))
    return person


_ADDRESS = re.compile(r"[^\s<>,;]+@[^\s<>,;]+")


def find_registrant(event: Event, text: str) -> Registration | None:
    """The active registrant of ``event`` whose address ``text`` holds ("Name <a@b>" too)."""
    found = _ADDRESS.search(text or "")
    if found is None:
        return None
    return db.session.scalar(
        db.select(Registration).where(
            Registration.event_id == event.id,
            Registration.email == found.group(0).strip().lower(),
            Registration.status.in_(ATTENDABLE_STATUSES),
        )
    )


def match_import_person(
    event: Event, draft: AttendanceImport, ref: str, registration: Registration
) -> None:
    """The organiser says the report's person ``ref`` is ``registration``."""
    person = _file_person(event, draft, ref)
    check_attendable(event, registration)
    _decide(draft, person.key, registration.id)


def unmatch_import_person(event: Event, draft: AttendanceImport, ref: str) -> bool:
    """Undo an organiser's match: the person is matched automatically again, if at all."""
    for key in draft.decisions.get("match", {}):
        if person_ref(key) == ref:
            _decide(draft, key, None)
            return True
    return False


def add_import_walk_in(
    event: Event,
    draft: AttendanceImport,
    ref: str,
    *,
    name: str,
    email: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    recorded_by: User | None,
    privacy_version: str = "",
    now: datetime | None = None,
) -> WalkIn:
    """Register the report's person ``ref`` as a walk-in, with the minutes of the report.

    The walk-in is registered by :func:`add_walk_in`; then each day's record is set
    from the report's minutes and the import's threshold, as the import would.
    """
    now = now or utcnow()
    person = _file_person(event, draft, ref)
    minutes = minutes_per_day(person.rows, event.days, zone(event.timezone))
    days = sorted(minutes) or [event.days[0]]
    outcome = add_walk_in(
        event,
        name=name,
        email=email,
        organisation=organisation,
        stakeholder_type=stakeholder_type,
        region=region,
        day=days[0],
        recorded_by=recorded_by,
        privacy_version=privacy_version,
        now=now,
    )
    threshold = threshold_minutes(event, draft.threshold_unit, draft.threshold_value)
    for day in days:
        day_minutes = minutes.get(day, 0)
        status = "present" if day_minutes >= threshold else "absent"
        record = record_for(outcome.registration, day)
        if record is None:
            record = Attendance(registration=outcome.registration, day=day, status=status)
            db.session.add(record)
        stamp(record, status, "import", recorded_by, now)
        record.minutes_online = day_minutes
    db.session.flush()
    _decide(draft, person.key, outcome.registration.id)
    return outcome


def confirm_import(
    event: Event,
    draft: AttendanceImport,
    digest: str,
    *,
    recorded_by: User | None,
    now: datetime | None = None,
) -> ImportResult:
    """Store the preview the organiser saw, keep the threshold for the event, forget the file.

    Refused when the preview changed since it was shown (``digest``), for example
    because someone else stored attendance or cancelled a registration meanwhile.
    """
    preview = preview_draft(event, draft)
    if not hmac.compare_digest(preview.digest(), digest or ""):
        raise AttendanceError(
            _l("Attendance or registrations changed since the preview. Check it and confirm again.")
        )
    result = apply_import(
        event, preview.records(), preview.threshold, recorded_by=recorded_by, now=now
    )
    set_event_threshold(event, draft.threshold_unit, draft.threshold_value)
    # The file itself stays as evidence of the attendance (the event's evidence pack).
    kept = keep_platform_report(
        event,
        filename=draft.filename,
        content=draft.data,
        preview=preview,
        uploaded_by=recorded_by,
        now=now,
    )
    kept.applied_at = now or utcnow()
    db.session.delete(draft)
    db.session.flush()
    return result
