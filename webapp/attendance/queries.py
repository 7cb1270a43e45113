"""Read-only views of attendance: the check-in sheet, day counts, who may attend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func

from webapp.extensions import db
from webapp.models import (
    ACTIVE_STATUSES,
    Attendance,
    Event,
    PlatformReport,
    Registration,
)
from webapp.search import contains_text

# Registrations whose attendance may be taken: everyone still registered.
ATTENDABLE_STATUSES = ACTIVE_STATUSES


@dataclass
class SheetRow:
    registration: Registration
    attendance: Attendance | None

    @property
    def status(self) -> str | None:
        return self.attendance.status if self.attendance else None


@dataclass(frozen=True)
class DayCounts:
    """Counts of one day of the sheet: who is expected and who has been marked how."""

    registered: int
    present: int
    absent: int
    excused: int

    @property
    def unmarked(self) -> int:
        return max(self.registered - self.present - self.absent - self.excused, 0)

    def as_dict(self) -> dict[str, int]:
        return {
            "registered": self.registered,
            "present": self.present,
            "absent": self.absent,
            "excused": self.excused,
            "unmarked": self.unmarked,
        }


def _search_filter(query: str):
    return contains_text(query, Registration.name, Registration.email, Registration.organisation)


def sheet_rows(event: Event, day: date, query: str = "") -> list[SheetRow]:
    """Everyone still registered for ``event`` with their record of ``day``, by name.

    ``query`` narrows the list to names, addresses or organisations containing it.
    Two queries whatever the number of people.
    """
    statement = (
        db.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ATTENDABLE_STATUSES))
        .order_by(func.lower(Registration.name), Registration.id)
    )
    query = " ".join((query or "").split())[:100]
    if query:
        statement = statement.where(_search_filter(query))
    registrations = list(db.session.scalars(statement))
    records = {
        a.registration_id: a
        for a in db.session.scalars(
            db.select(Attendance)
            .join(Registration)
            .where(Registration.event_id == event.id, Attendance.day == day)
        )
    }
    return [SheetRow(r, records.get(r.id)) for r in registrations]


def day_counts(event: Event, day: date) -> DayCounts:
    """How many are registered and how many are marked each way on ``day`` (one query)."""
    status = Attendance.status
    row = db.session.execute(
        db.select(
            func.count(Registration.id),
            func.count(Attendance.id).filter(status == "present"),
            func.count(Attendance.id).filter(status == "absent"),
            func.count(Attendance.id).filter(status == "excused"),
        )
        .select_from(Registration)
        .outerjoin(
            Attendance,
            (Attendance.registration_id == Registration.id) & (Attendance.day == day),
        )
        .where(Registration.event_id == event.id, Registration.status.in_(ATTENDABLE_STATUSES))
    ).one()
    return DayCounts(*row)


def records_by_registration(event: Event) -> dict[tuple[int, date], Attendance]:
    """Every attendance record of ``event`` by (registration id, day), in one query."""
    return {
        (a.registration_id, a.day): a
        for a in db.session.scalars(
            db.select(Attendance).join(Registration).where(Registration.event_id == event.id)
        )
    }


def attendable_registrations(event: Event) -> list[Registration]:
    """Everyone still registered for ``event``, by name."""
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status.in_(ATTENDABLE_STATUSES),
            )
            .order_by(func.lower(Registration.name), Registration.id)
        )
    )


def confirmed_platform_reports(event: Event) -> list[PlatformReport]:
    """The confirmed platform reports of ``event``, oldest first."""
    return list(
        db.session.scalars(
            db.select(PlatformReport)
            .where(PlatformReport.event_id == event.id)
            .where(PlatformReport.applied_at.is_not(None))
            .order_by(PlatformReport.created_at, PlatformReport.id)
        )
    )
