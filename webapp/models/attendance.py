"""Attendance: one record per registration and day of the event; each event's threshold for
online attendance, and participant reports waiting for their import to be confirmed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.checks import one_of
from webapp.models.events import Event
from webapp.models.registrations import Registration
from webapp.models.users import User
from webapp.timezones import UTCDateTime, utcnow

ATTENDANCE_STATUSES = ("present", "absent", "excused")
ATTENDANCE_SOURCES = ("manual", "qr", "import")
# A threshold counts minutes online, or a percentage of the scheduled time of a day.
THRESHOLD_UNITS = ("minutes", "percent")


class Attendance(Model):
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


class AttendanceThreshold(Model):
    """The minutes online that count as present at one event, set by its organisers.

    Without a row the default applies: half the scheduled time of a day.
    """

    __tablename__ = "attendance_thresholds"
    __table_args__ = (
        CheckConstraint(one_of("unit", THRESHOLD_UNITS), name="unit"),
        CheckConstraint(
            "value >= 0 AND (unit <> 'percent' OR value <= 100)", name="value_in_range"
        ),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(10))
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


class AttendanceImport(Model):
    """A participant report between its upload and the organiser's confirmation.

    The file is kept (at most ``ATTENDANCE_IMPORT_MAX_BYTES``) so that the preview can
    be shown again after each decision: ``decisions`` maps a person of the report to
    the registration the organiser chose. Deleted on confirmation, and a few hours
    after its upload in any case.
    """

    __tablename__ = "attendance_imports"
    __table_args__ = (
        CheckConstraint(one_of("threshold_unit", THRESHOLD_UNITS), name="threshold_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    timezone: Mapped[str] = mapped_column(String(64))
    threshold_unit: Mapped[str] = mapped_column(String(10))
    threshold_value: Mapped[int]
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    event: Mapped[Event] = relationship()
    created_by: Mapped[User | None] = relationship()
