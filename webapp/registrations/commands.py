"""``flask registrations release-expired``: seats held for unconfirmed addresses go back."""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

import click
from sqlalchemy.exc import OperationalError

from webapp.extensions import db
from webapp.registrations.queries import events_with_expired_holds
from webapp.registrations.transitions import release_expired_holds
from webapp.timezones import utcnow

log = logging.getLogger(__name__)


@click.group("registrations")
def registrations() -> None:
    """Registration upkeep."""


def release_all_expired() -> int:
    """Release every expired hold, one event (one lock, one commit) at a time."""
    released = 0
    for event_id in events_with_expired_holds(utcnow()):
        released += release_expired_holds(event_id, now=utcnow())
        db.session.commit()
    return released


@registrations.command("release-expired")
@click.option("--loop", is_flag=True, help="Keep running and release holds as they run out.")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds between two looks, with --loop.",
)
def release_expired(loop: bool, interval: float) -> None:
    """Cancel registrations whose e-mail address was not confirmed in time.

    Their seats go to the waiting list, as a cancellation's would. Safe to run from
    cron and from several hosts at once (each event is handled under its row lock).
    """
    if not loop:
        click.echo(f"Released {release_all_expired()} unconfirmed registrations.")
        return
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    click.echo(f"Releasing unconfirmed registrations every {interval:g} s.")
    while not stopping:
        try:
            released = release_all_expired()
        except OperationalError as exc:  # the database restarts: wait and carry on
            db.session.rollback()
            log.warning("release worker: database unavailable: %s", exc.orig)
            released = 0
        if released:
            click.echo(f"Released {released} unconfirmed registrations.")
        db.session.remove()
        slept = 0.0
        while not stopping and slept < interval:
            time.sleep(0.2)
            slept += 0.2
    click.echo("Stopped.")
