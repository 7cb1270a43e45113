"""Registration rules: capacity, waiting list, approval, tokens and personal data.

Plain functions with explicit arguments; they never read the request and never commit.

Capacity is decided by the database, never by a read-then-write in Python: every
function that can change who holds a seat first takes the event's row lock
(``lock_event``) and only then counts. On PostgreSQL that is ``SELECT … FOR UPDATE``;
on SQLite the lock statement is a write, so the connection holds SQLite's single write
lock from that moment until the commit. Either way two transactions can never both
count the same free seat.

Every status change a registrant must hear about queues their e-mail in the same
transaction (``queue_registration_mail``), whoever caused it.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import case, func, text, update
from sqlalchemy.orm.attributes import set_committed_value

from webapp.audit import record_audit, scrub_registration_audit
from webapp.extensions import db
from webapp.formatting import local_datetime
from webapp.mail.queue import notify_host_organisers, queue_registration_mail
from webapp.models import (
    ACTIVE_STATUSES,
    STAKEHOLDER_TYPES,
    Event,
    OutboxMessage,
    Region,
    Registration,
)
from webapp.models.registrations import new_token
from webapp.timezones import utcnow

EMAIL_MAX_LENGTH = 254
# Tokens are made by ``new_token`` (URL-safe base64); anything else is not a token.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ERASED_NAME = "—"
# A repeated registration sends the existing link again at most this often.
LINK_RESEND_INTERVAL = timedelta(minutes=10)
# How long an unconfirmed registration holds its seat (EMAIL_CONFIRMATION_HOLD_MINUTES).
DEFAULT_EMAIL_CONFIRMATION_HOLD = timedelta(minutes=60)


class RegistrationError(Exception):
    """A registration rule said no; ``message`` is translated and shown to the user."""

    field: str | None = None

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidEmail(RegistrationError):
    field = "email"


class InvalidRegistrationData(RegistrationError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RegistrationClosed(RegistrationError):
    """The event does not take registrations now."""


class CapacityError(RegistrationError):
    """No free seat for an action that needs one."""


class InvalidTransition(RegistrationError):
    """The registration's status does not allow the requested change."""


class ConfirmationExpired(RegistrationError):
    """The address was confirmed after the seat's hold ran out (it is released)."""


@dataclass
class RegistrationOutcome:
    registration: Registration
    created: bool  # False when an active registration for the address already existed
    status: str


# --- input ------------------------------------------------------------------------------


def normalise_email(raw: str) -> str:
    """The address in the form registrations are stored and compared in.

    Syntax is checked by ``email-validator`` without any DNS look-up. The result is
    NFC-normalised and case-folded, so ``Anna@Example.org`` and ``anna@example.ORG``
    (or a decomposed and a precomposed ``á``) are the same person.
    """
    value = unicodedata.normalize("NFC", (raw or "").strip())
    if not value:
        raise InvalidEmail(_("Enter your e-mail address."))
    if len(value) > EMAIL_MAX_LENGTH:
        raise InvalidEmail(
            _("An e-mail address has at most %(max)d characters.", max=EMAIL_MAX_LENGTH)
        )
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(_("Enter a valid e-mail address, like name@example.org.")) from exc
    normalised = unicodedata.normalize("NFC", result.normalized.casefold())
    if len(normalised) > EMAIL_MAX_LENGTH:
        raise InvalidEmail(
            _("An e-mail address has at most %(max)d characters.", max=EMAIL_MAX_LENGTH)
        )
    return normalised


def is_well_formed_token(token: str) -> bool:
    return bool(TOKEN_RE.match(token or ""))


def find_by_token(token: str) -> Registration | None:
    """The registration whose secret link carries ``token``, or ``None``."""
    if not is_well_formed_token(token):
        return None
    registration = db.session.scalar(db.select(Registration).where(Registration.token == token))
    if registration is None or not hmac.compare_digest(registration.token.encode(), token.encode()):
        return None
    return registration


# --- reading ----------------------------------------------------------------------------


