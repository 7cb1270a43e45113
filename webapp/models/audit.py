"""The audit trail: who changed what on events and registrations, and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.users import User
from webapp.timezones import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.events import Event
    from webapp.models.registrations import Registration


class AuditEntry(Model):
    """One change made by an organiser (or by the system when ``user`` is null).

    Entries outlive what they describe: deleting a draft event or erasing a
    registration sets the link to null and keeps the entry, whose ``details`` name
    the thing changed.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_event_created", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    # e.g. "event.created", "event.updated", "registration.approved", "user.invited"
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()
    event: Mapped[Event | None] = relationship()
    registration: Mapped[Registration | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} event={self.event_id}>"
