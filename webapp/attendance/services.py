"""Attendance rules: check-in per day, walk-ins, QR check-in and platform imports.

Plain functions with explicit arguments; they never read the request and never commit.
An attendance record exists only once someone was marked (present, absent or
excused); a confirmed registrant with no "present" record after the event is a
no-show in the reports, not a stored state.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, or_
from sqlalchemy.exc import IntegrityError

from webapp.attendance.imports import (
    ParsedReport,
    ParticipantRow,
    name_keys,
    normalise_name,
)
from webapp.extensions import db
from webapp.models import (
    ACTIVE_STATUSES,
    ATTENDANCE_STATUSES,
    STAKEHOLDER_TYPES,
    Attendance,
    Event,
    PlatformReport,
    Region,
    Registration,
    User,
)
from webapp.timezones import utcnow, zone

# Registrations whose attendance may be taken: everyone still registered.
ATTENDABLE_STATUSES = ACTIVE_STATUSES
MAX_THRESHOLD_MINUTES = 24 * 60


class AttendanceError(ValueError):
    """A request the attendance rules refuse; ``message`` says why, for people."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


# --- days ---------------------------------------------------------------------------------


def event_today(event: Event, now: datetime | None = None) -> date:
    """Today's date on the event's wall clock."""
    return (now or utcnow()).astimezone(zone(event.timezone)).date()


def default_day(event: Event, now: datetime | None = None) -> date:
    """The day the sheet opens on: today during the event, else its first or last day."""
    days = event.days
    today = event_today(event, now)
    if today in days:
        return today
    return days[0] if today < days[0] else days[-1]


def parse_day(event: Event, raw: str | None, now: datetime | None = None) -> date:
    """The event day named by ``raw`` (ISO date), or the default day when empty.

    Raises ``AttendanceError`` for a malformed date or a day the event does not run on.
    """
    if not raw:
        return default_day(event, now)
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise AttendanceError(_l("That is not a date.")) from exc
    if day not in event.days:
        raise AttendanceError(_l("The event does not run on that day."))
    return day


# --- the check-in sheet -------------------------------------------------------------------


@dataclass
class SheetRow:
    registration: Registration
    attendance: Attendance | None

    @property
    def status(self) -> str | None:
        return self.attendance.status if self.attendance else None


@dataclass(frozen=True)
class DayCounts:
    """Counts of one day of the sheet: who is expected and who has been marked how."""

    registered: int
    present: int
    absent: int
    excused: int

    @property
    def unmarked(self) -> int:
        return max(self.registered - self.present - self.absent - self.excused, 0)

    def as_dict(self) -> dict[str, int]:
        return {
            "registered": self.registered,
            "present": self.present,
            "absent": self.absent,
            "excused": self.excused,
            "unmarked": self.unmarked,
        }


def _search_filter(query: str):
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        Registration.name.ilike(pattern, escape="\\"),
        Registration.email.ilike(pattern, escape="\\"),
        Registration.organisation.ilike(pattern, escape="\\"),
    )


def sheet_rows(event: Event, day: date, query: str = "") -> list[SheetRow]:
    """Everyone still registered for ``event`` with their record of ``day``, by name.

    ``query`` narrows the list to names, addresses or organisations containing it.
    Two queries whatever the number of people.
    """
    statement = (
        db.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ATTENDABLE_STATUSES))
        .order_by(func.lower(Registration.name), Registration.id)
    )
    query = " ".join((query or "").split())[:100]
    if query:
        statement = statement.where(_search_filter(query))
    registrations = list(db.session.scalars(statement))
    records = {
        a.registration_id: a
        for a in db.session.scalars(
            db.select(Attendance)
            .join(Registration)
            .where(Registration.event_id == event.id, Attendance.day == day)
        )
    }
    return [SheetRow(r, records.get(r.id)) for r in registrations]


def day_counts(event: Event, day: date) -> DayCounts:
    """How many are registered and how many are marked each way on ``day`` (one query)."""
    status = Attendance.status
    row = db.session.execute(
        db.select(
            func.count(Registration.id),
            func.count(Attendance.id).filter(status == "present"),
            func.count(Attendance.id).filter(status == "absent"),
            func.count(Attendance.id).filter(status == "excused"),
        )
        .select_from(Registration)
        .outerjoin(
            Attendance,
            (Attendance.registration_id == Registration.id) & (Attendance.day == day),
        )
        .where(Registration.event_id == event.id, Registration.status.in_(ATTENDABLE_STATUSES))
    ).one()
    return DayCounts(*row)


# --- marking ------------------------------------------------------------------------------


def _check_attendable(event: Event, registration: Registration) -> None:
    if registration.event_id != event.id:
        raise AttendanceError(_l("This person is registered for another event."))
    if registration.status not in ATTENDABLE_STATUSES:
        raise AttendanceError(
            _l("%(name)s's registration is no longer active.", name=registration.name)
        )


