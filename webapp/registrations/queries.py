"""Read-only questions about registrations: counts, seats, waiting-list positions, tokens.

Nothing here changes the database, so the mail, the views and the feeds can read
without importing the registration rules that change statuses (``transitions``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func

from webapp.extensions import db
from webapp.models import ACTIVE_STATUSES, REGISTRATION_STATUSES, Event, Registration
from webapp.tokens import lookup_by_token


def find_by_token(token: str) -> Registration | None:
    """The registration whose secret link carries ``token``, or ``None``."""
    return lookup_by_token(Registration.token, token)


def find_by_checkin_token(token: str) -> Registration | None:
    """The registration whose check-in code carries ``token``, or ``None``."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(db.select(Registration).where(Registration.checkin_token == token))


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


def status_counts(event_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Registrations per event and status, in one query.

    Every requested event is present, with every status (zero when there are none).
    """
    ids = list(dict.fromkeys(event_ids))
    counts: dict[int, dict[str, int]] = {
        event_id: {status: 0 for status in REGISTRATION_STATUSES} for event_id in ids
    }
    if not ids:
        return counts
    rows = db.session.execute(
        db.select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(ids))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, count in rows:
        counts[event_id][status] = count
    return counts


def event_status_counts(event: Event) -> dict[str, int]:
    """Registrations of one event per status (every status present)."""
    return status_counts([event.id])[event.id]


@dataclass(frozen=True)
class LockedCounts:
    """What a registration decides on under the event's lock, read in one query."""

    counts: dict[str, int]  # registrations per status (every status present)
    existing_id: int | None  # the address's active registration, if any
    # The earliest time an active registration must confirm its address by (double
    # opt-in): no hold can have run out before it.
    first_hold_deadline: datetime | None


def counts_and_active_registration(event_id: int, email: str) -> LockedCounts:
    """Registrations per status, the id of ``email``'s active one, and the earliest
    confirmation deadline of an active hold, in one query."""
    counts = {status: 0 for status in REGISTRATION_STATUSES}
    existing_id = None
    deadlines = []
    rows = db.session.execute(
        db.select(
            Registration.status,
            func.count(),
            func.max(case((Registration.email == email, Registration.id))),
            func.min(Registration.email_confirm_by),
        )
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    for status, count, match, deadline in rows:
        counts[status] = count
        if status in ACTIVE_STATUSES:
            if match is not None:
                existing_id = match
            if deadline is not None:
                deadlines.append(deadline)
    return LockedCounts(counts, existing_id, min(deadlines, default=None))


def seats_left(event: Event, confirmed: int) -> int | None:
    """Free seats given the confirmed count; ``None`` when capacity is unlimited."""
    if event.capacity is None:
        return None
    return max(event.capacity - confirmed, 0)


def free_seats(event: Event, counts: Mapping[str, int]) -> int | None:
    """Free seats given the counts per status; ``None`` when capacity is unlimited."""
    return seats_left(event, counts["confirmed"])


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; ``None`` when not waitlisted.

    The waiting list is kept in order of registration (the id, which is taken while
    the event is locked, so it is the order in which people were admitted).
    """
    if registration.status != "waitlisted":
        return None
    ahead = db.session.scalar(
        db.select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == "waitlisted",
            Registration.id < registration.id,
        )
    )
    return (ahead or 0) + 1


def waitlist_positions(event_id: int) -> dict[int, int]:
    """Waiting-list position of every waitlisted registration of an event, in one query."""
    ids = db.session.scalars(
        db.select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == "waitlisted")
        .order_by(Registration.id)
    )
    return {registration_id: n for n, registration_id in enumerate(ids, start=1)}


def events_with_expired_holds(now: datetime) -> list[int]:
    """Ids of events with a registration whose confirmation time has run out."""
    return list(
        db.session.scalars(
            db.select(Registration.event_id)
            .where(
                Registration.email_confirm_by.is_not(None),
                Registration.email_confirm_by <= now,
                Registration.status.in_(ACTIVE_STATUSES),
            )
            .distinct()
            .order_by(Registration.event_id)
        )
    )
