"""Read-only questions the organiser workspace asks: who is registered, what clashes, exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.formatting import (
    REGISTRATION_STATUS_LABELS,
    STAKEHOLDER_LABELS,
    answer_text,
    question_label,
)
from webapp.models import ACTIVE_STATUSES, Event, Region, Registration
from webapp.organiser.event_data import WORKING_HOURS, SchedulingWarning
from webapp.timezones import is_within_hours, times_in_regions, utc_to_local


def active_registrations(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
            .order_by(Registration.id)
        )
    )


def confirmed_count(event: Event) -> int:
    return (
        db.session.scalar(
            db.select(func.count()).where(
                Registration.event_id == event.id, Registration.status == "confirmed"
            )
        )
        or 0
    )


def registration_count(event: Event) -> int:
    """How many registrations ``event`` has, whatever their status."""
    return db.session.scalar(db.select(func.count()).where(Registration.event_id == event.id)) or 0


def answer_counts(event: Event) -> dict[int, int]:
    """How many registrations answered each question of ``event``."""
    counts: dict[int, int] = {q.id: 0 for q in event.questions}
    if not counts:
        return counts
    for answers in db.session.scalars(
        db.select(Registration.answers).where(Registration.event_id == event.id)
    ):
        for question_id in counts:
            for key in (str(question_id), f"q_{question_id}"):
                value = (answers or {}).get(key)
                if value not in (None, "", []):
                    counts[question_id] += 1
                    break
    return counts


def scheduling_warnings(
    starts_at: datetime,
    ends_at: datetime,
    regions: Sequence[Region],
    *,
    all_day: bool = False,
    exclude_event_id: int | None = None,
) -> list[SchedulingWarning]:
    """Working-hours and overlap warnings for a time and the regions an event serves."""
    warnings: list[SchedulingWarning] = []
    start_hour, end_hour = WORKING_HOURS
    if not all_day:
        for start, end in zip(
            times_in_regions(starts_at, regions), times_in_regions(ends_at, regions), strict=True
        ):
            multi_day = start.local.date() != end.local.date()
            outside = not is_within_hours(start.local, start_hour, end_hour) or (
                not multi_day and not is_within_hours(end.local, start_hour, end_hour)
            )
            if outside:
                warnings.append(
                    SchedulingWarning(
                        "outside_hours",
                        _(
                            "In %(region)s it runs %(start)s–%(end)s local time, outside "
                            "working hours (%(from)02d:00–%(to)02d:00).",
                            region=start.name,
                            start=start.local.strftime("%H:%M"),
                            end=end.local.strftime("%H:%M"),
                            **{"from": start_hour, "to": end_hour},
                        ),
                    )
                )
    region_ids = [r.id for r in regions]
    if region_ids:
        stmt = (
            db.select(Event)
            .where(
                Event.status != "cancelled",
                Event.starts_at < ends_at,
                Event.ends_at > starts_at,
                Event.regions.any(Region.id.in_(region_ids)),
            )
            .order_by(Event.starts_at)
            .limit(10)
        )
        if exclude_event_id is not None:
            stmt = stmt.where(Event.id != exclude_event_id)
        for other in db.session.scalars(stmt):
            shared = sorted(set(other.region_codes) & {r.code for r in regions})
            warnings.append(
                SchedulingWarning(
                    "overlap",
                    _(
                        "It overlaps “%(title)s” (%(when)s), which also serves %(regions)s.",
                        title=other.title,
                        when=utc_to_local(other.starts_at, other.timezone).strftime(
                            "%Y-%m-%d %H:%M"
                        )
                        + " "
                        + other.timezone,
                        regions=", ".join(shared),
                    ),
                )
            )
    return warnings


def registration_export(event: Event) -> tuple[list[str], list[list[Any]]]:
    """Every registration of ``event`` with every field and answer, oldest first.

    Times are written on the event's wall clock (a spreadsheet has no time zones); the
    header says which zone.
    """

    registrations = list(
        db.session.scalars(
            db.select(Registration)
            .where(Registration.event_id == event.id)
            .options(selectinload(Registration.region))
            .order_by(Registration.id)
        )
    )
    zone_note = f" ({event.timezone})"
    header = [
        _("Id"),
        _("Status"),
        _("Name"),
        _("E-mail"),
        _("Organisation"),
        _("Type of organisation"),
        _("Region"),
        _("Language"),
        _("Registered") + zone_note,
        _("Last change") + zone_note,
        _("Consent given") + zone_note,
        _("Privacy notice version"),
    ] + [question_label(q) for q in event.questions]

    def local(value: datetime | None) -> datetime | None:
        return utc_to_local(value, event.timezone).replace(tzinfo=None) if value else None

    rows: list[list[Any]] = []
    for r in registrations:
        answers = r.answers or {}
        row: list[Any] = [
            r.id,
            str(REGISTRATION_STATUS_LABELS.get(r.status, r.status)),
            r.name,
            r.email if r.erased_at is None else "",
            r.organisation,
            str(STAKEHOLDER_LABELS.get(r.stakeholder_type, r.stakeholder_type)),
            r.region.name if r.region else "",
            r.locale,
            local(r.created_at),
            local(r.updated_at),
            local(r.consent_at),
            r.privacy_version,
        ]
        for question in event.questions:
            # Choices are stored as keys: every answer reads in the exporter's language.
            row.append(answer_text(question, answers.get(str(question.id))))
        rows.append(row)
    return header, rows


def all_regions() -> list[Region]:
    """Every region, by code."""
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))
