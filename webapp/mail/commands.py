"""``flask outbox send|status`` and ``flask reminders send``."""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

import click
from flask import current_app
from sqlalchemy.exc import OperationalError

from webapp.extensions import db
from webapp.invitations.services import queue_invitation_reminders
from webapp.mail.delivery import backend_from_config
from webapp.mail.outbox import DeliveryReport, deliver_all_due, outbox_counts
from webapp.mail.reminders import send_due_reminders
from webapp.urls import site_domain

log = logging.getLogger(__name__)


@click.group("outbox")
def outbox() -> None:
    """Deliver the queued e-mail."""


@outbox.command("send")
@click.option("--loop", is_flag=True, help="Keep running and deliver new messages as they come.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds to wait, with --loop, when nothing is due.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1, max=1000),
    default=50,
    show_default=True,
    help="Messages claimed at a time (one SMTP connection each).",
)
def send(loop: bool, interval: float, batch: int) -> None:
    """Deliver the messages that are due; with --loop, run as a service until stopped.

    Any number of workers may run at once: each claims its own messages.
    """
    config = current_app.config
    try:
        backend = backend_from_config(config, current_app.instance_path)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="MAIL_BACKEND") from exc
    domain = site_domain()
    if not loop:
        report = deliver_all_due(backend, config, domain=domain, batch=batch)
        click.echo(_describe(report))
        return

    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    click.echo(f"Delivering e-mail every {interval:g} s through {config['MAIL_BACKEND']}.")
    while not stopping:
        try:
            report = deliver_all_due(backend, config, domain=domain, batch=batch)
        except OperationalError as exc:  # the database restarts: wait and carry on
            db.session.rollback()
            log.warning("outbox worker: database unavailable: %s", exc.orig)
            report = DeliveryReport()
        if report.handled:
            click.echo(_describe(report))
        db.session.remove()
        slept = 0.0
        while not stopping and slept < interval:
            time.sleep(min(0.2, interval))
            slept += 0.2
    click.echo("Stopped.")


@outbox.command("status")
def status() -> None:
    """Count the messages that are due, waiting to be retried, sent and failed."""
    counts = outbox_counts()
    click.echo(
        "{due} due, {retrying} waiting to be retried, {sent} sent, {failed} failed.".format(
            **counts
        )
    )


def _describe(report: DeliveryReport) -> str:
    return (
        f"Sent {report.sent}, {report.retrying} to be retried, {report.failed} failed"
        + (f", {report.released} left for later" if report.released else "")
        + "."
    )


@click.group("reminders")
def reminders() -> None:
    """Reminders before events."""


@reminders.command("send")
def send_reminders() -> None:
    """Queue the reminders that are due (run it from cron, e.g. every 10 minutes).

    Each confirmed registrant gets each reminder once, however often this runs; so does
    each partner contact who has not answered an invitation a week before the meeting.
    """
    queued = send_due_reminders()
    click.echo(f"Queued {queued} reminder{'s' if queued != 1 else ''}.")
    invited = queue_invitation_reminders()
    db.session.commit()
    if invited:
        click.echo(
            f"Queued {invited} invitation reminder{'s' if invited != 1 else ''} to people "
            "who have not answered."
        )
