"""Erasing a registration leaves no name, address or organisation anywhere else.

The event history (audit trail) used to copy a walk-in's name into the entry, where
neither "erase my data" nor the retention purge reached it.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from webapp.audit import record_audit
from webapp.extensions import db
from webapp.mail.queue import notify_host_organisers
from webapp.models import AuditEntry, OutboxMessage, Registration

WALK_IN_NAME = "Jonas Walkinaitis"
WALK_IN_EMAIL = "jonas.walkin@klaipeda.example"


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def _walk_in(client, event) -> Registration:
    response = client.post(
        f"/organiser/events/{event.id}/attendance/walk-in",
        data={
            "walkin-name": WALK_IN_NAME,
            "walkin-email": WALK_IN_EMAIL,
            "walkin-organisation": "Walk-in Consulting",
            "walkin-stakeholder_type": "business_support",
            "walkin-region": "LT",
            "walkin-consent": "y",
            "walkin-day": event.days[0].isoformat(),
        },
    )
    assert response.status_code in (302, 303)
    return db.session.scalar(db.select(Registration).where(Registration.email == WALK_IN_EMAIL))


def _everything_about(event_id: int) -> str:
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.event_id == event_id))
    return json.dumps([e.details for e in entries], ensure_ascii=False)


def test_walk_in_history_refers_to_the_registration_by_id(client, organiser, make_event):
    event = make_event(start=timedelta(minutes=-30))
    walk_in = _walk_in(client, event)
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "attendance.walk_in")
    )
    assert entry.registration_id == walk_in.id
    assert entry.details["registration_id"] == walk_in.id
    assert WALK_IN_NAME not in _everything_about(event.id)


def test_erasing_a_walk_in_leaves_no_name_in_the_event_history(client, organiser, make_event):
    event = make_event(start=timedelta(minutes=-30))
    walk_in = _walk_in(client, event)
    assert WALK_IN_NAME in client.get(f"/organiser/events/{event.id}").get_data(as_text=True)

    response = client.post(f"/registrations/{walk_in.token}/erase", data={"confirm": "y"})
    assert response.status_code in (302, 303)

    history = client.get(f"/organiser/events/{event.id}").get_data(as_text=True)
    assert "Added a walk-in and marked them present" in history
    assert WALK_IN_NAME not in history and WALK_IN_EMAIL not in history
    db.session.expire_all()
    assert WALK_IN_NAME not in _everything_about(event.id)


def test_purge_scrubs_names_copied_into_older_audit_entries(
    runner, app, make_event, make_registration, partner
):
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 30
    event = make_event(start=timedelta(days=-60), notify_organisers=True)
    partner.email = "events@pannon.example"
    person = make_registration(
        event, name="Ana Kovač", email="ana@sme.example", organisation="Kovač SME"
    )
    # As an earlier version wrote them: the name and address inside the details.
    record_audit(
        None,
        "attendance.walk_in",
        registration=person,
        details={"name": "Ana Kovač", "email": "ana@sme.example", "day": "2026-01-01"},
    )
    notify_host_organisers(person)
    db.session.commit()
    assert db.session.scalar(db.select(OutboxMessage.reply_to)) == "ana@sme.example"

    result = runner.invoke(args=["purge-personal-data"])
    assert result.exit_code == 0, result.output

    db.session.expire_all()
    entry = db.session.scalar(db.select(AuditEntry))
    assert entry.details == {"day": "2026-01-01"}
    assert entry.registration_id == person.id
    for message in db.session.scalars(db.select(OutboxMessage)):
        values = [message.to_address, message.reply_to, message.subject, message.body_text]
        assert not any("ana@sme.example" in (v or "") or "Kovač" in (v or "") for v in values)
