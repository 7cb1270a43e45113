"""Draining the outbox: claim due messages, deliver them, record what happened.

Several workers may run at once, on several hosts. A worker first *claims* a batch: in
one short transaction it selects due rows (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``,
so workers neither wait for nor take each other's rows) and moves their
``next_attempt_at`` past a lease, repeating the "still due" condition in the ``UPDATE``
so that a row another worker claimed in between is not taken twice (this is what keeps
SQLite safe too). It commits the claim, sends without holding any lock, and commits each
outcome as soon as it is known. A registrant's message queued as what to say
(``render_args``) is rendered after the claim and its text committed before it is sent,
so a retry sends the same words. A worker that dies mid-batch leaves its claimed rows to
be taken over when the lease ends: a message may then go out twice, never zero times.

Unlike the domain services, this module owns its transactions: it is run by
``flask outbox send``, never inside a request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db
from webapp.logs import log_event
from webapp.mail.delivery import DeliveryError, build_email, envelope_sender
from webapp.mail.rendering import MessageNotRenderable, render_pending_message, rendered_values
from webapp.models import OutboxMessage
from webapp.timezones import utcnow

ERROR_MAX_LENGTH = 2000


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.released += other.released


def retry_delay(attempts: int, *, base_seconds: float, max_seconds: float) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base, 2×, 4×… capped."""
    seconds = base_seconds * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, max_seconds))


def _due(now: datetime) -> tuple[Any, ...]:
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
    )


