"""The transactional outbox: e-mail queued in the same transaction as its cause."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.timezones import UTCDateTime, utcnow


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Set for messages that must go out once only (a reminder); the database refuses a twin.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    from_address: Mapped[str] = mapped_column(String(300))
    reply_to: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename": ..., "content_type": ..., "content": <text>}]; binary content is
    # base64 with "encoding": "base64"; {"qr_code": <text>} instead of "content" is a PNG
    # drawn when the message is sent; "content_id" makes it an image the HTML shows (cid:).
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # A registrant's message is queued as what to say, not as text: the arguments of its
    # kind ({"changes": [...], "note": ..., "waitlist_position": ..., "earlier": {...}}).
    # Set, the message is not rendered yet (subject and bodies empty): delivery renders it
    # in the registrant's language, stores the text and clears this (a retry sends the same).
    render_args: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def awaits_rendering(self) -> bool:
        """Whether the message is still what to say, its text not written yet."""
        return self.render_args is not None
