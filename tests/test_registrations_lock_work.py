"""Work done while a registration holds the event's lock: no more than it must.

Under the lock a registration counts the statuses (with the address's own registration
and the earliest confirmation deadline, in one query), stores itself and queues its
e-mail as what to say: the text and calendar file are written by the outbox worker. A
full event's newcomer is told their place on the waiting list, counted with the seats,
without a second count; unconfirmed holds are looked for only when one can have run out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.support.outbox import render_queued
from webapp.event_calendar import single_event_calendar
from webapp.extensions import db
from webapp.models import OutboxMessage, Registration
from webapp.registrations import services
from webapp.timezones import utcnow


def sign_up(event, email: str):
    outcome = services.register(
        event,
        name=email.split("@")[0].title(),
        email=email,
        organisation="Port of Klaipėda SME",
        stakeholder_type="sme",
        region=None,
        locale="en",
        answers={},
        consent_at=datetime.now(UTC),
        privacy_version="2026-01",
    )
    db.session.commit()
    return outcome.registration


def subject_of(registration) -> str:
    render_queued()
    return db.session.scalar(
        db.select(OutboxMessage.subject)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def test_waiting_list_mails_give_each_newcomers_place(make_event):
    event = make_event(capacity=1, title="Blue economy study visit")
    sign_up(event, "first@example.lt")
    waiting = [sign_up(event, f"waiting{n}@example.lt") for n in range(1, 4)]
    services.cancel_registration(waiting[1])  # the second person waiting leaves
    db.session.commit()
    latecomer = sign_up(event, "latecomer@example.lt")

    subjects = [subject_of(r) for r in (waiting[0], waiting[2], latecomer)]
    assert [s.split(":")[0] for s in subjects] == [
        "Waiting list, number 1",
        "Waiting list, number 3",
        "Waiting list, number 3",
    ]
    # The latecomer's number is the place the list now gives them; the third person's
    # mail, written after the second left, still tells the place they were given.
    assert services.waitlist_position(latecomer) == 3
    assert services.waitlist_position(waiting[2]) == 2


def test_a_place_on_the_waiting_list_costs_no_more_queries_than_awaiting_approval(
    make_event, count_queries
):
    full = make_event(capacity=0)
    approval = make_event(requires_approval=True)
    with count_queries() as waiting:
        assert sign_up(full, "waiting@example.hu").status == "waitlisted"
    with count_queries() as pending:
        assert sign_up(approval, "pending@example.hu").status == "pending"
    assert len(waiting) == len(pending)


def test_confirmations_of_one_event_build_its_calendar_file_once(make_event):
    single_event_calendar.cache_clear()
    event = make_event(capacity=None)
    for n in range(4):
        sign_up(event, f"person{n}@example.es")
    render_queued()
    files = {
        m.attachments[0]["content"]
        for m in db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "confirmed")
        )
    }
    assert len(files) == 1
    assert single_event_calendar.cache_info().misses == 1


def _statement_kinds(statements: list[str]) -> list[str]:
    """``SELECT registrations``, ``INSERT outbox_messages``...: verb and first table."""
    kinds = []
    for statement in statements:
        verb = statement.split(None, 1)[0].upper()
        match = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement, re.IGNORECASE)
        kinds.append(f"{verb} {match.group(1) if match else '?'}")
    return kinds


def _after_the_lock(statements: list[str]) -> list[str]:
    """The statements from the event lock on, the lock's own left out.

    PostgreSQL locks with one ``SELECT … FOR NO KEY UPDATE``; SQLite with a no-op
    ``UPDATE`` followed by the ``SELECT`` of the seat columns.
    """
    start = next(
        i
        for i, statement in enumerate(statements)
        if "FOR NO KEY UPDATE" in statement or "SET sequence = sequence" in statement
    )
    lock_statements = 2 if db.engine.dialect.name == "sqlite" else 1
    return _statement_kinds(statements[start + lock_statements :])


def test_under_the_lock_a_registration_counts_once_stores_itself_and_queues_what_to_say(
    make_event, count_queries
):
    event = make_event(capacity=10, title="Smart specialisation webinar")
    sign_up(event, "first@example.pl")
    with count_queries() as statements:
        registration = sign_up(event, "second@example.pl")
    assert _after_the_lock(statements) == [
        "SELECT registrations",  # the counts, the address's registration, the first deadline
        "INSERT registrations",
        "UPDATE data_version",
        "INSERT outbox_messages",
    ]
    # Nothing was rendered: the message waits for the worker, then reads as before.
    message = db.session.scalar(
        db.select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    )
    assert (message.kind, message.subject, message.body_text) == ("confirmed", "", "")
    assert message.awaits_rendering
    render_queued()
    db.session.refresh(message)
    assert message.subject == "Registration confirmed: Smart specialisation webinar"
    assert not message.awaits_rendering


def test_holds_are_looked_for_only_once_one_can_have_run_out(make_event, count_queries):
    event = make_event(capacity=1, requires_email_confirmation=True)
    holder = sign_up(event, "holder@example.it")
    assert holder.status == "confirmed" and holder.email_confirm_by > utcnow()

    with count_queries() as statements:
        late = sign_up(event, "late@example.it")
    assert late.status == "waitlisted"  # the seat is still held for the first person
    selects = [k for k in _after_the_lock(statements) if k == "SELECT registrations"]
    assert len(selects) == 1  # the count; no search for expired holds

    db.session.get(Registration, holder.id).email_confirm_by = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with count_queries() as statements:
        third = sign_up(event, "third@example.it")
    db.session.expire_all()
    # The hold ran out and was released. Its seat goes to the newcomer: the person
    # waiting has not confirmed their address either, and is passed over.
    assert db.session.get(Registration, holder.id).status == "cancelled"
    assert db.session.get(Registration, late.id).status == "waitlisted"
    assert third.status == "confirmed"
    selects = [k for k in _after_the_lock(statements) if k == "SELECT registrations"]
    assert len(selects) > 1  # the count, then the expired holds and the counts again


def test_an_expired_hold_frees_the_seat_for_the_newcomer(make_event):
    event = make_event(capacity=1, requires_email_confirmation=True)
    holder = sign_up(event, "holder@example.es")
    db.session.get(Registration, holder.id).email_confirm_by = utcnow() - timedelta(minutes=1)
    db.session.commit()
    newcomer = sign_up(event, "newcomer@example.es")
    db.session.expire_all()
    assert db.session.get(Registration, holder.id).status == "cancelled"
    assert db.session.get(Registration, newcomer.id).status == "confirmed"


def test_the_registration_form_does_not_read_the_programme(
    client, make_event, count_queries, regions
):
    event = make_event(slug="programme-heavy")
    with count_queries() as statements:
        response = client.post(
            f"/events/{event.slug}/register",
            data={
                "name": "Marta Nowak",
                "email": "marta@example.pl",
                "organisation": "Rzeszów SME",
                "stakeholder_type": "sme",
                "region": "PL",
                "consent": "y",
            },
        )
    assert response.headers["Location"].endswith("/register/check-your-inbox")
    assert not any("programme_items" in s or "speakers" in s for s in statements)
