"""Which day of an event attendance is taken for."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from webapp.attendance.errors import AttendanceError
from webapp.models import (
    Event,
)
from webapp.timezones import utcnow, zone


def event_today(event: Event, now: datetime | None = None) -> date:
    """Today's date on the event's wall clock."""
    return (now or utcnow()).astimezone(zone(event.timezone)).date()


def default_day(event: Event, now: datetime | None = None) -> date:
    """The day the sheet opens on: today during the event, else its first or last day."""
    days = event.days
    today = event_today(event, now)
    if today in days:
        return today
    return days[0] if today < days[0] else days[-1]


def parse_day(event: Event, raw: str | None, now: datetime | None = None) -> date:
    """The event day named by ``raw`` (ISO date), or the default day when empty.

    Raises ``AttendanceError`` for a malformed date or a day the event does not run on.
    """
    if not raw:
        return default_day(event, now)
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise AttendanceError(_l("That is not a date.")) from exc
    if day not in event.days:
        raise AttendanceError(_l("The event does not run on that day."))
    return day
