"""Queue e-mail in the outbox, in the caller's transaction.

Callers (views, services of other areas, commands) add messages here and commit with
the change that caused them, so a change is never stored without its e-mail, and an
e-mail never leaves for a change that was rolled back. Delivery is ``flask outbox send``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app

from webapp.extensions import db
from webapp.models import Event, OutboxMessage, Registration

# Every message a registrant can receive, by kind.
REGISTRATION_MAIL_KINDS = (
    "confirmed",  # registered and holds a seat
    "waitlisted",  # registered on the waiting list (with position)
    "promoted",  # moved from the waiting list to a seat
    "pending",  # registered; waits for the organisers' approval
    "approved",  # approved by an organiser (confirmed)
    "rejected",  # not accepted by an organiser
    "cancelled",  # cancelled (by the registrant or on their behalf)
    "link_resent",  # asked to register again: here is the existing link
    "event_changed",  # time, place, join link or title changed
    "event_cancelled",  # the event was cancelled
    "reminder",  # shortly before the event
)


def queue_mail(
    *,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    attachments: Iterable[dict[str, Any]] = (),
    registration: Registration | None = None,
    event: Event | None = None,
    reply_to: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Add one message to the outbox (flushed, not committed)."""
    message = OutboxMessage(
        kind=kind,
        to_address=to_address,
        from_address=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=reply_to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=list(attachments),
        registration_id=registration.id if registration is not None else None,
        event_id=event.id if event is not None else None,
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    db.session.flush()
    return message


def queue_registration_mail(
    registration: Registration,
    kind: str,
    *,
    changes: Iterable[str] = (),
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Queue the message of ``kind`` for ``registration``, rendered in its locale."""
    if kind not in REGISTRATION_MAIL_KINDS:
        raise ValueError(f"unknown registration mail kind {kind!r}")
    from webapp.mail.rendering import render_registration_mail

    rendered = render_registration_mail(registration, kind, changes=list(changes))
    return queue_mail(
        kind=kind,
        to_address=registration.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=rendered.attachments,
        registration=registration,
        event=registration.event,
        reply_to=rendered.reply_to,
        dedupe_key=dedupe_key,
    )
