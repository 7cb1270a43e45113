"""Shared fixtures: an app per test on a clean database, and factories for the model.

Every test that uses ``app`` runs on SQLite; when ``TEST_DATABASE_URL`` is set it runs
on PostgreSQL too. The schema is built once per backend and emptied after each test.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError

from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.models import Event, Partner, Region, Registration, User

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"

REGION_ROWS = [
    ("HU", "Hungary", "Hungary", "Europe/Budapest", "hu"),
    ("IT", "Lombardy", "Italy", "Europe/Rome", "it"),
    ("PL", "Podkarpackie", "Poland", "Europe/Warsaw", "pl"),
    ("ES", "Burgos", "Spain", "Europe/Madrid", "es"),
    ("LT", "Klaipėda", "Lithuania", "Europe/Vilnius", "lt"),
]


@event.listens_for(Engine, "connect")
def _no_waiting_for_the_disk(dbapi_connection, connection_record) -> None:
    """Commits in tests need not survive a power cut: skip waiting for the disk's flush.

    The data a test sees is the same; only durability after a crash is given up, which
    makes every commit (the factories commit often) several times cheaper.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET synchronous_commit TO off")
        dbapi_connection.autocommit = autocommit


def _postgres_reachable(url: str) -> str | None:
    """None when the database answers, else the reason it does not."""
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


