"""Alembic migrations build the same schema as the models."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
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
