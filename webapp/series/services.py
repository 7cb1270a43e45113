"""Event series: creating the dates at once, moving between them, changing later ones.

Each date of a series is an event of its own (registrations, attendance, one calendar
entry with its own UID and SEQUENCE); ``EventSeries`` only links them. Plain functions
with explicit arguments; they never read the request and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from flask_babel import gettext as _

from webapp.audit import record_audit
from webapp.extensions import db
from webapp.models import Event, EventSeries, Question, User
from webapp.organiser.event_data import (
    EDITABLE_FIELDS,
    JITSI_BASE,
    ChangeResult,
    EventData,
    SchedulingError,
    jitsi_room_url,
    unique_slug,
)
from webapp.organiser.services import update_event
from webapp.timezones import InvalidLocalTime, local_to_utc, utc_to_local, utcnow

MAX_DATES = 52
# Fields a change to "this and all later dates" carries over (times are handled apart).
SERIES_FIELDS = tuple(
    name for name in EDITABLE_FIELDS if name not in ("starts_at", "ends_at", "timezone")
)


@dataclass(frozen=True)
class SeriesRule:
    """A repeating rule: ``monthly`` on the n-th (or last, -1) weekday, or ``weekly``."""

    frequency: str  # "monthly" | "weekly"
    weekday: int  # 0 = Monday
    count: int
    position: int = 1  # monthly: 1..4, or -1 for the last
    interval: int = 1  # weekly: every n weeks

    def as_rrule_text(self) -> str:
        day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[self.weekday]
        if self.frequency == "monthly":
            return f"FREQ=MONTHLY;BYDAY={self.position}{day};COUNT={self.count}"
        return f"FREQ=WEEKLY;INTERVAL={self.interval};BYDAY={day};COUNT={self.count}"


def rule_dates(rule: SeriesRule, first_day: date, at: time) -> list[datetime]:
    """Local wall-clock starts of ``rule`` from ``first_day`` (inclusive), at ``at``."""
    if not 2 <= rule.count <= MAX_DATES:
        raise SchedulingError(_("A series has from 2 to %(max)d dates.", max=MAX_DATES), "count")
    if rule.frequency == "monthly":
        if rule.position not in (1, 2, 3, 4, -1):
            raise SchedulingError(_("Choose which weekday of the month."), "position")
        by_day = weekday(rule.weekday, rule.position)
        generator = rrule(
            MONTHLY, byweekday=by_day, count=rule.count, dtstart=datetime.combine(first_day, at)
        )
    elif rule.frequency == "weekly":
        if not 1 <= rule.interval <= 4:
            raise SchedulingError(_("Repeat every 1 to 4 weeks."), "interval")
        generator = rrule(
            WEEKLY,
            interval=rule.interval,
            byweekday=weekday(rule.weekday),
            count=rule.count,
            dtstart=datetime.combine(first_day, at),
        )
    else:
        raise SchedulingError(_("Choose how the meeting repeats."), "frequency")
    return list(generator)


def parse_date_list(text: str) -> list[date]:
    """Dates written one per line as YYYY-MM-DD; a wrong line is named in the error."""
    days: list[date] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            day = date.fromisoformat(line)
        except ValueError as error:
            raise SchedulingError(
                _(
                    "Line %(n)d: “%(text)s” is not a date like 2026-03-03.",
                    n=number,
                    text=line[:30],
                ),
                "dates",
            ) from error
        if day in days:
            raise SchedulingError(
                _("Line %(n)d: %(day)s is already in the list.", n=number, day=line), "dates"
            )
        days.append(day)
    if not 2 <= len(days) + 1 <= MAX_DATES + 1 or not days:
        raise SchedulingError(
            _("Give from 1 to %(max)d further dates, one per line.", max=MAX_DATES - 1), "dates"
        )
    return sorted(days)


def create_series(
    template: Event,
    local_starts: list[datetime],
    *,
    rule_text: str,
    actor: User,
    now: datetime | None = None,
) -> EventSeries:
    """Make ``template`` the first member of a new series and copy it to the other dates.

    ``local_starts`` are wall-clock starts in the template's zone; a start on the
    template's own day is the template itself. Each copy keeps the template's local
    time of day and length, its texts, place, join link (a Jitsi room gets its own),
    capacity, questions, visibility and status, with its registration window moved
    by the same number of days.
    """
    now = now or utcnow()
    if template.series_id is not None:
        raise SchedulingError(_("This event already belongs to a series."))
    if template.is_cancelled:
        raise SchedulingError(_("A cancelled event cannot start a series."))
    tz = template.timezone
    local_start = utc_to_local(template.starts_at, tz).replace(tzinfo=None)
    local_length = utc_to_local(template.ends_at, tz).replace(tzinfo=None) - local_start
    starts: list[tuple[datetime, datetime, timedelta]] = []
    for wall in local_starts:
        if wall.date() == local_start.date():
            continue
        try:
            starts_at = local_to_utc(wall, tz)
            ends_at = local_to_utc(wall + local_length, tz)
        except InvalidLocalTime as error:
            raise SchedulingError(
                _(
                    "%(time)s does not exist in %(zone)s: the clocks go forward that night.",
                    time=wall.strftime("%Y-%m-%d %H:%M"),
                    zone=tz,
                ),
                "dates",
            ) from error
        if starts_at <= now:
            raise SchedulingError(
                _("%(day)s is in the past.", day=wall.date().isoformat()), "dates"
            )
        starts.append((starts_at, ends_at, starts_at - template.starts_at))
    if not starts:
        raise SchedulingError(_("The rule gives no date besides this event's own."), "dates")
    series = EventSeries(title=template.title, rule=rule_text, timezone=tz)
    db.session.add(series)
    template.series = series
    for starts_at, ends_at, shift in starts:
        _copy_to(template, series, starts_at, ends_at, shift)
    db.session.flush()
    record_audit(
        actor,
        "series.created",
        event=template,
        details={"series": series.id, "dates": len(starts) + 1, "rule": rule_text},
    )
    return series


def _copy_to(
    template: Event, series: EventSeries, starts_at: datetime, ends_at: datetime, shift
) -> Event:
    copy = Event(slug=unique_slug(template.title, starts_at, template.timezone))
    # Loading the template's regions and questions must not flush the half-made copy.
    with db.session.no_autoflush:
        db.session.add(copy)
        for name in EDITABLE_FIELDS:
            value = getattr(template, name)
            setattr(copy, name, dict(value) if isinstance(value, dict) else value)
        copy.starts_at, copy.ends_at = starts_at, ends_at
        if template.registration_opens_at is not None:
            copy.registration_opens_at = template.registration_opens_at + shift
        if template.registration_closes_at is not None:
            copy.registration_closes_at = template.registration_closes_at + shift
        if copy.online_url.startswith(JITSI_BASE):
            copy.online_url = jitsi_room_url()
        copy.status = template.status
        copy.sequence = 0
        copy.host_partner = template.host_partner
        copy.regions = list(template.regions)
        copy.series = series
        for question in template.questions:
            copy.questions.append(
                Question(
                    position=question.position,
                    label=question.label,
                    kind=question.kind,
                    required=question.required,
                    options=list(question.options or []),
                    help_text=question.help_text or "",
                    translations=dict(question.translations or {}),
                )
            )
    # Flushed one by one: each slug must see the previous ones.
    db.session.flush()
    return copy


# --- reading -----------------------------------------------------------------------------------


def series_members(event: Event) -> list[Event]:
    """Every date of ``event``'s series in order (just ``event`` when it has none)."""
    if event.series_id is None:
        return [event]
    return list(
        db.session.scalars(
            db.select(Event)
            .where(Event.series_id == event.series_id)
            .order_by(Event.starts_at, Event.id)
        )
    )