def pytest_configure(config: pytest.Config) -> None:
    from tests.support.catalogs import compile_catalogs

    compile_catalogs()
    if TEST_DATABASE_URL:
        problem = _postgres_reachable(TEST_DATABASE_URL)
        if problem and IN_CI:
            raise pytest.UsageError(
                f"TEST_DATABASE_URL is set but PostgreSQL is unreachable under CI: {problem}"
            )
        config._postgres_problem = problem  # type: ignore[attr-defined]
    else:
        config._postgres_problem = "TEST_DATABASE_URL is not set"  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests drive the UI, not the database: run them once, on SQLite."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        in_browser = item.nodeid.startswith("tests/browser/")
        (dropped if on_postgres and in_browser else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


def base_config(database_url: str, tmp_path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "https://events.example.org",
        "SERVER_NAME": None,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIRECTORY": str(tmp_path / "outbox"),
    }


def worker_database_url(url: str, worker: str | None) -> str:
    """The PostgreSQL database of one pytest-xdist worker: ``<database>_<worker>``.

    Parallel workers must not empty each other's tables, so each gets its own database
    beside ``TEST_DATABASE_URL``'s, created on first use (left in place for the next run).
    Without workers the database is ``TEST_DATABASE_URL``'s own.
    """
    url = normalise_database_url(url)
    if not worker:
        return url
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        name = f"{admin.url.database}_{worker}"
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        return admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.dispose()


@pytest.fixture(scope="session", params=backends())
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """The database the tests of this backend share (schema built once per worker)."""
    if request.param == "postgresql":
        problem = request.config._postgres_problem
        if problem:
            pytest.skip(f"PostgreSQL tests skipped: {problem}")
        url = worker_database_url(TEST_DATABASE_URL, os.environ.get("PYTEST_XDIST_WORKER"))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    app = create_app(base_config(url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield url
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    """Delete every row the test left and restart the id sequences.

    Only tables holding rows are touched (one query finds them): most tests fill a few of
    the tables, and on PostgreSQL a ``TRUNCATE`` of every table costs far more than the
    test itself. Rows go child tables first; should a constraint still object, a
    ``TRUNCATE … CASCADE`` of those tables does it. (SQLite numbers rows from the
    highest id left, so emptied tables start again at 1 there too.)
    """
    tables = db.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f'SELECT {index} WHERE EXISTS (SELECT 1 FROM "{table.name}")'
        for index, table in enumerate(tables)
    )
    filled = {index for (index,) in db.session.execute(text(probe))}
    try:
        for index in sorted(filled, reverse=True):
            db.session.execute(tables[index].delete())
        db.session.commit()
    except DBAPIError:
        db.session.rollback()
        names = ", ".join(f'"{tables[index].name}"' for index in filled)
        db.session.execute(text(f"TRUNCATE {names} CASCADE"))
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # RESTART IDENTITY without TRUNCATE: every sequence back to its start value.
        db.session.execute(text("SELECT setval(seqrelid, seqstart, false) FROM pg_sequence"))
        db.session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own application context.

    The test itself holds an app context (for the factories). Without this, Flask would
    reuse it for each request, sharing the test's database session and ``g`` with the
    view — which hides lazy loads and per-request caching mistakes.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_config() -> dict[str, object]:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    application = create_app({**base_config(database_url, tmp_path), **app_config})
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def count_queries(app):
    """A context manager collecting the SQL statements run inside it."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


# --- factories -------------------------------------------------------------------------


@pytest.fixture
def regions(app) -> dict[str, Region]:
    """The five partnership regions, keyed by code."""
    rows = {}
    for code, name, country, tz, locale in REGION_ROWS:
        rows[code] = Region(code=code, name=name, country=country, timezone=tz, locale=locale)
        db.session.add(rows[code])
    db.session.commit()
    return rows


_counter = itertools.count(1)


@pytest.fixture
def make_partner(app, regions):
    def factory(region: str = "HU", short_name: str | None = None, **fields) -> Partner:
        n = next(_counter)
        partner = Partner(
            short_name=short_name or f"P{n}",
            name=fields.pop("name", f"Partner {n}"),
            region=regions[region],
            **fields,
        )
        db.session.add(partner)
        db.session.commit()
        return partner

    return factory


@pytest.fixture
def partner(make_partner) -> Partner:
    return make_partner("HU", short_name="PANNON", name="PANNON EGTC")


@pytest.fixture
def make_event(app, regions, partner):
    """Build a published, public event; keyword arguments override any field.

    ``start`` is an aware datetime or a timedelta from now (default: in 7 days).
    """

    def factory(
        start: datetime | timedelta = timedelta(days=7),
        duration: timedelta = timedelta(hours=2),
        region_codes: tuple[str, ...] = ("HU",),
        **fields,
    ) -> Event:
        n = next(_counter)
        starts_at = start if isinstance(start, datetime) else datetime.now(UTC) + start
        starts_at = starts_at.replace(microsecond=0)
        values = {
            "slug": f"event-{n}",
            "kind": "webinar",
            "title": f"Event {n}",
            "summary": f"Summary of event {n}",
            "description": "",
            "starts_at": starts_at,
            "ends_at": starts_at + duration,
            "timezone": "Europe/Budapest",
            "format": "online",
            "online_url": f"https://meet.jit.si/secret-room-{n}",
            "status": "published",
            "visibility": "public",
            "reminder_hours": 24,  # what the organiser form proposes
            "host_partner": partner,
            "regions": [regions[c] for c in region_codes],
        }
        values.update(fields)
        event = Event(**values)
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def make_registration(app, regions):
    def factory(event: Event, status: str = "confirmed", **fields) -> Registration:
        n = next(_counter)
        values = {
            "event": event,
            "name": f"Person {n}",
            "email": f"person{n}@example.org",
            "organisation": "Example Ltd",
            "stakeholder_type": "sme",
            "region": regions["HU"],
            "status": status,
            "consent_at": datetime.now(UTC),
            "privacy_version": "2026-01",
        }
        values.update(fields)
        registration = Registration(**values)
        db.session.add(registration)
        db.session.commit()
        return registration

    return factory


@pytest.fixture
def make_user(app, partner):
    def factory(role: str = "organiser", password: str = "correct horse battery", **fields) -> User:
        n = next(_counter)
        values = {
            "email": f"user{n}@partner.example",
            "name": f"User {n}",
            "role": role,
            "partner": partner if role == "organiser" else None,
        }
        values.update(fields)
        user = User(**values)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(app, client):
    """Log ``user`` in on ``client`` without going through the login form (nor the second
    factor): a session row and its cookie, as a completed login leaves them."""
    from webapp import sessions

    def log_in(user: User) -> User:
        with app.test_request_context(
            environ_base={
                "REMOTE_ADDR": "127.0.0.1",
                "HTTP_USER_AGENT": client.environ_base.get("HTTP_USER_AGENT", ""),
            }
        ):
            from flask import session

            sessions.begin(db.session.merge(user))
            db.session.commit()
            values = dict(session)
        with client.session_transaction() as client_session:
            client_session.clear()
            client_session.update(values)
        return user

    return log_in


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a loopback port; the app sends through it.

    ``smtp_server.messages`` lists what arrived; ``stop()`` and ``start()`` take it down
    and bring it back on the same port (a refused connection in between).
    """
    from tests.support.smtp import SMTPServer

    server = SMTPServer().start()
    app.config.update(server.config())
    yield server
    server.stop()
