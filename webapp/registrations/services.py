"""Registration rules: capacity, waiting list, approval and tokens.

Plain functions with explicit arguments; they never read the request and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func

from webapp.extensions import db
from webapp.models import Event, Registration


def confirmed_counts(event_ids: Iterable[int]) -> dict[int, int]:
    """Confirmed registrations per event, in one query (events without any are absent)."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Registration.event_id, func.count())
        .where(Registration.event_id.in_(ids), Registration.status == "confirmed")
        .group_by(Registration.event_id)
    )
    return {event_id: count for event_id, count in rows}


def seats_left(event: Event, confirmed: int) -> int | None:
    """Free seats given the confirmed count; ``None`` when capacity is unlimited."""
    if event.capacity is None:
        return None
    return max(event.capacity - confirmed, 0)
