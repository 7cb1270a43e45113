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

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    select,
    text,
    union_all,
)

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
    excused: int = 0  # excused on some day and never present

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


def _registrations(filters: ReportFilters, now: datetime, *, bytewise: bool = False):
    """Every registration of a matching event with its marks: the CTE all figures read.

    "Present" and "excused" are membership tests against the registrations holding such
    a record, which the database answers with one hash of those ids (no per-row lookup,
    no grouping of every attendance record).
    """
    present_ids = select(Attendance.registration_id).where(Attendance.status == "present")
    excused_ids = select(Attendance.registration_id).where(Attendance.status == "excused")
    email = func.lower(Registration.email)  # stored normalised; belt and braces
    organisation = func.lower(func.trim(Registration.organisation))
    if bytewise:
        # Numbering needs equality only: compare bytes, not the language-aware collation.
        email, organisation = email.collate("C"), organisation.collate("C")
    # People and organisations numbered once here, so that the distinct counts of every
    # grouping compare small integers instead of sorting text again and again.
    person = func.dense_rank().over(order_by=email)
    organisation_number = case(
        (organisation != "", func.dense_rank().over(order_by=organisation)), else_=None
    )
    return (
        select(
            Registration.event_id.label("event_id"),
            person.label("person"),
            organisation_number.label("organisation"),
            Registration.region_id.label("region_id"),
            Registration.stakeholder_type.label("stakeholder_type"),
            Registration.status.label("status"),
            Event.kind.label("kind"),
            case((Event.ends_at <= now, 1), else_=0).label("over"),
            case((Registration.id.in_(present_ids), 1), else_=0).label("present"),
            case((Registration.id.in_(excused_ids), 1), else_=0).label("excused"),
        )
        .join(Event, Event.id == Registration.event_id)
        .where(*_event_conditions(filters, now))
        .cte("registrations_reported")
    )


# Memory PostgreSQL may use per sort of the report statement (SET LOCAL, one transaction).
REPORT_WORK_MEM = "64MB"

FIGURES = (
    "registered",
    "confirmed",
    "attended",
    "no_shows",
    "people",
    "organisations",
    "events",
    "confirmed_over",
    "attended_over",
    "excused",
)


DISTINCT_FIGURES = frozenset({"people", "organisations", "events"})


def _figure_columns(r, distinct_figures=DISTINCT_FIGURES) -> list:
    """The aggregate columns of ``GroupFigures`` (in ``FIGURES`` order) over ``r``.

    The distinct counts cost a sort each; a grouping that does not show them asks for
    fewer (``distinct_figures``) and gets 0 in their place.
    """
    present = r.c.present == 1
    excused = and_(r.c.excused == 1, ~present)
    confirmed = r.c.status == "confirmed"
    over = r.c.over == 1

    def count(condition):
        return func.count(case((condition, 1)))

    columns = [
        count(r.c.status.in_(ACTIVE_STATUSES)),
        count(confirmed),
        count(present),
        count(and_(confirmed, over, ~present, r.c.excused == 0)),
        func.count(distinct(case((present, r.c.person)))),
        func.count(distinct(case((present, r.c.organisation)))),
        func.count(distinct(r.c.event_id)),
        count(and_(confirmed, over)),
        count(and_(present, over)),
        count(excused),
    ]
    return [
        (
            literal(0, Integer)
            if name in DISTINCT_FIGURES and name not in distinct_figures
            else column
        ).label(name)
        for column, name in zip(columns, FIGURES, strict=True)
    ]


def _figures(key, values) -> GroupFigures:
    return GroupFigures(key, *(int(v or 0) for v in values))


def _ordered(found: dict[str | None, GroupFigures], keys: list[str]) -> list[GroupFigures]:
    """Every known key in order (zeros included), then "not given" when there is any."""
    rows = [found.get(k, GroupFigures(k)) for k in keys]
    rows += [g for k, g in found.items() if k not in keys]
    return rows


def _as_text(column):
    return cast(column, String(40))


def _all_groupings(filters: ReportFilters, now: datetime) -> dict[str, dict]:
    """Every grouping's figures in one statement: {grouping: {(key, key2): figures}}.

    The registrations are read once (a CTE) and grouped by: the attendee's region
    ("origin"), each region the event serves ("served"), kind of organisation ("type"),
    kind of event ("kind"), region and kind of organisation ("origin_type"), action
    ("action"), event ("event") and not at all ("all").
    """
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    r = _registrations(filters, now, bytewise=postgresql)
    none = literal(None, String(40))

    def grouped(name: str, key, key2=None, *, joins=(), distinct_figures=DISTINCT_FIGURES):
        columns = _figure_columns(r, distinct_figures)
        statement = select(literal(name, String(20)), key, none if key2 is None else key2, *columns)
        statement = statement.select_from(r)
        for table, condition in joins:
            statement = statement.join(table, condition)
        group_by = [k for k in (key, key2) if k is not None and k is not none]
        return statement.group_by(*group_by) if group_by else statement

    served = (event_regions, event_regions.c.event_id == r.c.event_id)
    tagged = (event_actions, event_actions.c.event_id == r.c.event_id)
    statement = union_all(
        grouped("origin", _as_text(r.c.region_id)),
        grouped("served", _as_text(event_regions.c.region_id), joins=[served]),
        grouped("type", _as_text(r.c.stakeholder_type)),
        grouped("kind", _as_text(r.c.kind)),
        grouped(
            "origin_type",
            _as_text(r.c.region_id),
            _as_text(r.c.stakeholder_type),
            distinct_figures={"people"},
        ),
        grouped("action", _as_text(event_actions.c.action_id), joins=[tagged]),
        grouped("event", _as_text(r.c.event_id), distinct_figures=()),
        grouped("all", none),
    )
    if postgresql:
        # The distinct counts sort the registrations once per grouping: let PostgreSQL
        # sort them in memory rather than in temporary files (this transaction only).
        db.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    found: dict[str, dict] = {}
    for name, key, key2, *values in db.session.execute(statement):
        found.setdefault(name, {})[(key, key2)] = values
    return found


