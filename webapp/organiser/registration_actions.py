"""Managing registrations on the registrants' behalf.

The registration rules (capacity, waiting list, e-mails, audit entries) are the state
machine's (``webapp.registrations.transitions``); these wrappers say who did it.
"""

from __future__ import annotations

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


def approve(registration: Registration, *, actor: User) -> str:
    return approve_registration(registration, actor=actor)


def reject(registration: Registration, *, actor: User) -> None:
    reject_registration(registration, actor=actor)


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
