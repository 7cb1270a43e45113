"""Draining the outbox: claim due messages, deliver them, record what happened.

Several workers may run at once, on several hosts. A worker first *claims* a batch: in
one short transaction it selects due rows (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``,
so workers neither wait for nor take each other's rows) and moves their
``next_attempt_at`` past a lease, repeating the "still due" condition in the ``UPDATE``
so that a row another worker claimed in between is not taken twice (this is what keeps
SQLite safe too). It commits the claim, sends without holding any lock, and commits each
outcome as soon as it is known. A worker that dies mid-batch leaves its claimed rows to
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
from typing import Any

from sqlalchemy import func, update

from webapp.extensions import db
from webapp.mail.delivery import DeliveryError, build_email, envelope_sender
from webapp.models import OutboxMessage
from webapp.timezones import utcnow

log = logging.getLogger(__name__)

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
    sender = envelope_sender(config)
    pending = list(messages)
    try:
        with backend.connect() as connection:
            while pending:
                message = pending[0]
                if time.monotonic() > deadline:
                    break
                try:
                    email = build_email(message, domain=domain)
                    connection.send(email, sender=sender, recipients=[message.to_address])
                except DeliveryError as exc:
                    _record_failure(message, exc, now=clock(), config=config, report=report)
                except (ValueError, TypeError) as exc:  # a row that cannot become an e-mail
                    error = DeliveryError(f"cannot build the message: {exc}", permanent=True)
                    _record_failure(message, error, now=clock(), config=config, report=report)
                else:
                    message.sent_at = clock()
                    message.last_error = None
                    report.sent += 1
                db.session.commit()
                pending.pop(0)
    except DeliveryError as exc:  # no connection: every message still claimed waits
        for message in pending:
            _record_failure(message, exc, now=clock(), config=config, report=report)
        db.session.commit()
        pending = []
    if pending:
        release(pending, now=clock())
        report.released += len(pending)
    return report


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


def release(messages: Iterable[OutboxMessage], *, now: datetime) -> None:
    """Give claimed, unsent messages back (due now, the attempt not counted); commits."""
    for message in messages:
        message.next_attempt_at = now
        message.attempts = max(message.attempts - 1, 0)
    db.session.commit()


def _record_failure(
    message: OutboxMessage,
    error: DeliveryError,
    *,
    now: datetime,
    config: Mapping[str, Any],
    report: DeliveryReport,
) -> None:
    message.last_error = str(error)[:ERROR_MAX_LENGTH]
    if error.permanent or message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        message.failed_at = now
        report.failed += 1
        log.warning(
            "outbox message %s to %s failed for good: %s", message.id, message.to_address, error
        )
        return
    message.next_attempt_at = now + retry_delay(
        message.attempts,
        base_seconds=float(config["MAIL_RETRY_BASE_SECONDS"]),
        max_seconds=float(config["MAIL_RETRY_MAX_SECONDS"]),
    )
    report.retrying += 1
    log.info("outbox message %s will be retried: %s", message.id, error)


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
