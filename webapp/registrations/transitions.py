"""The registration state machine: every change of a registration's status happens here.

Each change takes the event's row lock (``lock_event``), re-reads the registration,
checks the change against ``TRANSITIONS``, sets the status, writes the audit entry the
table names and queues the registrant's e-mail, all in the caller's transaction (the
request commits). A check in the test suite fails when a registration's status is set
anywhere else in the package.

Capacity is decided by the database, never by a read-then-write in Python: every
change that can alter who holds a seat first takes the event's lock and only then
counts. On PostgreSQL that is ``SELECT … FOR NO KEY UPDATE``; on SQLite the lock
statement is a write, so the connection holds SQLite's single write lock from that
moment until the commit. Either way two transactions never count the same free seat.

Statuses: ``pending`` (awaiting an organiser's approval), ``waitlisted``,
``confirmed``, ``cancelled`` and ``rejected`` (the last two are final).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value

from webapp.audit import record_audit
from webapp.extensions import db
from webapp.mail.queue import notify_host_organisers, queue_registration_mail
from webapp.models import (
    ACTIVE_STATUSES,
    STAKEHOLDER_TYPES,
    AuditEntry,
    Event,
    OutboxMessage,
    Region,
    Registration,
    User,
)
from webapp.registrations.queries import (
    counts_and_active_registration,
    event_status_counts,
    free_seats,
)
from webapp.registrations.rules import (
    CapacityError,
    ConfirmationExpired,
    InvalidRegistrationData,
    InvalidTransition,
    RegistrationClosed,
    normalise_email,
    registration_closed_reason,
)
from webapp.timezones import utcnow

# A repeated registration sends the existing link again at most this often.
LINK_RESEND_INTERVAL = timedelta(minutes=10)
# How long an unconfirmed registration holds its seat (EMAIL_CONFIRMATION_HOLD_MINUTES).
DEFAULT_EMAIL_CONFIRMATION_HOLD = timedelta(minutes=60)

# The status of a registration that is not stored yet.
NEW = None


@dataclass(frozen=True)
class Transition:
    """One kind of status change: from which statuses, to which, and what it leaves behind.

    ``audit`` is the action of the audit entry written for it (``None``: the change is
    the registrant's own, or the audit entry of the larger action it is part of tells
    it). ``mail`` describes the e-mail the registrant gets.
    """

    sources: frozenset[str | None]
    targets: frozenset[str]
    audit: str | None
    mail: str


def _transition(sources, targets, audit, mail) -> Transition:
    return Transition(frozenset(sources), frozenset(targets), audit, mail)


_ACTIVE = ("confirmed", "waitlisted", "pending")

TRANSITIONS: dict[str, Transition] = {
    # A stakeholder registers (or an organiser adds them through the same form).
    "register": _transition(
        [NEW], ["confirmed", "waitlisted", "pending"], None, "their status, or confirm_email"
    ),
    # A partner contact answers "attend" to an invitation.
    "invitation_attend": _transition([NEW], ["confirmed", "waitlisted"], None, "their status"),
    # An organiser approves a registration awaiting approval.
    "approve": _transition(
        ["pending"], ["confirmed", "waitlisted"], "registration.approved", "approved/waitlisted"
    ),
    # An organiser turns a registration down.
    "reject": _transition(
        ["pending", "waitlisted"], ["rejected"], "registration.rejected", "rejected"
    ),
    # The registrant cancels (their page, or another answer to their invitation).
    "cancel": _transition(_ACTIVE, ["cancelled"], None, "cancelled, unless they said so"),
    # An organiser cancels on the registrant's behalf.
    "cancel_by_organiser": _transition(
        _ACTIVE, ["cancelled"], "registration.cancelled", "cancelled"
    ),
    # The invitation the registration came from is withdrawn.
    "invitation_withdrawn": _transition(_ACTIVE, ["cancelled"], None, "cancelled"),
    # The registrant's data is erased (the seat goes to the next person).
    "erase": _transition(_ACTIVE, ["cancelled"], None, "none"),
    # The address was not confirmed in time (double opt-in): the hold is released.
    "hold_expired": _transition(_ACTIVE, ["cancelled"], "registration.expired", "none"),
    # A freed seat goes to the first person on the waiting list.
    "promote": _transition(["waitlisted"], ["confirmed"], None, "promoted"),
    # An organiser gives a waitlisted person a seat ahead of the queue.
    "confirm_from_waiting_list": _transition(
        ["waitlisted"], ["confirmed"], "registration.confirmed", "promoted"
    ),
    # Someone came without registering, or while waiting or awaiting approval.
    "walk_in": _transition(
        [NEW, "pending", "waitlisted"], ["confirmed"], "attendance.walk_in", "none"
    ),
    # An organiser admits the holder of a check-in code from the waiting list or
    # awaiting approval at the door.
    "admit_at_check_in": _transition(
        ["pending", "waitlisted"], ["confirmed"], "registration.admitted", "promoted/approved"
    ),
    # Demonstration data (``flask seed-demo``): nobody is e-mailed.
    "seed": _transition([NEW], ["confirmed", "waitlisted"], None, "none"),
}


def allowed(cause: str, source: str | None, target: str) -> bool:
    """Whether ``cause`` may move a registration from ``source`` to ``target``."""
    transition = TRANSITIONS.get(cause)
    return transition is not None and source in transition.sources and target in transition.targets


def _check(cause: str, source: str | None, target: str) -> None:
    if not allowed(cause, source, target):
        raise InvalidTransition(_("This registration cannot be changed that way any more."))


@dataclass
class RegistrationOutcome:
    registration: Registration
    created: bool  # False when an active registration for the address already existed
    status: str


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


# --- the two places a status is set -----------------------------------------------------


def _create(
    event: Event,
    cause: str,
    status: str,
    *,
    actor: User | None = None,
    details: Callable[[Registration], Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Registration:
    """Store a new registration of ``event`` with ``status``; the caller holds the lock.

    ``details`` makes the audit entry's details from the stored registration.
    """
    _check(cause, NEW, status)
    registration = Registration(event_id=event.id, status=status, **fields)
    db.session.add(registration)
    db.session.flush()
    _audit(cause, registration, actor, details(registration) if details else None)
    return registration


def _move(
    registration: Registration,
    cause: str,
    status: str,
    *,
    mail: str | None = None,
    actor: User | None = None,
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    note: str = "",
) -> AuditEntry | None:
    """Change a stored registration's status; the caller holds the lock and re-read it.

    ``note`` is the organiser's word to the person, shown in the e-mail.
    """
    _check(cause, registration.status, status)
    registration.status = status
    registration.updated_at = now or utcnow()
    db.session.flush()
    if mail:
        queue_registration_mail(registration, mail, note=note)
    return _audit(cause, registration, actor, details)


def _audit(
    cause: str,
    registration: Registration,
    actor: User | None,
    details: Mapping[str, Any] | None,
) -> AuditEntry | None:
    action = TRANSITIONS[cause].audit
    if action is None:
        return None
    return record_audit(actor, action, registration=registration, details=dict(details or {}))


# --- registering ------------------------------------------------------------------------


def _seat_or_waiting_list(event: Event, counts: dict[str, int]) -> tuple[str, dict[str, int]]:
    """A newcomer's status under the lock: confirmed while a seat is free, else waitlisted.

    Seats freed without the waiting list moving up (capacity raised elsewhere) go to the
    people waiting first. Returns the status and the counts it was decided on.
    """
    free = free_seats(event, counts)
    if counts["waitlisted"] and (free is None or free > 0):
        _promote(event)
        counts = event_status_counts(event)
        free = free_seats(event, counts)
    return ("confirmed" if free is None or free > 0 else "waitlisted"), counts


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
    approved: bool = False,
) -> RegistrationOutcome:
    """Register one person for ``event``: confirmed, waitlisted or pending approval.

    ``approved``: an organiser registers the person, which stands for the approval (and
    for the confirmed address); the capacity and the waiting list still apply.

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
    locked = counts_and_active_registration(event.id, email)
    if locked.first_hold_deadline is not None and locked.first_hold_deadline <= now:
        # Only then can a hold have run out: release it, and count again.
        _release_expired_holds(event, now)
        locked = counts_and_active_registration(event.id, email)
    counts, existing_id = locked.counts, locked.existing_id
    if existing_id is not None:
        existing = db.session.get_one(Registration, existing_id)
        if not _link_resent_recently(existing, now):
            kind = "confirm_email" if existing.awaiting_email_confirmation else "link_resent"
            queue_registration_mail(existing, kind)
        return RegistrationOutcome(existing, created=False, status=existing.status)

    if event.requires_approval and not approved:
        status = "pending"
    else:
        status, counts = _seat_or_waiting_list(event, counts)

    registration = _create(
        event,
        "register",
        status,
        name=name,
        email=email,
        organisation=(organisation or "").strip(),
        stakeholder_type=stakeholder_type,
        region=region,
        locale=locale,
        answers=dict(answers),
        consent_at=consent_at,
        privacy_version=privacy_version,
        created_at=now,
        updated_at=now,
        # An organiser who adds someone vouches for the address: no double opt-in.
        email_confirm_by=now + email_confirmation_hold
        if event.requires_email_confirmation and not approved
        else None,
    )
    if registration.awaiting_email_confirmation:
        queue_registration_mail(registration, "confirm_email")
        return RegistrationOutcome(registration, created=True, status=status)
    return _welcome(registration, status, counts)


