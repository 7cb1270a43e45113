"""Invitation rules: inviting contacts, answering, withdrawing, reminders and summaries.

Plain functions with explicit arguments; they never read the request and never commit.
An invitee who answers "attend" becomes a registration (``register_invitee``, under the
event's row lock, so capacity holds); changing the answer to "maybe" or "decline"
cancels that registration and gives the seat to the waiting list.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from webapp.audit import record_audit
from webapp.contacts.services import contact_registration_values
from webapp.extensions import db
from webapp.mail.queue import queue_mail
from webapp.mail.rendering import render_invitation_mail
from webapp.models import (
    INVITATION_ANSWERS,
    Event,
    Invitation,
    OutboxMessage,
    Partner,
    PartnerContact,
    User,
)
from webapp.models.registrations import new_token
from webapp.registrations.rules import TOKEN_RE
from webapp.registrations.transitions import cancel_registration, register_invitee
from webapp.timezones import utcnow
from webapp.user_errors import UserError

COMMENT_MAX_LENGTH = 1000
# Non-responders get one reminder once the meeting is this close...
REMINDER_DAYS_BEFORE = 7
# ...and the invitation at least this old (someone invited yesterday needs no reminder).
REMINDER_MIN_AGE = timedelta(days=2)


class InvitationError(UserError):
    """A rule said no; ``str(error)`` is translated and shown to the user."""


@dataclass
class InviteReport:
    invited: list[Invitation] = field(default_factory=list)
    already: int = 0
    events: int = 0


@dataclass
class AnswerOutcome:
    answer: str
    registration_status: str | None  # confirmed / waitlisted when attending


# --- finding ---------------------------------------------------------------------------------


def find_invitation(token: str) -> Invitation | None:
    """The valid invitation whose link carries ``token``; ``None`` for anything else.

    Unknown, malformed and withdrawn tokens, and those of removed contacts, all give
    ``None``: the page says the link does not work, whichever it is.
    """
    if not TOKEN_RE.match(token or ""):
        return None
    invitation = db.session.scalar(
        db.select(Invitation)
        .where(Invitation.token == token)
        .options(joinedload(Invitation.contact).joinedload(PartnerContact.partner))
    )
    if invitation is None or not hmac.compare_digest(invitation.token.encode(), token.encode()):
        return None
    if not invitation.is_valid:
        return None
    return invitation


def can_answer(invitation: Invitation, now: datetime | None = None) -> str | None:
    """``None`` while the invitee may answer; otherwise why not, for them."""
    event = invitation.event
    if event.is_cancelled:
        return _("This meeting has been cancelled.")
    if event.status != "published":
        return _("This meeting is not open for answers yet.")
    if event.is_over(now or utcnow()):
        return _("This meeting has already taken place.")
    return None


# --- inviting ----------------------------------------------------------------------------------


def invitable_error(event: Event, now: datetime | None = None) -> str | None:
    """Why invitations cannot be sent for ``event`` now, or ``None``."""
    if event.visibility != "partners":
        return _("Only partners-only meetings take invitations; change the visibility first.")
    if event.status != "published":
        return _("Publish the meeting before inviting people.")
    if event.is_over(now or utcnow()):
        return _("This meeting has already taken place.")
    return None


def invite(
    events: Iterable[Event],
    contacts: Iterable[PartnerContact],
    *,
    actor: User | None,
    now: datetime | None = None,
) -> InviteReport:
    """Invite each contact to each event and queue their invitation e-mail.

    Someone already invited is not invited twice; a withdrawn invitation is renewed with
    a new link. Events that take no invitations (see ``invitable_error``) raise
    ``InvitationError`` before anything is stored.
    """
    now = now or utcnow()
    events = list(events)
    contacts = [c for c in contacts if c.is_active]
    for event in events:
        problem = invitable_error(event, now)
        if problem:
            raise InvitationError(problem)
    if not contacts:
        raise InvitationError(_("Choose at least one partner or person to invite."), "contacts")
    report = InviteReport(events=len(events))
    for event in events:
        existing = {
            inv.contact_id: inv
            for inv in db.session.scalars(
                db.select(Invitation).where(
                    Invitation.event_id == event.id,
                    Invitation.contact_id.in_([c.id for c in contacts]),
                )
            )
        }
        for contact in contacts:
            invitation = existing.get(contact.id)
            if invitation is not None and invitation.revoked_at is None:
                report.already += 1
                continue
            if invitation is None:
                invitation = Invitation(event=event, contact=contact, invited_at=now)
                db.session.add(invitation)
            else:
                invitation.revoked_at = None
                invitation.token = new_token()
                invitation.answer = None
                invitation.answered_at = None
                invitation.reminded_at = None
                invitation.invited_at = now
            db.session.flush()
            _queue_invitation_mail(invitation, "invitation")
            report.invited.append(invitation)
        if report.invited:
            record_audit(
                actor,
                "invitations.sent",
                event=event,
                details={"invited": sum(1 for i in report.invited if i.event_id == event.id)},
            )
    return report


def _queue_invitation_mail(invitation: Invitation, kind: str, dedupe_key: str | None = None):

    rendered = render_invitation_mail(invitation, kind)
    return queue_mail(
        kind=kind,
        to_address=invitation.contact.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=rendered.attachments,
        event=invitation.event,
        reply_to=rendered.reply_to,
        from_address=rendered.from_address,
        dedupe_key=dedupe_key,
    )


def revoke(invitation: Invitation, *, actor: User | None, now: datetime | None = None) -> None:
    """Withdraw an invitation: its link stops working and an "attend" seat is given back."""
    now = now or utcnow()
    if invitation.revoked_at is not None:
        return
    registration = invitation.registration
    if registration is not None and registration.is_active and not invitation.event.is_over(now):
        cancel_registration(registration, cause="invitation_withdrawn")
    invitation.revoked_at = now
    invitation.updated_at = now
    db.session.flush()
    record_audit(
        actor,
        "invitations.withdrawn",
        event=invitation.event,
        details={"contact_id": invitation.contact_id},
    )


# --- answering -----------------------------------------------------------------------------------


def answer_invitation(
    invitation: Invitation,
    answer: str,
    comment: str,
    *,
    privacy_version: str,
    now: datetime | None = None,
) -> AnswerOutcome:
    """Store the invitee's answer; "attend" registers them, another answer cancels that.

    The answer may change as often as the invitee likes until the meeting starts.
    """
    now = now or utcnow()
    if answer not in INVITATION_ANSWERS:
        raise InvitationError(_("Choose whether you will attend."), "answer")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise InvitationError(
            _("A comment has at most %(max)d characters.", max=COMMENT_MAX_LENGTH), "comment"
        )
    reason = can_answer(invitation, now)
    if reason:
        raise InvitationError(reason)
    registration = invitation.registration
    status = None
    if answer == "attend":
        if registration is None or not registration.is_active:
            outcome = register_invitee(
                invitation.event,
                **contact_registration_values(invitation.contact),
                consent_at=now,
                privacy_version=privacy_version,
                now=now,
            )
            registration = outcome.registration
            invitation.registration = registration
        status = registration.status
    elif registration is not None and registration.is_active:
        cancel_registration(registration, notify=False)
    invitation.answer = answer
    invitation.comment = comment
    invitation.answered_at = now
    invitation.updated_at = now
    db.session.flush()
    return AnswerOutcome(answer=answer, registration_status=status)


def attending_registration(invitation: Invitation):
    """The invitee's active registration, if their "attend" holds one."""
    registration = invitation.registration
    if invitation.answer == "attend" and registration is not None and registration.is_active:
        return registration
    return None


