"""Double opt-in: "confirm your e-mail address to keep the seat".

One client filled the last seats of a small event with made-up addresses in seconds.
On an event that asks for it, a registration holds its seat (or waiting-list place)
only for ``EMAIL_CONFIRMATION_HOLD_MINUTES``; unconfirmed, it is released and the
waiting list moves as after a cancellation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.outbox import render_queued
from tests.test_organiser_events_views import form_data as event_form_data
from webapp.extensions import db
from webapp.models import AuditEntry, Event, OutboxMessage, Registration
from webapp.timezones import utcnow


@pytest.fixture
def app_config():
    return {"EMAIL_CONFIRMATION_HOLD_MINUTES": 30}


@pytest.fixture
def small_event(make_event, make_user):
    make_user(email="organiser@pannon.example")
    return make_event(
        slug="small-workshop",
        capacity=1,
        requires_email_confirmation=True,
        notify_organisers=True,
        online_url="https://meet.jit.si/small-workshop-room",
    )


def register(client, event, email: str, name: str = "Anna Kovács"):
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": name,
            "email": email,
            "stakeholder_type": "sme",
            "region": "HU",
            "consent": "y",
        },
    )
    assert response.headers["Location"].endswith("/register/check-your-inbox")
    db.session.expire_all()
    return db.session.scalar(
        db.select(Registration)
        .where(Registration.email == email)
        .order_by(Registration.id.desc())
        .limit(1)
    )


def kinds(registration=None) -> list[str]:
    query = db.select(OutboxMessage.kind).order_by(OutboxMessage.id)
    if registration is not None:
        query = query.where(OutboxMessage.to_address == registration.email)
    return list(db.session.scalars(query))


def expire(registration) -> None:
    registration.email_confirm_by = utcnow() - timedelta(minutes=1)
    db.session.commit()


def test_a_new_registration_holds_its_seat_until_the_address_is_confirmed(client, small_event):
    anna = register(client, small_event, "anna@example.org")
    assert anna.status == "confirmed"
    held_for = anna.email_confirm_by - utcnow()
    assert timedelta(minutes=29) < held_for <= timedelta(minutes=30)
    # Only the request to confirm: no calendar file, no join link, no organiser notice.
    assert kinds() == ["confirm_email"]
    [message] = render_queued()
    assert f"/registrations/{anna.token}" in message.body_text
    assert "small-workshop-room" not in message.body_text and not message.attachments

    page = client.get(f"/registrations/{anna.token}").get_data(as_text=True)
    assert "Confirm my e-mail address" in page
    assert "small-workshop-room" not in page

    response = client.post(f"/registrations/{anna.token}/confirm-email")
    assert response.headers["Location"] == f"/registrations/{anna.token}"
    db.session.expire_all()
    anna = db.session.get(Registration, anna.id)
    assert anna.email_confirm_by is None and anna.email_confirmed_at is not None
    assert anna.status == "confirmed"
    assert sorted(kinds()) == ["confirm_email", "confirmed", "organiser_notice"]
    page = client.get(f"/registrations/{anna.token}").get_data(as_text=True)
    assert "small-workshop-room" in page and "Confirm my e-mail address" not in page

    # Confirming again changes nothing and sends nothing.
    client.post(f"/registrations/{anna.token}/confirm-email")
    assert len(kinds()) == 3


def test_an_unconfirmed_seat_is_released_to_the_waiting_list_by_the_command(
    client, runner, small_event
):
    invented = register(client, small_event, "made-up-1@example.org", name="Bot")
    bea = register(client, small_event, "bea@example.org", name="Bea")
    assert bea.status == "waitlisted"
    client.post(f"/registrations/{bea.token}/confirm-email")
    db.session.expire_all()
    assert db.session.get(Registration, bea.id).status == "waitlisted"
    expire(db.session.get(Registration, invented.id))

    result = runner.invoke(args=["registrations", "release-expired"])

    assert result.exit_code == 0, result.output
    assert result.output == "Released 1 unconfirmed registrations.\n"
    db.session.expire_all()
    assert db.session.get(Registration, invented.id).status == "cancelled"
    assert db.session.get(Registration, bea.id).status == "confirmed"
    assert kinds(invented) == ["confirm_email"]  # nothing more to an invented address
    assert kinds(bea)[-1] == "promoted"
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "registration.expired")
    )
    assert entry.registration_id == invented.id and entry.user_id is None
    again = runner.invoke(args=["registrations", "release-expired"])
    assert again.output == "Released 0 unconfirmed registrations.\n"


def test_unconfirmed_people_on_the_waiting_list_are_passed_over(client, runner, small_event):
    holder = register(client, small_event, "holder@example.org")
    client.post(f"/registrations/{holder.token}/confirm-email")
    unconfirmed = register(client, small_event, "made-up-2@example.org", name="Bot")
    confirmed = register(client, small_event, "cem@example.org", name="Cem")
    client.post(f"/registrations/{confirmed.token}/confirm-email")

    client.post(f"/registrations/{holder.token}/cancel")

    db.session.expire_all()
    assert db.session.get(Registration, unconfirmed.id).status == "waitlisted"
    assert db.session.get(Registration, confirmed.id).status == "confirmed"


def test_an_expired_hold_is_released_when_the_next_person_registers(client, small_event):
    invented = register(client, small_event, "made-up-3@example.org", name="Bot")
    expire(invented)
    dora = register(client, small_event, "dora@example.org", name="Dora")
    assert dora.status == "confirmed"
    db.session.expire_all()
    assert db.session.get(Registration, invented.id).status == "cancelled"


def test_confirming_too_late_says_so_and_gives_the_seat_away(client, small_event):
    late = register(client, small_event, "late@example.org")
    expire(late)
    response = client.post(f"/registrations/{late.token}/confirm-email")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The time to confirm your e-mail address has passed" in page
    db.session.expire_all()
    assert db.session.get(Registration, late.id).status == "cancelled"


def test_registering_again_while_unconfirmed_sends_the_confirmation_again(client, small_event):
    first = register(client, small_event, "again@example.org")
    db.session.execute(db.update(OutboxMessage).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    second = register(client, small_event, "again@example.org")
    assert second.id == first.id
    assert kinds() == ["confirm_email", "confirm_email"]


def test_events_without_the_option_register_as_before(client, make_event):
    event = make_event(capacity=1)
    person = register(client, event, "plain@example.org")
    assert person.email_confirm_by is None and person.status == "confirmed"
    assert kinds() == ["confirmed"]


def test_organisers_turn_the_option_on_in_the_event_form(client, make_user, login):
    login(make_user("organiser"))
    page = client.get("/organiser/events/new").get_data(as_text=True)
    assert "Registrants confirm their e-mail address to keep their seat" in page
    client.post("/organiser/events/new", data=event_form_data(requires_email_confirmation="y"))
    event = db.session.scalar(db.select(Event))
    assert event.requires_email_confirmation is True
    client.post(f"/organiser/events/{event.id}/edit", data=event_form_data())
    db.session.expire_all()
    assert db.session.get(Event, event.id).requires_email_confirmation is False


def test_organisers_see_which_addresses_are_not_confirmed_yet(
    client, make_user, login, small_event
):
    held = register(client, small_event, "held@example.org", name="Held Person")
    login(make_user("organiser"))
    page = client.get(f"/organiser/events/{small_event.id}/registrations").get_data(as_text=True)
    assert "E-mail address not confirmed yet" in page
    client.post(f"/registrations/{held.token}/confirm-email")
    page = client.get(f"/organiser/events/{small_event.id}/registrations").get_data(as_text=True)
    assert "E-mail address not confirmed yet" not in page


def test_confirming_a_cancelled_registration_changes_nothing(client, small_event):
    gone = register(client, small_event, "gone@example.org")
    client.post(f"/registrations/{gone.token}/cancel")
    response = client.post(f"/registrations/{gone.token}/confirm-email")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This registration is no longer active." in page
    db.session.expire_all()
    assert db.session.get(Registration, gone.id).status == "cancelled"
    assert "confirmed" not in kinds()
