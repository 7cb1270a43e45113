"""Migration 0010 turns stored choice texts into option keys, and back on downgrade."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import base_config
from webapp import create_app
from webapp.extensions import db
from webapp.models import Event, Partner, Question, Region


@pytest.fixture
def migrated_app(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'keys.sqlite'}", tmp_path))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def stored_answers() -> list[dict]:
    rows = db.session.execute(text("SELECT answers FROM registrations ORDER BY id")).scalars()
    return [json.loads(row) if isinstance(row, str) else row for row in rows]


def test_choice_texts_become_keys_and_back(migrated_app):
    region = Region(
        code="LT", name="Klaipėda", country="Lithuania", timezone="Europe/Vilnius", locale="lt"
    )
    partner = Partner(name="Klaipeda ID", short_name="KID", region=region)
    start = datetime.now(UTC) + timedelta(days=10)
    event = Event(
        slug="keys",
        kind="webinar",
        title="Keys",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        timezone="Europe/Vilnius",
        host_partner=partner,
    )
    single = Question(event=event, label="Lunch", kind="single_choice", options=["Fish", "Meat"])
    multiple = Question(
        event=event, label="Topics", kind="multiple_choice", options=["Export", "Digital"]
    )
    free = Question(event=event, label="Notes", kind="short_text")
    db.session.add_all([event, single, multiple, free])
    db.session.flush()
    ids = (str(single.id), str(multiple.id), str(free.id))

    # Stored as texts, as before the migration: go down first, then write them.
    db.session.commit()
    downgrade(revision="0009")
    db.session.execute(
        text(
            "INSERT INTO registrations (event_id, name, email, organisation, stakeholder_type,"
            " locale, status, token, feed_token, checkin_token, answers, privacy_version,"
            " created_at, updated_at) VALUES (:event, :name, :email, '', 'sme', 'en',"
            " 'confirmed', :token, :feed, :checkin, :answers, '', :now, :now)"
        ),
        [
            {
                "event": event.id,
                "name": name,
                "email": f"{name}@example.org",
                "token": f"token-{name}-0123456789",
                "feed": f"feed-{name}-0123456789",
                "checkin": f"checkin-{name}-0123456789",
                "answers": answers,
                "now": datetime.now(UTC).isoformat(),
            }
            for name, answers in (
                ("a", f'{{"{ids[0]}": "Meat", "{ids[1]}": ["Export", "Digital"]}}'),
                ("b", f'{{"{ids[0]}": "Salad", "{ids[2]}": "Meat"}}'),
            )
        ],
    )
    db.session.commit()
    upgrade()
    assert stored_answers() == [
        {ids[0]: "2", ids[1]: ["1", "2"]},
        # A text that matches no option is kept; a free-text answer is never touched.
        {ids[0]: "Salad", ids[2]: "Meat"},
    ]
    downgrade(revision="0009")
    assert stored_answers() == [
        {ids[0]: "Meat", ids[1]: ["Export", "Digital"]},
        {ids[0]: "Salad", ids[2]: "Meat"},
    ]
