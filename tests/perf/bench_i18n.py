"""What serving a page in another language costs: catalogue and event page per language.

A temporary SQLite database with the five regions and 12 upcoming events (some with
Hungarian texts). For each language, the median time of the catalogue and of an event
page through the test client (the full request: locale choice, catalog lookup, Babel
date formatting, template), and the ratio to English. Also the region page chosen by the
region's language (no Accept-Language: one extra query) against one chosen by the
browser. Goal: another language within 10 % of English. Figures are printed, never
asserted.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.catalogs import compile_catalogs
from webapp import create_app
from webapp.demo import REGIONS
from webapp.extensions import db
from webapp.models import Event, Partner, Region
from webapp.timezones import utcnow

ROUNDS = 150


def _seed() -> None:
    regions = [
        Region(code=c, name=n, country=k, timezone=tz, locale=lc) for c, n, k, tz, lc in REGIONS
    ]
    partner = Partner(name="PANNON EGTC", short_name="PANNON", region=regions[0])
    db.session.add_all([*regions, partner])
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    for n in range(12):
        db.session.add(
            Event(
                slug=f"event-{n}",
                kind=("webinar", "study_visit", "partner_meeting")[n % 3],
                title=f"Internationalisation workshop {n}",
                summary="How SMEs of the five regions find partners abroad.",
                description="Part one.\n\nPart two.",
                starts_at=start + timedelta(days=n),
                ends_at=start + timedelta(days=n, hours=2),
                timezone=REGIONS[n % 5][3],
                format="online",
                online_url="https://meet.jit.si/room",
                status="published",
                capacity=40,
                host_partner=partner,
                regions=[regions[n % 5], regions[(n + 1) % 5]],
                translations={"hu": {"title": f"Nemzetköziesítési műhely {n}"}} if n % 2 else {},
                created_at=datetime.now(UTC),
            )
        )
    db.session.commit()


def _medians_ms(client, cases: dict[str, tuple[str, dict[str, str]]]) -> dict[str, float]:
    """Median time per case; cases alternate within each round so load drift hits all alike."""
    for path, headers in cases.values():
        for _ in range(10):
            client.get(path, headers=headers)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, (path, headers) in cases.items():
            began = time.perf_counter()
            response = client.get(path, headers=headers)
            samples[name].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    return {name: statistics.median(values) for name, values in samples.items()}


def run() -> None:
    compile_catalogs()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            _seed()
        client = app.test_client()
        languages = ("en", "hu", "it", "pl", "es", "lt")
        cases = {
            (lang, path): (path, {"Accept-Language": lang})
            for lang in languages
            for path in ("/", "/events/event-1")
        }
        cases[("lt", "by region")] = ("/regions/LT", {})
        cases[("lt", "by browser")] = ("/regions/LT", {"Accept-Language": "lt"})
        ms = _medians_ms(client, cases)
        print(f"median of {ROUNDS} alternating requests, ms (ratio to English)")
        print(f"{'language':<10}{'catalogue':>18}{'event page':>18}")
        for lang in languages:
            row = [
                f"{ms[(lang, path)]:8.2f} ({ms[(lang, path)] / ms[('en', path)]:4.2f})"
                for path in ("/", "/events/event-1")
            ]
            print(f"{lang:<10}{row[0]:>18}{row[1]:>18}")
        by_browser, by_region = ms[("lt", "by browser")], ms[("lt", "by region")]
        print(
            f"region page in Lithuanian: chosen by the browser {by_browser:.2f} ms, "
            f"by the region {by_region:.2f} ms ({by_region / by_browser:.2f})"
        )
