"""Invitations of partner contacts to partners-only meetings, and their answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.checks import one_of
from webapp.models.contacts import PartnerContact
from webapp.models.events import Event
from webapp.models.registrations import Registration, new_token
from webapp.timezones import UTCDateTime, utcnow

INVITATION_ANSWERS = ("attend", "maybe", "decline")


class Invitation(Model):
    """One contact invited to one event; ``token`` is the secret of their invitation page.

    ``answer`` is null until they answer. Answering "attend" makes (or keeps) a
    registration, linked here, so seats and attendance work as for any event.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id", name="uq_invitations_event_contact"),
        CheckConstraint(f"answer IS NULL OR {one_of('answer', INVITATION_ANSWERS)}", name="answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("partner_contacts.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    answer: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    contact: Mapped[PartnerContact] = relationship()
    registration: Mapped[Registration | None] = relationship()

    @property
    def is_valid(self) -> bool:
        """Whether the invitation page still opens (not withdrawn, contact not removed)."""
        return self.revoked_at is None and self.contact.is_active

    def __repr__(self) -> str:
        return f"<Invitation {self.id} event={self.event_id} answer={self.answer}>"