def shows_join_link(invitation: Invitation, now: datetime | None = None) -> bool:
    registration = attending_registration(invitation)
    event = invitation.event
    return bool(
        registration is not None
        and registration.is_confirmed
        and event.is_online
        and event.online_url
        and not event.is_cancelled
        and not event.is_over(now or utcnow())
    )


def series_invitations(invitation: Invitation) -> list[Invitation]:
    """The contact's valid invitations to the dates of the same series, in date order."""
    event = invitation.event
    if event.series_id is None:
        return []
    return list(
        db.session.scalars(
            db.select(Invitation)
            .join(Event, Event.id == Invitation.event_id)
            .where(
                Event.series_id == event.series_id,
                Invitation.contact_id == invitation.contact_id,
                Invitation.revoked_at.is_(None),
            )
            .order_by(Event.starts_at, Event.id)
        )
    )


# --- the organisers' view ------------------------------------------------------------------------


@dataclass
class AnswerCounts:
    invited: int = 0
    attend: int = 0
    maybe: int = 0
    decline: int = 0
    no_answer: int = 0

    def add(self, answer: str | None) -> None:
        self.invited += 1
        if answer is None:
            self.no_answer += 1
        else:
            setattr(self, answer, getattr(self, answer) + 1)


@dataclass
class PartnerAnswers:
    partner: Partner
    counts: AnswerCounts