def confirmed_counts(event_ids: Iterable[int]) -> dict[int, int]:
    """Confirmed registrations per event, in one query (events without any are absent)."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Registration.event_id, func.count())
        .where(Registration.event_id.in_(ids), Registration.status == "confirmed")
        .group_by(Registration.event_id)
    )
    return {event_id: count for event_id, count in rows}


def status_counts(event_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Registrations per event and status, in one query.

    Every requested event is present, with every status (zero when there are none).
    """
    ids = list(dict.fromkeys(event_ids))
    counts: dict[int, dict[str, int]] = {
        event_id: {status: 0 for status in _ALL_STATUSES} for event_id in ids
    }
    if not ids:
        return counts
    rows = db.session.execute(
        db.select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(ids))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, count in rows:
        counts[event_id][status] = count
    return counts


def seats_left(event: Event, confirmed: int) -> int | None:
    """Free seats given the confirmed count; ``None`` when capacity is unlimited."""
    if event.capacity is None:
        return None
    return max(event.capacity - confirmed, 0)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; ``None`` when not waitlisted.

    The waiting list is kept in order of registration (the id, which is taken while
    the event is locked, so it is the order in which people were admitted).
    """
    if registration.status != "waitlisted":
        return None
    ahead = db.session.scalar(
        db.select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == "waitlisted",
            Registration.id < registration.id,
        )
    )
    return (ahead or 0) + 1


def registration_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """``None`` while ``event`` takes registrations; otherwise why not, for the visitor."""
    now = now or utcnow()
    if event.is_cancelled:
        return _("This event has been cancelled, so registration is closed.")
    if not event.is_published:
        return _("This event is not open for registration.")
    if event.is_over(now):
        return _("This event has already taken place.")
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return _(
            "Registration opens on %(when)s.",
            when=local_datetime(event.registration_opens_at, event.timezone),
        )
    if event.registration_closes_at is not None and now >= event.registration_closes_at:
        return _(
            "Registration closed on %(when)s.",
            when=local_datetime(event.registration_closes_at, event.timezone),
        )
    return None


# --- locking ----------------------------------------------------------------------------


def lock_event(event_id: int) -> Event:
    """Lock the event's row until the end of the transaction and return the event.

    PostgreSQL: ``SELECT … FOR NO KEY UPDATE``; concurrent transactions wait here.
    SQLite: a no-op ``UPDATE`` of the row, which takes the database's write lock at
    once (a plain ``SELECT`` would not, and two connections could then both count the
    same free seat before either writes).

    The columns that decide who gets a seat (status, capacity, approval, registration
    window, end) are re-read once the lock is held; the rest of the event, and the
    relationships already loaded, are kept, so nothing else is queried under the lock.
    """
    db.session.flush()
    columns = [getattr(Event, name) for name in _SEAT_COLUMNS]
    query = db.select(*columns).where(Event.id == event_id)
    if db.session.get_bind().dialect.name == "sqlite":
        # Plain SQL: an ORM update would also stamp updated_at.
        db.session.execute(
            text("UPDATE events SET sequence = sequence WHERE id = :id"), {"id": event_id}
        )
    else:
        # FOR NO KEY UPDATE: conflicts with itself (and FOR UPDATE) like FOR UPDATE, but
        # does not hold up unrelated inserts whose foreign key points at the event.
        query = query.with_for_update(of=Event, key_share=True)
    row = db.session.execute(query).one_or_none()
    if row is None:
        raise LookupError(f"event {event_id} does not exist")
    event = db.session.get_one(Event, event_id)
    for name, value in zip(_SEAT_COLUMNS, row, strict=True):
        set_committed_value(event, name, value)
    return event


_SEAT_COLUMNS = (
    "status",
    "capacity",
    "requires_approval",
    "registration_opens_at",
    "registration_closes_at",
    "ends_at",
)


def _refresh(registration: Registration) -> Registration:
    """Re-read ``registration`` after the event lock is held (its status may have moved)."""
    return db.session.scalar(
        db.select(Registration)
        .where(Registration.id == registration.id)
        .execution_options(populate_existing=True)
    )


def _counts(event: Event) -> dict[str, int]:
    return status_counts([event.id])[event.id]


def _counts_and_active_registration(event_id: int, email: str) -> tuple[dict[str, int], int | None]:
    """Registrations per status, and the id of ``email``'s active one, in one query."""
    counts = {status: 0 for status in _ALL_STATUSES}
    existing_id = None
    rows = db.session.execute(
        db.select(
            Registration.status,
            func.count(),
            func.max(case((Registration.email == email, Registration.id))),
        )
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    for status, count, match in rows:
        counts[status] = count
        if match is not None and status in ACTIVE_STATUSES:
            existing_id = match
    return counts, existing_id


def _free_seats(event: Event, counts: Mapping[str, int]) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - counts["confirmed"], 0)


