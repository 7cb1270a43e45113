"""Calendar feeds with 5,000 upcoming events: build time, 304s and cached 200s, queries.

PostgreSQL when ``BENCH_DATABASE_URL`` is set (in a schema of its own, dropped after),
else a temporary SQLite file. Reports:
- cold generation of ``/calendar.ics`` next to ``icalendar`` alone building and serialising
  the same 5,000 events from plain Python objects (goal: within 2x);
- requests per second under gunicorn for a conditional request answered 304 and for a
  cached 200, next to the same server's ``/livez`` (constant string, no database) (goal for the 304: >= 0.5 of it);
- SQL queries per feed, for 10 events and for 5,000 (goal: the same number).
Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import event as sa_event
from sqlalchemy import insert, text

from tests.perf.fixtures import ensure_regions_and_partners
from tests.support.gunicorn import gunicorn_server
from tests.support.load import get, run_load
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.feeds.services import feed_cache
from webapp.models import Event, Region, event_regions

EVENTS = 5_000
WORKERS = 2
CONCURRENCY = 8
DURATION = 5.0
ROUNDS = 3
KINDS = ("partner_meeting", "study_visit", "webinar")
FORMATS = ("online", "onsite", "hybrid")


def _database() -> tuple[str, str, str | None]:
    """(URL for the app, what it is, PostgreSQL schema to drop afterwards or None)."""
    url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    if url.startswith("postgresql"):
        schema = f"bench_feeds_{secrets.token_hex(4)}"
        separator = "&" if "?" in url else "?"
        return f"{url}{separator}options={quote(f'-csearch_path={schema}')}", "PostgreSQL", schema
    path = Path(tempfile.mkdtemp(prefix="ive-bench-feeds-")) / "bench.sqlite"
    return f"sqlite:///{path}", "SQLite (temporary file)", None


def _fill(app, count: int) -> None:
    """Regions, partners and ``count`` upcoming public events over the next two years."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with app.app_context():
        db.session.execute(db.delete(event_regions))
        db.session.execute(db.delete(Event))
        regions, partners = ensure_regions_and_partners()
        rows = []
        for n in range(count):
            region = regions[n % len(regions)]
            start = now + timedelta(hours=7 * n + 5)
            rows.append(
                {
                    "id": n + 1,
                    "slug": f"bench-event-{n + 1}",
                    "kind": KINDS[n % 3],
                    "title": f"Benchmark event {n + 1}: internationalisation of SMEs",
                    "summary": "Cross-border cooperation, export readiness and matchmaking.",
                    "description": "",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "timezone": region.timezone,
                    "all_day": False,
                    "format": FORMATS[n % 3],
                    "venue": "Chamber of Commerce" if n % 3 else "",
                    "address": "Main Street 1, Klaipėda" if n % 3 else "",
                    "online_url": f"https://meet.example.org/bench-{n}",
                    "status": "cancelled" if n % 50 == 0 else "published",
                    "visibility": "public",
                    "sequence": n % 4,
                    "translations": {},
                    "host_partner_id": partners[n % len(partners)].id,
                    "created_at": now - timedelta(days=30),
                    "updated_at": now - timedelta(days=1),
                }
            )
        db.session.execute(insert(Event), rows)
        links = [
            {"event_id": n + 1, "region_id": regions[(n + k) % len(regions)].id}
            for n in range(count)
            for k in range(1 + n % 2)
        ]
        db.session.execute(insert(event_regions), links)
        db.session.commit()


# --- icalendar alone -----------------------------------------------------------------------


@dataclass
class PlainEvent:
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    summary: str
    description: str
    location: str
    url: str
    categories: list[str]
    status: str
    created: datetime
    last_modified: datetime


def _plain_events(app) -> list[PlainEvent]:
    with app.app_context():
        events = db.session.scalars(db.select(Event).order_by(Event.starts_at)).all()
        region_names = {r.id: r.name for r in db.session.scalars(db.select(Region))}
        links: dict[int, list[str]] = {}
        for event_id, region_id in db.session.execute(db.select(event_regions)):
            links.setdefault(event_id, []).append(region_names[region_id])
        return [
            PlainEvent(
                uid=f"event-{e.id}@bench.example.org",
                sequence=e.sequence,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                timezone=e.timezone,
                summary=e.title,
                description=f"{e.summary}\n\nEvent page: https://bench.example.org/events/{e.slug}",
                location=e.venue or "Online",
                url=f"https://bench.example.org/events/{e.slug}",
                categories=[e.kind, *links.get(e.id, [])],
                status="CANCELLED" if e.status == "cancelled" else "CONFIRMED",
                created=e.created_at,
                last_modified=e.updated_at,
            )
            for e in events
        ]