def claim_due_messages(*, limit: int, now: datetime, lease: timedelta) -> list[int]:
    """Claim up to ``limit`` due messages until ``now + lease``; commits. Oldest first.

    Empty only when nothing is due: a batch lost to another worker between the select
    and the update (SQLite has no SKIP LOCKED) is followed by a fresh look.
    """
    while True:
        candidates = db.session.scalars(
            db.select(OutboxMessage.id)
            .where(*_due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not candidates:
            db.session.rollback()
            return []
        claimed = db.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates), *_due(now))
            .values(next_attempt_at=now + lease, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        if claimed:
            return sorted(claimed)


def deliver_due_messages(
    backend: Any,
    config: Mapping[str, Any],
    *,
    domain: str,
    batch: int = 50,
    clock: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    """Claim one batch of due messages and deliver it through ``backend``."""
    report = DeliveryReport()
    lease_seconds = float(config["MAIL_CLAIM_SECONDS"])
    claimed = claim_due_messages(limit=batch, now=clock(), lease=timedelta(seconds=lease_seconds))
    if not claimed:
        return report
    started = time.monotonic()
    # Stop early rather than send after another worker may have taken the claim over.
    deadline = started + lease_seconds - 2 * float(config.get("MAIL_TIMEOUT") or 10)
    messages = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
    ).all()
    # Everything needed is read before the first commit expires the rows: no reloads.
    unwritable = render_pending(messages)
    pending: list[_Claimed] = []
    for message in messages:
        email: EmailMessage | DeliveryError
        if message.id in unwritable:
            email = unwritable[message.id]
        else:
            try:
                email = build_email(message, domain=domain)
            except (ValueError, TypeError, KeyError) as exc:  # a row that cannot be an e-mail
                email = DeliveryError(f"cannot build the message: {exc}", permanent=True)
        pending.append(_Claimed(message.id, message.attempts, message.to_address, email))
    db.session.commit()  # the texts just written: a retry sends the same
    sender = envelope_sender(config)
    try:
        with backend.connect() as connection:
            while pending:
                claimed_message = pending[0]
                if time.monotonic() > deadline:
                    break
                try:
                    if isinstance(claimed_message.email, DeliveryError):
                        raise claimed_message.email
                    connection.send(
                        claimed_message.email, sender=sender, recipients=[claimed_message.to]
                    )
                except DeliveryError as exc:
                    _record_failure(claimed_message, exc, now=clock(), config=config, report=report)
                else:
                    _set(claimed_message.id, sent_at=clock(), last_error=None)
                    report.sent += 1
                db.session.commit()
                pending.pop(0)
    except DeliveryError as exc:  # no connection: every message still claimed waits
        for claimed_message in pending:
            _record_failure(claimed_message, exc, now=clock(), config=config, report=report)
        db.session.commit()
        pending = []
    if pending:
        release([c.id for c in pending], now=clock())
        report.released += len(pending)
    return report


def render_pending(messages: Iterable[OutboxMessage]) -> dict[int, DeliveryError]:
    """Write the text of the messages queued as what to say, and keep it (not committed).

    Each is rendered by ``render_pending_message``, as the registration and the event
    are now; its text, attachments and sender are stored and its ``render_args``
    cleared, and the objects passed in hold them too. Returns the messages that cannot
    be written (registration deleted or erased), by id, with the reason to fail them.
    """
    unwritable: dict[int, DeliveryError] = {}
    for message in messages:
        if not message.awaits_rendering:
            continue
        try:
            rendered = render_pending_message(message)
        except MessageNotRenderable as exc:
            unwritable[message.id] = DeliveryError(f"not sent: {exc}", permanent=True)
            continue
        except (ValueError, TypeError, KeyError) as exc:
            unwritable[message.id] = DeliveryError(
                f"cannot render the message: {exc}", permanent=True
            )
            continue
        values = rendered_values(rendered)
        _set(message.id, **values)
        for name, value in values.items():
            set_committed_value(message, name, value)
    return unwritable


@dataclass
class _Claimed:
    id: int
    attempts: int
    to: str
    email: EmailMessage | DeliveryError


def _set(message_id: int, **values: Any) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def deliver_all_due(
    backend: Any,
    config: Mapping[str, Any],
    *,
    domain: str,
    batch: int = 50,
    clock: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    """Deliver batch after batch until nothing is due (what one ``outbox send`` does)."""
    total = DeliveryReport()
    while True:
        report = deliver_due_messages(backend, config, domain=domain, batch=batch, clock=clock)
        total.add(report)
        if report.handled == 0 or report.released:
            return total
        # A batch in which nothing went out but something will be retried means the
        # server is down or refusing: leave the rest for the next run.
        if report.sent == 0 and report.retrying:
            return total


def release(message_ids: Iterable[int], *, now: datetime) -> None:
    """Give claimed, unsent messages back (due now, the attempt not counted); commits."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.sent_at.is_(None))
        .values(next_attempt_at=now, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_failure(
    message: _Claimed,
    error: DeliveryError,
    *,
    now: datetime,
    config: Mapping[str, Any],
    report: DeliveryReport,
) -> None:
    last_error = str(error)[:ERROR_MAX_LENGTH]
    if error.permanent or message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        _set(message.id, failed_at=now, last_error=last_error)
        report.failed += 1
        log_event(
            "outbox.failed",
            level=logging.WARNING,
            message_id=message.id,
            to=message.to,
            attempts=message.attempts,
            permanent=error.permanent,
            error=last_error,
        )
        return
    delay = retry_delay(
        message.attempts,
        base_seconds=float(config["MAIL_RETRY_BASE_SECONDS"]),
        max_seconds=float(config["MAIL_RETRY_MAX_SECONDS"]),
    )
    _set(message.id, next_attempt_at=now + delay, last_error=last_error)
    report.retrying += 1
    log_event(
        "outbox.retry",
        message_id=message.id,
        attempts=message.attempts,
        retry_in_seconds=int(delay.total_seconds()),
        error=last_error,
    )


# --- what organisers and operators see ------------------------------------------------------


def failed_messages_for(registration_ids: Iterable[int]) -> dict[int, list[OutboxMessage]]:
    """Messages that could not be delivered for good, by registration (one query).

    For the organiser's registration list: show ``kind``, ``to_address``, ``last_error``
    and ``failed_at`` next to the registration; registrations without any are absent.
    """
    ids = list(registration_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.registration_id.in_(ids), OutboxMessage.failed_at.is_not(None))
        .order_by(OutboxMessage.registration_id, OutboxMessage.failed_at)
    )
    failed: dict[int, list[OutboxMessage]] = {}
    for message in rows:
        failed.setdefault(message.registration_id, []).append(message)
    return failed


def outbox_counts(now: datetime | None = None) -> dict[str, int]:
    """How many messages are queued (due or waiting to retry), sent and failed."""
    now = now or utcnow()
    unsent = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
    count = db.select(func.count()).select_from(OutboxMessage)
    return {
        "due": db.session.scalar(count.where(*unsent, OutboxMessage.next_attempt_at <= now)) or 0,
        "retrying": db.session.scalar(
            count.where(*unsent, OutboxMessage.attempts > 0, OutboxMessage.next_attempt_at > now)
        )
        or 0,
        "sent": db.session.scalar(count.where(OutboxMessage.sent_at.is_not(None))) or 0,
        "failed": db.session.scalar(count.where(OutboxMessage.failed_at.is_not(None))) or 0,
    }
