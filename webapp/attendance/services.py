"""Attendance rules: check-in per day, walk-ins, QR check-in and platform imports.

Plain functions with explicit arguments; they never read the request and never commit.
An attendance record exists only once someone was marked (present, absent or
excused); a confirmed registrant with no "present" record after the event is a
no-show in the reports, not a stored state.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, or_
from sqlalchemy.exc import IntegrityError

from webapp.attendance.importing import (
    TEAM_ROLES,
    Directory,
    FilePerson,
    ParsedReport,
    ParticipantRow,
    group_people,
    minutes_per_day,
    normalise_name,
    read_report,
)
from webapp.extensions import db, rows_changed
from webapp.models import (
    ACTIVE_STATUSES,
    ATTENDANCE_STATUSES,
    STAKEHOLDER_TYPES,
    Attendance,
    AttendanceImport,
    AttendanceThreshold,
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

DEFAULT_THRESHOLD = ("percent", 50)
MAX_THRESHOLD_PERCENT = 100
# How long an uploaded report waits for its confirmation before it is deleted.
IMPORT_DRAFT_MAX_AGE = timedelta(hours=6)


def scheduled_minutes_per_day(event: Event) -> int:
    """The event's scheduled time on one day, in minutes.

    For an event over several days, a day's time is taken as the span from the
    starting to the ending wall-clock time (9:00–17:00 → 480 minutes).
    """
    if len(event.days) == 1:
        minutes = (event.ends_at - event.starts_at).total_seconds() / 60
    else:
        start, end = event.local_starts_at, event.local_ends_at
        span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        minutes = span if span > 0 else 24 * 60
    return max(1, math.ceil(minutes))


def threshold_minutes(event: Event, unit: str, value: int) -> int:
    """The minutes online per day that count as present for ``value`` in ``unit``.

    ``percent`` is a share of the scheduled time of a day (rounded up; at least one
    minute unless it is 0). Raises ``AttendanceError`` for a value out of range.
    """
    if unit == "minutes":
        if not 0 <= value <= MAX_THRESHOLD_MINUTES:
            raise AttendanceError(
                _l(
                    "The threshold must be between 0 and %(max)s minutes.",
                    max=MAX_THRESHOLD_MINUTES,
                )
            )
        return value
    if unit == "percent":
        if not 0 <= value <= MAX_THRESHOLD_PERCENT:
            raise AttendanceError(_l("A percentage must be between 0 and 100."))
        if value == 0:
            return 0
        return max(1, math.ceil(scheduled_minutes_per_day(event) * value / 100))
    raise AttendanceError(_l("Choose minutes or a percentage of the scheduled time."))


def default_threshold_minutes(event: Event) -> int:
    """Half the event's scheduled time on one day: the default that counts as present."""
    return threshold_minutes(event, *DEFAULT_THRESHOLD)


def event_threshold(event: Event) -> tuple[str, int]:
    """The event's threshold as its organisers set it: (unit, value), else the default."""
    setting = db.session.get(AttendanceThreshold, event.id)
    if setting is None:
        return DEFAULT_THRESHOLD
    return setting.unit, setting.value


def set_event_threshold(event: Event, unit: str, value: int) -> None:
    """Keep ``value`` in ``unit`` as the event's threshold (validated as for imports)."""
    threshold_minutes(event, unit, value)
    setting = db.session.get(AttendanceThreshold, event.id)
    if (unit, value) == DEFAULT_THRESHOLD and setting is None:
        return
    if setting is None:
        db.session.add(AttendanceThreshold(event_id=event.id, unit=unit, value=value))
    elif (setting.unit, setting.value) != (unit, value):
        setting.unit, setting.value = unit, value


@dataclass
class ImportedPerson:
    """One person of the report with their minutes, and what the import does with them.

    ``group``: ``matched`` (stored on confirmation), ``team`` (hosts, co-hosts,
    panelists and the organisers' own staff: stored only if an organiser matches
    them), ``ambiguous`` (several registrants have the name) or ``unmatched``.
    ``match`` says how a registration was found: ``email``, ``name`` or ``chosen``
    (by an organiser). ``registration`` of a team member is the registrant they
    would be; ``suggestions`` are registrants with a similar name.
    """

    keys: list[str]
    name: str
    email: str
    rows: list[ParticipantRow]
    minutes_by_day: dict[date, int]
    status_by_day: dict[date, str]
    group: str
    match: str
    role: str = "attendee"
    staff: bool = False
    registration: Registration | None = None
    candidates: list[Registration] = field(default_factory=list)
    suggestions: list[Registration] = field(default_factory=list)
    names_in_file: list[str] = field(default_factory=list)
    # For matched people: day → (status to store, what happens: create/update/unchanged/kept)
    plan: dict[date, tuple[str, str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.keys[0]

    @property
    def ref(self) -> str:
        return person_ref(self.key)

    @property
    def anchor(self) -> str:
        return "person-" + self.ref

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes_by_day.values())

    @property
    def attends(self) -> bool:
        return any(status == "present" for status, _ in self.plan.values())

    @property
    def chosen(self) -> bool:
        return self.match == "chosen"


@dataclass
class ImportPreview:
    report: ParsedReport
    threshold: int
    people: list[ImportedPerson]
    threshold_unit: str = "minutes"
    threshold_value: int = 0

    def _in(self, group: str) -> list[ImportedPerson]:
        return [p for p in self.people if p.group == group]

    @property
    def matched(self) -> list[ImportedPerson]:
        return self._in("matched")

    @property
    def team(self) -> list[ImportedPerson]:
        return self._in("team")

    @property
    def unmatched(self) -> list[ImportedPerson]:
        return self._in("unmatched")

    @property
    def ambiguous(self) -> list[ImportedPerson]:
        return self._in("ambiguous")

    @property
    def undecided(self) -> list[ImportedPerson]:
        """Ambiguous people first, then those who matched nobody."""
        return self.ambiguous + self.unmatched

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
        """What confirming stores: (registration id, ISO day, minutes)."""
        return sorted(
            (p.registration.id, day.isoformat(), minutes)
            for p in self.matched
            for day, minutes in p.minutes_by_day.items()
        )

    def digest(self) -> str:
        """A fingerprint of what confirming stores, to refuse a preview that went stale."""
        text = json.dumps([self.threshold, self.records()], separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


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


def person_ref(key: str) -> str:
    """A short reference to a person of a report, for forms and page anchors: their key
    holds their address, which has no place in a URL."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def display_name(name: str) -> str:
    """A report's name without what platforms add in brackets ("Anna (Guest)" → "Anna")."""
    return " ".join(re.sub(r"[(\[][^)\]]*[)\]]", " ", name).split()) or name


def attendable_registrations(event: Event) -> list[Registration]:
    """Everyone still registered for ``event``, by name."""
    return _attendable(event)


def _attendable(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status.in_(ATTENDABLE_STATUSES),
            )
            .order_by(func.lower(Registration.name), Registration.id)
        )
    )


