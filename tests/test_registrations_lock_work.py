"""Work done while a registration holds the event's lock: no more than it must.

A full event's newcomer is told their place on the waiting list, counted under the lock
with the seats, without a second count; the confirmation's calendar file is built once
per event, not once per registrant.
"""

from __future__ import annotations

from datetime import UTC, datetime

from webapp.event_calendar import single_event_calendar
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.registrations import services


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
    # The latecomer's number is the place the list now gives them.
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
    files = {
        m.attachments[0]["content"]
        for m in db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "confirmed")
        )
    }
    assert len(files) == 1
    assert single_event_calendar.cache_info().misses == 1
