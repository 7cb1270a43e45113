"""Outbox: cost of queueing a confirmation, and delivery rate through loopback SMTP.

Queueing a confirmation stores what to say inside the registration's own transaction,
so its cost is added to every registration; the worker writes the text, HTML and
calendar file before sending (timed apart, as "write"). Delivery runs one and then two
``flask outbox send`` processes against ``BENCH_DATABASE_URL`` (PostgreSQL; SQLite in a
temporary file without it) and a local aiosmtpd server. Goals: queueing under 20 ms per
confirmation; two workers deliver faster than one. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from tests.perf.fixtures import hungarian_region
from tests.support.gunicorn import PROJECT_ROOT
from tests.support.smtp import SMTPServer
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.mail.outbox import render_pending
from webapp.mail.queue import queue_mail, queue_registration_mail
from webapp.models import Event, OutboxMessage, Partner, Registration

CONFIRMATIONS = 200
MESSAGES = 1500


def _database_url(scratch: str) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    return normalise_database_url(url) if url else f"sqlite:///{scratch}/bench.sqlite"


def _event(run_id: str) -> Event:
    region = hungarian_region()
    partner = Partner(short_name=f"B{run_id}", name="Bench partner", region=region)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    event = Event(
        slug=f"bench-{run_id}",
        kind="webinar",
        title="Benchmark webinar",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        timezone="Europe/Budapest",
        format="online",
        online_url="https://meet.example/bench",
        status="published",
        host_partner=partner,
        regions=[region],
    )
    db.session.add(event)
    db.session.commit()
    return event


def _workers(count: int, env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--batch", "50"]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(count)
    ]
    for process in processes:
        process.wait(timeout=600)
    return time.perf_counter() - started


def run() -> None:
    run_id = secrets.token_hex(4)
    with tempfile.TemporaryDirectory(prefix="ive-bench-outbox-") as scratch:
        url = _database_url(scratch)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": url,
                "PUBLIC_BASE_URL": "https://events.example.org",
            }
        )
        server = SMTPServer().start()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-outbox-secret-" + "x" * 32,
            "INSTANCE_PATH": scratch,
            "PUBLIC_BASE_URL": "https://events.example.org",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": server.host,
            "MAIL_PORT": str(server.port),
        }
        print(f"database: {url.split('@')[-1]}")
        with app.app_context():
            db.create_all()
            event = _event(run_id)
            try:
                registrations = [
                    Registration(
                        event=event, name=f"Person {n}", email=f"b{n}-{run_id}@example.org"
                    )
                    for n in range(CONFIRMATIONS)
                ]
                db.session.add_all(registrations)
                db.session.flush()
                started = time.perf_counter()
                for registration in registrations:
                    queue_registration_mail(registration, "confirmed")
                elapsed = time.perf_counter() - started
                db.session.commit()
                print(
                    f"queue a confirmation (what to say): {elapsed / CONFIRMATIONS * 1000:.1f} ms"
                )
                queued = list(db.session.scalars(db.select(OutboxMessage)))
                started = time.perf_counter()
                render_pending(queued)
                elapsed = time.perf_counter() - started
                db.session.commit()
                print(
                    "write a queued confirmation (text, HTML, .ics): "
                    f"{elapsed / CONFIRMATIONS * 1000:.1f} ms"
                )
                db.session.execute(db.delete(OutboxMessage))
                db.session.commit()

                rates = {}
                for workers in (1, 2):
                    for n in range(MESSAGES):
                        queue_mail(
                            kind="bench",
                            to_address=f"w{workers}-{n}@example.org",
                            subject="Bench",
                            body_text="Hello\n" * 20,
                        )
                    db.session.commit()
                    before = len(server.messages)
                    seconds = _workers(workers, env)
                    delivered = len(server.messages) - before
                    rates[workers] = delivered / seconds
                    print(
                        f"{workers} worker{'s' if workers > 1 else ''}: {delivered} messages in "
                        f"{seconds:.2f} s = {rates[workers]:.0f}/s (process start included)"
                    )
                print(f"ratio two workers / one: {rates[2] / rates[1]:.2f}")
            finally:
                server.stop()
                db.session.rollback()
                db.session.execute(
                    db.delete(OutboxMessage).where(OutboxMessage.event_id == event.id)
                )
                db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.kind == "bench"))
                db.session.execute(db.delete(Registration).where(Registration.event_id == event.id))
                partner = event.host_partner
                db.session.delete(event)
                db.session.delete(partner)
                db.session.commit()
                db.engine.dispose()
