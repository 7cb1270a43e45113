"""Time zones: aware-UTC storage, wall-clock conversion and "this time in every region".

Events are stored in UTC and keep their IANA zone beside them. Organisers type local
wall-clock times; visitors read them back in the event's zone and in each region's.
This module imports nothing from Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware ``datetime`` in UTC.

    PostgreSQL keeps the offset (``timestamptz``); SQLite stores naive UTC text, so the
    UTC zone is restored on the way out. Naive values are refused on the way in: a
    naive time is ambiguous and writing it as UTC is how calendars end up an hour off.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; give it a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current instant, aware, in UTC (a callable for column defaults)."""
    return datetime.now(UTC)


class InvalidLocalTime(ValueError):
    """A wall-clock time that does not exist in a zone (skipped by a spring DST change)."""


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; raises ``ValueError`` for an unknown name."""
    if not is_valid_timezone(name):
        raise ValueError(f"unknown time zone {name!r}")
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str | None) -> bool:
    """Whether ``name`` is an IANA zone this machine knows (``Europe/Vilnius``)."""
    if not name or len(name) > 64:
        return False
    if name not in _known_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def selectable_timezones() -> list[str]:
    """Zones offered in forms: the European ones first, then the rest, each sorted."""
    names = sorted(n for n in _known_zones() if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    europe = [n for n in names if n.startswith("Europe/")]
    return europe + [n for n in names if not n.startswith("Europe/")] + ["UTC"]


def local_to_utc(wall: datetime, tz_name: str, *, fold: int = 0) -> datetime:
    """Convert a naive wall-clock time in ``tz_name`` to aware UTC.

    A time skipped by the spring change (02:30 on the last Sunday of March in
    Central Europe) raises ``InvalidLocalTime``. A time that happens twice in autumn
    is read as its first occurrence unless ``fold=1``.
    """
    if wall.tzinfo is not None:
        raise ValueError("local_to_utc expects a naive wall-clock time")
    tz = zone(tz_name)
    local = wall.replace(tzinfo=tz, fold=fold)
    as_utc = local.astimezone(UTC)
    # A non-existent wall time does not survive the round trip.
    if as_utc.astimezone(tz).replace(tzinfo=None) != wall:
        raise InvalidLocalTime(f"{wall:%Y-%m-%d %H:%M} does not exist in {tz_name}")
    return as_utc


def utc_to_local(instant: datetime, tz_name: str) -> datetime:
    """The aware local time in ``tz_name`` of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("utc_to_local expects an aware datetime")
    return instant.astimezone(zone(tz_name))


@dataclass(frozen=True)
class EventTimes:
    """An event's times as a value (kept before a change), read like ``Event``'s own."""

    starts_at: datetime
    ends_at: datetime
    timezone: str
    all_day: bool

    @classmethod
    def of(cls, event: Any) -> EventTimes:
        return cls(event.starts_at, event.ends_at, event.timezone, event.all_day)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready (ISO 8601 instants), read back by ``from_json``."""
        return {
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "timezone": self.timezone,
            "all_day": self.all_day,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> EventTimes:
        return cls(
            datetime.fromisoformat(value["starts_at"]),
            datetime.fromisoformat(value["ends_at"]),
            value["timezone"],
            bool(value["all_day"]),
        )

    @property
    def local_starts_at(self) -> datetime:
        return utc_to_local(self.starts_at, self.timezone)

    @property
    def local_ends_at(self) -> datetime:
        return utc_to_local(self.ends_at, self.timezone)

    @property
    def days(self) -> list[date]:
        first = self.local_starts_at.date()
        end = self.local_ends_at
        last = end.date()
        if last > first and end.time() == datetime.min.time():
            last -= timedelta(days=1)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class RegionTime:
    """An instant as read on a wall clock in one region."""

    code: str
    name: str
    timezone: str
    local: datetime

    @property
    def utc_offset_hours(self) -> float:
        offset = self.local.utcoffset()
        return offset.total_seconds() / 3600 if offset else 0.0


def times_in_regions(instant: datetime, regions: Iterable[Any]) -> list[RegionTime]:
    """``instant`` on the wall clock of each region (objects with code, name, timezone)."""
    return [
        RegionTime(r.code, r.name, r.timezone, utc_to_local(instant, r.timezone)) for r in regions
    ]


def is_within_hours(local: datetime, start_hour: int = 8, end_hour: int = 18) -> bool:
    """Whether a local time falls inside working hours ``[start_hour, end_hour]``."""
    minutes = local.hour * 60 + local.minute
    return start_hour * 60 <= minutes <= end_hour * 60


def parse_working_hours(value: str) -> tuple[int, int]:
    """``"09:00-17:00"`` as minutes after midnight; raises ``ValueError`` for anything else."""
    try:
        first, last = (part.strip() for part in value.replace("–", "-").split("-"))
        minutes = []
        for part in (first, last):
            hours, mins = part.split(":")
            h, m = int(hours), int(mins)
            if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > 1440:
                raise ValueError(part)
            minutes.append(h * 60 + m)
    except ValueError as exc:
        raise ValueError(f"working hours {value!r} are not like 09:00-17:00") from exc
    if minutes[0] >= minutes[1]:
        raise ValueError(f"working hours {value!r} end before they start")
    return minutes[0], minutes[1]