def later_members(event: Event) -> list[Event]:
    """The dates of the series after ``event`` that are not cancelled."""
    return [
        other
        for other in series_members(event)
        if other.id != event.id
        and (other.starts_at, other.id) > (event.starts_at, event.id)
        and not other.is_cancelled
    ]


def series_dates_for_visitors(event: Event) -> list[Event]:
    """The dates a visitor of ``event``'s page may see: listed ones, and for an unlisted
    event the unlisted ones too (never drafts or partners-only meetings)."""
    if event.series_id is None:
        return []
    visible = ("public", "unlisted") if event.visibility == "unlisted" else ("public",)
    members = [
        other
        for other in series_members(event)
        if other.status != "draft" and other.visibility in visible
    ]
    return members if len(members) > 1 else []


# --- changing this and the later dates -------------------------------------------------------------


def event_data_of(event: Event) -> EventData:
    """The event as it is, in the shape ``update_event`` takes (questions untouched)."""
    values = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    values["translations"] = dict(event.translations or {})
    return EventData(
        **values,
        host_partner=event.host_partner,
        regions=list(event.regions),
        status=event.status if event.status != "cancelled" else "published",
        questions=None,
    )


def apply_to_later_dates(
    event: Event, changed: list[str], *, actor: User, notify: bool = True, note: str = ""
) -> list[tuple[Event, ChangeResult]]:
    """Carry the changes just made to ``event`` over to the later dates of its series.

    Texts, place, join link, capacity, visibility, status (publishing) and the other
    settings that changed are copied; a new local time of day or length is applied on each later date's own
    day. Each date is updated like a single event: its own SEQUENCE rises only if
    something its calendar shows changed, and its own registrants are told (unless
    ``notify`` is false; ``note`` is added to their notice).
    """
    copied = [name for name in changed if name in SERIES_FIELDS]
    times_changed = bool({"starts_at", "ends_at", "timezone"} & set(changed))
    regions_changed = "regions" in changed
    host_changed = "host_partner" in changed
    status_changed = "status" in changed
    if not (copied or times_changed or regions_changed or host_changed or status_changed):
        return []
    tz = event.timezone
    local_start = utc_to_local(event.starts_at, tz).replace(tzinfo=None)
    local_length = utc_to_local(event.ends_at, tz).replace(tzinfo=None) - local_start
    results = []
    for other in later_members(event):
        data = event_data_of(other)
        for name in copied:
            value = getattr(event, name)
            setattr(data, name, dict(value) if isinstance(value, dict) else value)
        if regions_changed:
            data.regions = list(event.regions)
        if host_changed:
            data.host_partner = event.host_partner
        if status_changed:
            data.status = event.status
        if times_changed:
            other_day = utc_to_local(other.starts_at, other.timezone).date()
            wall = datetime.combine(other_day, local_start.time())
            try:
                data.starts_at = local_to_utc(wall, tz)
                data.ends_at = local_to_utc(wall + local_length, tz)
            except InvalidLocalTime as error:
                raise SchedulingError(
                    _(
                        "%(time)s does not exist in %(zone)s: the clocks go forward that night.",
                        time=wall.strftime("%Y-%m-%d %H:%M"),
                        zone=tz,
                    ),
                    "starts_local",
                ) from error
            data.timezone = tz
            if data.registration_closes_at and data.registration_closes_at > data.ends_at:
                data.registration_closes_at = data.ends_at
        results.append((other, update_event(other, data, actor=actor, notify=notify, note=note)))
    return results