# --- registering ------------------------------------------------------------------------


def register(
    event: Event,
    *,
    name: str,
    email: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    locale: str,
    answers: Mapping[str, Any],
    consent_at: datetime,
    privacy_version: str,
    now: datetime | None = None,
    email_confirmation_hold: timedelta = DEFAULT_EMAIL_CONFIRMATION_HOLD,
) -> RegistrationOutcome:
    """Register one person for ``event``: confirmed, waitlisted or pending approval.

    If the address already has an active registration for the event, nothing new is
    stored: the existing registration's link is sent again (``created`` is False).
    When the event asks for a confirmed address (double opt-in), the registration holds
    its seat or place for ``email_confirmation_hold`` only, and its first e-mail asks
    the person to confirm (``confirm_email_address``); the organisers hear of it then.
    Raises ``RegistrationClosed`` when the event does not take registrations and
    ``InvalidRegistrationData`` / ``InvalidEmail`` for data no form should have let by.
    """
    now = now or utcnow()
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise InvalidRegistrationData(_("Enter your name."), "name")
    if stakeholder_type not in STAKEHOLDER_TYPES:
        raise InvalidRegistrationData(
            _("Choose the kind of organisation you represent."), "stakeholder_type"
        )
    if consent_at is None:
        raise InvalidRegistrationData(_("Agree to the privacy notice to register."), "consent")

    event = lock_event(event.id)
    reason = registration_closed_reason(event, now)
    if reason:
        raise RegistrationClosed(reason)
    _release_expired_holds(event, now)

    counts, existing_id = _counts_and_active_registration(event.id, email)
    if existing_id is not None:
        existing = db.session.get_one(Registration, existing_id)
        if not _link_resent_recently(existing, now):
            kind = "confirm_email" if existing.awaiting_email_confirmation else "link_resent"
            queue_registration_mail(existing, kind)
        return RegistrationOutcome(existing, created=False, status=existing.status)

    if event.requires_approval:
        status = "pending"
    else:
        free = _free_seats(event, counts)
        if counts["waitlisted"] and (free is None or free > 0):
            # Seats were freed without the waiting list moving up (capacity raised
            # elsewhere): the people waiting come first.
            _promote(event)
            counts = _counts(event)
            free = _free_seats(event, counts)
        status = "confirmed" if free is None or free > 0 else "waitlisted"

    registration = Registration(
        event=event,
        name=name,
        email=email,
        organisation=(organisation or "").strip(),
        stakeholder_type=stakeholder_type,
        region=region,
        locale=locale,
        status=status,
        answers=dict(answers),
        consent_at=consent_at,
        privacy_version=privacy_version,
        created_at=now,
        updated_at=now,
        email_confirm_by=now + email_confirmation_hold
        if event.requires_email_confirmation
        else None,
    )
    db.session.add(registration)
    db.session.flush()
    if registration.awaiting_email_confirmation:
        queue_registration_mail(registration, "confirm_email")
        return RegistrationOutcome(registration, created=True, status=status)
    # Admitted in id order under the lock: the new registrant is last on the list.
    position = counts["waitlisted"] + 1 if status == "waitlisted" else None
    queue_registration_mail(registration, status, waitlist_position=position)
    notify_host_organisers(registration)
    return RegistrationOutcome(registration, created=True, status=status)


def register_invitee(
    event: Event,
    *,
    name: str,
    email: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    locale: str,
    consent_at: datetime,
    privacy_version: str,
    now: datetime | None = None,
) -> RegistrationOutcome:
    """Register an invited partner contact who answered "attend".

    The invitation stands for the approval and the registration window: the person is
    confirmed while a seat is free, else waitlisted, under the event's row lock like
    every registration. An active registration of the same address is kept as it is.
    Raises ``RegistrationClosed`` when the event is a draft, cancelled or over.
    """
    now = now or utcnow()
    email = normalise_email(email)
    event = lock_event(event.id)
    if event.is_cancelled:
        raise RegistrationClosed(_("This event has been cancelled, so registration is closed."))
    if not event.is_published:
        raise RegistrationClosed(_("This event is not open for registration."))
    if event.is_over(now):
        raise RegistrationClosed(_("This event has already taken place."))
    counts, existing_id = _counts_and_active_registration(event.id, email)
    if existing_id is not None:
        existing = db.session.get_one(Registration, existing_id)
        return RegistrationOutcome(existing, created=False, status=existing.status)
    free = _free_seats(event, counts)
    if counts["waitlisted"] and (free is None or free > 0):
        _promote(event)
        counts = _counts(event)
        free = _free_seats(event, counts)
    status = "confirmed" if free is None or free > 0 else "waitlisted"
    registration = Registration(
        event=event,
        name=name,
        email=email,
        organisation=organisation,
        stakeholder_type=stakeholder_type,
        region=region,
        locale=locale,
        status=status,
        answers={},
        consent_at=consent_at,
        privacy_version=privacy_version,
        created_at=now,
        updated_at=now,
    )
    db.session.add(registration)
    db.session.flush()
    position = counts["waitlisted"] + 1 if status == "waitlisted" else None
    queue_registration_mail(registration, status, waitlist_position=position)
    notify_host_organisers(registration)
    return RegistrationOutcome(registration, created=True, status=status)


