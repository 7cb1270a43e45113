"""Events at the instants where calendar apps go wrong: winter, summer and both changes.

For each partnership zone and two years: mid-January, mid-July, the days before and
after the last Sundays of March and October, the hours around each change on its
Sunday (including both readings of the hour repeated in October), and an all-day event.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp.calendar import CalendarEvent

PARTNERSHIP_ZONES = (
    "Europe/Budapest",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Madrid",
    "Europe/Vilnius",
)
YEARS = (2026, 2027)


def last_sunday(year: int, month: int) -> date:
    last = date(year, month, stdlib_calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _change_instant(year: int, month: int) -> datetime:
    # The EU changes at 01:00 UTC on the last Sunday of March and of October.
    return datetime.combine(last_sunday(year, month), datetime.min.time(), UTC) + timedelta(hours=1)


def instants(zone: str, year: int) -> dict[str, datetime]:
    tz = ZoneInfo(zone)

    def local(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)

    march, october = last_sunday(year, 3), last_sunday(year, 10)
    spring, autumn = _change_instant(year, 3), _change_instant(year, 10)
    return {
        "winter": local(date(year, 1, 15), 10),
        "summer": local(date(year, 7, 15), 10),
        "march-saturday": local(march - timedelta(days=1), 10),
        "march-monday": local(march + timedelta(days=1), 10),
        "march-before-change": spring - timedelta(minutes=30),
        "march-after-change": spring + timedelta(minutes=30),
        "october-saturday": local(october - timedelta(days=1), 10),
        "october-monday": local(october + timedelta(days=1), 10),
        "october-repeated-hour-first": autumn - timedelta(minutes=30),
        "october-repeated-hour-second": autumn + timedelta(minutes=30),
        "october-after-change": autumn + timedelta(hours=2),
    }


def cases() -> list[CalendarEvent]:
    events = []
    for zone in PARTNERSHIP_ZONES:
        for year in YEARS:
            for label, start in instants(zone, year).items():
                events.append(
                    CalendarEvent(
                        uid=f"{zone}-{year}-{label}@test",
                        sequence=1,
                        starts_at=start,
                        ends_at=start + timedelta(hours=1, minutes=30),
                        timezone=zone,
                        summary=f"{label} in {zone}",
                    )
                )
            tz = ZoneInfo(zone)
            first = datetime(year, 10, last_sunday(year, 10).day - 1, tzinfo=tz)
            events.append(
                CalendarEvent(
                    uid=f"{zone}-{year}-all-day@test",
                    sequence=0,
                    starts_at=first.astimezone(UTC),
                    ends_at=(first + timedelta(days=2)).astimezone(UTC),
                    timezone=zone,
                    all_day=True,
                    summary=f"Two days over the October change in {zone}",
                )
            )
    return events


def expected(events: list[CalendarEvent]) -> dict[str, dict]:
    """What every parser must read: UTC instants for timed events, dates for all-day ones."""
    result = {}
    for event in events:
        if event.all_day:
            first, end = event.all_day_dates()
            result[event.uid] = {"start": first.isoformat(), "end": end.isoformat()}
        else:
            result[event.uid] = {
                "start": event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": event.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
    return result


def read_back(parsed: dict) -> dict[str, dict]:
    """A parser's output reduced to what ``expected`` gives."""
    return {
        uid: {
            "start": values["start"].get("utc") or values["start"]["date"],
            "end": values["end"].get("utc") or values["end"]["date"],
        }
        for uid, values in parsed["events"].items()
    }