def _welcome(
    registration: Registration, status: str, counts: dict[str, int]
) -> RegistrationOutcome:
    """Tell a newcomer (and the organisers, if the event asks) where they stand.

    ``counts`` are those the status was decided on, under the lock: admitted in id order,
    a waitlisted newcomer is last on the list.
    """
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
    locked = counts_and_active_registration(event.id, email)
    counts = locked.counts
    if locked.existing_id is not None:
        existing = db.session.get_one(Registration, locked.existing_id)
        return RegistrationOutcome(existing, created=False, status=existing.status)
    status, counts = _seat_or_waiting_list(event, counts)
    registration = _create(
        event,
        "invitation_attend",
        status,
        name=name,
        email=email,
        organisation=organisation,
        stakeholder_type=stakeholder_type,
        region=region,
        locale=locale,
        answers={},
        consent_at=consent_at,
        privacy_version=privacy_version,
        created_at=now,
        updated_at=now,
    )
    return _welcome(registration, status, counts)


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


def seed_registration(
    event: Event, status: str, *, now: datetime | None = None, **fields: Any
) -> Registration:
    """Store a demonstration registration with ``status`` (confirmed or waitlisted).

    Used by ``flask seed-demo`` only: past events get registrations too, capacity is
    the seed data's business, and nobody is e-mailed (the addresses are invented).
    """
    now = now or utcnow()
    event = lock_event(event.id)
    fields.setdefault("answers", {})
    fields.setdefault("created_at", now)
    fields.setdefault("updated_at", now)
    return _create(event, "seed", status, **fields)


