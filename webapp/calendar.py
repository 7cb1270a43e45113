"""iCalendar (RFC 5545, RFC 7986) feeds built from plain data, for every calendar app.

This module imports nothing from Flask: callers turn their events into
``CalendarEvent`` values and get bytes back. What the output promises:

- ``VERSION``, a fixed ``PRODID``, ``CALSCALE``, ``METHOD``, the calendar's name and
  description (``NAME``/``X-WR-CALNAME``, ``DESCRIPTION``/``X-WR-CALDESC``) and a refresh
  interval written the way clients read it (``REFRESH-INTERVAL;VALUE=DURATION`` and
  ``X-PUBLISHED-TTL``);
- timed events in their own zone with ``TZID`` and one ``VTIMEZONE`` per zone, written
  from the zone's transitions as ``STANDARD``/``DAYLIGHT`` observances with yearly
  ``RRULE``s (the shape Outlook and Google emit and every parser reads), all-day events
  as ``DATE`` values with the exclusive end date;
- escaped text, lines folded at 75 octets without splitting a UTF-8 character, CRLF;
- byte-identical output for identical input: zones and events are sorted and no value
  depends on the clock (``DTSTAMP`` is the event's last modification).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vRecur, vText, vUri
from icalendar import Event as VEvent
from icalendar.prop import vDuration

PRODID = "-//Inter Ventures//Inter Ventures Events//EN"
DEFAULT_REFRESH_INTERVAL = timedelta(hours=6)
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "Zulu", "UCT", "Universal"})
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event as a calendar app should see it.

    ``starts_at``/``ends_at`` are aware instants; ``timezone`` is the IANA zone the
    event is written in. For an all-day event the days are read on that zone's wall
    clock and the end is exclusive (an event ending at local midnight ends that day).
    """

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    summary: str
    all_day: bool = False
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    status: str = "CONFIRMED"
    created: datetime | None = None
    last_modified: datetime | None = None
    conference_url: str = ""
    conference_label: str = ""

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError(f"event {self.uid}: naive times cannot be written to a calendar")
        if self.ends_at < self.starts_at:
            raise ValueError(f"event {self.uid}: ends before it starts")
        if self.status not in STATUSES:
            raise ValueError(f"event {self.uid}: unknown status {self.status!r}")
        if self.sequence < 0:
            raise ValueError(f"event {self.uid}: SEQUENCE cannot be negative")

    @property
    def is_utc(self) -> bool:
        return self.timezone in UTC_NAMES

    def all_day_dates(self) -> tuple[date, date]:
        """First day and exclusive end day on the event's wall clock."""
        tz = _zoneinfo(self.timezone)
        first = self.starts_at.astimezone(tz).date()
        end_local = self.ends_at.astimezone(tz)
        end = end_local.date()
        if end_local.timetz().replace(tzinfo=None) != time(0):
            end += timedelta(days=1)
        return first, max(end, first + timedelta(days=1))


# --- time zones --------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _zoneinfo(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of a zone's UTC offset (or of its DST flag or abbreviation)."""

    at: datetime  # the first instant (UTC) of the new observance
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str

    @property
    def local_onset(self) -> datetime:
        """The wall-clock time of the change, read on the clock before it (``DTSTART``)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    def rule(self) -> tuple:
        """What makes this change the same as another year's: month, weekday, time, offsets."""
        onset = self.local_onset
        last_day = _stdlib_calendar.monthrange(onset.year, onset.month)[1]
        nth = -1 if onset.day > last_day - 7 else (onset.day - 1) // 7 + 1
        return (
            onset.month,
            f"{nth}{WEEKDAYS[onset.weekday()]}",
            onset.time(),
            self.offset_from,
            self.offset_to,
            self.is_dst,
            self.name,
        )


def _state(tz: ZoneInfo, instant: datetime) -> tuple[timedelta, bool, str]:
    local = instant.astimezone(tz)
    return local.utcoffset() or timedelta(0), bool(local.dst()), local.tzname() or ""


