"""Pages, feeds and registrations as a share of the stack's own speed (issue 19's goals).

Serves the app with gunicorn (4 workers) on PostgreSQL (``BENCH_DATABASE_URL``, in a
schema of its own, dropped after) holding 5,000 upcoming public events, and loads it
from 8 keep-alive connections with ``wrk`` (Debian: ``apt-get install wrk``; without it a
slower Python load generator on the same cores stands in, and says so). Every request
kind runs in short alternating rounds beside ``/livez``, a constant-string route with
the same middleware and no database; the printed ratio is the median of the rounds'
``requests per second / requests per second of /livez``.

Also printed: SQL queries per request with 10 and with 5,000 events (each request
kind, first and repeated), the resident memory of every worker after the run, and the
machine's ceiling for an answer the size of the feed: a WSGI app with no framework and
no database (``tests/perf/bare_wsgi.py``) sending the same number of bytes, as a share
of its own constant route (moving megabytes through loopback to wrk bounds any app).
Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from sqlalchemy import event as sa_event
from sqlalchemy import text

from tests.perf.bench_feeds import _fill
from tests.perf.bench_registrations import _visitor
from tests.support.gunicorn import PROJECT_ROOT, free_port, gunicorn_server, wait_until_healthy
from tests.support.load import run_load
from webapp import create_app, data_version
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.models import Event, OutboxMessage, Partner, Region, Registration

EVENTS = 5_000
WORKERS = 4
CONNECTIONS = 8
SECONDS_PER_ROUND = 4
ROUNDS = 3
CAPACITY = 100
POPULAR_SLUG = "bench-popular-webinar"
RSS_GOAL_MB = 150

# (label, goal as a share of /livez)
GOALS = {
    "catalogue /": 0.25,
    "event page": 0.25,
    "/calendar.ics 304": 0.5,
    "/calendar.ics 200 (cached)": 0.25,
    "/calendar.ics 200 plain": 0.25,
    "registration POST": 0.10,
}
# Calendar apps ask for gzip; "plain" is a client that does not.
GZIP = {"Accept-Encoding": "gzip"}


def _database() -> tuple[str, str]:
    """(URL of a fresh PostgreSQL schema for the app, the schema's name)."""
    url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    schema = f"bench_stack_{secrets.token_hex(4)}"
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}", schema


