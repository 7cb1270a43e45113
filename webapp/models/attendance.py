"""Attendance: one record per registration and day of the event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.checks import one_of
from webapp.models.registrations import Registration
from webapp.models.users import User
from webapp.timezones import UTCDateTime, utcnow

ATTENDANCE_STATUSES = ("present", "absent", "excused")
ATTENDANCE_SOURCES = ("manual", "qr", "import")


class Attendance(db.Model):
    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("registration_id", "day", name="uq_attendances_registration_day"),
        CheckConstraint(one_of("status", ATTENDANCE_STATUSES), name="status"),
        CheckConstraint(one_of("source", ATTENDANCE_SOURCES), name="source"),
        CheckConstraint(
            "minutes_online IS NULL OR minutes_online >= 0", name="minutes_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="present")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_online: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(10), default="manual")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="attendances")
    recorded_by: Mapped[User | None] = relationship()
