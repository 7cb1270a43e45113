"""Registration services: personal data, plus the names the rest of the app imports.

The rules live in three modules, each building on the one before:

- ``rules``: errors and input checks (no database);
- ``queries``: read-only counts, seats, waiting-list positions and token look-ups;
- ``transitions``: the state machine, the only place a registration's status changes
  (event lock, transition table, audit entry, e-mail).

This module adds erasure and the data download, and re-exports the functions of the
three so that callers have one place to import registration behaviour from. Plain
functions with explicit arguments; they never read the request and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from webapp.audit import scrub_registration_audit
from webapp.extensions import db
from webapp.models import OutboxMessage, Registration
from webapp.models.registrations import new_token
from webapp.registrations.queries import (
    confirmed_counts,
    events_with_expired_holds,
    find_by_checkin_token,
    find_by_token,
    seats_left,
    status_counts,
    waitlist_position,
    waitlist_positions,
)
from webapp.registrations.rules import (
    EMAIL_MAX_LENGTH,
    TOKEN_RE,
    CapacityError,
    ConfirmationExpired,
    InvalidEmail,
    InvalidRegistrationData,
    InvalidTransition,
    RegistrationClosed,
    RegistrationError,
    is_well_formed_token,
    normalise_email,
    registration_closed_reason,
)
from webapp.registrations.transitions import (
    DEFAULT_EMAIL_CONFIRMATION_HOLD,
    LINK_RESEND_INTERVAL,
    RegistrationOutcome,
    approve_registration,
    cancel_registration,
    confirm_email_address,
    confirm_from_waiting_list,
    lock_event,
    promote_from_waiting_list,
    register,
    register_invitee,
    reject_registration,
    release_expired_holds,
)
from webapp.timezones import utcnow

__all__ = [
    "DEFAULT_EMAIL_CONFIRMATION_HOLD",
    "EMAIL_MAX_LENGTH",
    "ERASED_NAME",
    "LINK_RESEND_INTERVAL",
    "TOKEN_RE",
    "CapacityError",
    "ConfirmationExpired",
    "InvalidEmail",
    "InvalidRegistrationData",
    "InvalidTransition",
    "RegistrationClosed",
    "RegistrationError",
    "RegistrationOutcome",
    "approve_registration",
    "cancel_registration",
    "confirm_email_address",
    "confirm_from_waiting_list",
    "confirmed_counts",
    "erase_registration",
    "events_with_expired_holds",
    "export_registration_data",
    "find_by_checkin_token",
    "find_by_token",
    "is_well_formed_token",
    "lock_event",
    "normalise_email",
    "promote_from_waiting_list",
    "register",
    "register_invitee",
    "registration_closed_reason",
    "reject_registration",
    "release_expired_holds",
    "seats_left",
    "status_counts",
    "waitlist_position",
    "waitlist_positions",
]

ERASED_NAME = "—"


# --- personal data ----------------------------------------------------------------------


def erase_registration(registration: Registration, *, now: datetime | None = None) -> None:
    """Anonymise a registration: no name, address, organisation or answers remain.

    The status, region, stakeholder type, consent version and attendance stay, so
    counts and statistics do not change. An active registration for an event that has
    not ended is cancelled first (nobody could be told about the seat any more), which
    may promote the next person on the waiting list. Unsent e-mail to the person is
    dropped and sent e-mail keeps no address or text; the audit entries about the
    registration keep no name, address, organisation or answers.
    """
    now = now or utcnow()
    if registration.erased_at is not None:
        return
    if registration.is_active and not registration.event.is_over(now):
        cancel_registration(registration, notify=False, cause="erase")
    db.session.refresh(registration)
    db.session.execute(
        db.delete(OutboxMessage).where(
            OutboxMessage.registration_id == registration.id, OutboxMessage.sent_at.is_(None)
        )
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .values(
            to_address="",
            reply_to=None,  # an organiser's notice is answered to the registrant
            subject="",
            body_text="",
            body_html=None,
            attachments=[],
            last_error=None,  # a refusal quotes the address
        ),
        execution_options={"synchronize_session": False},
    )
    scrub_registration_audit(registration.id)
    registration.name = ERASED_NAME
    registration.email = f"erased-{registration.id}@erased.invalid"
    registration.organisation = ""
    registration.answers = {}
    registration.feed_token = new_token()
    registration.checkin_token = new_token()
    registration.erased_at = now
    registration.updated_at = now
    db.session.flush()


def export_registration_data(registration: Registration) -> dict[str, Any]:
    """Everything stored about the person, for "download my data" (JSON-ready)."""
    event = registration.event
    questions = {str(q.id): q.label for q in event.questions}
    return {
        "event": {
            "title": event.title,
            "slug": event.slug,
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
            "timezone": event.timezone,
        },
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "stakeholder_type": registration.stakeholder_type,
        "region": registration.region.code if registration.region else None,
        "language": registration.locale,
        "status": registration.status,
        "waiting_list_position": waitlist_position(registration),
        "answers": [
            {"question": questions.get(key, key), "answer": value}
            for key, value in (registration.answers or {}).items()
        ],
        "privacy_notice_version": registration.privacy_version,
        "consent_given_at": _iso(registration.consent_at),
        "registered_at": _iso(registration.created_at),
        "updated_at": _iso(registration.updated_at),
        "erased_at": _iso(registration.erased_at),
        "attendance": [
            {
                "day": a.day.isoformat(),
                "status": a.status,
                "checked_in_at": _iso(a.checked_in_at),
                "minutes_online": a.minutes_online,
            }
            for a in registration.attendances
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