@lru_cache(maxsize=1024)
def zone_transitions(tz_name: str, year: int) -> tuple[Transition, ...]:
    """The changes of ``tz_name`` during ``year`` (UTC), found from zoneinfo itself."""
    tz = _zoneinfo(tz_name)
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    found: list[Transition] = []
    t, state = start, _state(tz, start)
    while t < end:
        nxt = min(t + timedelta(days=1), end)
        nxt_state = _state(tz, nxt)
        if nxt_state != state:
            lo, hi = t, nxt  # lo has the old state, hi the new one
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if _state(tz, mid) == state:
                    lo = mid
                else:
                    hi = mid
            found.append(Transition(hi, state[0], nxt_state[0], nxt_state[1], nxt_state[2]))
        t, state = nxt, nxt_state
    return tuple(found)


def _year_rule(tz_name: str, year: int) -> tuple:
    transitions = zone_transitions(tz_name, year)
    if transitions:
        return ("rules", tuple(t.rule() for t in transitions))
    return ("fixed", _state(_zoneinfo(tz_name), datetime(year, 1, 1, tzinfo=UTC)))


def _observance(
    *,
    is_dst: bool,
    name: str,
    onset: datetime,
    offset_from: timedelta,
    offset_to: timedelta,
    rrule: dict | None,
) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if is_dst else TimezoneStandard()
    component.add("DTSTART", onset)
    component.add("TZOFFSETFROM", offset_from)
    component.add("TZOFFSETTO", offset_to)
    if rrule is not None:
        component.add("RRULE", vRecur(rrule))
    if name:
        component.add("TZNAME", name)
    return component


