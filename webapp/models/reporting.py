"""Reporting to the programme: reporting periods, the regions' action plans, the
platform reports behind imported attendance, and certificates of attendance."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from webapp.extensions import Model, db
from webapp.models.regions import Region
from webapp.models.users import User
from webapp.timezones import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.events import Event
    from webapp.models.registrations import Registration


class ReportingPeriod(Model):
    """A span the partners report on (a semester, a project period): both days included."""

    __tablename__ = "reporting_periods"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def __repr__(self) -> str:
        return f"<ReportingPeriod {self.name}>"


event_actions = Table(
    "event_actions",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_event_actions_action_id", "action_id"),
)


class ActionPlan(Model):
    """A region's action plan: the policy instrument it improves and its actions."""

    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    policy_instrument: Mapped[str] = mapped_column(String(300), default="")

    region: Mapped[Region] = relationship()
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan",
        order_by="(PlanAction.position, PlanAction.id)",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<ActionPlan {self.title}>"


class PlanAction(Model):
    """One action of an action plan; events are tagged with the actions they serve."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_plan_id: Mapped[int] = mapped_column(
        ForeignKey("action_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[ActionPlan] = relationship(back_populates="actions")
    # ``Event.actions``: the actions an event serves.
    events: Mapped[list[Event]] = relationship(
        secondary=event_actions,
        backref=backref("actions", order_by="(PlanAction.action_plan_id, PlanAction.position)"),
    )

    @property
    def label(self) -> str:
        return f"{self.plan.region.code} {self.position}. {self.title}"

    def __repr__(self) -> str:
        return f"<PlanAction {self.position} {self.title}>"


class PlatformReport(Model):
    """A platform report (Zoom, Teams, CSV) uploaded for an event, kept as evidence.

    Kept when the preview is shown; ``applied_at`` is set when the organiser confirms it.
    Previews never confirmed are removed after a few hours.
    """

    __tablename__ = "platform_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    matched_rows: Mapped[int] = mapped_column(default=0)
    unmatched_rows: Mapped[int] = mapped_column(default=0)
    ambiguous_rows: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()


def new_certificate_code() -> str:
    """A verification code people can type: 16 letters and digits (80 bits), no 0/O/1/I."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class Certificate(Model):
    """A certificate of attendance issued to one registration, checked by its code."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_certificate_code)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship()

    @property
    def formatted_code(self) -> str:
        """The code in groups of four, as printed."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    def __repr__(self) -> str:
        return f"<Certificate {self.code}>"
