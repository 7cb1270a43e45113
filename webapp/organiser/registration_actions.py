"""Managing registrations on the registrants' behalf.

The registration rules (capacity, waiting list, e-mails, audit entries) are the state
machine's (``webapp.registrations.transitions``); these wrappers say who did it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from webapp.audit import record_audit
from webapp.mail.queue import queue_registration_mail
from webapp.models import Event, Region, Registration, User
from webapp.organiser.event_data import SchedulingError
from webapp.registrations.transitions import (
    approve_registration,
    cancel_registration,
    confirm_from_waiting_list,
    register,
    reject_registration,
)
from webapp.timezones import utcnow


def approve(registration: Registration, *, actor: User, note: str = "") -> str:
    """Approve a pending registration; returns ``confirmed``, or ``waitlisted`` when full."""
    return approve_registration(registration, actor=actor, note=note)


def reject(registration: Registration, *, actor: User, note: str = "") -> None:
    reject_registration(registration, actor=actor, note=note)


BULK_DECISIONS = ("approve", "reject")
# Statuses each decision applies to; the others are left as they are (and counted).
BULK_DECIDABLE = {"approve": ("pending",), "reject": ("pending", "waitlisted")}


@dataclass
class BulkOutcome:
    """What a bulk decision did, for a message that says exactly that."""

    confirmed: int = 0
    waitlisted: int = 0
    rejected: int = 0
    skipped: int = 0


def decide_registrations(
    registrations: Sequence[Registration], decision: str, *, actor: User, note: str = ""
) -> BulkOutcome:
    """Approve or turn down several registrations of one event, each through the state
    machine (seats taken in id order; when the event fills up, the rest go to the waiting
    list). Registrations whose status no longer allows ``decision`` are skipped."""
    if decision not in BULK_DECISIONS:
        raise SchedulingError(_("Choose to approve or to turn down."))
    outcome = BulkOutcome()
    note = (note or "").strip()
    for registration in sorted(registrations, key=lambda r: r.id):
        if registration.status not in BULK_DECIDABLE[decision]:
            outcome.skipped += 1
            continue
        if decision == "approve":
            status = approve(registration, actor=actor, note=note)
            if status == "confirmed":
                outcome.confirmed += 1
            else:
                outcome.waitlisted += 1
        else:
            reject(registration, actor=actor, note=note)
            outcome.rejected += 1
    return outcome


def confirm_waitlisted(
    registration: Registration, *, actor: User, override_reason: str | None = None
) -> None:
    """Give a waitlisted person a seat; over capacity only with a written reason."""
    confirm_from_waiting_list(registration, override_reason=override_reason, actor=actor)


def cancel_on_behalf(registration: Registration, *, actor: User) -> int:
    """Cancel someone's registration; returns how many moved up from the waiting list."""
    return len(cancel_registration(registration, actor=actor))


def resend_link(registration: Registration, *, actor: User) -> None:
    if not registration.is_active:
        raise SchedulingError(_("Only active registrations have a link worth sending."))
    queue_registration_mail(registration, "link_resent")
    record_audit(actor, "registration.link_resent", registration=registration)


def add_registration(
    event: Event,
    *,
    actor: User,
    name: str,
    email: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    locale: str,
    privacy_version: str,
    now: datetime | None = None,
) -> Any:
    """Register someone by hand (they told the organiser they agree to the privacy notice).

    The person needs no further approval: confirmed while a seat is free, else waitlisted.
    """
    now = now or utcnow()
    outcome = register(
        event,
        name=name,
        email=email,
        organisation=organisation,
        stakeholder_type=stakeholder_type,
        region=region,
        locale=locale,
        answers={},
        consent_at=now,
        privacy_version=privacy_version,
        now=now,
        # The organiser adds the person: that is the approval; seats still count.
        approved=True,
    )
    if outcome.created:
        record_audit(
            actor,
            "registration.added",
            registration=outcome.registration,
            details={"status": outcome.status},
        )
    return outcome
