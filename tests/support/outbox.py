"""Queued registrants' messages, written as delivery writes them.

A registrant's message is queued as what to say and rendered when the worker sends it
(``webapp.mail.outbox.render_pending``). A test that reads a queued message's subject,
text or attachments right after the request renders it first, with that same function.
"""

from __future__ import annotations

from webapp.extensions import db
from webapp.mail.outbox import render_pending
from webapp.models import OutboxMessage


def render_queued() -> list[OutboxMessage]:
    """Write the text of every queued message still waiting for it, and commit it.

    Like the worker, it reads the rows as they are now: the test's session may hold
    objects a request has changed since (flushed first, then read again).
    Returns the messages written; one that cannot be written (its registration is gone)
    makes the test fail, as it would fail delivery.
    """
    db.session.flush()
    db.session.expire_all()
    messages = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.render_args.is_not(None))
        .order_by(OutboxMessage.id)
    ).all()
    unwritable = render_pending(messages)
    assert not unwritable, f"messages that cannot be written: {unwritable}"
    db.session.commit()
    return list(messages)


def written(message: OutboxMessage) -> OutboxMessage:
    """``message`` with its text written as delivery writes it (if it was waiting for
    it), committed."""
    unwritable = render_pending([message])
    assert not unwritable, f"the message cannot be written: {unwritable}"
    db.session.commit()
    return message
