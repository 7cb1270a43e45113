"""A registrant's language follows them into every e-mail, whoever causes it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.outbox import render_queued
from webapp.extensions import db
from webapp.models import OutboxMessage, Registration


def messages_for(registration_id: int) -> list[OutboxMessage]:
    render_queued()
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration_id)
            .order_by(OutboxMessage.id)
        )
    )


def test_registering_in_lithuanian_stores_the_language_and_mails_in_it(client, make_event, regions):
    event = make_event(
        slug="blue-economy",
        title="Blue economy pitch day",
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        timezone="Europe/Vilnius",
        region_codes=("LT",),
    )
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Rasa Petrauskienė",
            "email": "rasa@example.lt",
            "organisation": "Klaipėdos verslo centras",
            "stakeholder_type": "business_support",
            "region": "LT",
            "consent": "y",
        },
        headers={"Accept-Language": "lt-LT,lt;q=0.9"},
    )
    assert response.headers["Location"].endswith("/register/check-your-inbox")
    registration = db.session.scalar(db.select(Registration).filter_by(email="rasa@example.lt"))
    assert registration.locale == "lt"
    [mail] = messages_for(registration.id)
    assert mail.subject == "Registracija patvirtinta: Blue economy pitch day"
    assert "Sveiki, Rasa Petrauskienė," in mail.body_text
    assert "gruodžio 2 d." in mail.body_text  # the date, written the Lithuanian way


def test_an_english_speaking_organiser_approving_sends_the_lithuanian_mail(
    client, make_event, make_registration, make_user, login, regions
):
    event = make_event(title="Port logistics study visit", requires_approval=True)
    registration = make_registration(
        event, status="pending", name="Jonas Jonaitis", locale="lt", region=regions["LT"]
    )
    organiser = login(make_user(locale="en"))
    assert organiser.locale == "en"

    response = client.post(
        f"/organiser/events/{event.id}/registrations/{registration.id}/approve",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    # The organiser reads their own page in English...
    assert "Jonas Jonaitis is approved and has a seat" in response.get_data(as_text=True)
    # ...while the registrant's message is written in the language they registered in.
    [mail] = [m for m in messages_for(registration.id) if m.kind == "approved"]
    assert mail.subject == "Registracija patvirtinta: Port logistics study visit"
    assert "Sveiki, Jonas Jonaitis," in mail.body_text
    assert "Organizatoriai priėmė jūsų registraciją" in mail.body_text
    assert "The organisers" not in mail.body_text


def test_a_mail_uses_the_event_title_in_the_registrant_language(
    client, make_event, make_registration, make_user, login
):
    event = make_event(
        title="Digital export for SMEs",
        requires_approval=True,
        translations={"hu": {"title": "Digitális export kkv-knak"}},
    )
    registration = make_registration(event, status="pending", locale="hu")
    login(make_user())
    client.post(f"/organiser/events/{event.id}/registrations/{registration.id}/approve")
    [mail] = [m for m in messages_for(registration.id) if m.kind == "approved"]
    assert mail.subject == "Regisztráció jóváhagyva: Digitális export kkv-knak"
