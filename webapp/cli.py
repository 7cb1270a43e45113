"""``flask`` commands: demo data, users and maintenance."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app

from webapp.extensions import db
from webapp.models import ROLES, Partner, User


def register(app: Flask) -> None:
    from webapp.mail.commands import outbox, reminders

    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(outbox)
    app.cli.add_command(reminders)
    app.cli.add_command(purge_personal_data)
    app.cli.add_command(certificates)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the Inter Ventures regions, partners, organisers and demo events (idempotent)."""
    from webapp.demo import load_demo_data
    from webapp.reporting.demo import load_demo_action_plans, load_demo_periods
    from webapp.timezones import utcnow

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
    if len(password) < 10:
        raise click.ClickException("The password must be at least 10 characters long.")
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
    from webapp.retention import purge_personal_data as purge
    from webapp.retention import purge_platform_reports, registrations_past_retention
    from webapp.timezones import utcnow

    days = days or int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    now = utcnow()
    due = registrations_past_retention(now=now, retention_days=days)
    if dry_run:
        click.echo(f"{len(due)} registrations of events that ended over {days} days ago.")
        return
    erased = 0
    for start in range(0, len(due), 200):  # commit in chunks: a long run keeps its progress
        erased += purge(due[start : start + 200], now=now)
        db.session.commit()
    click.echo(f"Anonymised {erased} registrations of events that ended over {days} days ago.")
    reports = purge_platform_reports(now=now, retention_days=days)
    db.session.commit()
    if reports:
        click.echo(f"Deleted {reports} imported platform reports of those events.")


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
    from webapp.reporting.certificates import send_certificates

    queued = send_certificates(within_days=days)
    click.echo(f"{queued} certificates queued for e-mail.")
