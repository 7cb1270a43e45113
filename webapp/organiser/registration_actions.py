"""Managing registrations on the registrants' behalf.

The registration rules (capacity, waiting list, e-mails) are the registration area's;
these wrappers add who did it to the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from webapp.audit import record_audit
from webapp.mail.queue import queue_registration_mail
from webapp.models import Event, Region, Registration, User
from webapp.organiser.event_data import SchedulingError
from webapp.registrations.services import (
    approve_registration,
    cancel_registration,
    confirm_from_waiting_list,
    register,
    reject_registration,
)
from webapp.timezones import utcnow


def approve(registration: Registration, *, actor: User) -> str:

    status = approve_registration(registration)
    record_audit(
        actor, "registration.approved", registration=registration, details={"status": status}
    )
    return status


def reject(registration: Registration, *, actor: User) -> None:

    reject_registration(registration)
    record_audit(actor, "registration.rejected", registration=registration)


def confirm_waitlisted(
    registration: Registration, *, actor: User, override_reason: str | None = None
) -> None:
    """Give a waitlisted person a seat; over capacity only with a written reason."""

    reason = (override_reason or "").strip() or None
    confirm_from_waiting_list(registration, override_reason=reason)
    details: dict[str, Any] = {}
    if reason:
        details["override_reason"] = reason
    record_audit(actor, "registration.confirmed", registration=registration, details=details)


def cancel_on_behalf(registration: Registration, *, actor: User) -> int:
    """Cancel someone's registration; returns how many moved up from the waiting list."""

    previous = registration.status
    promoted = cancel_registration(registration)
    record_audit(
        actor,
        "registration.cancelled",
        registration=registration,
        details={"previous_status": previous, "promoted": [r.id for r in promoted]},
    )
    return len(promoted)


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
    """Register someone by hand (they told the organiser they agree to the privacy notice)."""

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
    )
    if outcome.created:
        record_audit(
            actor,
            "registration.added",
            registration=outcome.registration,
            details={"status": outcome.status},
        )
    return outcome
