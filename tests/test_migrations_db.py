"""Alembic migrations build the same schema as the models."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from tests.conftest import TEST_DATABASE_URL, base_config
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db


def _scratch_databases(tmp_path):
    """(label, url, cleanup) for an empty SQLite file and, when configured, PostgreSQL."""
    yield "sqlite", f"sqlite:///{tmp_path / 'migrated.sqlite'}", None
    if TEST_DATABASE_URL:
        name = f"ive_migrations_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            normalise_database_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        yield "postgresql", url, drop


def test_upgrade_to_head_matches_models(tmp_path):
    checked = []
    for label, url, cleanup in _scratch_databases(tmp_path):
        try:
            app = create_app(base_config(url, tmp_path))
            with app.app_context():
                upgrade()
                tables = set(inspect(db.engine).get_table_names())
                assert {"events", "registrations", "attendances", "outbox_messages"} <= tables
                with db.engine.connect() as connection:
                    diff = compare_metadata(
                        MigrationContext.configure(connection, opts={"compare_type": True}),
                        db.metadata,
                    )
                assert diff == [], f"{label}: models and migrations differ: {diff}"
                db.engine.dispose()
            checked.append(label)
        finally:
            if cleanup:
                cleanup()
    assert checked[0] == "sqlite"
    if not TEST_DATABASE_URL:
        pytest.skip("checked SQLite only: TEST_DATABASE_URL is not set for PostgreSQL")


def test_downgrade_from_0014_fails_the_messages_not_written_yet(tmp_path):
    """0013's code would send a message still waiting for its text as an empty e-mail."""
    checked = []
    for label, url, cleanup in _scratch_databases(tmp_path):
        try:
            app = create_app(base_config(url, tmp_path))
            with app.app_context():
                upgrade(revision="0014")
                with db.engine.begin() as connection:
                    for kind, subject, args, sent in (
                        ("confirmed", "", '{"note": ""}', None),
                        ("reminder", "Reminder: Blue growth forum", None, "2030-01-01 10:00:00"),
                    ):
                        connection.execute(
                            text(
                                "INSERT INTO outbox_messages (kind, to_address, from_address,"
                                " subject, body_text, attachments, render_args, attempts,"
                                " next_attempt_at, sent_at, created_at) VALUES (:kind,"
                                " 'ana@example.org', 'events@example.org', :subject, '', '[]',"
                                " :args, 0, '2030-01-01 09:00:00', :sent, '2030-01-01 09:00:00')"
                            ),
                            {"kind": kind, "subject": subject, "args": args, "sent": sent},
                        )
                downgrade(revision="0013")
                columns = {c["name"] for c in inspect(db.engine).get_columns("outbox_messages")}
                assert "render_args" not in columns, label
                with db.engine.connect() as connection:
                    rows = connection.execute(
                        text(
                            "SELECT kind, failed_at IS NOT NULL, last_error FROM outbox_messages"
                            " ORDER BY id"
                        )
                    ).all()
                assert [tuple(row) for row in rows] == [
                    ("confirmed", True, "not rendered before the downgrade to revision 0013"),
                    ("reminder", False, None),
                ], label
                upgrade()
                db.engine.dispose()
            checked.append(label)
        finally:
            if cleanup:
                cleanup()
    assert checked[0] == "sqlite"
