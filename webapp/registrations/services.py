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

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from webapp.audit import record_audit, scrub_registration_audit
from webapp.extensions import db
from webapp.formatting import answer_text, question_label
from webapp.models import STAKEHOLDER_TYPES, OutboxMessage, Region, Registration
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
    "can_edit_details",
    "update_registration_details",
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
    questions = {str(q.id): q for q in event.questions}
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
            _exported_answer(questions.get(key), key, value)
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


def _exported_answer(question, key: str, value: Any) -> dict[str, Any]:
    """One answer as the person reads it; a choice keeps its stored key beside the text."""
    if question is None:
        return {"question": key, "answer": value}
    entry: dict[str, Any] = {"question": question_label(question)}
    if question.has_choices:
        entry["answer"] = answer_text(question, value)
        entry["stored"] = value
    else:
        entry["answer"] = value
    return entry


# --- the registrant's own corrections ----------------------------------------------------


def can_edit_details(registration: Registration, now: datetime | None = None) -> bool:
    """Whether the registrant may still correct their details: active, not erased, and the
    event neither started nor cancelled."""
    now = now or utcnow()
    event = registration.event
    return (
        registration.is_active
        and registration.erased_at is None
        and not event.is_cancelled
        and event.starts_at > now
    )


def update_registration_details(
    registration: Registration,
    *,
    name: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    answers: Mapping[str, Any],
    question_ids: Iterable[int],
    now: datetime | None = None,
) -> list[str]:
    """The registrant corrects their name, organisation, region and answers.

    Not a status change: the state machine is not involved. ``answers`` replace the
    answers to ``question_ids`` (the questions the form asked); answers to other questions
    are kept. Returns the names of the fields that changed (``answers`` for any answer)
    and writes them to the audit trail, without the values: personal data lives in the
    registration only. Raises ``InvalidTransition`` once the event has started (or the
    registration is no longer active) and ``InvalidRegistrationData`` for data no form
    should have let by.
    """
    now = now or utcnow()
    if not can_edit_details(registration, now):
        raise InvalidTransition(
            _(
                "Your details can no longer be changed: the event has started or your "
                "registration is not active."
            )
        )
    name = (name or "").strip()
    if not name:
        raise InvalidRegistrationData(_("Enter your name."), "name")
    if stakeholder_type not in STAKEHOLDER_TYPES:
        raise InvalidRegistrationData(
            _("Choose the kind of organisation you represent."), "stakeholder_type"
        )
    asked = {str(question_id) for question_id in question_ids}
    new_answers = {k: v for k, v in (registration.answers or {}).items() if k not in asked}
    new_answers.update({k: v for k, v in answers.items() if k in asked})
    wanted = {
        "name": name,
        "organisation": (organisation or "").strip(),
        "stakeholder_type": stakeholder_type,
        "region_id": region.id if region is not None else None,
        "answers": new_answers,
    }
    changed = [key for key, value in wanted.items() if getattr(registration, key) != value]
    if not changed:
        return []
    for key in changed:
        setattr(registration, key, wanted[key])
    if "region_id" in changed:
        registration.region = region
    registration.updated_at = now
    db.session.flush()
    fields = ["region" if key == "region_id" else key for key in changed]
    record_audit(
        None,
        "registration.details_changed",
        registration=registration,
        details={"fields": fields, "by": "registrant"},
    )
    return fields


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