def _record_for(registration: Registration, day: date) -> Attendance | None:
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
    _check_attendable(event, registration)
    now = now or utcnow()
    record = _record_for(registration, day)
    if record is None:
        try:
            with db.session.begin_nested():
                record = Attendance(registration=registration, day=day, status=status)
                _stamp(record, status, source, recorded_by, now)
                db.session.add(record)
            return record
        except IntegrityError:
            record = _record_for(registration, day)
            if record is None:  # pragma: no cover - the other transaction rolled back
                raise
    _stamp(record, status, source, recorded_by, now)
    return record


def _stamp(
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
    record = _record_for(registration, day)
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
    from webapp.audit import record_audit
    from webapp.registrations.services import InvalidEmail, lock_event, normalise_email

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
        details={"name": registration.name, "day": day.isoformat(), "created": created},
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
    record = _record_for(registration, today)
    if record is not None and record.status == "present":
        return CheckIn("already", registration, record, today)
    if registration.status != "confirmed":
        registration.status = "confirmed"
    record = mark_attendance(
        event, registration, today, "present", recorded_by=recorded_by, source="qr", now=now
    )
    return CheckIn("checked_in", registration, record, today)


# --- imports from meeting platforms -------------------------------------------------------


def default_threshold_minutes(event: Event) -> int:
    """Half the event's time on one day: the minutes online that count as present.

    For an event over several days, a day's time is taken as the span from the
    starting to the ending wall-clock time (9:00–17:00 → 240 minutes).
    """
    if len(event.days) == 1:
        minutes = (event.ends_at - event.starts_at).total_seconds() / 60
    else:
        start, end = event.local_starts_at, event.local_ends_at
        span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        minutes = span if span > 0 else 24 * 60
    return max(1, math.ceil(minutes / 2))


@dataclass
class ImportedPerson:
    """One person of the report with their time, and the registration they matched."""

    name: str
    email: str
    rows: list[ParticipantRow]
    minutes_by_day: dict[date, int]
    match: str  # "email", "name", "ambiguous" or "unmatched"
    registration: Registration | None = None
    candidates: list[Registration] = field(default_factory=list)
    # For matched people: day → (status to store, what happens: create/update/unchanged/kept)
    plan: dict[date, tuple[str, str]] = field(default_factory=dict)

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes_by_day.values())

    @property
    def attends(self) -> bool:
        return any(status == "present" for status, _ in self.plan.values())


