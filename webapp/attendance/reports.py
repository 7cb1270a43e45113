"""Report figures: attendance per event and across events, by region, type and kind.

Every figure comes from aggregate SQL — a fixed number of queries whatever the number
of events or people (see ``build_report``). Definitions:

- *registered*: registrations still active (confirmed, waiting list, awaiting approval);
- *attended*: registrations with a "present" record on at least one day;
- *no-show*: after the event, a confirmed registration with no "present" and no
  "excused" record (not stored; derived here);
- *attendance rate*: attended ÷ confirmed;
- *attendances*: attended registrations; *unique people*: distinct e-mail addresses
  among them; *person-days*: "present" records (a three-day visit counts three).

An event serving several regions counts its attendees in each region it serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, distinct, exists, func, select

from webapp.extensions import db
from webapp.models import (
    ACTIVE_STATUSES,
    EVENT_KINDS,
    STAKEHOLDER_TYPES,
    Attendance,
    Event,
    Region,
    Registration,
    event_regions,
)
from webapp.timezones import utcnow


@dataclass(frozen=True)
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    region: str | None = None  # code of a region the events serve

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for export links)."""
        args = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "kind": self.kind or "",
            "region": self.region or "",
        }
        return {k: v for k, v in args.items() if v}


@dataclass(frozen=True)
class EventFigures:
    event_id: int
    title: str
    slug: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    registered: int
    confirmed: int
    attended: int
    excused: int
    unattended_confirmed: int
    minutes_online: int
    is_over: bool

    @property
    def no_shows(self) -> int | None:
        """Confirmed people not present and not excused — only once the event is over."""
        return self.unattended_confirmed if self.is_over else None

    @property
    def attendance_rate(self) -> float | None:
        """Attended ÷ confirmed, 0–1 (None without confirmed registrations)."""
        return self.attended / self.confirmed if self.confirmed else None


@dataclass(frozen=True)
class GroupFigures:
    key: str | None  # region code, stakeholder type or kind; None = not given
    attendances: int
    people: int


@dataclass
class Report:
    filters: ReportFilters
    events: list[EventFigures]
    by_attendee_region: list[GroupFigures]
    by_served_region: list[GroupFigures]
    by_stakeholder_type: list[GroupFigures]
    by_kind: list[GroupFigures]
    attendances: int
    unique_people: int
    person_days: int
    region_names: dict[str, str] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "registered": sum(e.registered for e in self.events),
            "confirmed": sum(e.confirmed for e in self.events),
            "attended": sum(e.attended for e in self.events),
            "excused": sum(e.excused for e in self.events),
            "no_shows": sum(e.no_shows or 0 for e in self.events),
            "minutes_online": sum(e.minutes_online for e in self.events),
        }


def _event_conditions(filters: ReportFilters) -> list:
    conditions = [Event.status == "published"]
    if filters.date_from:
        conditions.append(Event.starts_at >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), UTC)
        conditions.append(Event.starts_at < end)
    if filters.kind:
        conditions.append(Event.kind == filters.kind)
    if filters.region:
        conditions.append(
            exists()
            .where(event_regions.c.event_id == Event.id)
            .where(event_regions.c.region_id == Region.id)
            .where(Region.code == filters.region)
        )
    return conditions


def _per_registration():
    """One row per registration with a record: was present, was excused, minutes online."""
    return (
        select(
            Attendance.registration_id.label("registration_id"),
            func.max(case((Attendance.status == "present", 1), else_=0)).label("present"),
            func.max(case((Attendance.status == "excused", 1), else_=0)).label("excused"),
            func.coalesce(func.sum(Attendance.minutes_online), 0).label("minutes"),
        )
        .group_by(Attendance.registration_id)
        .subquery("per_registration")
    )


