"""Study-visit logistics: practical notes, the travel questions, their export, and the
short programme in the confirmation e-mail."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.outbox import render_queued
from webapp.extensions import db
from webapp.models import OutboxMessage, ProgrammeItem, Question, Registration
from webapp.timezones import local_to_utc


@pytest.fixture
def visit(make_event):
    day = (datetime.now(UTC) + timedelta(days=40)).date()
    start = local_to_utc(datetime(day.year, day.month, day.day, 9), "Europe/Madrid")
    event = make_event(
        start=start,
        duration=timedelta(days=2, hours=8),
        kind="study_visit",
        format="onsite",
        venue="Fórum Evolución",
        online_url="",
        timezone="Europe/Madrid",
        slug="burgos-visit",
        accommodation_notes="Rooms are held at Hotel Abba until one month before.",
    )
    for position, kind in enumerate(
        ("arrival_date", "departure_date", "dietary_needs", "accommodation")
    ):
        db.session.add(
            Question(event=event, label=kind, kind=kind, position=position, required=True)
        )
    db.session.add(
        ProgrammeItem(
            event=event,
            starts_at=start + timedelta(hours=1),
            ends_at=start + timedelta(hours=2),
            title="Visit to the bakery cluster",
            place="Cluster HQ",
        )
    )
    db.session.commit()
    return event


def answers_for(event, **values) -> dict[str, str]:
    by_kind = {q.kind: q.field_name for q in event.questions}
    return {by_kind[k]: v for k, v in values.items()}


def registration_data(event, **answers) -> dict[str, object]:
    days = event.days
    data = {
        "name": "Jonas Petrauskas",
        "email": "jonas@example.lt",
        "organisation": "Baltic Foods",
        "stakeholder_type": "sme",
        "region": "LT",
        "consent": "y",
    }
    values = {
        "arrival_date": (days[0] - timedelta(days=1)).isoformat(),
        "departure_date": days[-1].isoformat(),
        "dietary_needs": "Vegetarian",
        "accommodation": "book_for_me",
    }
    values.update(answers)
    data.update(answers_for(event, **values))
    return data


def test_registrants_read_the_travel_questions_in_their_language(client, visit):
    english = client.get("/events/burgos-visit/register").get_data(as_text=True)
    assert "When do you arrive?" in english and "Please book a room for me" in english
    assert 'type="date"' in english
    # The organiser typed a label in their language; each registrant reads the site's own.
    spanish = client.get("/events/burgos-visit/register", headers={"Accept-Language": "es"})
    assert "¿Cuándo llega?" in spanish.get_data(as_text=True)


def test_travel_answers_are_stored_and_exported(client, visit, make_user, login):
    response = client.post("/events/burgos-visit/register", data=registration_data(visit))
    assert response.headers["Location"] == "/events/burgos-visit/register/check-your-inbox"
    registration = db.session.scalar(db.select(Registration))
    by_kind = {q.kind: str(q.id) for q in visit.questions}
    assert registration.answers[by_kind["accommodation"]] == "book_for_me"
    assert (
        registration.answers[by_kind["arrival_date"]]
        == (visit.days[0] - timedelta(days=1)).isoformat()
    )

    login(make_user("organiser"))
    export = client.get(f"/organiser/events/{visit.id}/registrations.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-4:] == [
        "When do you arrive?",
        "When do you leave?",
        "Dietary needs or allergies",
        "Accommodation",
    ]
    assert rows[1][-2:] == ["Vegetarian", "Please book a room for me"]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"departure_date": "arrival-minus-one"}, "cannot be before the arrival date"),
        ({"arrival_date": "far-before"}, "Choose a date between"),
        ({"arrival_date": "2026-02-30"}, "Enter the date as year-month-day"),
        ({"accommodation": "a-palace"}, "Choose among the answers offered."),
        ({"dietary_needs": ""}, "Answer this question."),
    ],
)
def test_bad_travel_answers_get_a_message_next_to_the_field(client, visit, answers, message):
    days = visit.days
    replacements = {
        "arrival-minus-one": (days[0] - timedelta(days=2)).isoformat(),
        "far-before": (days[0] - timedelta(days=30)).isoformat(),
    }
    answers = {k: replacements.get(v, v) for k, v in answers.items()}
    response = client.post(
        "/events/burgos-visit/register", data=registration_data(visit, **answers)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_the_confirmation_carries_a_short_programme(client, visit):
    client.post("/events/burgos-visit/register", data=registration_data(visit))
    render_queued()
    message = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "confirmed"))
    assert "Programme (Europe/Madrid):" in message.body_text
    assert "10:00–11:00 Visit to the bakery cluster (Cluster HQ)" in message.body_text
    assert "https://events.example.org/events/burgos-visit/programme" in message.body_text
    assert "Visit to the bakery cluster" in message.body_html
    calendar_file = next(a for a in message.attachments if a["filename"].endswith(".ics"))
    assert "Visit to the bakery cluster" in calendar_file["content"]


def test_the_event_form_keeps_the_practical_notes(client, visit, make_user, login):
    login(make_user("organiser"))
    page = client.get(f"/organiser/events/{visit.id}/edit").get_data(as_text=True)
    assert "Rooms are held at Hotel Abba" in page
    assert 'name="meeting_point"' in page and 'name="travel_notes"' in page
    public = client.get("/events/burgos-visit").get_data(as_text=True)
    assert "Practical information" in public and "Rooms are held at Hotel Abba" in public


def test_the_organiser_adds_travel_questions_with_the_site_wording(client, make_user, login):
    from tests.test_organiser_events_views import form_data

    login(make_user("organiser"))
    data = form_data(
        kind="study_visit",
        language="hu",
        **{
            "questions-0-label": "",
            "questions-0-kind": "arrival_date",
            "questions-1-label": "",
            "questions-1-kind": "short_text",
        },
    )
    response = client.post("/organiser/events/new", data=data)
    assert "/organiser/events/" in response.headers["Location"]
    questions = list(db.session.scalars(db.select(Question)))
    # An empty label is fine for a travel question (the site words it, in the language of
    # the event's texts for the organisers' screens), not for others.
    assert [(q.kind, q.label) for q in questions] == [("arrival_date", "Mikor érkezik?")]
    event = questions[0].event
    english = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "When do you arrive?" in english and "Mikor érkezik?" not in english