@dataclass
class RegionAnswers:
    name: str
    code: str
    counts: AnswerCounts
    partners: list[PartnerAnswers]


def event_invitations(event: Event) -> list[Invitation]:
    """Every invitation of ``event`` (withdrawn ones too), by region, partner and name."""
    return list(
        db.session.scalars(
            db.select(Invitation)
            .join(PartnerContact, PartnerContact.id == Invitation.contact_id)
            .join(Partner, Partner.id == PartnerContact.partner_id)
            .where(Invitation.event_id == event.id)
            .options(
                joinedload(Invitation.contact)
                .joinedload(PartnerContact.partner)
                .joinedload(Partner.region),
                joinedload(Invitation.registration),
            )
            .order_by(Partner.name, PartnerContact.name, Invitation.id)
        )
    )


def answers_by_region(
    invitations: Iterable[Invitation],
) -> tuple[AnswerCounts, list[RegionAnswers]]:
    """Totals, and answers per region and partner, of the invitations not withdrawn."""
    total = AnswerCounts()
    regions: dict[int, RegionAnswers] = {}
    partners: dict[int, PartnerAnswers] = {}
    for invitation in invitations:
        if invitation.revoked_at is not None:
            continue
        partner = invitation.contact.partner
        region = partner.region
        if region.id not in regions:
            regions[region.id] = RegionAnswers(region.name, region.code, AnswerCounts(), [])
        if partner.id not in partners:
            partners[partner.id] = PartnerAnswers(partner, AnswerCounts())
            regions[region.id].partners.append(partners[partner.id])
        answer = invitation.answer
        total.add(answer)
        regions[region.id].counts.add(answer)
        partners[partner.id].counts.add(answer)
    return total, sorted(regions.values(), key=lambda r: r.code)


# --- reminders -----------------------------------------------------------------------------------


def reminder_key(invitation: Invitation) -> str:
    return f"invitation_reminder:{invitation.id}"


def invitations_due_for_reminder(now: datetime) -> list[Invitation]:
    """Unanswered, valid invitations to published meetings starting within the window."""
    return list(
        db.session.scalars(
            db.select(Invitation)
            .join(Event, Event.id == Invitation.event_id)
            .join(PartnerContact, PartnerContact.id == Invitation.contact_id)
            .where(
                Invitation.answer.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.reminded_at.is_(None),
                Invitation.invited_at <= now - REMINDER_MIN_AGE,
                PartnerContact.removed_at.is_(None),
                Event.status == "published",
                Event.visibility == "partners",
                Event.starts_at > now,
                Event.starts_at <= now + timedelta(days=REMINDER_DAYS_BEFORE),
            )
            .order_by(Invitation.id)
        )
    )


def queue_invitation_reminders(now: datetime | None = None) -> int:
    """Queue the one reminder each non-responder gets (flushed, not committed)."""
    now = now or utcnow()
    queued = 0
    for invitation in invitations_due_for_reminder(now):
        key = reminder_key(invitation)
        already = db.session.scalar(
            db.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
        )
        invitation.reminded_at = now
        if already is None:
            _queue_invitation_mail(invitation, "invitation_reminder", dedupe_key=key)
            queued += 1
    db.session.flush()
    return queued