# --- the waiting list -------------------------------------------------------------------


def _promote(event: Event) -> list[Registration]:
    """Fill free seats from the waiting list; the caller holds the event lock."""
    counts = event_status_counts(event)
    if not counts["waitlisted"]:
        return []
    free = free_seats(event, counts)
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
        _move(registration, "promote", "confirmed", mail="promoted")
    return promoted


def promote_from_waiting_list(event: Event) -> list[Registration]:
    """Give free seats to the first people on the waiting list, in registration order.

    Call it after raising the capacity (pending changes are flushed before the lock).
    Each promoted person gets the ``promoted`` e-mail. Returns them, in order.
    """
    db.session.flush()
    return _promote(lock_event(event.id))


def confirm_from_waiting_list(
    registration: Registration,
    *,
    override_reason: str | None = None,
    actor: User | None = None,
) -> None:
    """An organiser gives a waitlisted person a seat, ahead of the queue.

    When the event is full this raises ``CapacityError`` unless ``override_reason``
    says why the capacity may be exceeded (the reason goes into the audit entry).
    """
    event = lock_event(registration.event_id)
    registration = _refresh(registration)
    if registration.status != "waitlisted":
        raise InvalidTransition(_("Only people on the waiting list can be given a seat."))
    reason = (override_reason or "").strip() or None
    free = free_seats(event, event_status_counts(event))
    if free is not None and free <= 0 and not reason:
        raise CapacityError(
            _("The event is full. Raise the capacity or give a reason to exceed it.")
        )
    details = {"override_reason": reason} if reason else {}
    _move(
        registration,
        "confirm_from_waiting_list",
        "confirmed",
        mail="promoted",
        actor=actor,
        details=details,
    )


# --- decisions of the organisers ---------------------------------------------------------


def approve_registration(
    registration: Registration, *, actor: User | None = None, note: str = ""
) -> str:
    """Approve a pending registration: confirmed if a seat is free, else waitlisted.

    Returns the new status; ``note`` is the organiser's word to the person, in the e-mail.
    """
    event = lock_event(registration.event_id)
    registration = _refresh(registration)
    if registration.status != "pending":
        raise InvalidTransition(_("Only registrations awaiting approval can be approved."))
    _promote(event)
    free = free_seats(event, event_status_counts(event))
    if free is None or free > 0:
        status, mail = "confirmed", "approved"
    else:
        status, mail = "waitlisted", "waitlisted"
    details: dict[str, Any] = {"status": status}
    if note:
        details["with_note"] = True
    _move(registration, "approve", status, mail=mail, actor=actor, details=details, note=note)
    return registration.status


def reject_registration(
    registration: Registration, *, actor: User | None = None, note: str = ""
) -> None:
    """Turn down a registration awaiting approval or on the waiting list.

    ``note`` is the organiser's word to the person, in the e-mail.
    """
    lock_event(registration.event_id)
    registration = _refresh(registration)
    if registration.status not in ("pending", "waitlisted"):
        raise InvalidTransition(
            _("Only registrations awaiting approval or on the waiting list can be turned down.")
        )
    _move(
        registration,
        "reject",
        "rejected",
        mail="rejected",
        actor=actor,
        details={"with_note": True} if note else None,
        note=note,
    )