def _event_rows(filters: ReportFilters, now: datetime):
    """Matching events with the minutes online and present days recorded (one query)."""
    per_event = (
        select(
            Registration.event_id.label("event_id"),
            func.coalesce(func.sum(Attendance.minutes_online), 0).label("minutes"),
            func.count(case((Attendance.status == "present", 1))).label("person_days"),
        )
        .join(Registration, Registration.id == Attendance.registration_id)
        .join(Event, Event.id == Registration.event_id)
        .where(*_event_conditions(filters, now))
        .group_by(Registration.event_id)
        .subquery("attendance_per_event")
    )
    return db.session.execute(
        select(
            Event.id,
            Event.title,
            Event.slug,
            Event.kind,
            Event.starts_at,
            Event.ends_at,
            Event.timezone,
            func.coalesce(per_event.c.minutes, 0),
            func.coalesce(per_event.c.person_days, 0),
        )
        .outerjoin(per_event, per_event.c.event_id == Event.id)
        .where(*_event_conditions(filters, now))
        .order_by(Event.starts_at, Event.id)
    ).all()


def build_report(filters: ReportFilters, now: datetime | None = None) -> Report:
    """All report figures for ``filters``, in six queries whatever the amount of data."""
    now = now or utcnow()
    regions = list(
        db.session.execute(select(Region.id, Region.code, Region.name).order_by(Region.code))
    )
    codes = [code for _, code, _ in regions]
    code_of = {str(region_id): code for region_id, code, _ in regions}
    groupings = _all_groupings(filters, now)

    def by(name: str, relabel=None) -> dict[str | None, GroupFigures]:
        result = {}
        for (key, _), values in groupings.get(name, {}).items():
            label = relabel.get(key) if relabel is not None and key is not None else key
            result[label] = _figures(label, values)
        return result

    events = []
    person_days = 0
    per_event = groupings.get("event", {})
    for row in _event_rows(filters, now):
        figures = _figures(None, per_event.get((str(row[0]), None), ()))
        person_days += int(row[8])
        events.append(
            EventFigures(
                *row[:7],
                registered=figures.registered,
                confirmed=figures.confirmed,
                attended=figures.attended,
                excused=figures.excused,
                unattended_confirmed=figures.no_shows,
                minutes_online=int(row[7]),
                is_over=row[5] <= now,
            )
        )

    events_by_region_and_kind: dict[str | None, dict[str, int]] = {}
    for region_id, kind, count in db.session.execute(
        select(event_regions.c.region_id, Event.kind, func.count(distinct(Event.id)))
        .select_from(Event)
        .join(event_regions, event_regions.c.event_id == Event.id)
        .where(*_event_conditions(filters, now))
        .group_by(event_regions.c.region_id, Event.kind)
    ):
        events_by_region_and_kind.setdefault(code_of.get(str(region_id)), {})[kind] = int(count)

    people_by_region_and_type: dict[str | None, dict[str, int]] = {}
    for (region_id, kind), values in groupings.get("origin_type", {}).items():
        people = _figures(None, values).people
        if people:
            region = code_of.get(region_id) if region_id is not None else None
            people_by_region_and_type.setdefault(region, {})[kind] = people

    overall = groupings.get("all", {}).get((None, None), ())
    return Report(
        filters=filters,
        events=events,
        by_attendee_region=_ordered(by("origin", code_of), codes),
        by_served_region=_ordered(by("served", code_of), codes),
        by_stakeholder_type=_ordered(by("type"), list(STAKEHOLDER_TYPES)),
        by_kind=_ordered(by("kind"), list(EVENT_KINDS)),
        overall=_figures(None, overall),
        person_days=person_days,
        events_by_region_and_kind=events_by_region_and_kind,
        people_by_region_and_type=people_by_region_and_type,
        by_action=_action_figures(by("action"), filters, now),
        region_names={code: name for _, code, name in regions},
    )


def _action_figures(
    found: dict[str | None, GroupFigures], filters: ReportFilters, now: datetime
) -> list[ActionFigures]:
    """Every action of every action plan, with the figures of the events it tagged."""
    tagged_events = (
        select(event_actions.c.action_id, func.count(distinct(Event.id)).label("events"))
        .join(Event, Event.id == event_actions.c.event_id)
        .where(*_event_conditions(filters, now))
        .group_by(event_actions.c.action_id)
        .subquery("events_per_action")
    )
    rows = db.session.execute(
        select(
            PlanAction.id,
            Region.code,
            ActionPlan.title,
            PlanAction.position,
            PlanAction.title,
            func.coalesce(tagged_events.c.events, 0),
        )
        .join(ActionPlan, ActionPlan.id == PlanAction.action_plan_id)
        .join(Region, Region.id == ActionPlan.region_id)
        .outerjoin(tagged_events, tagged_events.c.action_id == PlanAction.id)
        .order_by(Region.code, ActionPlan.id, PlanAction.position, PlanAction.id)
    )
    return [
        ActionFigures(
            action_id=action_id,
            region_code=code,
            plan_title=plan_title,
            position=position,
            title=title,
            events=int(events),
            figures=found.get(str(action_id), GroupFigures(str(action_id))),
        )
        for action_id, code, plan_title, position, title, events in rows
    ]
