"""How many minutes online count as attending: per event, in minutes or percent."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l

from webapp.attendance.errors import AttendanceError
from webapp.extensions import db
from webapp.models import (
    AttendanceThreshold,
    Event,
)

MAX_THRESHOLD_MINUTES = 24 * 60
DEFAULT_THRESHOLD = ("percent", 50)
MAX_THRESHOLD_PERCENT = 100


def scheduled_minutes_per_day(event: Event) -> int:
    """The event's scheduled time on one day, in minutes.

    For an event over several days, a day's time is taken as the span from the
    starting to the ending wall-clock time (9:00–17:00 → 480 minutes).
    """
    if len(event.days) == 1:
        minutes = (event.ends_at - event.starts_at).total_seconds() / 60
    else:
        start, end = event.local_starts_at, event.local_ends_at
        span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        minutes = span if span > 0 else 24 * 60
    return max(1, math.ceil(minutes))


def threshold_minutes(event: Event, unit: str, value: int) -> int:
    """The minutes online per day that count as present for ``value`` in ``unit``.

    ``percent`` is a share of the scheduled time of a day (rounded up; at least one
    minute unless it is 0). Raises ``AttendanceError`` for a value out of range.
    """
    if unit == "minutes":
        if not 0 <= value <= MAX_THRESHOLD_MINUTES:
            raise AttendanceError(
                _l(
                    "The threshold must be between 0 and %(max)s minutes.",
                    max=MAX_THRESHOLD_MINUTES,
                )
            )
        return value
    if unit == "percent":
        if not 0 <= value <= MAX_THRESHOLD_PERCENT:
            raise AttendanceError(_l("A percentage must be between 0 and 100."))
        if value == 0:
            return 0
        return max(1, math.ceil(scheduled_minutes_per_day(event) * value / 100))
    raise AttendanceError(_l("Choose minutes or a percentage of the scheduled time."))


def default_threshold_minutes(event: Event) -> int:
    """Half the event's scheduled time on one day: the default that counts as present."""
    return threshold_minutes(event, *DEFAULT_THRESHOLD)


def event_threshold(event: Event) -> tuple[str, int]:
    """The event's threshold as its organisers set it: (unit, value), else the default."""
    setting = db.session.get(AttendanceThreshold, event.id)
    if setting is None:
        return DEFAULT_THRESHOLD
    return setting.unit, setting.value


def set_event_threshold(event: Event, unit: str, value: int) -> None:
    """Keep ``value`` in ``unit`` as the event's threshold (validated as for imports)."""
    threshold_minutes(event, unit, value)
    setting = db.session.get(AttendanceThreshold, event.id)
    if (unit, value) == DEFAULT_THRESHOLD and setting is None:
        return
    if setting is None:
        db.session.add(AttendanceThreshold(event_id=event.id, unit=unit, value=value))
    elif (setting.unit, setting.value) != (unit, value):
        setting.unit, setting.value = unit, value