@lru_cache(maxsize=256)
def vtimezone(tz_name: str, first_year: int, last_year: int) -> Timezone:
    """A ``VTIMEZONE`` for ``tz_name`` valid from ``first_year`` on.

    Years with the same rules are grouped; each group becomes one ``STANDARD`` and one
    ``DAYLIGHT`` observance with a yearly ``RRULE`` (bounded by ``UNTIL`` when the rules
    change later). The last group's rule is left open, as Outlook and Google do.
    """
    years = range(first_year, last_year + 1)
    groups: list[tuple[tuple, list[int]]] = []
    for year in years:
        rule = _year_rule(tz_name, year)
        if groups and groups[-1][0] == rule:
            groups[-1][1].append(year)
        else:
            groups.append((rule, [year]))

    component = Timezone()
    component.add("TZID", tz_name)
    for index, (rule, group_years) in enumerate(groups):
        is_last_group = index == len(groups) - 1
        if rule[0] == "fixed":
            if index == 0:
                offset, is_dst, name = rule[1]
                component.add_component(
                    _observance(
                        is_dst=is_dst,
                        name=name,
                        onset=datetime(group_years[0], 1, 1),
                        offset_from=offset,
                        offset_to=offset,
                        rrule=None,
                    )
                )
            continue  # the previous group's last change already leads into this offset
        first = zone_transitions(tz_name, group_years[0])
        last = zone_transitions(tz_name, group_years[-1])
        for position, transition in enumerate(first):
            month, byday, *_ = transition.rule()
            rrule: dict | None = None
            if is_last_group or len(group_years) > 1:
                rrule = {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": byday}
                if not is_last_group:
                    rrule["UNTIL"] = last[position].at
            component.add_component(
                _observance(
                    is_dst=transition.is_dst,
                    name=transition.name,
                    onset=transition.local_onset,
                    offset_from=transition.offset_from,
                    offset_to=transition.offset_to,
                    rrule=rrule,
                )
            )
    return component


# --- calendars ---------------------------------------------------------------------------


def _text(value: str) -> vText:
    # icalendar escapes only what it knows to be TEXT; given as vText, any property is.
    return vText(value)


def _duration_value(interval: timedelta) -> vDuration:
    return vDuration(interval)


def _local_or_utc(instant: datetime, tz: ZoneInfo) -> datetime:
    """``instant`` on the zone's wall clock, or in UTC when that wall time is ambiguous.

    In the hour repeated by the autumn change a local time names two instants, and
    parsers disagree on which one a ``TZID`` value means (RFC 5545 says the first;
    ical.js reads the second); UTC is unambiguous for all of them.
    """
    local = instant.astimezone(tz)
    wall = local.replace(tzinfo=None)
    if wall.replace(tzinfo=tz, fold=0).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset():
        return instant.astimezone(UTC)
    return local


def _event_component(event: CalendarEvent, *, organizer: str) -> VEvent:
    component = VEvent()
    add = component.add
    add("UID", event.uid)
    stamp = (event.last_modified or event.created or event.starts_at).astimezone(UTC)
    add("DTSTAMP", stamp)
    if event.all_day:
        first, end = event.all_day_dates()
        add("DTSTART", first)
        add("DTEND", end)
    elif event.is_utc:
        add("DTSTART", event.starts_at.astimezone(UTC))
        add("DTEND", event.ends_at.astimezone(UTC))
    else:
        tz = _zoneinfo(event.timezone)
        add("DTSTART", _local_or_utc(event.starts_at, tz))
        add("DTEND", _local_or_utc(event.ends_at, tz))
    add("SEQUENCE", event.sequence)
    add("STATUS", event.status)
    add("SUMMARY", _text(event.summary))
    if event.description:
        add("DESCRIPTION", _text(event.description))
    if event.location:
        add("LOCATION", _text(event.location))
    if event.url:
        add("URL", vUri(event.url), parameters={"VALUE": "URI"})
    if event.categories:
        add("CATEGORIES", list(event.categories))
    if event.conference_url:
        parameters: dict[str, Any] = {"VALUE": "URI", "FEATURE": ["AUDIO", "VIDEO"]}
        if event.conference_label:
            parameters["LABEL"] = event.conference_label
        add("CONFERENCE", vUri(event.conference_url), parameters=parameters)
    if event.created:
        add("CREATED", event.created.astimezone(UTC))
    if event.last_modified:
        add("LAST-MODIFIED", event.last_modified.astimezone(UTC))
    add("TRANSP", "TRANSPARENT" if event.status == "CANCELLED" else "OPAQUE")
    if organizer:
        add("ORGANIZER", vUri(organizer))
    return component


def _zone_years(events: Sequence[CalendarEvent]) -> dict[str, tuple[int, int]]:
    """For each zone used by a timed event: the years its ``VTIMEZONE`` must cover."""
    spans: dict[str, tuple[int, int]] = {}
    for event in events:
        if event.all_day or event.is_utc:
            continue
        first = event.starts_at.astimezone(UTC).year - 1
        last = event.ends_at.astimezone(UTC).year + 1
        known = spans.get(event.timezone)
        if known:
            first, last = min(first, known[0]), max(last, known[1])
        spans[event.timezone] = (first, last)
    return spans


def build_calendar(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    description: str = "",
    prodid: str = PRODID,
    method: str = "PUBLISH",
    url: str = "",
    refresh_interval: timedelta = DEFAULT_REFRESH_INTERVAL,
    organizer: str = "",
) -> bytes:
    """The ``VCALENDAR`` of ``events`` as UTF-8 bytes with CRLF line ends.

    ``organizer`` (a ``mailto:`` URI) is written only for scheduling methods
    (``REQUEST``/``CANCEL``), which RFC 5546 requires it for; published feeds carry none.
    """
    if method not in METHODS:
        raise ValueError(f"unknown METHOD {method!r}")
    ordered = sorted(events, key=lambda e: (e.starts_at, e.ends_at, e.uid))

    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", prodid)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    calendar.add("NAME", _text(name))
    calendar.add("X-WR-CALNAME", _text(name))
    if description:
        calendar.add("DESCRIPTION", _text(description))
        calendar.add("X-WR-CALDESC", _text(description))
    if url:
        calendar.add("URL", vUri(url), parameters={"VALUE": "URI"})
    if method == "PUBLISH" and refresh_interval:
        calendar.add(
            "REFRESH-INTERVAL",
            _duration_value(refresh_interval),
            parameters={"VALUE": "DURATION"},
        )
        calendar.add("X-PUBLISHED-TTL", _duration_value(refresh_interval))

    for tz_name, (first, last) in sorted(_zone_years(ordered).items()):
        calendar.add_component(vtimezone(tz_name, first, last))
    scheduling_organizer = organizer if method != "PUBLISH" else ""
    # Each event is written out as soon as it is built, so a feed of thousands of
    # events never holds them all as components at once (the same bytes as adding them
    # to the calendar and writing it whole; the calendar's own lines end with its END).
    chunks = [calendar.to_ical(sorted=False).removesuffix(_CALENDAR_END)]
    for event in ordered:
        chunks.append(_event_component(event, organizer=scheduling_organizer).to_ical(sorted=False))
    chunks.append(_CALENDAR_END)
    return b"".join(chunks)


_CALENDAR_END = b"END:VCALENDAR\r\n"
