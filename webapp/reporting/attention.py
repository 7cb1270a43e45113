"""What needs an organiser's attention, for the dashboard (five queries, whatever the data).

- registrations awaiting approval for events still to come;
- events that are over, with confirmed people, and no attendance taken;
- e-mails the outbox gave up on;
- imported platform reports with rows that matched nobody (or several people);
- events starting soon with few confirmed registrations.

An organiser sees what concerns the events of their region; an administrator sees all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from webapp.extensions import db
from webapp.models import (
    Attendance,
    Event,
    OutboxMessage,
    Partner,
    PlatformReport,
    Registration,
)
from webapp.timezones import utcnow

PAST_EVENTS_WINDOW = timedelta(days=90)  # events over longer ago are no longer nagged about
RECENT_WINDOW = timedelta(days=30)  # failed e-mails and imports
SOON_WINDOW = timedelta(days=14)
FEW_REGISTRATIONS = 5  # fewer confirmed than this (or than a quarter of the seats) is "few"
LIST_LIMIT = 20


@dataclass(frozen=True)
class EventItem:
    event_id: int
    title: str
    starts_at: datetime
    timezone: str
    count: int  # what the item is about: pending people, confirmed people, rows...


@dataclass(frozen=True)
class FailedMessage:
    message_id: int
    event_id: int | None
    event_title: str | None
    to_address: str
    subject: str
    last_error: str
    failed_at: datetime


@dataclass(frozen=True)
class ImportItem:
    import_id: int
    event_id: int
    title: str
    filename: str
    unmatched: int
    ambiguous: int
    created_at: datetime


@dataclass
class Attention:
    pending: list[EventItem] = field(default_factory=list)
    without_attendance: list[EventItem] = field(default_factory=list)
    failed_messages: list[FailedMessage] = field(default_factory=list)
    imports: list[ImportItem] = field(default_factory=list)
    few_registrations: list[EventItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            len(self.pending)
            + len(self.without_attendance)
            + len(self.failed_messages)
            + len(self.imports)
            + len(self.few_registrations)
        )


def _in_region(region_id: int | None):
    """Events of ``region_id``'s partners (None: every event, for administrators)."""
    if region_id is None:
        return []
    return [Event.host_partner_id.in_(select(Partner.id).where(Partner.region_id == region_id))]


def needs_attention(region_id: int | None, now: datetime | None = None) -> Attention:
    """Everything that needs attention on the events an organiser of ``region_id`` runs."""
    now = now or utcnow()
    scope = _in_region(region_id)
    event_columns = (Event.id, Event.title, Event.starts_at, Event.timezone)
    attention = Attention()

    pending = func.count(Registration.id)
    attention.pending = [
        EventItem(*row[:4], int(row[4]))
        for row in db.session.execute(
            select(*event_columns, pending)
            .join(Registration, Registration.event_id == Event.id)
            .where(Registration.status == "pending", Event.ends_at > now, *scope)
            .where(Event.status != "cancelled")
            .group_by(*event_columns)
            .order_by(Event.starts_at, Event.id)
            .limit(LIST_LIMIT)
        )
    ]

    marked = (
        exists()
        .where(Attendance.registration_id == Registration.id)
        .where(Registration.event_id == Event.id)
    )
    confirmed = func.count(Registration.id)
    attention.without_attendance = [
        EventItem(*row[:4], int(row[4]))
        for row in db.session.execute(
            select(*event_columns, confirmed)
            .join(Registration, Registration.event_id == Event.id)
            .where(
                Event.status == "published",
                Event.ends_at <= now,
                Event.ends_at > now - PAST_EVENTS_WINDOW,
                Registration.status == "confirmed",
                ~marked,
                *scope,
            )
            .group_by(*event_columns)
            .order_by(Event.starts_at.desc(), Event.id)
            .limit(LIST_LIMIT)
        )
    ]

    message_scope = []
    if region_id is not None:
        # Organisers see failures about their region's events; account e-mails are the
        # administrators' business.
        message_scope = [OutboxMessage.event_id.in_(select(Event.id).where(*scope))]
    attention.failed_messages = [
        FailedMessage(*row)
        for row in db.session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.event_id,
                Event.title,
                OutboxMessage.to_address,
                OutboxMessage.subject,
                func.coalesce(OutboxMessage.last_error, ""),
                OutboxMessage.failed_at,
            )
            .outerjoin(Event, Event.id == OutboxMessage.event_id)
            .where(
                OutboxMessage.failed_at.is_not(None),
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at > now - RECENT_WINDOW,
                *message_scope,
            )
            .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
            .limit(LIST_LIMIT)
        )
    ]

    attention.imports = [
        ImportItem(*row)
        for row in db.session.execute(
            select(
                PlatformReport.id,
                Event.id,
                Event.title,
                PlatformReport.filename,
                PlatformReport.unmatched_rows,
                PlatformReport.ambiguous_rows,
                PlatformReport.created_at,
            )
            .join(Event, Event.id == PlatformReport.event_id)
            .where(
                PlatformReport.applied_at.is_not(None),
                PlatformReport.created_at > now - RECENT_WINDOW,
                or_(PlatformReport.unmatched_rows > 0, PlatformReport.ambiguous_rows > 0),
                *scope,
            )
            .order_by(PlatformReport.created_at.desc(), PlatformReport.id.desc())
            .limit(LIST_LIMIT)
        )
    ]

    confirmed_count = func.count(Registration.id).filter(Registration.status == "confirmed")
    rows = db.session.execute(
        select(*event_columns, Event.capacity, confirmed_count)
        .outerjoin(Registration, Registration.event_id == Event.id)
        .where(
            Event.status == "published",
            and_(Event.starts_at > now, Event.starts_at <= now + SOON_WINDOW),
            *scope,
        )
        .group_by(*event_columns, Event.capacity)
        .order_by(Event.starts_at, Event.id)
    )
    attention.few_registrations = [
        EventItem(*row[:4], int(row[5])) for row in rows if _few(int(row[5]), row[4])
    ][:LIST_LIMIT]
    return attention


def _few(confirmed: int, capacity: int | None) -> bool:
    if capacity:
        return confirmed < min(FEW_REGISTRATIONS, capacity) or confirmed * 4 < capacity
    return confirmed < FEW_REGISTRATIONS
