"""Registration rules: e-mail normalisation, opening window, capacity, waiting list,
approval, cancellation, erasure and the personal data export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from webapp.extensions import db
from webapp.models import Attendance, OutboxMessage, Registration
from webapp.registrations import services
from webapp.registrations.services import (
    CapacityError,
    InvalidEmail,
    InvalidTransition,
    RegistrationClosed,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def sign_up(event, email, *, name="Anna Kovács", region=None, now=None, **fields):
    values = dict(
        name=name,
        email=email,
        organisation="Kovács Kft.",
        stakeholder_type="sme",
        region=region,
        locale="hu",
        answers={},
        consent_at=datetime.now(UTC),
        privacy_version="2026-01",
    )
    values.update(fields)
    outcome = services.register(event, now=now, **values)
    db.session.commit()
    return outcome


def mail_kinds(registration) -> list[str]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage.kind)
            .where(OutboxMessage.registration_id == registration.id)
            .order_by(OutboxMessage.id)
        )
    )


def statuses(event) -> dict[str, int]:
    return services.status_counts([event.id])[event.id]


# --- e-mail addresses -------------------------------------------------------------------


def test_normalise_email_folds_case_and_unicode_forms():
    assert services.normalise_email("  Anna.Kovacs@Example.ORG ") == "anna.kovacs@example.org"
    decomposed = "jose\u0301@example.org"  # e + combining acute accent
    precomposed = "JOS\u00c9@example.org"
    assert services.normalise_email(decomposed) == services.normalise_email(precomposed)
    assert services.normalise_email(precomposed) == "jos\u00e9@example.org"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "anna",
        "anna@",
        "@example.org",
        "anna@@example.org",
        "anna example@x.org",
        "a" * 250 + "@example.org",
    ],
)
def test_normalise_email_refuses_invalid_addresses(raw):
    with pytest.raises(InvalidEmail) as caught:
        services.normalise_email(raw)
    assert caught.value.message
    assert caught.value.field == "email"


# --- when registration is open ----------------------------------------------------------


def test_registration_open_only_while_published_and_inside_the_window(make_event):
    event = make_event(
        start=NOW + timedelta(days=10),
        registration_opens_at=NOW - timedelta(days=1),
        registration_closes_at=NOW + timedelta(days=5),
    )
    assert services.registration_closed_reason(event, NOW) is None

    early = services.registration_closed_reason(event, NOW - timedelta(days=2))
    assert early.startswith("Registration opens on")
    late = services.registration_closed_reason(event, NOW + timedelta(days=5))
    assert late.startswith("Registration closed on")
    over = services.registration_closed_reason(event, NOW + timedelta(days=11))
    assert "already taken place" in over

    event.status = "draft"
    assert "not open" in services.registration_closed_reason(event, NOW)
    event.status = "cancelled"
    assert "cancelled" in services.registration_closed_reason(event, NOW)


def test_register_on_a_closed_event_stores_nothing(make_event):
    event = make_event(status="cancelled")
    with pytest.raises(RegistrationClosed):
        sign_up(event, "anna@example.org")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


# --- capacity and the waiting list ------------------------------------------------------


def test_seats_are_confirmed_up_to_capacity_then_the_waiting_list_fills_in_order(
    make_event, regions
):
    event = make_event(capacity=2)
    first = sign_up(event, "one@example.org", region=regions["IT"])
    second = sign_up(event, "two@example.org")
    third = sign_up(event, "three@example.org")
    fourth = sign_up(event, "four@example.org")

    assert [o.status for o in (first, second, third, fourth)] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert all(o.created for o in (first, second, third, fourth))
    assert services.waitlist_position(third.registration) == 1
    assert services.waitlist_position(fourth.registration) == 2
    assert services.waitlist_position(first.registration) is None
    assert mail_kinds(first.registration) == ["confirmed"]
    assert mail_kinds(third.registration) == ["waitlisted"]
    assert first.registration.region.code == "IT"
    assert first.registration.privacy_version == "2026-01"


def test_unlimited_capacity_always_confirms(make_event):
    event = make_event(capacity=None)
    outcomes = [sign_up(event, f"p{n}@example.org") for n in range(5)]
    assert {o.status for o in outcomes} == {"confirmed"}


def test_zero_capacity_puts_everyone_on_the_waiting_list(make_event):
    event = make_event(capacity=0)
    assert sign_up(event, "anna@example.org").status == "waitlisted"


def test_cancelling_a_seat_promotes_the_first_person_waiting(make_event):
    event = make_event(capacity=1)
    holder = sign_up(event, "holder@example.org").registration
    waiting_first = sign_up(event, "first@example.org").registration
    waiting_second = sign_up(event, "second@example.org").registration

    promoted = services.cancel_registration(holder)
    db.session.commit()

    assert promoted == [waiting_first]
    assert holder.status == "cancelled"
    assert waiting_first.status == "confirmed"
    assert waiting_second.status == "waitlisted"
    assert services.waitlist_position(waiting_second) == 1
    assert mail_kinds(holder) == ["confirmed", "cancelled"]
    assert mail_kinds(waiting_first) == ["waitlisted", "promoted"]
    assert statuses(event)["confirmed"] == 1


def test_cancelling_from_the_waiting_list_moves_the_others_up_without_promotion(make_event):
    event = make_event(capacity=1)
    sign_up(event, "holder@example.org")
    first = sign_up(event, "first@example.org").registration
    second = sign_up(event, "second@example.org").registration
    third = sign_up(event, "third@example.org").registration

    assert services.cancel_registration(first) == []
    db.session.commit()
    assert [services.waitlist_position(r) for r in (second, third)] == [1, 2]
    assert statuses(event)["confirmed"] == 1


def test_cancelling_twice_changes_nothing_the_second_time(make_event):
    event = make_event(capacity=5)
    registration = sign_up(event, "anna@example.org").registration
    services.cancel_registration(registration)
    db.session.commit()
    assert services.cancel_registration(registration) == []
    db.session.commit()
    assert mail_kinds(registration) == ["confirmed", "cancelled"]


def test_raising_capacity_promotes_in_registration_order(make_event):
    event = make_event(capacity=1)
    sign_up(event, "holder@example.org")
    waiting = [sign_up(event, f"w{n}@example.org").registration for n in range(4)]

    event.capacity = 3
    promoted = services.promote_from_waiting_list(event)
    db.session.commit()

    assert promoted == waiting[:2]
    assert [r.status for r in waiting] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(r) for r in waiting[2:]] == [1, 2]
    assert mail_kinds(waiting[0]) == ["waitlisted", "promoted"]
    assert mail_kinds(waiting[2]) == ["waitlisted"]


def test_removing_the_limit_promotes_everyone_waiting(make_event):
    event = make_event(capacity=1)
    sign_up(event, "holder@example.org")
    waiting = [sign_up(event, f"w{n}@example.org").registration for n in range(3)]
    event.capacity = None
    assert services.promote_from_waiting_list(event) == waiting
    db.session.commit()
    assert statuses(event)["confirmed"] == 4


def test_a_newcomer_does_not_overtake_people_already_waiting(make_event):
    event = make_event(capacity=1)
    sign_up(event, "holder@example.org")
    waiting = sign_up(event, "waiting@example.org").registration
    # Capacity raised by someone who did not move the waiting list up.
    db.session.execute(text("UPDATE events SET capacity = 2 WHERE id = :id"), {"id": event.id})
    db.session.commit()

    newcomer = sign_up(event, "newcomer@example.org")
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"
    assert newcomer.status == "waitlisted"


# --- repeated registrations -------------------------------------------------------------


def test_registering_again_with_the_same_address_resends_the_link(make_event):
    event = make_event(capacity=10)
    first = sign_up(event, "Anna.Kovacs@Example.org")
    again = sign_up(event, "  anna.kovacs@EXAMPLE.org", name="Someone Else")

    assert again.created is False
    assert again.registration.id == first.registration.id
    assert again.registration.name == "Anna Kovács"
    assert statuses(event)["confirmed"] == 1
    assert mail_kinds(first.registration) == ["confirmed", "link_resent"]


def test_the_link_is_resent_at_most_every_ten_minutes(make_event):
    event = make_event(capacity=10)
    registration = sign_up(event, "anna@example.org").registration
    for _ in range(3):
        sign_up(event, "anna@example.org")
    assert mail_kinds(registration) == ["confirmed", "link_resent"]
    later = datetime.now(UTC) + timedelta(minutes=11)
    assert sign_up(event, "anna@example.org", now=later).created is False
    assert mail_kinds(registration) == ["confirmed", "link_resent", "link_resent"]


def test_waitlist_positions_of_a_whole_event(make_event, make_registration, count_queries):
    event = make_event(capacity=1)
    make_registration(event)
    first = make_registration(event, status="waitlisted")
    make_registration(event, status="cancelled")
    second = make_registration(event, status="waitlisted")
    event_id = event.id
    with count_queries() as statements:
        positions = services.waitlist_positions(event_id)
    assert positions == {first.id: 1, second.id: 2}
    assert len(statements) == 1
    assert services.waitlist_position(second) == 2


def test_after_cancelling_the_same_address_can_register_again(make_event):
    event = make_event(capacity=10)
    first = sign_up(event, "anna@example.org").registration
    services.cancel_registration(first)
    db.session.commit()
    again = sign_up(event, "anna@example.org")
    assert again.created is True
    assert again.registration.id != first.id
    assert again.status == "confirmed"


def test_the_same_address_may_register_for_different_events(make_event):
    a, b = make_event(), make_event()
    assert sign_up(a, "anna@example.org").created
    assert sign_up(b, "anna@example.org").created


# --- approval ---------------------------------------------------------------------------


def test_events_requiring_approval_register_as_pending_without_holding_a_seat(make_event):
    event = make_event(capacity=1, requires_approval=True, kind="partner_meeting")
    outcome = sign_up(event, "anna@example.org")
    assert outcome.status == "pending"
    assert mail_kinds(outcome.registration) == ["pending"]
    assert statuses(event)["confirmed"] == 0
    assert services.seats_left(event, 0) == 1


def test_approval_confirms_while_a_seat_is_free_then_waitlists(make_event):
    event = make_event(capacity=1, requires_approval=True)
    first = sign_up(event, "first@example.org").registration
    second = sign_up(event, "second@example.org").registration

    assert services.approve_registration(first) == "confirmed"
    assert services.approve_registration(second) == "waitlisted"
    db.session.commit()
    assert mail_kinds(first) == ["pending", "approved"]
    assert mail_kinds(second) == ["pending", "waitlisted"]
    assert services.waitlist_position(second) == 1

    with pytest.raises(InvalidTransition):
        services.approve_registration(first)


def test_rejecting_a_pending_registration(make_event):
    event = make_event(requires_approval=True)
    registration = sign_up(event, "anna@example.org").registration
    services.reject_registration(registration)
    db.session.commit()
    assert registration.status == "rejected"
    assert mail_kinds(registration) == ["pending", "rejected"]
    with pytest.raises(InvalidTransition):
        services.reject_registration(registration)


# --- organiser override -----------------------------------------------------------------


def test_confirm_from_waiting_list_needs_a_reason_when_full(make_event):
    event = make_event(capacity=1)
    sign_up(event, "holder@example.org")
    waiting = sign_up(event, "waiting@example.org").registration

    with pytest.raises(CapacityError):
        services.confirm_from_waiting_list(waiting)
    db.session.rollback()
    assert db.session.get(Registration, waiting.id).status == "waitlisted"

    services.confirm_from_waiting_list(waiting, override_reason="Speaker from the host region")
    db.session.commit()
    assert waiting.status == "confirmed"
    assert mail_kinds(waiting) == ["waitlisted", "promoted"]
    assert statuses(event)["confirmed"] == 2


def test_confirm_from_waiting_list_with_a_free_seat(make_event, make_registration):
    event = make_event(capacity=3)
    waiting = make_registration(event, status="waitlisted")
    services.confirm_from_waiting_list(waiting)
    db.session.commit()
    assert waiting.status == "confirmed"
    with pytest.raises(InvalidTransition):
        services.confirm_from_waiting_list(waiting)


# --- counting ---------------------------------------------------------------------------


def test_status_counts_in_one_query(make_event, make_registration, count_queries):
    a, b, empty = make_event(), make_event(), make_event()
    make_registration(a, status="confirmed")
    make_registration(a, status="confirmed")
    make_registration(a, status="waitlisted")
    make_registration(b, status="pending")
    make_registration(b, status="cancelled")
    ids = [a.id, b.id, empty.id]
    with count_queries() as statements:
        counts = services.status_counts(ids)
    assert len(statements) == 1
    assert counts[a.id] == {
        "confirmed": 2,
        "waitlisted": 1,
        "pending": 0,
        "cancelled": 0,
        "rejected": 0,
    }
    assert counts[b.id]["pending"] == 1 and counts[b.id]["cancelled"] == 1
    assert set(counts[empty.id].values()) == {0}


# --- locking ----------------------------------------------------------------------------


def test_lock_event_holds_the_database_write_lock_until_commit(app, make_event):
    event = make_event(capacity=1)
    services.lock_event(event.id)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if db.engine.dialect.name == "sqlite":
        other = create_engine(url, connect_args={"timeout": 0.1})
        statement = text("UPDATE events SET title = 'x' WHERE id = :id")
    else:
        other = create_engine(url)
        statement = text("SELECT id FROM events WHERE id = :id FOR UPDATE NOWAIT")
    try:
        with other.connect() as connection:
            with pytest.raises(OperationalError):
                connection.execute(statement, {"id": event.id})
                connection.commit()
            connection.rollback()
        db.session.commit()
        with other.connect() as connection:
            connection.execute(statement, {"id": event.id})
            connection.rollback()
    finally:
        other.dispose()


# --- tokens -----------------------------------------------------------------------------


def test_find_by_token(make_event):
    registration = sign_up(make_event(), "anna@example.org").registration
    assert len(registration.token) >= 22  # ≥ 128 bits in URL-safe base64
    assert services.find_by_token(registration.token) == registration
    tampered = registration.token[:-1] + ("A" if registration.token[-1] != "A" else "B")
    assert services.find_by_token(tampered) is None
    assert services.find_by_token(registration.token[:-2]) is None
    assert services.find_by_token("../etc/passwd") is None
    assert services.find_by_token("x" * 500) is None
    assert services.find_by_token("") is None


# --- personal data ----------------------------------------------------------------------


def test_erasing_after_the_event_keeps_status_and_statistics(make_event, regions):
    event = make_event(start=timedelta(days=-3))
    registration = Registration(
        event=event,
        name="Anna Kovács",
        email="anna@example.org",
        organisation="Kovács Kft.",
        stakeholder_type="ngo",
        region=regions["PL"],
        status="confirmed",
        answers={"1": "Secret answer"},
        consent_at=datetime.now(UTC),
        privacy_version="2026-01",
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(Attendance(registration=registration, day=event.days[0], status="present"))
    db.session.commit()
    old_feed = registration.feed_token

    services.erase_registration(registration)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Registration, registration.id)
    assert stored.erased_at is not None
    assert "Anna" not in stored.name and stored.organisation == "" and stored.answers == {}
    assert "anna" not in stored.email
    assert stored.feed_token != old_feed
    assert (stored.status, stored.stakeholder_type, stored.region.code) == (
        "confirmed",
        "ngo",
        "PL",
    )
    assert [a.status for a in stored.attendances] == ["present"]


def test_erasing_before_the_event_frees_the_seat_and_drops_unsent_mail(make_event):
    event = make_event(capacity=1)
    holder = sign_up(event, "holder@example.org").registration
    waiting = sign_up(event, "waiting@example.org").registration

    services.erase_registration(holder)
    db.session.commit()

    assert holder.status == "cancelled"
    assert waiting.status == "confirmed"
    assert mail_kinds(holder) == []  # the unsent confirmation went with the data
    assert mail_kinds(waiting) == ["waitlisted", "promoted"]
    addresses = db.session.scalars(db.select(OutboxMessage.to_address))
    assert "holder@example.org" not in set(addresses)


def test_export_contains_everything_stored_about_the_person(make_event):
    event = make_event(capacity=0)
    outcome = sign_up(event, "anna@example.org", answers={"99": "Digital trade"})
    data = services.export_registration_data(outcome.registration)
    assert data["name"] == "Anna Kovács"
    assert data["email"] == "anna@example.org"
    assert data["organisation"] == "Kovács Kft."
    assert data["status"] == "waitlisted"
    assert data["waiting_list_position"] == 1
    assert data["event"]["slug"] == event.slug
    assert data["answers"] == [{"question": "99", "answer": "Digital trade"}]
    assert data["privacy_notice_version"] == "2026-01"
    assert data["consent_given_at"]
    assert data["attendance"] == []
    assert isinstance(date.fromisoformat(data["registered_at"][:10]), date)