def _link_resent_recently(registration: Registration, now: datetime) -> bool:
    """Whether the link went out again a short while ago.

    Anyone can type an address into the form; without this, the form could be used to
    fill a stranger's inbox with copies of their link.
    """
    return (
        db.session.scalar(
            db.select(OutboxMessage.id)
            .where(
                OutboxMessage.registration_id == registration.id,
                OutboxMessage.kind.in_(("link_resent", "confirm_email")),
                OutboxMessage.created_at > now - LINK_RESEND_INTERVAL,
            )
            .limit(1)
        )
        is not None
    )


def waitlist_positions(event_id: int) -> dict[int, int]:
    """Waiting-list position of every waitlisted registration of an event, in one query."""
    ids = db.session.scalars(
        db.select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == "waitlisted")
        .order_by(Registration.id)
    )
    return {registration_id: n for n, registration_id in enumerate(ids, start=1)}


# --- changing a registration ------------------------------------------------------------


def _set_status(registration: Registration, status: str, mail_kind: str | None) -> None:
    registration.status = status
    registration.updated_at = utcnow()
    db.session.flush()
    if mail_kind:
        queue_registration_mail(registration, mail_kind)


def _promote(event: Event) -> list[Registration]:
    """Fill free seats from the waiting list; the caller holds the event lock."""
    counts = _counts(event)
    if not counts["waitlisted"]:
        return []
    free = _free_seats(event, counts)
    # People who have not confirmed their address yet (double opt-in) keep their place
    # but are passed over: an invented address never takes a seat from the list.
    query = (
        db.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == "waitlisted",
            Registration.email_confirm_by.is_(None),
        )
        .order_by(Registration.id)
        .execution_options(populate_existing=True)
    )
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        _set_status(registration, "confirmed", "promoted")
    return promoted


def promote_from_waiting_list(event: Event) -> list[Registration]:
    """Give free seats to the first people on the waiting list, in registration order.

    Call it after raising the capacity (pending changes are flushed before the lock).
    Each promoted person gets the ``promoted`` e-mail. Returns them, in order.
    """
    db.session.flush()
    return _promote(lock_event(event.id))


def cancel_registration(
    registration: Registration, *, now: datetime | None = None, notify: bool = True
) -> list[Registration]:
    """Cancel an active registration; returns the people promoted into the freed seat.

    Cancelling a registration that is already cancelled or rejected changes nothing.
    ``notify=False`` sends the person no "cancelled" message (they have just said so
    on a page that tells them).
    """
    return _cancel(registration, notify=notify)


def _cancel(registration: Registration, *, notify: bool) -> list[Registration]:
    event = lock_event(registration.event_id)
    registration = _refresh(registration)
    if not registration.is_active:
        return []
    held_seat = registration.status == "confirmed"
    _set_status(registration, "cancelled", "cancelled" if notify else None)
    return _promote(event) if held_seat else []


def approve_registration(registration: Registration) -> str:
    """Approve a pending registration: confirmed if a seat is free, else waitlisted."""
    event = lock_event(registration.event_id)
    registration = _refresh(registration)
    if registration.status != "pending":
        raise InvalidTransition(_("Only registrations awaiting approval can be approved."))
    _promote(event)
    free = _free_seats(event, _counts(event))
    if free is None or free > 0:
        _set_status(registration, "confirmed", "approved")
    else:
        _set_status(registration, "waitlisted", "waitlisted")
    return registration.status


