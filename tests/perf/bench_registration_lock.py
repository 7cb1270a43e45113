"""How long one registration holds its event's lock, in one process (no HTTP, no load).

Registrations of one event queue behind its row lock, so the time from taking the lock
to the commit bounds how many registrations per second an event can take, whatever the
number of workers. Measured per outcome (a seat, the waiting list, a seat at an on-site
event, whose mail also carries the check-in code) and, for seats, with the calendar
file cache emptied before each registration (what every confirmation cost before the
cache). PostgreSQL when ``BENCH_DATABASE_URL`` names one, else SQLite in a temporary
directory. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.perf.fixtures import hungarian_region
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.event_calendar import event_ics, single_event_calendar
from webapp.extensions import db
from webapp.models import Event, OutboxMessage, Partner, Region, Registration
from webapp.registrations import services

PER_CASE = 150
WARM_UP = 10


def _event(run_id: str, name: str, partner: Partner, region: Region, **fields) -> Event:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    values = {
        "slug": f"bench-lock-{name}-{run_id}",
        "kind": "webinar",
        "title": f"Lock benchmark {name}",
        "summary": "Internationalisation for SMEs of the five regions.",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "timezone": "Europe/Budapest",
        "format": "online",
        "online_url": "https://meet.example.org/bench",
        "status": "published",
        "host_partner": partner,
        "regions": [region],
    }
    values.update(fields)
    event = Event(**values)
    db.session.add(event)
    return event


def _register_timed(event_id: int, email: str, before: Callable[[], None]) -> float:
    """Milliseconds from ``register`` (which takes the event lock first) to the commit."""
    event = db.session.get(Event, event_id)
    _ = event.host_partner, list(event.regions), list(event.questions)  # as the view loads
    before()
    started = time.perf_counter()
    services.register(
        event,
        name="Bench person",
        email=email,
        organisation="Benchmark SME",
        stakeholder_type="sme",
        region=None,
        locale="en",
        answers={},
        consent_at=datetime.now(UTC),
        privacy_version="bench",
    )
    db.session.commit()
    return (time.perf_counter() - started) * 1000


def _time_interleaved(
    cases: dict[str, tuple[int, Callable[[], None]]], run_id: str
) -> dict[str, list[float]]:
    """One registration per case in turn, so a change in the machine's load hits all alike."""
    timings: dict[str, list[float]] = {label: [] for label in cases}
    for n in range(PER_CASE + WARM_UP):
        for label, (event_id, before) in cases.items():
            elapsed = _register_timed(event_id, f"lock-{run_id}-{event_id}-{n}@example.org", before)
            if n >= WARM_UP:
                timings[label].append(elapsed)
    return timings


def _time_calendar_file(event_id: int, rounds: int = 300) -> tuple[float, float]:
    """Median milliseconds of a confirmation's calendar file: built, and from the cache."""
    event = db.session.get(Event, event_id)
    built, cached = [], []
    for _ in range(rounds):
        single_event_calendar.cache_clear()
        started = time.perf_counter()
        event_ics(event, personal=True)
        built.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        event_ics(event, personal=True)
        cached.append((time.perf_counter() - started) * 1000)
    return statistics.median(built), statistics.median(cached)


def _line(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return (
        f"{label:<44} median {statistics.median(ordered):6.2f} ms   p90 {p90:6.2f} ms   "
        f"(n={len(ordered)})"
    )


def run() -> None:
    url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    directory = None
    if not url.startswith("postgresql"):
        directory = tempfile.TemporaryDirectory()
        url = f"sqlite:///{directory.name}/bench.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "PUBLIC_BASE_URL": "https://events.example.org",
        }
    )
    run_id = secrets.token_hex(4)
    with app.app_context():
        db.create_all()
        region = hungarian_region()
        created_region = region.id is None
        partner = Partner(short_name=f"L{run_id[:6]}", name=f"Lock bench {run_id}", region=region)
        events = {
            "seat": _event(run_id, "seat", partner, region),
            "seat_uncached": _event(run_id, "uncached", partner, region),
            "waiting": _event(run_id, "waiting", partner, region, capacity=0),
            "onsite": _event(
                run_id,
                "onsite",
                partner,
                region,
                format="onsite",
                online_url="",
                venue="PANNON EGTC",
                address="Pécs",
            ),
        }
        db.session.add_all([region, partner])
        db.session.commit()
        ids = {name: event.id for name, event in events.items()}
        try:
            nothing = lambda: None  # noqa: E731
            with app.test_request_context():
                results = _time_interleaved(
                    {
                        "a seat (online)": (ids["seat"], nothing),
                        "a seat, calendar file built each time": (
                            ids["seat_uncached"],
                            single_event_calendar.cache_clear,
                        ),
                        "the waiting list": (ids["waiting"], nothing),
                        "a seat on site (mail with check-in code)": (ids["onsite"], nothing),
                    },
                    run_id,
                )
                calendar_file = _time_calendar_file(ids["seat"])
            dialect = db.engine.dialect.name
        finally:
            _teardown(list(ids.values()), partner.id, region.id if created_region else None)
    if directory is not None:
        directory.cleanup()

    print(f"database: {dialect}; from register() (which takes the lock first) to the commit")
    for label, timings in results.items():
        print(_line(label, timings))
    built, cached = calendar_file
    print(
        f"a confirmation's calendar file: built {built:.2f} ms, from the cache {cached:.2f} ms "
        f"(saves {built - cached:.2f} ms of lock time per confirmation)"
    )
    cached = statistics.median(results["a seat (online)"])
    print(
        f"one event can take about {1000 / cached:.0f} confirmations/s "
        f"and {1000 / statistics.median(results['the waiting list']):.0f} waiting-list places/s "
        "from this process alone"
    )


def _teardown(event_ids: list[int], partner_id: int, region_id: int | None) -> None:
    db.session.rollback()
    registrations = db.select(Registration.id).where(Registration.event_id.in_(event_ids))
    db.session.execute(
        db.delete(OutboxMessage).where(
            OutboxMessage.event_id.in_(event_ids) | OutboxMessage.registration_id.in_(registrations)
        )
    )
    db.session.execute(db.delete(Registration).where(Registration.event_id.in_(event_ids)))
    for event_id in event_ids:
        db.session.delete(db.session.get(Event, event_id))
    db.session.flush()
    db.session.delete(db.session.get(Partner, partner_id))
    if region_id is not None:
        db.session.flush()
        db.session.delete(db.session.get(Region, region_id))
    db.session.commit()
    db.engine.dispose()