@dataclass
class ImportPreview:
    report: ParsedReport
    threshold: int
    people: list[ImportedPerson]

    def _with(self, match: str) -> list[ImportedPerson]:
        return [p for p in self.people if p.match == match]

    @property
    def matched(self) -> list[ImportedPerson]:
        return [p for p in self.people if p.registration is not None]

    @property
    def unmatched(self) -> list[ImportedPerson]:
        return self._with("unmatched")

    @property
    def ambiguous(self) -> list[ImportedPerson]:
        return self._with("ambiguous")

    @property
    def changes(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "kept": 0}
        for person in self.matched:
            for _, action in person.plan.values():
                counts[action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        changes = self.changes
        return bool(changes["create"] or changes["update"] or changes["kept"])

    def records(self) -> list[tuple[int, str, int]]:
        """What confirming stores: (registration id, ISO day, minutes), for signing."""
        return sorted(
            (p.registration.id, day.isoformat(), minutes)
            for p in self.matched
            for day, minutes in p.minutes_by_day.items()
        )


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _nearest_day(day: date, days: Sequence[date]) -> date:
    return min(days, key=lambda d: (abs((d - day).days), d))


def minutes_per_day(
    rows: Iterable[ParticipantRow], days: Sequence[date], tz: tzinfo
) -> dict[date, int]:
    """A person's minutes on each event day: overlapping stays (two devices, rejoins
    that overlap) count once; rows with only a duration add up. Time before or after
    the event's days is counted on its nearest day."""
    rows = list(rows)
    seconds: dict[date, float] = defaultdict(float)
    intervals = [(r.joined_at, r.left_at) for r in rows if r.has_interval]
    for start, end in _merge(intervals):  # type: ignore[arg-type]
        cursor = start
        while cursor < end:
            local = cursor.astimezone(tz)
            next_midnight = datetime.combine(
                local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz
            ).astimezone(UTC)
            piece_end = min(end, next_midnight)
            seconds[_nearest_day(local.date(), days)] += (piece_end - cursor).total_seconds()
            cursor = piece_end
    for row in rows:
        if row.has_interval or row.minutes is None:
            continue
        when = row.joined_at.astimezone(tz).date() if row.joined_at else days[0]
        seconds[_nearest_day(when, days)] += row.minutes * 60
    return {day: int(round(total / 60)) for day, total in sorted(seconds.items())}


def _registration_index(
    registrations: Iterable[Registration],
) -> tuple[dict[str, Registration], dict[str, list[Registration]]]:
    by_email: dict[str, Registration] = {}
    by_name: dict[str, list[Registration]] = defaultdict(list)
    for registration in registrations:
        by_email.setdefault(registration.email.strip().casefold(), registration)
        key = normalise_name(registration.name)
        if key and registration not in by_name[key]:
            by_name[key].append(registration)
    return by_email, by_name


def _match_row(
    row: ParticipantRow,
    by_email: Mapping[str, Registration],
    by_name: Mapping[str, list[Registration]],
) -> tuple[str, list[Registration]]:
    if row.email and row.email.casefold() in by_email:
        return "email", [by_email[row.email.casefold()]]
    for key in name_keys(row.name):
        found = by_name.get(key, [])
        if len(found) == 1:
            return "name", found
        if len(found) > 1:
            return "ambiguous", list(found)
    return "unmatched", []


def _plan(existing: Attendance | None, minutes: int, threshold: int) -> tuple[str, str]:
    """(status to store, action) for one person and day; hand-made marks are kept."""
    status = "present" if minutes >= threshold else "absent"
    if existing is None:
        return status, "create"
    if existing.source != "import":
        # An organiser marked this person by hand or by QR code: only the minutes change.
        if existing.minutes_online == minutes:
            return existing.status, "unchanged"
        return existing.status, "kept"
    if existing.status == status and existing.minutes_online == minutes:
        return status, "unchanged"
    return status, "update"


def records_by_registration(event: Event) -> dict[tuple[int, date], Attendance]:
    """Every attendance record of ``event`` by (registration id, day), in one query."""
    return _existing_records(event)


def _existing_records(event: Event) -> dict[tuple[int, date], Attendance]:
    return {
        (a.registration_id, a.day): a
        for a in db.session.scalars(
            db.select(Attendance).join(Registration).where(Registration.event_id == event.id)
        )
    }


def preview_import(event: Event, report: ParsedReport, threshold: int) -> ImportPreview:
    """Match the report's rows to registrations and say what confirming would store.

    A row matches by e-mail first, then by normalised name (accents, case, word order
    and Zoom's "(original name)" ignored); a name shared by several registrants is
    ambiguous and not stored. Rows of one registrant are added up. Stores nothing.
    """
    if not 0 <= threshold <= MAX_THRESHOLD_MINUTES:
        raise AttendanceError(
            _l("The threshold must be between 0 and %(max)s minutes.", max=MAX_THRESHOLD_MINUTES)
        )
    tz = zone(event.timezone)
    days = event.days
    registrations = list(
        db.session.scalars(
            db.select(Registration).where(
                Registration.event_id == event.id,
                Registration.status.in_(ATTENDABLE_STATUSES),
            )
        )
    )
    by_email, by_name = _registration_index(registrations)
    matched: dict[int, list[ParticipantRow]] = defaultdict(list)
    how: dict[int, str] = {}
    others: dict[tuple[str, str], tuple[str, list[ParticipantRow], list[Registration]]] = {}
    for row in report.rows:
        match, found = _match_row(row, by_email, by_name)
        if match in ("email", "name"):
            registration = found[0]
            matched[registration.id].append(row)
            if how.get(registration.id) != "email":
                how[registration.id] = match
        else:
            key = (match, row.email or (name_keys(row.name) or [row.name])[0])
            entry = others.setdefault(key, (match, [], found))
            entry[1].append(row)

    existing = _existing_records(event)
    by_id = {r.id: r for r in registrations}
    people: list[ImportedPerson] = []
    for registration_id, rows in matched.items():
        registration = by_id[registration_id]
        minutes = minutes_per_day(rows, days, tz)
        person = ImportedPerson(
            name=registration.name,
            email=registration.email,
            rows=rows,
            minutes_by_day=minutes,
            match=how[registration_id],
            registration=registration,
        )
        for day, day_minutes in minutes.items():
            person.plan[day] = _plan(existing.get((registration_id, day)), day_minutes, threshold)
        people.append(person)
    for match, rows, found in others.values():
        people.append(
            ImportedPerson(
                name=rows[0].name,
                email=next((r.email for r in rows if r.email), ""),
                rows=rows,
                minutes_by_day=minutes_per_day(rows, days, tz),
                match=match,
                candidates=found,
            )
        )
    people.sort(key=lambda p: (normalise_name(p.name), p.email))
    return ImportPreview(report, threshold, people)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    kept: int

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.kept


def apply_import(
    event: Event,
    records: Iterable[tuple[int, str, int]],
    threshold: int,
    *,
    recorded_by: User | None,
    now: datetime | None = None,
) -> ImportResult:
    """Store the minutes of a confirmed preview (``ImportPreview.records()``).

    Importing the same file again changes nothing. Records an organiser made by hand
    or by QR keep their status and get the minutes only. Registrations that are not
    (or no longer) active registrations of ``event`` are ignored.
    """
    if not 0 <= threshold <= MAX_THRESHOLD_MINUTES:
        raise AttendanceError(
            _l("The threshold must be between 0 and %(max)s minutes.", max=MAX_THRESHOLD_MINUTES)
        )
    now = now or utcnow()
    days = set(event.days)
    wanted: dict[tuple[int, date], int] = {}
    for registration_id, raw_day, minutes in records:
        try:
            day = date.fromisoformat(str(raw_day))
            registration_id, minutes = int(registration_id), int(minutes)
        except (TypeError, ValueError) as exc:
            raise AttendanceError(
                _l("The import could not be read; upload the file again.")
            ) from exc
        if day in days and minutes >= 0:
            wanted[(registration_id, day)] = minutes
    attendable = set(
        db.session.scalars(
            db.select(Registration.id).where(
                Registration.event_id == event.id,
                Registration.id.in_({rid for rid, _ in wanted}),
                Registration.status.in_(ATTENDABLE_STATUSES),
            )
        )
    )
    existing = _existing_records(event)
    counts = {"create": 0, "update": 0, "unchanged": 0, "kept": 0}
    new_rows: list[dict[str, object]] = []
    for (registration_id, day), minutes in sorted(wanted.items()):
        if registration_id not in attendable:
            continue
        record = existing.get((registration_id, day))
        status, action = _plan(record, minutes, threshold)
        counts[action] += 1
        if action == "create":
            new_rows.append(
                {
                    "registration_id": registration_id,
                    "day": day,
                    "status": status,
                    "minutes_online": minutes,
                    "source": "import",
                    "recorded_by_id": recorded_by.id if recorded_by is not None else None,
                    "updated_at": now,
                }
            )
        elif action == "update":
            record.status = status
            record.minutes_online = minutes
            record.recorded_by = recorded_by
        elif action == "kept":
            record.minutes_online = minutes
    db.session.flush()
    if new_rows:
        # One multi-row INSERT: a webinar's report can hold a thousand people.
        db.session.execute(insert(Attendance), new_rows)
    result = ImportResult(counts["create"], counts["update"], counts["unchanged"], counts["kept"])
    if result.changed:
        from webapp.audit import record_audit

        record_audit(
            recorded_by,
            "attendance.imported",
            event=event,
            details={
                "created": result.created,
                "updated": result.updated,
                "minutes_only": result.kept,
                "threshold": threshold,
            },
        )
    return result


# --- the platform reports kept as evidence -------------------------------------------------

UNCONFIRMED_IMPORT_MAX_AGE = timedelta(hours=3)


def keep_platform_report(
    event: Event,
    *,
    filename: str,
    content: bytes,
    preview: ImportPreview,
    uploaded_by: User | None,
    now: datetime | None = None,
) -> PlatformReport:
    """Keep an uploaded platform report beside its preview (confirmed later or dropped).

    Previews (of any event) left unconfirmed for longer than a preview's lifetime are
    removed here: they never changed attendance and only hold personal data.
    """
    now = now or utcnow()
    db.session.execute(
        PlatformReport.__table__.delete()
        .where(PlatformReport.applied_at.is_(None))
        .where(PlatformReport.created_at < now - UNCONFIRMED_IMPORT_MAX_AGE)
    )
    record = PlatformReport(
        event_id=event.id,
        filename=(filename or "report")[:200],
        content=content,
        matched_rows=len(preview.matched),
        unmatched_rows=len(preview.unmatched),
        ambiguous_rows=len(preview.ambiguous),
        created_by_id=uploaded_by.id if uploaded_by is not None else None,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    return record


def mark_platform_report_applied(
    event: Event, import_id: int | None, now: datetime | None = None
) -> None:
    """Record that the kept report ``import_id`` of ``event`` was confirmed (if still kept)."""
    if not import_id:
        return
    record = db.session.get(PlatformReport, import_id)
    if record is not None and record.event_id == event.id and record.applied_at is None:
        record.applied_at = now or utcnow()
        db.session.flush()


def confirmed_platform_reports(event: Event) -> list[PlatformReport]:
    """The confirmed platform reports of ``event``, oldest first."""
    return list(
        db.session.scalars(
            db.select(PlatformReport)
            .where(PlatformReport.event_id == event.id)
            .where(PlatformReport.applied_at.is_not(None))
            .order_by(PlatformReport.created_at, PlatformReport.id)
        )
    )
