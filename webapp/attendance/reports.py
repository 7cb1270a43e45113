"""Report figures: attendance per event and across events, by region, type, kind and action.

Every figure comes from aggregate SQL — a fixed number of queries whatever the number
of events or people (see ``build_report``). Definitions:

- *registered*: registrations still active (confirmed, waiting list, awaiting approval);
- *attended*: registrations with a "present" record on at least one day;
- *no-show*: after the event, a confirmed registration with no "present" and no
  "excused" record (not stored; derived here);
- *attendance rate*: attended ÷ confirmed, over events that are over only (an event
  still to come has no rate: it would read as 0 %);
- *attendances*: attended registrations; *unique people*: distinct e-mail addresses
  among them (addresses are stored normalised); *organisations*: distinct organisation
  names among them, compared without case and surrounding spaces; *person-days*:
  "present" records (a three-day visit counts three).

By default a report covers events that are over (``include_upcoming=False``).
An event serving several regions counts its attendees in each region it serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, exists, func, literal, select

from webapp.extensions import db
from webapp.models import (
    ACTIVE_STATUSES,
    EVENT_KINDS,
    STAKEHOLDER_TYPES,
    ActionPlan,
    Attendance,
    Event,
    PlanAction,
    Region,
    Registration,
    event_actions,
    event_regions,
)
from webapp.timezones import utcnow


@dataclass(frozen=True)
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    region: str | None = None  # code of a region the events serve
    include_upcoming: bool = False  # events not over yet count too
    period: int | None = None  # the reporting period the dates came from (for links)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for export links)."""
        args = {
            "period": str(self.period) if self.period else "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "kind": self.kind or "",
            "region": self.region or "",
            "when": "all" if self.include_upcoming else "",
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
        """Attended ÷ confirmed, 0–1; None before the event is over or without confirmed."""
        return self.attended / self.confirmed if self.confirmed and self.is_over else None


@dataclass(frozen=True)
class GroupFigures:
    key: str | None  # region code, stakeholder type, kind or action id; None = not given
    registered: int = 0
    confirmed: int = 0
    attended: int = 0
    no_shows: int = 0
    people: int = 0
    organisations: int = 0
    events: int = 0  # events with at least one registration in the group
    confirmed_over: int = 0  # confirmed at events that are over
    attended_over: int = 0  # attended at events that are over

    @property
    def attendances(self) -> int:
        return self.attended

    @property
    def attendance_rate(self) -> float | None:
        """Attended ÷ confirmed over the events that are over (None without any)."""
        return self.attended_over / self.confirmed_over if self.confirmed_over else None


@dataclass(frozen=True)
class ActionFigures:
    action_id: int
    region_code: str
    plan_title: str
    position: int
    title: str
    events: int
    figures: GroupFigures


@dataclass
class Report:
    filters: ReportFilters
    events: list[EventFigures]
    by_attendee_region: list[GroupFigures]
    by_served_region: list[GroupFigures]
    by_stakeholder_type: list[GroupFigures]
    by_kind: list[GroupFigures]
    overall: GroupFigures
    person_days: int
    # {served region code: {kind: number of events}}
    events_by_region_and_kind: dict[str | None, dict[str, int]] = field(default_factory=dict)
    # {attendee region code: {stakeholder type: unique people}}
    people_by_region_and_type: dict[str | None, dict[str, int]] = field(default_factory=dict)
    by_action: list[ActionFigures] = field(default_factory=list)
    region_names: dict[str, str] = field(default_factory=dict)

    @property
    def attendances(self) -> int:
        return self.overall.attended

    @property
    def unique_people(self) -> int:
        return self.overall.people

    @property
    def unique_organisations(self) -> int:
        return self.overall.organisations

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

    @property
    def attendance_rate(self) -> float | None:
        """Attended ÷ confirmed over the events in the report that are over."""
        return self.overall.attendance_rate


def _event_conditions(filters: ReportFilters, now: datetime) -> list:
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
    if not filters.include_upcoming:
        conditions.append(Event.ends_at <= now)
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
        .where(*_event_conditions(filters, now))
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


def _registrations(filters: ReportFilters, now: datetime):
    """Every registration of a matching event with its marks, as a subquery."""
    marks = _per_registration()
    return (
        select(
            Registration.id.label("id"),
            Registration.event_id.label("event_id"),
            func.lower(Registration.email).label("email"),  # stored normalised; belt and braces
            func.lower(func.trim(Registration.organisation)).label("organisation"),
            Registration.region_id.label("region_id"),
            Registration.stakeholder_type.label("stakeholder_type"),
            Registration.status.label("status"),
            Event.kind.label("kind"),
            case((Event.ends_at <= now, 1), else_=0).label("over"),
            func.coalesce(marks.c.present, 0).label("present"),
            func.coalesce(marks.c.excused, 0).label("excused"),
        )
        .join(Event, Event.id == Registration.event_id)
        .outerjoin(marks, marks.c.registration_id == Registration.id)
        .where(*_event_conditions(filters, now))
        .subquery("registrations_reported")
    )


def _figure_columns(r) -> list:
    """The aggregate columns of ``GroupFigures`` (after its key) over subquery ``r``."""
    present = r.c.present == 1
    confirmed = r.c.status == "confirmed"
    over = r.c.over == 1

    def count(condition):
        return func.count(case((condition, 1)))

    columns = [
        count(r.c.status.in_(ACTIVE_STATUSES)),
        count(confirmed),
        count(present),
        count(and_(confirmed, over, ~present, r.c.excused == 0)),
        func.count(distinct(case((present, r.c.email)))),
        func.count(distinct(case((and_(present, r.c.organisation != ""), r.c.organisation)))),
        func.count(distinct(r.c.event_id)),
        count(and_(confirmed, over)),
        count(and_(present, over)),
    ]
    return [column.label(f"figure_{i}") for i, column in enumerate(columns)]


def _figures(key, row) -> GroupFigures:
    return GroupFigures(key, *(int(v or 0) for v in row))


def _grouped(statement) -> dict:
    return {row[0]: _figures(row[0], row[1:]) for row in db.session.execute(statement)}


def _ordered(found: dict[str | None, GroupFigures], keys: list[str]) -> list[GroupFigures]:
    """Every known key in order (zeros included), then "not given" when there is any."""
    rows = [found.get(k, GroupFigures(k)) for k in keys]
    rows += [g for k, g in found.items() if k not in keys]
    return rows


def _relabel(found: dict, code_of: dict[int, str]) -> dict[str | None, GroupFigures]:
    """Groups keyed by region id, keyed by region code instead."""
    return {code_of.get(key): replace(g, key=code_of.get(key)) for key, g in found.items()}


def build_report(filters: ReportFilters, now: datetime | None = None) -> Report:
    """All report figures for ``filters``, in ten queries whatever the amount of data."""
    now = now or utcnow()
    r = _registrations(filters, now)
    columns = _figure_columns(r)
    regions = list(
        db.session.execute(select(Region.id, Region.code, Region.name).order_by(Region.code))
    )
    codes = [code for _, code, _ in regions]
    code_of = {region_id: code for region_id, code, _ in regions}

    by_attendee_region = _grouped(select(r.c.region_id, *columns).group_by(r.c.region_id))
    by_served_region = _grouped(
        select(event_regions.c.region_id, *columns)
        .select_from(r)
        .join(event_regions, event_regions.c.event_id == r.c.event_id)
        .group_by(event_regions.c.region_id)
    )
    by_type = _grouped(select(r.c.stakeholder_type, *columns).group_by(r.c.stakeholder_type))
    by_kind = _grouped(select(r.c.kind, *columns).group_by(r.c.kind))
    overall_row = db.session.execute(
        select(
            literal(1),
            *columns,
            select(func.count(Attendance.id))
            .join(Registration, Registration.id == Attendance.registration_id)
            .join(Event, Event.id == Registration.event_id)
            .where(Attendance.status == "present", *_event_conditions(filters, now))
            .scalar_subquery(),
        ).select_from(r)
    ).one()

    events_by_region_and_kind: dict[str | None, dict[str, int]] = {}
    for region_id, kind, count in db.session.execute(
        select(event_regions.c.region_id, Event.kind, func.count(distinct(Event.id)))
        .select_from(Event)
        .join(event_regions, event_regions.c.event_id == Event.id)
        .where(*_event_conditions(filters, now))
        .group_by(event_regions.c.region_id, Event.kind)
    ):
        events_by_region_and_kind.setdefault(code_of.get(region_id), {})[kind] = int(count)

    people_by_region_and_type: dict[str | None, dict[str, int]] = {}
    for region_id, kind, count in db.session.execute(
        select(r.c.region_id, r.c.stakeholder_type, func.count(distinct(r.c.email)))
        .where(r.c.present == 1)
        .group_by(r.c.region_id, r.c.stakeholder_type)
    ):
        people_by_region_and_type.setdefault(code_of.get(region_id), {})[kind] = int(count)

    return Report(
        filters=filters,
        events=event_figures(filters, now),
        by_attendee_region=_ordered(_relabel(by_attendee_region, code_of), codes),
        by_served_region=_ordered(_relabel(by_served_region, code_of), codes),
        by_stakeholder_type=_ordered(by_type, list(STAKEHOLDER_TYPES)),
        by_kind=_ordered(by_kind, list(EVENT_KINDS)),
        overall=_figures(None, overall_row[1:-1]),
        person_days=int(overall_row[-1] or 0),
        events_by_region_and_kind=events_by_region_and_kind,
        people_by_region_and_type=people_by_region_and_type,
        by_action=_action_figures(r, columns, filters, now),
        region_names={code: name for _, code, name in regions},
    )


def _action_figures(r, columns, filters: ReportFilters, now: datetime) -> list[ActionFigures]:
    """Stakeholders engaged per action of every action plan (one query, zeros included)."""
    tagged = (
        select(event_actions.c.action_id, *columns)
        .select_from(r)
        .join(event_actions, event_actions.c.event_id == r.c.event_id)
        .group_by(event_actions.c.action_id)
        .subquery("per_action")
    )
    tagged_events = (
        select(event_actions.c.action_id, func.count(distinct(Event.id)).label("events"))
        .join(Event, Event.id == event_actions.c.event_id)
        .where(*_event_conditions(filters, now))
        .group_by(event_actions.c.action_id)
        .subquery("events_per_action")
    )
    figure_names = [c.name for c in columns]
    rows = db.session.execute(
        select(
            PlanAction.id,
            Region.code,
            ActionPlan.title,
            PlanAction.position,
            PlanAction.title,
            func.coalesce(tagged_events.c.events, 0),
            *(tagged.c[name] for name in figure_names),
        )
        .join(ActionPlan, ActionPlan.id == PlanAction.action_plan_id)
        .join(Region, Region.id == ActionPlan.region_id)
        .outerjoin(tagged, tagged.c.action_id == PlanAction.id)
        .outerjoin(tagged_events, tagged_events.c.action_id == PlanAction.id)
        .order_by(Region.code, ActionPlan.id, PlanAction.position, PlanAction.id)
    )
    return [
        ActionFigures(
            action_id=row[0],
            region_code=row[1],
            plan_title=row[2],
            position=row[3],
            title=row[4],
            events=int(row[5]),
            figures=_figures(row[0], row[6:]),
        )
        for row in rows
    ]