def event_figures(filters: ReportFilters, now: datetime | None = None) -> list[EventFigures]:
    """Figures of each published event matching ``filters``, by start (one query)."""
    now = now or utcnow()
    marks = _per_registration()
    status = Registration.status
    present = func.coalesce(marks.c.present, 0) == 1
    excused = func.coalesce(marks.c.excused, 0) == 1
    rows = db.session.execute(
        select(
            Event.id,
            Event.title,
            Event.slug,
            Event.kind,
            Event.starts_at,
            Event.ends_at,
            Event.timezone,
            func.count(Registration.id).filter(status.in_(ACTIVE_STATUSES)),
            func.count(Registration.id).filter(status == "confirmed"),
            func.count(Registration.id).filter(present),
            func.count(Registration.id).filter(excused, ~present),
            func.count(Registration.id).filter(status == "confirmed", ~present, ~excused),
            func.coalesce(func.sum(marks.c.minutes), 0),
        )
        .select_from(Event)
        .outerjoin(Registration, Registration.event_id == Event.id)
        .outerjoin(marks, marks.c.registration_id == Registration.id)
        .where(*_event_conditions(filters))
        .group_by(
            Event.id,
            Event.title,
            Event.slug,
            Event.kind,
            Event.starts_at,
            Event.ends_at,
            Event.timezone,
        )
        .order_by(Event.starts_at, Event.id)
    )
    return [
        EventFigures(*row[:7], *(int(v) for v in row[7:]), is_over=row[5] <= now) for row in rows
    ]


def _attended_registrations(filters: ReportFilters):
    """Registrations present at least once at a matching event (a subquery)."""
    was_present = (
        exists()
        .where(Attendance.registration_id == Registration.id)
        .where(Attendance.status == "present")
    )
    return (
        select(
            Registration.id.label("id"),
            func.lower(Registration.email).label("email"),
            Registration.region_id.label("region_id"),
            Registration.stakeholder_type.label("stakeholder_type"),
            Registration.event_id.label("event_id"),
            Event.kind.label("kind"),
        )
        .join(Event, Event.id == Registration.event_id)
        .where(was_present, *_event_conditions(filters))
        .subquery("attended")
    )


def _grouped(statement) -> dict[str | None, GroupFigures]:
    return {
        key: GroupFigures(key, int(attendances), int(people))
        for key, attendances, people in db.session.execute(statement)
    }


def _ordered(found: dict[str | None, GroupFigures], keys: list[str]) -> list[GroupFigures]:
    """Every known key in order (zeros included), then "not given" when there is any."""
    rows = [found.get(k, GroupFigures(k, 0, 0)) for k in keys]
    rows += [g for k, g in found.items() if k not in keys]
    return rows


def build_report(filters: ReportFilters, now: datetime | None = None) -> Report:
    """All report figures for ``filters``, in seven queries."""
    attended = _attended_registrations(filters)
    people = func.count(distinct(attended.c.email))
    regions = list(
        db.session.execute(select(Region.id, Region.code, Region.name).order_by(Region.code))
    )
    codes = [code for _, code, _ in regions]
    code_of = {region_id: code for region_id, code, _ in regions}

    by_attendee_region = {
        code_of.get(region_id): figures
        for region_id, figures in _grouped(
            select(attended.c.region_id, func.count(attended.c.id), people).group_by(
                attended.c.region_id
            )
        ).items()
    }
    by_served_region = {
        code_of.get(region_id): figures
        for region_id, figures in _grouped(
            select(event_regions.c.region_id, func.count(attended.c.id), people)
            .join(event_regions, event_regions.c.event_id == attended.c.event_id)
            .group_by(event_regions.c.region_id)
        ).items()
    }
    by_type = _grouped(
        select(attended.c.stakeholder_type, func.count(attended.c.id), people).group_by(
            attended.c.stakeholder_type
        )
    )
    by_kind = _grouped(
        select(attended.c.kind, func.count(attended.c.id), people).group_by(attended.c.kind)
    )
    totals = db.session.execute(
        select(
            func.count(attended.c.id),
            people,
            select(func.count(Attendance.id))
            .join(Registration, Registration.id == Attendance.registration_id)
            .join(Event, Event.id == Registration.event_id)
            .where(Attendance.status == "present", *_event_conditions(filters))
            .scalar_subquery(),
        )
    ).one()

    def relabel(groups: dict[str | None, GroupFigures]) -> dict[str | None, GroupFigures]:
        return {k: GroupFigures(k, g.attendances, g.people) for k, g in groups.items()}

    return Report(
        filters=filters,
        events=event_figures(filters, now),
        by_attendee_region=_ordered(relabel(by_attendee_region), codes),
        by_served_region=_ordered(relabel(by_served_region), codes),
        by_stakeholder_type=_ordered(by_type, list(STAKEHOLDER_TYPES)),
        by_kind=_ordered(by_kind, list(EVENT_KINDS)),
        attendances=int(totals[0]),
        unique_people=int(totals[1]),
        person_days=int(totals[2] or 0),
        region_names={code: name for _, code, name in regions},
    )
