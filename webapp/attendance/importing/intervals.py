"""A person's minutes in a meeting: the union of their stays, per day of the event.

Rejoins are merged, two devices at once count once and a repeated row adds nothing,
because overlapping stays are merged before they are measured. Rows that carry only
a duration (layouts without stays) add up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

from webapp.attendance.importing.report import ParticipantRow


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of ``intervals`` as sorted, non-overlapping intervals."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _nearest_day(day: date, days: Sequence[date]) -> date:
    return min(days, key=lambda d: (abs((d - day).days), d))


def minutes_per_day(
    rows: Iterable[ParticipantRow], days: Sequence[date], tz: tzinfo
) -> dict[date, int]:
    """A person's minutes on each event day (``tz`` is the event's zone).

    Stays are merged first; rows with only a duration add up. Time before or after
    the event's days is counted on its nearest day.
    """
    rows = list(rows)
    seconds: dict[date, float] = defaultdict(float)
    stays = [(r.joined_at, r.left_at) for r in rows if r.has_interval]
    for start, end in merge(stays):  # type: ignore[arg-type]
        cursor = start
        while cursor < end:
            local = cursor.astimezone(tz)
            next_midnight = datetime.combine(
                local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz
            ).astimezone(UTC)
            piece_end = min(end, next_midnight)
            seconds[_nearest_day(local.date(), days)] += (piece_end - cursor).total_seconds()
            cursor = piece_end
    for row in rows:
        if row.has_interval or row.minutes is None:
            continue
        when = row.joined_at.astimezone(tz).date() if row.joined_at else days[0]
        seconds[_nearest_day(when, days)] += row.minutes * 60
    return {day: int(round(total / 60)) for day, total in sorted(seconds.items())}
