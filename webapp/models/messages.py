"""Messages organisers write to an event's registrants (sent through the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.users import User
from webapp.timezones import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.events import Event

# Whom a message may be addressed to: registration statuses, and what attendance made
# of confirmed people ("attended": present on some day; "no_show": the event is over and
# they were neither present nor excused).
MESSAGE_AUDIENCES = ("confirmed", "waitlisted", "pending", "attended", "no_show")


class Message(Model):
    """One message as sent: the filters that chose its recipients, the texts with their
    placeholders (``{name}``...), the translations, the sender and how many it went to.

    Each recipient's copy is an ``OutboxMessage`` of kind ``organiser_message``.
    """

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_event_created", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # MESSAGE_AUDIENCES values, and region codes (empty: every region).
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # {"hu": {"subject": ..., "body": ...}, ...}: recipients in that language read these.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    recipient_count: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    sender: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Message {self.id} event={self.event_id} to {self.recipient_count}>"
