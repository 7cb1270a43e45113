"""Registrations of stakeholders for events."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.checks import one_of
from webapp.models.events import Event
from webapp.models.regions import Region
from webapp.timezones import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.attendance import Attendance

STAKEHOLDER_TYPES = ("sme", "business_support", "public_authority", "research", "ngo", "other")
REGISTRATION_STATUSES = ("confirmed", "waitlisted", "pending", "cancelled", "rejected")
ACTIVE_STATUSES = ("confirmed", "waitlisted", "pending")


def new_token() -> str:
    """A secret, URL-safe token of 192 bits."""
    return secrets.token_urlsafe(24)


class Registration(Model):
    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(one_of("status", REGISTRATION_STATUSES), name="status"),
        CheckConstraint(one_of("stakeholder_type", STAKEHOLDER_TYPES), name="stakeholder_type"),
        # One active registration per address and event, enforced by the database.
        Index(
            "uq_registrations_active_email",
            "event_id",
            "email",
            unique=True,
            sqlite_where=text("status IN ('confirmed', 'waitlisted', 'pending')"),
            postgresql_where=text("status IN ('confirmed', 'waitlisted', 'pending')"),
        ),
        Index("ix_registrations_event_status", "event_id", "status"),
        Index("ix_registrations_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    stakeholder_type: Mapped[str] = mapped_column(String(20), default="other")
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[str] = mapped_column(String(12), default="confirmed")
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    checkin_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    privacy_version: Mapped[str] = mapped_column(String(32), default="")
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Double opt-in (``Event.requires_email_confirmation``): until ``email_confirm_by``
    # the registration holds its seat or place unconfirmed; then it is released. Cleared
    # when the address is confirmed (``email_confirmed_at``).
    email_confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="registrations")
    region: Mapped[Region | None] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="Attendance.day"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_confirmed(self) -> bool:
        return self.status == "confirmed"

    @property
    def awaiting_email_confirmation(self) -> bool:
        """Active, holding its seat or place only until the address is confirmed."""
        return self.is_active and self.email_confirm_by is not None

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"