# --- cancelling -------------------------------------------------------------------------


def cancel_registration(
    registration: Registration,
    *,
    now: datetime | None = None,
    notify: bool = True,
    actor: User | None = None,
    cause: str | None = None,
) -> list[Registration]:
    """Cancel an active registration; returns the people promoted into the freed seat.

    Cancelling a registration that is already cancelled or rejected changes nothing.
    ``notify=False`` sends the person no "cancelled" message (they have just said so
    on a page that tells them). ``cause`` is the row of ``TRANSITIONS``: ``cancel``
    (the registrant; the default), ``cancel_by_organiser`` (the default with an
    ``actor``), ``invitation_withdrawn`` or ``erase``.
    """
    cause = cause or ("cancel_by_organiser" if actor is not None else "cancel")
    event = lock_event(registration.event_id)
    registration = _refresh(registration)
    if not registration.is_active:
        return []
    previous = registration.status
    entry = _move(
        registration,
        cause,
        "cancelled",
        mail="cancelled" if notify else None,
        actor=actor,
        details={"previous_status": previous},
        now=now,
    )
    promoted = _promote(event) if previous == "confirmed" else []
    if entry is not None:
        entry.details = {**entry.details, "promoted": [r.id for r in promoted]}
    return promoted


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
        _move(
            registration,
            "hold_expired",
            "cancelled",
            details={"previous_status": registration.status},
        )
    if held_seat:
        _promote(event)
    return expired


def release_expired_holds(event_id: int, *, now: datetime | None = None) -> int:
    """Release one event's expired holds under its lock; how many were released."""
    now = now or utcnow()
    return len(_release_expired_holds(lock_event(event_id), now))


# --- at the door ------------------------------------------------------------------------


@dataclass
class WalkInAdmission:
    registration: Registration
    created: bool  # False when the address already had an active registration


def admit_walk_in(
    event: Event,
    *,
    name: str,
    email: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    day: date,
    recorded_by: User | None,
    locale: str,
    privacy_version: str,
    now: datetime,
) -> WalkInAdmission:
    """Confirm someone who came to ``event`` on ``day``, registered or not.

    Capacity and the registration period are ignored (the person is in the room). An
    address with an active registration is the same person: that registration is
    confirmed instead of a new one stored. Nobody is e-mailed; the audit entry names
    the registration by id (the name stays with the registration alone, so erasing it
    leaves no trace in the history). The caller has checked the input.
    """
    event = lock_event(event.id)
    registration = db.session.scalar(
        db.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.email == email,
            Registration.status.in_(ACTIVE_STATUSES),
        )
        .execution_options(populate_existing=True)
    )

    def details(registration: Registration) -> dict[str, Any]:
        return {
            "registration_id": registration.id,
            "day": day.isoformat(),
            "created": created,
        }

    created = registration is None
    if registration is None:
        registration = _create(
            event,
            "walk_in",
            "confirmed",
            actor=recorded_by,
            details=details,
            name=name,
            email=email,
            organisation=organisation,
            stakeholder_type=stakeholder_type,
            region=region,
            locale=locale,
            consent_at=now,
            privacy_version=privacy_version,
            answers={},
            created_at=now,
            updated_at=now,
        )
        return WalkInAdmission(registration, True)
    if registration.status != "confirmed":
        _move(
            registration,
            "walk_in",
            "confirmed",
            actor=recorded_by,
            details=details(registration),
            now=now,
        )
    else:  # already confirmed: no status change, but the walk-in is still recorded
        _audit("walk_in", registration, recorded_by, details(registration))
    return WalkInAdmission(registration, False)


def admit_at_check_in(
    registration: Registration, *, actor: User | None, now: datetime | None = None
) -> Registration:
    """An organiser admits the holder of a check-in code who has no confirmed seat.

    A person on the waiting list or awaiting approval is confirmed (capacity is
    ignored: they are at the door and an organiser decided), gets the e-mail a
    promotion or an approval sends, and the audit trail records who admitted them.
    Someone confirmed meanwhile stays as they are; a registration cancelled or turned
    down meanwhile raises ``InvalidTransition``.
    """
    lock_event(registration.event_id)
    registration = _refresh(registration)
    if registration.status == "confirmed":
        return registration
    previous = registration.status
    _move(
        registration,
        "admit_at_check_in",
        "confirmed",
        mail="promoted" if previous == "waitlisted" else "approved",
        actor=actor,
        details={"previous_status": previous},
        now=now,
    )
    return registration
