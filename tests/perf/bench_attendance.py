"""Attendance reports over 500 past events and 20,000 registrations; platform imports.

PostgreSQL when ``BENCH_DATABASE_URL`` is set (in a schema of its own, dropped after),
else a temporary SQLite file. Reports:
- time to build every report figure (``build_report``) for 10 and for 500 events, and
  the SQL queries each takes (goal: the same number, under 0.5 s for 500 events);
- time to read and match a Zoom participants report of 2,000 rows (1,000 people who
  each joined twice) against 1,000 registrations (goal: under 1 s);
- time to load the check-in sheet's rows and counts for 1,000 people.
Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event as sa_event
from sqlalchemy import insert, text

from tests.perf.fixtures import ensure_regions_and_partners
from webapp import create_app
from webapp.attendance import platform_import, queries
from webapp.attendance.importing import read_report
from webapp.attendance.importing.timestamps import clean_timestamp, parse_with
from webapp.attendance.reports import ReportFilters, build_report
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.models import Attendance, Event, Registration, event_regions
from webapp.timezones import zone

EVENTS = 500
PEOPLE_PER_EVENT = 40
IMPORT_PEOPLE = 1_000
KINDS = ("partner_meeting", "study_visit", "webinar")
TYPES = ("sme", "business_support", "public_authority", "research", "ngo", "other")


def _database() -> tuple[str, str, str | None]:
    url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    if url.startswith("postgresql"):
        schema = f"bench_attendance_{secrets.token_hex(4)}"
        separator = "&" if "?" in url else "?"
        return f"{url}{separator}options={quote(f'-csearch_path={schema}')}", "PostgreSQL", schema
    path = Path(tempfile.mkdtemp(prefix="ive-bench-attendance-")) / "bench.sqlite"
    return f"sqlite:///{path}", "SQLite (temporary file)", None


def _fill(events: int, people: int) -> None:
    """``events`` past webinars and visits, ``people`` registrations each, ~70 % present."""
    for table in (Attendance, Registration):
        db.session.execute(db.delete(table))
    db.session.execute(db.delete(event_regions))
    db.session.execute(db.delete(Event))
    regions, partners = ensure_regions_and_partners()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    event_rows, link_rows, registration_rows, attendance_rows = [], [], [], []
    registration_id = 0
    for n in range(events):
        start = now - timedelta(days=2 + n)
        event_rows.append(
            {
                "id": n + 1,
                "slug": f"bench-{n + 1}",
                "kind": KINDS[n % 3],
                "title": f"Bench event {n + 1}",
                "summary": "",
                "description": "",
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
                "timezone": "Europe/Budapest",
                "all_day": False,
                "format": "online",
                "venue": "",
                "address": "",
                "online_url": "",
                "status": "published",
                "visibility": "public",
                "sequence": 0,
                "translations": {},
                "host_partner_id": partners[n % len(partners)].id,
                "created_at": start,
                "updated_at": start,
            }
        )
        link_rows.append({"event_id": n + 1, "region_id": regions[n % 5].id})
        for p in range(people):
            registration_id += 1
            registration_rows.append(
                {
                    "id": registration_id,
                    "event_id": n + 1,
                    "name": f"Person {p}",
                    "email": f"person{(n * 7 + p) % (events * people // 3)}@example.org",
                    "organisation": "",
                    "stakeholder_type": TYPES[p % 6],
                    "region_id": regions[p % 5].id if p % 11 else None,
                    "locale": "en",
                    "status": "confirmed" if p % 9 else "cancelled",
                    "token": secrets.token_urlsafe(24),
                    "feed_token": secrets.token_urlsafe(24),
                    "checkin_token": secrets.token_urlsafe(24),
                    "answers": {},
                    "privacy_version": "",
                    "created_at": start,
                    "updated_at": start,
                }
            )
            if p % 10 < 7:
                attendance_rows.append(
                    {
                        "registration_id": registration_id,
                        "day": start.astimezone(zone("Europe/Budapest")).date(),
                        "status": "present" if p % 10 < 6 else "absent",
                        "minutes_online": 30 + p,
                        "source": "import",
                        "updated_at": start,
                    }
                )
    db.session.execute(insert(Event), event_rows)
    db.session.execute(insert(event_regions), link_rows)
    if registration_rows:
        db.session.execute(insert(Registration), registration_rows)
    if attendance_rows:
        db.session.execute(insert(Attendance), attendance_rows)
    db.session.commit()


def _timed(function, rounds: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _queries(function) -> int:
    statements: list[str] = []

    def count(*_args) -> None:
        statements.append("")

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _zoom_report(people: int) -> bytes:
    lines = ["Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"]
    for p in range(people):
        email = f"importee{p}@example.org" if p % 4 else ""
        lines.append(f"Importee {p},{email},03/10/2026 10:00:00 AM,03/10/2026 10:40:00 AM,40,No")
        lines.append(f"Importee {p},{email},03/10/2026 10:50:00 AM,03/10/2026 11:45:00 AM,55,No")
    return ("\r\n".join(lines) + "\r\n").encode()


def run() -> None:
    url, backend, schema = _database()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        }
    )
    print(f"Database: {backend}")
    with app.app_context():
        if schema:
            db.session.execute(text(f'CREATE SCHEMA "{schema}"'))
            db.session.commit()
        db.create_all()
        try:
            _fill(10, PEOPLE_PER_EVENT)
            small_queries = _queries(lambda: build_report(ReportFilters()))
            small_time, _ = _timed(lambda: build_report(ReportFilters()))
            _fill(EVENTS, PEOPLE_PER_EVENT)
            large_queries = _queries(lambda: build_report(ReportFilters()))
            large_time, report = _timed(lambda: build_report(ReportFilters()))
            filtered_time, _ = _timed(
                lambda: build_report(ReportFilters(kind="webinar", region="HU"))
            )
            print(f"build_report, 10 events:  {small_time * 1000:7.1f} ms, {small_queries} queries")
            print(
                f"build_report, {EVENTS} events: {large_time * 1000:7.1f} ms, {large_queries} queries "
                f"({EVENTS * PEOPLE_PER_EVENT:,} registrations, {report.attendances:,} attendances, "
                f"{report.unique_people:,} unique people)"
            )
            print(
                f"build_report, {EVENTS} events filtered by kind and region: {filtered_time * 1000:7.1f} ms"
            )
            print(f"queries 500 vs 10 events: {large_queries / small_queries:.2f}x (goal 1.00x)")

            # One webinar with 1,000 registrants and its Zoom report.
            _fill(1, 0)
            event = db.session.get(Event, 1)
            event.starts_at = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
            event.ends_at = event.starts_at + timedelta(hours=2)
            db.session.execute(
                insert(Registration),
                [
                    {
                        "event_id": 1,
                        "name": f"Importee {p}",
                        "email": f"importee{p}@example.org",
                        "organisation": "",
                        "stakeholder_type": "sme",
                        "locale": "en",
                        "status": "confirmed",
                        "token": secrets.token_urlsafe(24),
                        "feed_token": secrets.token_urlsafe(24),
                        "checkin_token": secrets.token_urlsafe(24),
                        "answers": {},
                        "privacy_version": "",
                        "created_at": event.starts_at,
                        "updated_at": event.starts_at,
                    }
                    for p in range(IMPORT_PEOPLE)
                ],
            )
            db.session.commit()
            data = _zoom_report(IMPORT_PEOPLE)

            def read_and_match():
                parse_with.cache_clear()  # each round starts cold, like a new upload
                clean_timestamp.cache_clear()
                report = read_report(data, tz=zone(event.timezone), near=event.days)
                return platform_import.preview_import(event, report, 60)

            import_time, preview = _timed(read_and_match, rounds=3)
            print(
                f"import preview: {len(data) / 1024:.0f} kB, {IMPORT_PEOPLE * 2:,} rows → "
                f"{len(preview.matched):,} matched in {import_time * 1000:.0f} ms (goal < 1000 ms)"
            )
            started = time.perf_counter()
            platform_import.apply_import(event, preview.records(), 60, recorded_by=None)
            db.session.commit()
            print(
                f"import confirm (store {len(preview.records()):,} records): {(time.perf_counter() - started) * 1000:.0f} ms"
            )
            sheet_time, rows = _timed(
                lambda: (
                    queries.sheet_rows(event, event.days[0]),
                    queries.day_counts(event, event.days[0]),
                )
            )
            print(
                f"check-in sheet rows + counts for {len(rows[0]):,} people: {sheet_time * 1000:.1f} ms"
            )
        finally:
            db.session.rollback()
            if schema:
                db.session.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                db.session.commit()
            else:
                db.drop_all()
            db.engine.dispose()
