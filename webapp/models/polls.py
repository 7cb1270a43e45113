"""Polls that find a time for a meeting across the partners' regions.

A ``Poll`` proposes candidate ``PollSlot``s to ``PollInvitee``s; each invitee answers
each slot (``PollAnswer``: yes, if need be, no) through a personal secret link. The
organisers then choose one slot: the poll's event is created or moved to it and the
other slots are released.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.checks import one_of
from webapp.models.events import EVENT_KINDS, Event
from webapp.models.regions import Partner, Region
from webapp.timezones import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.contacts import PartnerContact
    from webapp.models.users import User

POLL_STATUSES = ("open", "closed", "decided")
SLOT_STATUSES = ("proposed", "chosen", "released")
POLL_ANSWERS = ("yes", "if_need_be", "no")


def new_poll_token() -> str:
    """A secret, URL-safe token of 192 bits for an invitee's personal link."""
    return secrets.token_urlsafe(24)


class Poll(Model):
    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint(one_of("kind", EVENT_KINDS), name="kind"),
        CheckConstraint(one_of("status", POLL_STATUSES), name="status"),
        CheckConstraint("duration_minutes BETWEEN 15 AND 1440", name="duration_minutes"),
        CheckConstraint(
            "working_hours_start >= 0 AND working_hours_end <= 1440 "
            "AND working_hours_start < working_hours_end",
            name="working_hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="partner_meeting")
    # The zone the organiser entered the slots in; the event chosen from the poll keeps it.
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    # Working hours used for the flags of every region, in minutes after local midnight.
    working_hours_start: Mapped[int] = mapped_column(default=9 * 60)
    working_hours_end: Mapped[int] = mapped_column(default=17 * 60)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The event the poll schedules: an existing one to move, or the one created on choosing.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="open")
    # Answers are taken until this instant; it is before the first slot.
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When those who have not answered get their one reminder (null: no reminder).
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner] = relationship()
    created_by: Mapped[User | None] = relationship()
    event: Mapped[Event | None] = relationship()
    slots: Mapped[list[PollSlot]] = relationship(
        back_populates="poll",
        order_by="(PollSlot.starts_at, PollSlot.id)",
        cascade="all, delete-orphan",
    )
    invitees: Mapped[list[PollInvitee]] = relationship(
        back_populates="poll",
        order_by="(PollInvitee.name, PollInvitee.id)",
        cascade="all, delete-orphan",
    )

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether answers are still taken: open and before the deadline."""
        return self.status == "open" and (now or utcnow()) < self.deadline_at

    @property
    def chosen_slot(self) -> PollSlot | None:
        return next((s for s in self.slots if s.status == "chosen"), None)

    def __repr__(self) -> str:
        return f"<Poll {self.id} {self.status}>"


class PollSlot(Model):
    """A candidate time of a poll."""

    __tablename__ = "poll_slots"
    __table_args__ = (
        CheckConstraint(one_of("status", SLOT_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("poll_id", "starts_at", name="uq_poll_slots_poll_id_starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="proposed")

    poll: Mapped[Poll] = relationship(back_populates="slots")
    answers: Mapped[list[PollAnswer]] = relationship(
        back_populates="slot", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<PollSlot {self.id} {self.starts_at:%Y-%m-%dT%H:%MZ}>"


class PollInvitee(Model):
    """Someone asked to answer a poll, by a personal link; no account needed.

    Name, address and language are kept here, so anyone with an e-mail address can be
    invited; ``partner`` (optional) gives their region. A link to a partner contact can
    be added beside these columns without changing how answers are stored.
    """

    __tablename__ = "poll_invitees"
    __table_args__ = (UniqueConstraint("poll_id", "email", name="uq_poll_invitees_poll_id_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_contacts.id", ondelete="SET NULL"), index=True
    )
    # The zone the invitee reads the slots in (their region's unless they chose another).
    timezone: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_poll_token)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    poll: Mapped[Poll] = relationship(back_populates="invitees")
    partner: Mapped[Partner | None] = relationship()
    contact: Mapped[PartnerContact | None] = relationship()
    answers: Mapped[list[PollAnswer]] = relationship(
        back_populates="invitee", cascade="all, delete-orphan"
    )

    @property
    def region(self) -> Region | None:
        return self.partner.region if self.partner is not None else None

    @property
    def is_valid(self) -> bool:
        """Whether the personal link still opens (its contact, if any, not removed)."""
        return self.contact is None or self.contact.is_active

    @property
    def has_answered(self) -> bool:
        return self.answered_at is not None

    def __repr__(self) -> str:
        return f"<PollInvitee {self.id}>"


class PollAnswer(Model):
    """One invitee's answer to one slot."""

    __tablename__ = "poll_answers"
    __table_args__ = (
        CheckConstraint(one_of("answer", POLL_ANSWERS), name="answer"),
        UniqueConstraint("slot_id", "invitee_id", name="uq_poll_answers_slot_id_invitee_id"),
        Index("ix_poll_answers_invitee_id", "invitee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("poll_slots.id", ondelete="CASCADE"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("poll_invitees.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    slot: Mapped[PollSlot] = relationship(back_populates="answers")
    invitee: Mapped[PollInvitee] = relationship(back_populates="answers")
