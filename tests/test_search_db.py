"""The search table in the database: built by the migration, indexed on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import base_config
from tests.test_migrations_db import _scratch_databases
from webapp import create_app
from webapp.extensions import db
from webapp.search import events_matching


def test_migration_folds_the_texts_of_existing_events(tmp_path):
    """Events stored before the search table existed are found once it is added."""
    for label, url, cleanup in _scratch_databases(tmp_path):
        try:
            app = create_app(base_config(url, tmp_path))
            with app.app_context():
                upgrade(revision="0009")
                start = datetime(2031, 1, 10, 9, tzinfo=UTC)
                with db.engine.begin() as connection:
                    connection.execute(
                        text(
                            "INSERT INTO regions (code, name, country, timezone, locale)"
                            " VALUES ('LT', 'Klaipėda', 'Lithuania', 'Europe/Vilnius', 'lt')"
                        )
                    )
                    connection.execute(
                        text(
                            "INSERT INTO partners (name, short_name, region_id)"
                            " VALUES ('Klaipėda ID', 'KID', 1)"
                        )
                    )
                    event = db.metadata.tables["events"]
                    connection.execute(
                        event.insert().values(
                            id=1,
                            slug="port-day",
                            kind="webinar",
                            title="Uosto diena",
                            summary="",
                            description="",
                            starts_at=start,
                            ends_at=start + timedelta(hours=2),
                            timezone="Europe/Vilnius",
                            all_day=False,
                            format="online",
                            venue="",
                            address="Pécsi utca 1",
                            online_url="",
                            requires_approval=False,
                            visibility="public",
                            status="published",
                            sequence=0,
                            notify_organisers=False,
                            language="lt",
                            translations={"en": {"title": "Port day"}},
                            host_partner_id=1,
                            created_at=start,
                            updated_at=start,
                        )
                    )
                upgrade()
                for query in ("port day", "uosto", "pecs", "klaipeda id"):
                    assert list(db.session.scalars(events_matching(query))) == [1], (label, query)
                assert list(db.session.scalars(events_matching("nothing"))) == []
                db.session.remove()
                db.engine.dispose()
        finally:
            if cleanup:
                cleanup()


def test_postgresql_searches_through_a_trigram_index(app, make_event):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    make_event(title="Blue economy study visit to Klaipėda")
    index = db.session.scalar(
        text(
            "SELECT indexdef FROM pg_indexes"
            " WHERE indexname = 'ix_event_search_texts_document_trgm'"
        )
    )
    assert index is not None and "gin" in index and "gin_trgm_ops" in index
    statement = events_matching("klaipeda").compile(
        db.engine, compile_kwargs={"literal_binds": True}
    )
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {statement}")))
    assert "ix_event_search_texts_document_trgm" in plan