# Several people of a report may match one registrant: the surest way names the row.
_MATCH_STRENGTH = {"name": 0, "email": 1, "chosen": 2}


def staff_emails() -> set[str]:
    """Addresses of the app's users: the organisers' own staff."""
    return {e.strip().casefold() for e in db.session.scalars(db.select(User.email))}


def preview_import(
    event: Event,
    report: ParsedReport,
    threshold: int,
    *,
    decisions: Mapping[str, int] | None = None,
    threshold_unit: str = "minutes",
    threshold_value: int | None = None,
) -> ImportPreview:
    """Match the report's people to registrations and say what confirming would store.

    A person matches by e-mail first, then by a name exactly one registrant has
    (accents, capitals, word order and bracketed additions ignored); ``decisions``
    (person key → registration id) are the organiser's choices and win. Hosts,
    co-hosts, panelists and the app's users are kept apart unless chosen. A person's
    rows are added up as the union of their stays. Stores nothing.
    """
    if not 0 <= threshold <= MAX_THRESHOLD_MINUTES:
        raise AttendanceError(
            _l("The threshold must be between 0 and %(max)s minutes.", max=MAX_THRESHOLD_MINUTES)
        )
    decisions = decisions or {}
    tz = zone(event.timezone)
    days = event.days
    registrations = _attendable(event)
    by_id = {r.id: r for r in registrations}
    directory = Directory(registrations)
    staff = staff_emails()

    matched: dict[int, ImportedPerson] = {}
    others: list[ImportedPerson] = []
    for person in group_people(report.rows):
        found = directory.match(person)
        is_staff = bool(person.email) and person.email.casefold() in staff
        chosen = by_id.get(decisions.get(person.key, -1))
        if chosen is not None:
            group, how, registration = "matched", "chosen", chosen
        elif person.role in TEAM_ROLES or is_staff:
            group, how, registration = "team", found.kind, found.registrant
        elif found.registrant is not None:
            group, how, registration = "matched", found.kind, found.registrant
        else:
            group, how, registration = found.kind, found.kind, None
        if group == "matched":
            entry = matched.get(registration.id)
            if entry is None:
                entry = matched[registration.id] = ImportedPerson(
                    keys=[],
                    name=registration.name,
                    email=registration.email,
                    rows=[],
                    minutes_by_day={},
                    status_by_day={},
                    group="matched",
                    match=how,
                    role=person.role,
                    registration=registration,
                )
            elif _MATCH_STRENGTH[how] > _MATCH_STRENGTH[entry.match]:
                entry.match = how
            entry.keys.append(person.key)
            entry.rows.extend(person.rows)
            entry.names_in_file.append(person.name)
            continue
        suggestions = found.suggestions
        if group == "team" and registration is None:
            suggestions = directory.similar(person.name)
        others.append(
            ImportedPerson(
                keys=[person.key],
                name=person.name,
                email=person.email,
                rows=person.rows,
                minutes_by_day={},
                status_by_day={},
                group=group,
                match=how,
                role=person.role,
                staff=is_staff,
                registration=registration,
                candidates=found.candidates if found.kind == "ambiguous" else [],
                suggestions=suggestions,
                names_in_file=[person.name],
            )
        )

    existing = _existing_records(event)
    people = [*matched.values(), *others]
    for entry in people:
        entry.minutes_by_day = minutes_per_day(entry.rows, days, tz) or {days[0]: 0}
        entry.status_by_day = {
            day: "present" if minutes >= threshold else "absent"
            for day, minutes in entry.minutes_by_day.items()
        }
        if entry.group == "matched":
            for day, minutes in entry.minutes_by_day.items():
                entry.plan[day] = _plan(
                    existing.get((entry.registration.id, day)), minutes, threshold
                )
    people.sort(key=lambda p: (normalise_name(p.name), p.email))
    return ImportPreview(
        report,
        threshold,
        people,
        threshold_unit=threshold_unit,
        threshold_value=threshold if threshold_value is None else threshold_value,
    )


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


# --- uploaded reports awaiting confirmation -----------------------------------------------


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
    _check_attendable(event, registration)
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
        record = _record_for(outcome.registration, day)
        if record is None:
            record = Attendance(registration=outcome.registration, day=day, status=status)
            db.session.add(record)
        _stamp(record, status, "import", recorded_by, now)
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
