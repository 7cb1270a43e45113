"""Registrations per second for one popular event next to the same server's constant-string /livez.

PostgreSQL (``BENCH_DATABASE_URL``), gunicorn with 4 workers, CSRF on, rate limits off.
Every registration takes the event's row lock, so they queue behind each other by
design; the ratio says what that costs against the cheapest request the server answers.
Goal: ratio ≥ 0.10. Figures are printed, never asserted.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from tests.perf.fixtures import hungarian_region
from tests.support.gunicorn import gunicorn_server
from tests.support.load import LoadResult, get, run_load
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.models import Event, OutboxMessage, Partner, Registration
from webapp.registrations import services

WORKERS = 4
CONCURRENCY = 8
DURATION = 6.0  # seconds per endpoint, split into rounds
ROUNDS = 3
CAPACITY = 100
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _visitor(base_url: str, path: str) -> tuple[str, str]:
    """Open the form once: the session cookie and CSRF token a browser would hold."""
    target = urlsplit(base_url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        page = response.read().decode()
        cookies = [
            header.split(";", 1)[0]
            for header in response.msg.get_all("Set-Cookie") or []
            if "=" in header.split(";", 1)[0] and not header.split(";", 1)[0].endswith("=")
        ]
    finally:
        connection.close()
    match = CSRF_RE.search(page)
    if not match:
        raise RuntimeError(f"no CSRF token on {path} (status {response.status})")
    return "; ".join(cookies), match.group(1)


def _setup(app, run_id: str) -> tuple[int, str, bool]:
    with app.app_context():
        db.create_all()
        region = hungarian_region()
        created_region = region.id is None
        partner = Partner(short_name=f"B{run_id[:6]}", name=f"Benchmark {run_id}", region=region)
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
        event = Event(
            slug=f"bench-popular-{run_id}",
            kind="webinar",
            title="Popular benchmark webinar",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            timezone="Europe/Budapest",
            format="online",
            online_url="https://meet.example.org/bench",
            capacity=CAPACITY,
            status="published",
            visibility="public",
            host_partner=partner,
            regions=[region],
        )
        db.session.add_all([region, partner, event])
        db.session.commit()
        return event.id, event.slug, created_region


def _teardown(app, event_id: int, created_region: bool) -> None:
    with app.app_context():
        event = db.session.get(Event, event_id)
        partner = event.host_partner
        region = partner.region
        registration_ids = db.select(Registration.id).where(Registration.event_id == event_id)
        db.session.execute(
            db.delete(OutboxMessage).where(
                (OutboxMessage.event_id == event_id)
                | OutboxMessage.registration_id.in_(registration_ids)
            )
        )
        db.session.execute(db.delete(Registration).where(Registration.event_id == event_id))
        db.session.delete(event)
        db.session.flush()
        db.session.delete(partner)
        if created_region:
            db.session.flush()
            db.session.delete(region)
        db.session.commit()
        db.engine.dispose()


def run() -> None:
    url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    if not url.startswith("postgresql"):
        print("skipped: set BENCH_DATABASE_URL to a PostgreSQL database (make bench does)")
        return
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    run_id = secrets.token_hex(4)
    event_id, slug, created_region = _setup(app, run_id)
    path = f"/events/{slug}/register"
    try:
        with gunicorn_server(url, workers=WORKERS) as base_url:
            visitors = [_visitor(base_url, path) for _ in range(CONCURRENCY)]

            sequence = itertools.count()  # every POST a new person, across rounds

            def registration(worker_id: int, _n: int):
                n = next(sequence)
                cookie, token = visitors[worker_id]
                body = urlencode(
                    {
                        "csrf_token": token,
                        "name": f"Bench person {n}",
                        "email": f"bench-{run_id}-{n}@example.org",
                        "organisation": "Benchmark SME",
                        "stakeholder_type": "sme",
                        "region": "HU",
                        "consent": "y",
                    }
                ).encode()
                headers = {
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                return "POST", path, headers, body

            # Alternate short rounds, so a change in the machine's load hits both alike.
            health = LoadResult(requests=0, seconds=0.0)
            registrations = LoadResult(requests=0, seconds=0.0)
            for _round in range(ROUNDS):
                for total, factory in ((health, get("/livez")), (registrations, registration)):
                    part = run_load(
                        base_url, factory, concurrency=CONCURRENCY, duration=DURATION / ROUNDS
                    )
                    total.requests += part.requests
                    total.seconds += part.seconds
                    total.errors += part.errors
                    total.statuses.update(part.statuses)
        with app.app_context():
            counts = services.status_counts([event_id])[event_id]
    finally:
        _teardown(app, event_id, created_region)

    ratio = registrations.per_second / health.per_second if health.per_second else 0.0
    print(
        f"gunicorn workers: {WORKERS}, client connections: {CONCURRENCY}, "
        f"{DURATION:.0f} s per endpoint in {ROUNDS} alternating rounds"
    )
    print(
        f"/livez:         {health.per_second:8.1f} req/s  "
        f"({health.requests} requests, statuses {dict(health.statuses)}, errors {health.errors})"
    )
    print(
        f"registrations:  {registrations.per_second:8.1f} req/s  "
        f"({registrations.requests} requests, statuses {dict(registrations.statuses)}, "
        f"errors {registrations.errors})"
    )
    print(
        f"stored: {counts['confirmed'] + counts['waitlisted']} new registrations "
        f"for {registrations.statuses.get(303, 0)} redirects; "
        f"{counts['confirmed']} confirmed (capacity {CAPACITY}), "
        f"{counts['waitlisted']} waitlisted; oversold: "
        f"{'YES' if counts['confirmed'] > CAPACITY else 'no'}"
    )
    print(f"ratio registrations / livez: {ratio:.3f} (goal >= 0.10)")