def _icalendar_alone(events: list[PlainEvent]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", "-//bench//EN")
    for item in events:
        component = icalendar.Event()
        tz = ZoneInfo(item.timezone)
        component.add("UID", item.uid)
        component.add("DTSTAMP", item.last_modified)
        component.add("DTSTART", item.starts_at.astimezone(tz))
        component.add("DTEND", item.ends_at.astimezone(tz))
        component.add("SEQUENCE", item.sequence)
        component.add("STATUS", item.status)
        component.add("SUMMARY", item.summary)
        component.add("DESCRIPTION", item.description)
        component.add("LOCATION", item.location)
        component.add("URL", item.url)
        component.add("CATEGORIES", item.categories)
        component.add("CREATED", item.created)
        component.add("LAST-MODIFIED", item.last_modified)
        calendar.add_component(component)
    return calendar.to_ical()


# --- measurements ------------------------------------------------------------------------------


def _timed(function, rounds: int = ROUNDS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _cold_feed(client) -> bytes:
    feed_cache.clear()
    response = client.get("/calendar.ics")
    assert response.status_code == 200, response.status_code
    return response.data


def _queries_per_feed(app, client) -> int:
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        _cold_feed(client)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def run() -> None:
    url, backend, schema = _database()
    base_config = {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": url,
        "PUBLIC_BASE_URL": "https://bench.example.org",
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(base_config)
    with app.app_context():
        if schema:
            db.session.execute(text(f'CREATE SCHEMA "{schema}"'))
            db.session.commit()
        db.create_all()
    client = app.test_client()
    try:
        _fill(app, 10)
        queries_small = _queries_per_feed(app, client)
        _fill(app, EVENTS)
        queries_large = _queries_per_feed(app, client)

        cold, body = _timed(lambda: _cold_feed(client))
        events_in_feed = body.count(b"BEGIN:VEVENT")
        plain = _plain_events(app)
        alone, _ = _timed(lambda: _icalendar_alone(plain))

        with gunicorn_server(url, workers=WORKERS) as base_url:
            etag = None
            for _ in range(WORKERS * 4):  # warm every worker's cache
                etag = _etag(base_url)
            health = run_load(base_url, get("/livez"), concurrency=CONCURRENCY, duration=DURATION)
            not_modified = run_load(
                base_url,
                get("/calendar.ics", {"If-None-Match": etag}),
                concurrency=CONCURRENCY,
                duration=DURATION,
            )
            cached = run_load(
                base_url, get("/calendar.ics"), concurrency=CONCURRENCY, duration=DURATION
            )
    finally:
        with app.app_context():
            if schema:
                db.session.rollback()
                db.session.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                db.session.commit()
            db.engine.dispose()

    print(f"database: {backend}; {events_in_feed} events in /calendar.ics ({len(body):,} bytes)")
    print(
        f"cold /calendar.ics (query + build + serialise): {cold * 1000:8.1f} ms (median of {ROUNDS})"
    )
    print(f"icalendar alone, same events from plain objects: {alone * 1000:8.1f} ms")
    print(f"ratio cold feed / icalendar alone: {cold / alone:.2f} (goal <= 2)")
    print(
        f"SQL queries per cold feed: {queries_small} with 10 events, {queries_large} with {EVENTS}"
    )
    print(f"gunicorn workers: {WORKERS}, client connections: {CONCURRENCY}, {DURATION:.0f} s each")
    for label, result in (
        ("/livez", health),
        ("304 If-None-Match", not_modified),
        ("cached 200", cached),
    ):
        print(
            f"{label:18} {result.per_second:8.1f} req/s "
            f"(statuses {dict(result.statuses)}, errors {result.errors})"
        )
    if health.per_second:
        print(
            f"ratio 304 / livez: {not_modified.per_second / health.per_second:.2f} (goal >= 0.5); "
            f"cached 200 / livez: {cached.per_second / health.per_second:.2f}"
        )


def _etag(base_url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/calendar.ics", timeout=60) as response:
        response.read()
        return response.headers["ETag"]
