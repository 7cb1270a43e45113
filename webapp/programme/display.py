"""Reading a programme: by day, in a chosen time zone, short for e-mails and calendars.

Read-only helpers shared by the pages, the e-mails and the calendar files; the rules that
change a programme are in ``services``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from webapp.models import Event, ProgrammeItem, Region, Speaker
from webapp.timezones import is_valid_timezone, utc_to_local

SHORT_PROGRAMME_ITEMS = 8


@dataclass
class ProgrammeDay:
    day: date
    items: list[ProgrammeItem]


def _local_day(instant: datetime, tz_name: str) -> date:
    return utc_to_local(instant, tz_name).date()


def ordered(items: Iterable[ProgrammeItem]) -> list[ProgrammeItem]:
    return sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))


def programme_by_day(items: Iterable[ProgrammeItem], tz_name: str) -> list[ProgrammeDay]:
    """``items`` grouped by their local start day in ``tz_name``, in time order."""
    days: list[ProgrammeDay] = []
    for item in ordered(items):
        day = _local_day(item.starts_at, tz_name)
        if not days or days[-1].day != day:
            days.append(ProgrammeDay(day, []))
        days[-1].items.append(item)
    return days


def event_speakers(event: Event) -> list[Speaker]:
    """Everyone speaking at ``event``, once each, by name."""
    seen: dict[int, Speaker] = {}
    for item in event.programme:
        for speaker in item.speakers:
            seen.setdefault(speaker.id, speaker)
    return sorted(seen.values(), key=lambda s: (s.name.casefold(), s.id))


def short_programme(
    items: Sequence[ProgrammeItem], limit: int = SHORT_PROGRAMME_ITEMS
) -> tuple[list[ProgrammeItem], int]:
    """The first ``limit`` items and how many more there are (e-mails and calendar files)."""
    items = ordered(items)
    return items[:limit], max(0, len(items) - limit)


@dataclass(frozen=True)
class ZoneChoice:
    timezone: str
    label: str


def zone_choices(event: Event, regions: Sequence[Region]) -> list[ZoneChoice]:
    """The event's zone first, then each partner region's zone not already offered."""
    choices = [ZoneChoice(event.timezone, event.timezone.replace("_", " "))]
    for region in regions:
        if all(c.timezone != region.timezone for c in choices):
            choices.append(ZoneChoice(region.timezone, f"{region.name} ({region.timezone})"))
    return choices


def chosen_zone(requested: str | None, event: Event) -> tuple[str, bool]:
    """The zone to show the programme in, and whether ``requested`` had to be ignored.

    Any IANA zone is accepted (the visitor's own, sent by the page's script or typed);
    anything else falls back to the event's zone.
    """
    if not requested:
        return event.timezone, False
    if is_valid_timezone(requested):
        return requested, False
    return event.timezone, True


@dataclass
class ProgrammeContext:
    """What the event page and the printable programme show of the programme."""

    timezone: str
    zone_ignored: bool
    zone_choices: list[ZoneChoice]
    days: list[ProgrammeDay]
    speakers: list[Speaker]

    @property
    def zone_is_offered(self) -> bool:
        return any(c.timezone == self.timezone for c in self.zone_choices)


def programme_context(
    event: Event, regions: Sequence[Region], requested_zone: str | None
) -> ProgrammeContext:
    tz, ignored = chosen_zone(requested_zone, event)
    return ProgrammeContext(
        timezone=tz,
        zone_ignored=ignored,
        zone_choices=zone_choices(event, regions),
        days=programme_by_day(event.programme, tz),
        speakers=event_speakers(event),
    )
