"""``flask polls remind``: reminders to invitees who have not answered; polls close."""

from __future__ import annotations

import click

from webapp.extensions import db
from webapp.polls.services import close_expired_polls, queue_due_poll_reminders
from webapp.timezones import utcnow


@click.group("polls")
def polls() -> None:
    """Polls that find a time for a meeting."""


@polls.command("remind")
def remind() -> None:
    """Queue the reminders that are due and close polls past their deadline (for cron).

    Each invitee who has not answered gets one reminder, at the time the organisers
    set, however often this runs.
    """
    now = utcnow()
    queued = queue_due_poll_reminders(now)
    closed = close_expired_polls(now)
    db.session.commit()
    click.echo(
        f"Queued {queued} poll reminder{'s' if queued != 1 else ''}; "
        f"closed {closed} poll{'s' if closed != 1 else ''} past their deadline."
    )
