"""Rendering of registration e-mails (subject, text, HTML, attachments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webapp.models import Registration
from webapp.urls import external_url

SUBJECTS = {
    "confirmed": "Registration confirmed: {title}",
    "waitlisted": "You are on the waiting list: {title}",
    "promoted": "A seat is yours: {title}",
    "pending": "Registration received, awaiting approval: {title}",
    "approved": "Registration approved: {title}",
    "rejected": "Registration not accepted: {title}",
    "cancelled": "Registration cancelled: {title}",
    "link_resent": "Your registration link: {title}",
    "event_changed": "Event changed: {title}",
    "event_cancelled": "Event cancelled: {title}",
    "reminder": "Reminder: {title}",
}


@dataclass
class RenderedMail:
    subject: str
    text: str
    html: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    reply_to: str | None = None


def render_registration_mail(
    registration: Registration, kind: str, *, changes: list[str]
) -> RenderedMail:
    event = registration.event
    link = external_url("registrations.manage", token=registration.token)
    lines = [f"Dear {registration.name},", "", SUBJECTS[kind].format(title=event.title), ""]
    lines += [f"- {change}" for change in changes]
    lines += ["", f"Your registration: {link}"]
    return RenderedMail(subject=SUBJECTS[kind].format(title=event.title), text="\n".join(lines))
