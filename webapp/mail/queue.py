"""Queue e-mail in the outbox, in the caller's transaction.

Callers (views, services of other areas, commands) add messages here and commit with
the change that caused them, so a change is never stored without its e-mail, and an
e-mail never leaves for a change that was rolled back. Delivery is ``flask outbox send``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import current_app

from webapp.extensions import db
from webapp.mail.rendering import (
    render_arguments,
    render_organiser_notice,
    render_poll_mail,
    render_registration_mail,
    rendered_values,
)
from webapp.models import ACTIVE_STATUSES, Event, OutboxMessage, PollInvitee, Registration, User
from webapp.registrations.queries import waitlist_position as current_waitlist_position

if TYPE_CHECKING:
    from webapp.timezones import EventTimes

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
    "confirm_email",  # double opt-in: confirm the address to keep the seat
    "event_changed",  # time, place, join link or title changed
    "event_cancelled",  # the event was cancelled
    "reminder",  # shortly before the event
    "materials_available",  # slides, minutes or recordings may be opened now
    "certificate",  # after the event: the certificate of attendance (PDF attached)
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
    event_id: int | None = None,
    reply_to: str | None = None,
    dedupe_key: str | None = None,
    from_address: str | None = None,
    render_args: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Add one message to the outbox (flushed, not committed).

    With ``dedupe_key``, a message already queued under that key is returned instead
    of a second one; the database's unique index refuses a twin queued concurrently.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(
            db.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    message = OutboxMessage(
        kind=kind,
        to_address=to_address,
        from_address=from_address or current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=reply_to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=list(attachments),
        registration_id=registration.id if registration is not None else None,
        event_id=event.id if event is not None else event_id,
        dedupe_key=dedupe_key,
        render_args=render_args,
    )
    db.session.add(message)
    db.session.flush()
    return message


# Rendered when queued all the same: a certificate is issued, and its PDF drawn, with the
# message that carries it (the caller marks it e-mailed in the same transaction).
RENDERED_WHEN_QUEUED = frozenset({"certificate"})


def queue_registration_mail(
    registration: Registration,
    kind: str,
    *,
    changes: Iterable[str] = (),
    dedupe_key: str | None = None,
    waitlist_position: int | None = None,
    note: str = "",
    earlier: EventTimes | None = None,
) -> OutboxMessage:
    """Queue the message of ``kind`` for ``registration``; delivery writes its text.

    What is stored is what to say: the kind, the registration and the arguments below
    (``render_args``). The worker that sends the message renders it in the registrant's
    language (``rendering.render_pending_message``) and keeps the text, so the request
    that caused it, often holding the event's lock, does not pay for templates and the
    calendar file. A ``waitlisted`` message tells the place on the waiting list at the
    time it was queued: a caller that counted the list under the event's lock passes it
    as ``waitlist_position``, saving a query; otherwise it is looked up here.
    ``note`` is the organisers' own words (a change's note, a cancellation's reason);
    ``earlier`` the event's times before a change, shown beside the new ones.
    """
    if kind not in REGISTRATION_MAIL_KINDS:
        raise ValueError(f"unknown registration mail kind {kind!r}")
    changes = list(changes)
    if kind in RENDERED_WHEN_QUEUED:
        rendered = render_registration_mail(
            registration,
            kind,
            changes=changes,
            waitlist_position=waitlist_position,
            note=note,
            earlier=earlier,
        )
        return queue_mail(
            kind=kind,
            to_address=registration.email,
            registration=registration,
            event=registration.event,
            dedupe_key=dedupe_key,
            **rendered_values(rendered),
        )
    if kind == "waitlisted" and waitlist_position is None:
        waitlist_position = current_waitlist_position(registration)
    return queue_mail(
        kind=kind,
        to_address=registration.email,
        subject="",
        body_text="",
        registration=registration,
        event_id=registration.event_id,
        dedupe_key=dedupe_key,
        render_args=render_arguments(
            changes=changes, waitlist_position=waitlist_position, note=note, earlier=earlier
        ),
    )


def queue_event_notices(
    event: Event,
    kind: str,
    *,
    changes: Iterable[str] = (),
    note: str = "",
    earlier: EventTimes | None = None,
) -> int:
    """Queue ``event_changed`` or ``event_cancelled`` to everyone registered (not cancelled).

    ``changes`` are the names of the changed ``Event`` fields (``starts_at``, ``venue``,
    ``online_url``...); each reader sees them in their own language. Call it with the
    registrations' statuses as they were, before any are cancelled with the event: those
    holding a seat get the calendar file that updates or cancels it in their calendar.
    """
    if kind not in ("event_changed", "event_cancelled"):
        raise ValueError(f"not an event notice: {kind!r}")
    changes = list(changes)
    registrations = db.session.scalars(
        db.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
    )
    count = 0
    for registration in registrations:
        queue_registration_mail(registration, kind, changes=changes, note=note, earlier=earlier)
        count += 1
    return count


def notify_host_organisers(registration: Registration) -> list[OutboxMessage]:
    """Tell the host partner's organisers of a new registration, if the event asks for it.

    Each active account of the host partner gets a notice in its own language; a partner
    without accounts gets one at ``Partner.email``. Calling it twice queues nothing new.
    """
    event = registration.event
    if not event.notify_organisers:
        return []
    partner = event.host_partner
    organisers = db.session.scalars(
        db.select(User)
        .where(User.partner_id == partner.id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    recipients = [(user.email, user.name, user.locale, f"user:{user.id}") for user in organisers]
    if not recipients and partner.email:
        recipients = [(partner.email, partner.name, partner.region.locale, "partner")]
    messages = []
    for address, name, locale, who in recipients:
        rendered = render_organiser_notice(registration, name=name, locale=locale)
        messages.append(
            queue_mail(
                kind="organiser_notice",
                to_address=address,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                registration=registration,
                event=event,
                reply_to=rendered.reply_to,
                from_address=rendered.from_address,
                dedupe_key=f"organiser_notice:{registration.id}:{who}",
            )
        )
    return messages


POLL_MAIL_KINDS = ("poll_invitation", "poll_reminder", "poll_decided")


def queue_poll_mail(
    invitee: PollInvitee, kind: str, *, dedupe_key: str | None = None
) -> OutboxMessage:
    """Queue a poll's invitation, reminder or outcome for ``invitee``, in their language."""
    if kind not in POLL_MAIL_KINDS:
        raise ValueError(f"unknown poll mail kind {kind!r}")
    rendered = render_poll_mail(invitee, kind)
    return queue_mail(
        kind=kind,
        to_address=invitee.email,
        event=invitee.poll.event,
        dedupe_key=dedupe_key,
        **rendered_values(rendered),
    )