def _add_popular_event(app) -> None:
    """One published webinar with 100 seats, open for registration (in the 5,000)."""
    with app.app_context():
        partner = db.session.scalar(db.select(Partner).order_by(Partner.id))
        region = db.session.scalar(db.select(Region).where(Region.code == "HU"))
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        db.session.add(
            Event(
                id=EVENTS + 1,  # the filled events have ids 1..EVENTS
                slug=POPULAR_SLUG,
                kind="webinar",
                title="Popular benchmark webinar",
                summary="Export readiness for SMEs of the five regions.",
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
        )
        db.session.commit()


# --- SQL queries per request ------------------------------------------------------------------


def _count_queries(app, client, method: str, path: str, **kwargs) -> tuple[int, int]:
    """Queries of a request (the app's engine and the data version's reads), and its status."""
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    version_reads = data_version.reads
    try:
        response = client.open(path, method=method, **kwargs)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return len(statements) + data_version.reads - version_reads, response.status_code


def _queries(app, n: int) -> dict[str, tuple[int, int]]:
    """(first, repeated) queries of each request kind, in a fresh client."""
    client = app.test_client()
    feed = client.get("/calendar.ics")
    etag = feed.headers.get("ETag", "")
    event_path = f"/events/{POPULAR_SLUG}"
    kinds: dict[str, Callable[[], tuple[int, int]]] = {
        "/livez": lambda: _count_queries(app, client, "GET", "/livez"),
        "catalogue /": lambda: _count_queries(app, client, "GET", "/"),
        "event page": lambda: _count_queries(app, client, "GET", event_path),
        "/calendar.ics 304": lambda: _count_queries(
            app, client, "GET", "/calendar.ics", headers={"If-None-Match": etag}
        ),
        "/calendar.ics 200 (cached)": lambda: _count_queries(
            app, client, "GET", "/calendar.ics", headers=GZIP
        ),
        "/calendar.ics 200 plain": lambda: _count_queries(app, client, "GET", "/calendar.ics"),
        "registration POST": lambda: _count_queries(
            app,
            client,
            "POST",
            f"/events/{POPULAR_SLUG}/register",
            data=_registration_fields(f"queries-{n}-{secrets.token_hex(3)}"),
        ),
    }
    counts = {}
    for label, request in kinds.items():
        first, _status = request()
        again, _status = request()
        counts[label] = (first, again)
    return counts


def _registration_fields(tag: str) -> dict[str, str]:
    return {
        "name": f"Bench person {tag}",
        "email": f"bench-{tag}@example.org",
        "organisation": "Benchmark SME",
        "stakeholder_type": "sme",
        "region": "HU",
        "consent": "y",
    }


# --- load --------------------------------------------------------------------------------------

WRK_POST_SCRIPT = """
local counter = 0
local thread_tag = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_tag", threads)
end
function request()
  counter = counter + 1
  local tag = "{run}-" .. thread_tag .. "-" .. counter
  local body = "csrf_token={token}&name=Bench+person+" .. tag ..
    "&email=bench-" .. tag .. "%40example.org&organisation=Benchmark+SME" ..
    "&stakeholder_type=sme&region=HU&consent=y"
  return wrk.format("POST", "{path}", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "{cookie}",
  }}, body)
end
"""


class Load:
    """Requests per second of one request kind, by wrk or (without it) in Python."""

    def __init__(self, base_url: str, run_id: str, workdir: Path) -> None:
        self.base_url = base_url
        self.run_id = run_id
        self.workdir = workdir
        self.wrk = shutil.which("wrk")
        self.rounds = 0

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[float, dict]:
        if self.wrk:
            args = []
            for name, value in (headers or {}).items():
                args += ["-H", f"{name}: {value}"]
            return self._wrk(args, path)
        result = run_load(
            self.base_url,
            lambda _w, _n: ("GET", path, dict(headers or {}), None),
            concurrency=CONNECTIONS,
            duration=SECONDS_PER_ROUND,
        )
        return result.per_second, dict(result.statuses)

    def register(self, path: str, cookie: str, token: str) -> tuple[float, dict]:
        self.rounds += 1
        run = f"{self.run_id}-{self.rounds}"
        if self.wrk:
            script = self.workdir / f"register-{self.rounds}.lua"
            script.write_text(
                WRK_POST_SCRIPT.format(run=run, token=token, path=path, cookie=cookie)
            )
            return self._wrk(["-s", str(script)], path)

        def factory(worker: int, n: int):
            fields = {"csrf_token": token, **_registration_fields(f"{run}-{worker}-{n}")}
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            return "POST", path, headers, urlencode(fields).encode()

        result = run_load(
            self.base_url, factory, concurrency=CONNECTIONS, duration=SECONDS_PER_ROUND
        )
        return result.per_second, dict(result.statuses)

    def _wrk(self, args: list[str], path: str) -> tuple[float, dict]:
        completed = subprocess.run(
            [
                self.wrk,
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS_PER_ROUND}s",
                *args,
                f"{self.base_url}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        output = completed.stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        problems = {}
        for pattern, label in (
            (r"Non-2xx or 3xx responses:\s+(\d+)", "non-2xx/3xx"),
            (r"Socket errors:.*", "socket errors"),
        ):
            found = re.search(pattern, output)
            if found:
                problems[label] = found.group(1) if found.groups() else found.group(0)
        return rate, problems


@contextmanager
def _bare_server(body_bytes: int) -> Iterator[str]:
    """gunicorn with the same worker count serving ``tests.perf.bare_wsgi`` (no Flask)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tests.perf.bare_wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "BARE_WSGI_BODY_BYTES": str(body_bytes)},
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process, 30)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _worker_rss_mb(port: int) -> list[float]:
    """Resident memory of each gunicorn worker serving ``port`` (master excluded)."""
    bind = f"127.0.0.1:{port}".encode()
    processes: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if bind not in (entry / "cmdline").read_bytes():
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(
            line.split(":", 1) for line in status.splitlines() if ":" in line and line.strip()
        )
        rss_kb = int(fields.get("VmRSS", "0 kB").split()[0])
        processes[int(entry.name)] = (int(fields["PPid"].strip()), rss_kb / 1024)
    return [rss for parent, rss in processes.values() if parent in processes]


def run() -> None:
    if not normalise_database_url(os.environ.get("BENCH_DATABASE_URL", "")).startswith(
        "postgresql"
    ):
        print("skipped: set BENCH_DATABASE_URL to a PostgreSQL database (make bench does)")
        return
    url, schema = _database()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "PUBLIC_BASE_URL": "https://bench.example.org",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "file",
            "MAIL_FILE_DIRECTORY": tempfile.mkdtemp(prefix="ive-bench-mail-"),
        }
    )
    with app.app_context():
        db.session.execute(text(f'CREATE SCHEMA "{schema}"'))
        db.session.commit()
        db.create_all()
    run_id = secrets.token_hex(3)
    ratios: dict[str, list[float]] = {label: [] for label in GOALS}
    rates: dict[str, list[float]] = {"/livez": [], **{label: [] for label in GOALS}}
    problems: dict[str, dict] = {}
    try:
        _fill(app, 10)
        _add_popular_event(app)
        queries_small = _queries(app, 10)
        with app.app_context():
            db.session.execute(db.delete(OutboxMessage))
            db.session.execute(db.delete(Registration))
            db.session.commit()
        _fill(app, EVENTS)
        _add_popular_event(app)
        queries_large = _queries(app, EVENTS)
        with app.app_context():
            events = db.session.scalar(db.select(db.func.count(Event.id)))

        workdir = Path(tempfile.mkdtemp(prefix="ive-bench-"))
        with gunicorn_server(
            url,
            workers=WORKERS,
            startup_timeout=180,
            # a loaded machine may take long to build the 5,000-event feed once
            environment={"GUNICORN_CMD_ARGS": "--timeout 300"},
        ) as base_url:
            load = Load(base_url, run_id, workdir)
            register_path = f"/events/{POPULAR_SLUG}/register"
            cookie, token = _visitor(base_url, register_path)
            etag = _etag(base_url)
            for _ in range(WORKERS * 3):  # every worker has built the feed once
                _etag(base_url)
                _etag(base_url, GZIP)
            kinds: dict[str, Callable[[], tuple[float, dict]]] = {
                "catalogue /": lambda: load.get("/"),
                "event page": lambda: load.get(f"/events/{POPULAR_SLUG}"),
                "/calendar.ics 304": lambda: load.get("/calendar.ics", {"If-None-Match": etag}),
                "/calendar.ics 200 (cached)": lambda: load.get("/calendar.ics", GZIP),
                "/calendar.ics 200 plain": lambda: load.get("/calendar.ics"),
                "registration POST": lambda: load.register(register_path, cookie, token),
            }
            for _round in range(ROUNDS):
                for label, measure in kinds.items():
                    constant, _ = load.get("/livez")
                    rate, seen = measure()
                    rates["/livez"].append(constant)
                    rates[label].append(rate)
                    ratios[label].append(rate / constant if constant else 0.0)
                    if seen:
                        problems[label] = seen
            rss = _worker_rss_mb(urlsplit(base_url).port)
            feed_bytes = len(_body(base_url, "/calendar.ics"))
        # The machine's ceiling for an answer of the feed's size: the same bytes from a
        # WSGI app with nothing in it, beside its own constant route (after the app's
        # server has stopped, so both servers never share the cores).
        with _bare_server(feed_bytes) as bare_url:
            bare = Load(bare_url, run_id, workdir)
            bare_ratios = []
            for _round in range(ROUNDS):
                app_constant, _ = bare.get("/livez")
                body_rate, _ = bare.get("/body")
                bare_ratios.append(body_rate / app_constant if app_constant else 0.0)
        shutil.rmtree(workdir, ignore_errors=True)
        load_average = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        with app.app_context():
            db.session.rollback()
            db.session.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            db.session.commit()
            db.engine.dispose()

    generator = "wrk -t2" if load.wrk else "Python threads (install wrk: apt-get install wrk)"
    print(
        f"PostgreSQL, {events:,} events; gunicorn {WORKERS} workers; {generator}, "
        f"{CONNECTIONS} connections; {ROUNDS} alternating rounds of {SECONDS_PER_ROUND} s"
    )
    print(f"load average after the run (1, 5, 15 min): {' '.join(load_average)}")
    print(f"{'request':28} {'req/s':>8} {'ratio':>7} {'goal':>6}  queries 10 / {EVENTS:,} events")
    print(
        f"{'/livez (constant)':28} {statistics.median(rates['/livez']):8.0f} {1:7.3f} {'':>6}  "
        f"first {queries_small['/livez'][0]}/{queries_large['/livez'][0]}"
    )
    for label, goal in GOALS.items():
        ratio = statistics.median(ratios[label])
        mark = "ok" if ratio >= goal else "BELOW"
        small, large = queries_small[label], queries_large[label]
        print(
            f"{label:28} {statistics.median(rates[label]):8.0f} {ratio:7.3f} {goal:6.2f}  "
            f"first {small[0]}/{large[0]}, again {small[1]}/{large[1]}  {mark}"
            + (f"  ({problems[label]})" if label in problems else "")
        )
    print(
        f"ceiling for a {feed_bytes / 1e6:.2f} MB answer on this machine: a bare WSGI app "
        f"(gunicorn, no framework, no database) sends it at {statistics.median(bare_ratios):.3f} "
        "of its own constant route"
    )
    worst = max(rss, default=0.0)
    print(
        "resident memory per worker after the run: "
        + ", ".join(f"{value:.0f} MB" for value in sorted(rss))
        + f" (goal <= {RSS_GOAL_MB} MB: {'ok' if worst <= RSS_GOAL_MB else 'ABOVE'})"
    )


def _body(base_url: str, path: str) -> bytes:
    with urllib.request.urlopen(f"{base_url}{path}", timeout=60) as response:
        return response.read()


def _etag(base_url: str, headers: dict[str, str] | None = None) -> str:
    request = urllib.request.Request(f"{base_url}/calendar.ics", headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.headers["ETag"]
