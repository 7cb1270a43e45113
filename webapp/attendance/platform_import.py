"""What a meeting platform's report would change: matching people to registrants, applying it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from webapp.attendance.errors import AttendanceError
from webapp.attendance.importing import (
    TEAM_ROLES,
    Directory,
    ParsedReport,
    ParticipantRow,
    group_people,
    minutes_per_day,
    normalise_name,
)
from webapp.attendance.queries import (
    ATTENDABLE_STATUSES,
    attendable_registrations,
    records_by_registration,
)
from webapp.attendance.thresholds import MAX_THRESHOLD_MINUTES
from webapp.audit import record_audit
from webapp.extensions import db
from webapp.models import (
    Attendance,
    Event,
    Registration,
    User,
)
from webapp.timezones import utcnow, zone


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


def person_ref(key: str) -> str:
    """A short reference to a person of a report, for forms and page anchors: their key
    holds their address, which has no place in a URL."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def display_name(name: str) -> str:
    """A report's name without what platforms add in brackets ("Anna (Guest)" → "Anna")."""
    return " ".join(re.sub(r"[(\[][^)\]]*[)\]]", " ", name).split()) or name


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
    registrations = attendable_registrations(event)
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

    existing = records_by_registration(event)
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
    existing = records_by_registration(event)
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
