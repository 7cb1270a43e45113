"""How long personal data is kept: registrations are anonymised a while after their event,
polls that found a time are deleted (invitees and answers with them) as long after their
last proposed time.

``flask purge-personal-data`` runs this (from cron, e.g. daily). The anonymisation is
the one a registrant asks for with "erase my data" (``erase_registration``): names,
addresses, organisations and answers go; status, region, stakeholder type and attendance
stay, so each region's reports keep their counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.extensions import db, rows_changed
from webapp.models import Event, Invitation, PlatformReport, Poll, PollSlot, Registration
from webapp.registrations.services import erase_registration


def registrations_past_retention(*, now: datetime, retention_days: int) -> list[int]:
    """Ids of registrations not yet anonymised whose event ended ``retention_days`` ago."""
    cutoff = now - timedelta(days=retention_days)
    return list(
        db.session.scalars(
            db.select(Registration.id)
            .join(Event, Registration.event_id == Event.id)
            .where(Event.ends_at < cutoff, Registration.erased_at.is_(None))
            .order_by(Registration.id)
        )
    )


def purge_invitation_comments(*, now: datetime, retention_days: int) -> int:
    """Empty the comments invitees wrote on meetings that ended ``retention_days`` ago.

    The answers stay (they are counted per partner and region); the registrations an
    "attend" made are anonymised with the others. Flushed, not committed.
    """
    cutoff = now - timedelta(days=retention_days)
    ended = db.select(Event.id).where(Event.ends_at < cutoff)
    result = db.session.execute(
        db.update(Invitation)
        .where(Invitation.event_id.in_(ended), Invitation.comment != "")
        .values(comment=""),
        execution_options={"synchronize_session": False},
    )
    return rows_changed(result)


def purge_personal_data(registration_ids: list[int], *, now: datetime) -> int:
    """Anonymise the given registrations (flushed, not committed); returns how many."""
    erased = 0
    for registration_id in registration_ids:
        registration = db.session.get(Registration, registration_id)
        if registration is not None and registration.erased_at is None:
            erase_registration(registration, now=now)
            erased += 1
    return erased


def polls_past_retention(*, now: datetime, retention_days: int) -> list[int]:
    """Ids of polls whose last proposed time ended ``retention_days`` ago or more."""
    cutoff = now - timedelta(days=retention_days)
    last_end = (
        db.select(PollSlot.poll_id, db.func.max(PollSlot.ends_at).label("last_end"))
        .group_by(PollSlot.poll_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            db.select(Poll.id)
            .join(last_end, last_end.c.poll_id == Poll.id)
            .where(last_end.c.last_end < cutoff)
            .order_by(Poll.id)
        )
    )


def delete_polls(poll_ids: list[int]) -> int:
    """Delete the given polls with their slots, invitees and answers (flushed, not committed).

    The event a poll scheduled stays: it has its own registrations and retention.
    """
    deleted = 0
    for poll_id in poll_ids:
        poll = db.session.get(Poll, poll_id)
        if poll is not None:
            db.session.delete(poll)
            deleted += 1
    db.session.flush()
    return deleted


def purge_platform_reports(*, now: datetime, retention_days: int) -> int:
    """Delete the platform reports kept for events that ended ``retention_days`` ago.

    They hold the names and addresses the platform exported, so they go when the
    registrations of their event are anonymised (flushed, not committed).
    """
    cutoff = now - timedelta(days=retention_days)
    result = db.session.execute(
        db.delete(PlatformReport).where(
            PlatformReport.event_id.in_(db.select(Event.id).where(Event.ends_at < cutoff))
        )
    )
    return rows_changed(result)
