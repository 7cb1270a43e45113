"""``flask`` commands: demo data, users and maintenance."""

from __future__ import annotations

import os
import sys

import click
from alembic.runtime.migration import MigrationContext
from email_validator import EmailNotValidError, validate_email
from flask import Config, Flask, current_app
from flask.helpers import get_debug_flag
from limits.storage import storage_from_string
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from webapp import PROJECT_ROOT
from webapp import config as settings
from webapp.attendance.import_drafts import purge_import_drafts
from webapp.config import ENVIRONMENT_KEYS
from webapp.demo import load_demo_data
from webapp.extensions import db
from webapp.logs import log_event
from webapp.mail.commands import outbox, reminders
from webapp.models import ROLES, Partner, User
from webapp.monitoring import migration_heads
from webapp.organiser.passwords import password_problem
from webapp.polls.commands import polls
from webapp.registrations.commands import registrations
from webapp.reporting.certificate_mail import send_certificates
from webapp.reporting.demo import load_demo_action_plans, load_demo_periods
from webapp.retention import (
    delete_polls,
    polls_past_retention,
    purge_invitation_comments,
    purge_platform_reports,
    registrations_past_retention,
)
from webapp.retention import purge_personal_data as purge
from webapp.timezones import utcnow


def register(app: Flask) -> None:

    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(outbox)
    app.cli.add_command(reminders)
    app.cli.add_command(polls)
    app.cli.add_command(registrations)
    app.cli.add_command(purge_personal_data)
    app.cli.add_command(certificates)
    app.cli.add_command(rebuild_search_index)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the Inter Ventures regions, partners, organisers and demo events (idempotent)."""

    created = load_demo_data()
    plans = load_demo_action_plans()
    periods = load_demo_periods(utcnow().date())
    db.session.commit()
    click.echo(
        f"Demo data: {created['regions']} regions, {created['partners']} partners, "
        f"{len(created['users'])} users and {created['events']} events added; "
        f"{plans} action plans and {periods} reporting periods added."
    )
    if created["users"]:
        if not (current_app.debug or current_app.testing):
            click.echo("Warning: demo accounts are for development only.", err=True)
        click.echo("Demo accounts (shown once):")
        for email, role, password in created["users"]:
            click.echo(f"  {role:9} {email}  password: {password}")


@click.command("rebuild-search-index")
def rebuild_search_index() -> None:
    """Fold every event's texts for the search again (after upgrading anyascii)."""
    from webapp.search import rebuild_search_texts

    changed = rebuild_search_texts()
    db.session.commit()
    click.echo(f"Search index: {changed} events refolded.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="admin or organiser")
@click.option("--partner", "partner_short", help="Short name of the organiser's partner")
@click.option("--name", default="", help="Display name (defaults to the part before @)")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input instead of asking"
)
def create_user(
    email: str, role: str, partner_short: str | None, name: str, password_stdin: bool
) -> None:
    """Create an organiser or administrator account."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    if db.session.scalar(db.select(User).where(User.email == email)):
        raise click.ClickException(f"A user with the address {email} already exists.")
    partner = None
    if partner_short:
        partner = db.session.scalar(db.select(Partner).where(Partner.short_name == partner_short))
        if partner is None:
            known = ", ".join(
                db.session.scalars(db.select(Partner.short_name).order_by(Partner.short_name))
            )
            raise click.BadParameter(
                f"no partner {partner_short!r} (known: {known or 'none'})", param_hint="--partner"
            )
    elif role == "organiser":
        raise click.BadParameter("an organiser belongs to a partner", param_hint="--partner")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, user_inputs=(email, name))
    if problem:
        raise click.ClickException(problem)
    user = User(email=email, name=name or email.split("@")[0], role=role, partner=partner)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}" + (f" ({partner.short_name})" if partner else "") + ".")


@click.command("purge-personal-data")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep registrations this many days after their event ended "
    "(default: PERSONAL_DATA_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
def purge_personal_data(days: int | None, dry_run: bool) -> None:
    """Anonymise registrations of events that ended longer ago than the retention period."""

    days = days or int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    now = utcnow()
    due = registrations_past_retention(now=now, retention_days=days)
    old_polls = polls_past_retention(now=now, retention_days=days)
    if dry_run:
        click.echo(f"{len(due)} registrations of events that ended over {days} days ago.")
        if old_polls:
            click.echo(f"{len(old_polls)} polls whose last proposed time was over {days} days ago.")
        return
    erased = 0
    for start in range(0, len(due), 200):  # commit in chunks: a long run keeps its progress
        erased += purge(due[start : start + 200], now=now)
        db.session.commit()
    log_event("retention.purge", anonymised=erased, retention_days=days)
    click.echo(f"Anonymised {erased} registrations of events that ended over {days} days ago.")
    dropped = purge_import_drafts(now=now)
    db.session.commit()
    if dropped:
        click.echo(f"Deleted {dropped} uploaded participant reports that were never confirmed.")
    if old_polls:
        deleted = delete_polls(old_polls)
        db.session.commit()
        click.echo(
            f"Deleted {deleted} polls (with their invitees and answers) whose last proposed "
            f"time was over {days} days ago."
        )
    comments = purge_invitation_comments(now=now, retention_days=days)
    db.session.commit()
    if comments:
        click.echo(
            f"Emptied {comments} invitation comments of meetings that ended over {days} days ago."
        )
    reports = purge_platform_reports(now=now, retention_days=days)
    db.session.commit()
    if reports:
        click.echo(f"Deleted {reports} imported platform reports of those events.")


# Shown by check-config: every setting, in the order of ``Settings`` (secrets masked), the
# database as the app uses it.
CHECKED_SETTINGS = (
    "SQLALCHEMY_DATABASE_URI",
    *(name for name in ENVIRONMENT_KEYS if name != "DATABASE_URL"),
)


@click.command("check-config")
@click.option(
    "--offline", is_flag=True, help="Do not connect to the database or the rate-limit storage."
)
def check_config(offline: bool) -> None:
    """Print the effective settings (secrets masked) and every problem found.

    Reads the settings exactly as the app does (defaults, instance/config.py, environment)
    without starting it, so it works when the app would refuse to start. Exits with
    status 1 when there is a problem.
    """

    instance_path = os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    config = Config(instance_path)
    settings.load(config, instance_path, {"DEBUG": get_debug_flag()} if get_debug_flag() else None)
    click.echo(f"Settings (instance folder {instance_path}):")
    for name in CHECKED_SETTINGS:
        click.echo(f"  {name} = {settings.masked(name, config.get(name))}")
    multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    click.echo(f"  PROMETHEUS_MULTIPROC_DIR = {settings.masked('', multiprocess_dir)}")

    problems = [str(problem) for problem in settings.configuration_problems(config)]
    if not offline:
        problems += _service_problems(config)
    if config.get("DEBUG"):
        click.echo("Debug mode: the app starts despite the problems below (never in production).")
    if not problems:
        click.echo("No problems found.")
        return
    click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:")
    for problem in problems:
        click.echo(f"  - {problem}")
    sys.exit(1)


def _service_problems(config) -> list[str]:
    """The database and the rate-limit storage answer, and the schema is up to date."""

    problems = []
    engine = create_engine(config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        problems.append(f"SQLALCHEMY_DATABASE_URI: the database does not answer: {first_line}")
    else:
        if current != set(migration_heads()):
            problems.append(
                "SQLALCHEMY_DATABASE_URI: the schema is not at the latest migration "
                f"(at {', '.join(sorted(current)) or 'none'}): run flask db upgrade"
            )
    finally:
        engine.dispose()

    storage_uri = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if config.get("RATELIMIT_ENABLED", True) and not storage_uri.startswith("memory"):
        try:
            reachable = storage_from_string(storage_uri).check()
        except Exception as exc:  # noqa: BLE001 - any driver error means "not usable"
            reachable, reason = False, str(exc)
        else:
            reason = "no answer"
        if not reachable:
            problems.append(f"RATELIMIT_STORAGE_URI: the storage does not answer: {reason}")
    return problems


@click.group("certificates")
def certificates() -> None:
    """Certificates of attendance."""


@certificates.command("send")
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=14,
    show_default=True,
    help="Events that ended within this many days",
)
def send_certificates_command(days: int) -> None:
    """E-mail their certificate, once, to people present at events that just ended (cron)."""

    queued = send_certificates(within_days=days)
    click.echo(f"{queued} certificates queued for e-mail.")