def reject_registration(registration: Registration) -> None:
    """Turn down a registration awaiting approval or on the waiting list."""
    lock_event(registration.event_id)
    registration = _refresh(registration)
    if registration.status not in ("pending", "waitlisted"):
        raise InvalidTransition(
            _("Only registrations awaiting approval or on the waiting list can be turned down.")
        )
    _set_status(registration, "rejected", "rejected")


def confirm_from_waiting_list(
    registration: Registration, *, override_reason: str | None = None
) -> None:
    """An organiser gives a waitlisted person a seat, ahead of the queue.

    When the event is full this raises ``CapacityError`` unless ``override_reason``
    says why the capacity may be exceeded.
    """
    event = lock_event(registration.event_id)
    registration = _refresh(registration)
    if registration.status != "waitlisted":
        raise InvalidTransition(_("Only people on the waiting list can be given a seat."))
    free = _free_seats(event, _counts(event))
    if free is not None and free <= 0 and not (override_reason or "").strip():
        raise CapacityError(
            _("The event is full. Raise the capacity or give a reason to exceed it.")
        )
    _set_status(registration, "confirmed", "promoted")


# --- confirming the address (double opt-in) --------------------------------------------


def confirm_email_address(
    registration: Registration, *, now: datetime | None = None
) -> Registration:
    """The registrant confirmed their address: the seat or place is theirs for good.

    They get the e-mail of their status (with the calendar file and join link when
    confirmed) and the organisers hear of the registration now. A hold that has run
    out is released first and ``ConfirmationExpired`` raised (the caller commits, so
    the seat goes to the next person). Confirming twice changes nothing.
    """
    now = now or utcnow()
    event = lock_event(registration.event_id)
    registration = _refresh(registration)
    if not registration.is_active:
        raise InvalidTransition(_("This registration is no longer active."))
    if registration.email_confirm_by is None:  # confirmed already, or never asked
        return registration
    if registration.email_confirm_by <= now:
        _release_expired_holds(event, now)
        raise ConfirmationExpired(
            _(
                "The time to confirm your e-mail address has passed, so the seat was "
                "given to others. You can register again."
            )
        )
    registration.email_confirm_by = None
    registration.email_confirmed_at = now
    registration.updated_at = now
    db.session.flush()
    kind = registration.status
    if kind == "waitlisted":
        # Seats freed while they were unconfirmed go to the list in order, them included.
        _promote(event)
        registration = _refresh(registration)
    if not (kind == "waitlisted" and registration.is_confirmed):  # else "promoted" went out
        queue_registration_mail(registration, kind)
    notify_host_organisers(registration)
    return registration


def _release_expired_holds(event: Event, now: datetime) -> list[Registration]:
    """Cancel the event's registrations whose address was not confirmed in time.

    The caller holds the event lock. Nobody is e-mailed (the address may be invented or
    a stranger's); the history records the release. Freed seats go to the waiting list.
    """
    expired = list(
        db.session.scalars(
            db.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status.in_(ACTIVE_STATUSES),
                Registration.email_confirm_by.is_not(None),
                Registration.email_confirm_by <= now,
            )
            .order_by(Registration.id)
            .execution_options(populate_existing=True)
        )
    )
    if not expired:
        return []
    held_seat = False
    for registration in expired:
        held_seat = held_seat or registration.status == "confirmed"
        previous = registration.status
        _set_status(registration, "cancelled", None)
        record_audit(
            None,
            "registration.expired",
            registration=registration,
            details={"previous_status": previous},
        )
    if held_seat:
        _promote(event)
    return expired


def events_with_expired_holds(now: datetime) -> list[int]:
    """Ids of events with a registration whose confirmation time has run out."""
    return list(
        db.session.scalars(
            db.select(Registration.event_id)
            .where(
                Registration.email_confirm_by.is_not(None),
                Registration.email_confirm_by <= now,
                Registration.status.in_(ACTIVE_STATUSES),
            )
            .distinct()
            .order_by(Registration.event_id)
        )
    )


def release_expired_holds(event_id: int, *, now: datetime | None = None) -> int:
    """Release one event's expired holds under its lock; how many were released."""
    now = now or utcnow()
    return len(_release_expired_holds(lock_event(event_id), now))


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
        _cancel(registration, notify=False)
    registration = _refresh(registration)
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


_ALL_STATUSES = ("confirmed", "waitlisted", "pending", "cancelled", "rejected")
