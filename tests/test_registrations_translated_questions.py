"""Registration questions in every language, answered with keys that read the same in all."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.test_organiser_events_views import form_data
from webapp.extensions import db
from webapp.models import Event, Question, Registration


@pytest.fixture
def lunch_question(make_event):
    event = make_event(slug="burgos-visit", title="Agri-food study visit", capacity=10)
    question = Question(
        event=event,
        label="Which lunch do you prefer?",
        kind="single_choice",
        options=["Vegetarian", "Fish", "Meat"],
        help_text="We order for the group.",
        required=True,
        translations={
            "lt": {
                "label": "Kokius pietus renkatės?",
                "help_text": "Užsakome visai grupei.",
                "options": ["Vegetariški", "", "Mėsa"],  # Fish is left untranslated
            },
            "hu": {"label": "Milyen ebédet kér?"},
        },
    )
    db.session.add(question)
    db.session.commit()
    return question


def registration_data(question, answer, **overrides) -> dict[str, object]:
    data = {
        "name": "Aušra Jonaitė",
        "email": "ausra@example.lt",
        "stakeholder_type": "sme",
        "region": "LT",
        "consent": "y",
        question.field_name: answer,
    }
    data.update(overrides)
    return data


def test_a_lithuanian_visitor_reads_the_question_in_lithuanian(client, lunch_question):
    page = client.get("/events/burgos-visit/register", headers={"Accept-Language": "lt"}).get_data(
        as_text=True
    )
    assert "Kokius pietus renkatės?" in page and "Užsakome visai grupei." in page
    assert "Vegetariški" in page and "Mėsa" in page
    assert "Fish" in page  # no translation: the original
    assert "Which lunch do you prefer?" not in page
    # The options answer with their keys, not their texts.
    assert 'value="1"' in page and 'value="3"' in page and 'value="Vegetarian"' not in page


def test_missing_translations_fall_back_to_the_original(client, lunch_question):
    hungarian = client.get(
        "/events/burgos-visit/register", headers={"Accept-Language": "hu"}
    ).get_data(as_text=True)
    assert "Milyen ebédet kér?" in hungarian
    assert "We order for the group." in hungarian and "Vegetarian" in hungarian
    polish = client.get(
        "/events/burgos-visit/register", headers={"Accept-Language": "pl"}
    ).get_data(as_text=True)
    assert "Which lunch do you prefer?" in polish


def test_answers_in_any_language_are_stored_and_exported_alike(
    client, lunch_question, make_user, login
):
    client.post(
        "/events/burgos-visit/register",
        data=registration_data(lunch_question, "3"),
        headers={"Accept-Language": "lt"},
    )
    client.post(
        "/events/burgos-visit/register",
        data=registration_data(lunch_question, "3", name="Ana Ruiz", email="ana@example.es"),
        headers={"Accept-Language": "es"},
    )
    stored = [r.answers for r in db.session.scalars(db.select(Registration))]
    assert stored == [{str(lunch_question.id): "3"}] * 2

    login(make_user("organiser"))
    event_id = lunch_question.event_id
    export = client.get(f"/organiser/events/{event_id}/registrations.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    assert [row["Which lunch do you prefer?"] for row in rows] == ["Meat", "Meat"]
    screen = client.get(f"/organiser/events/{event_id}/registrations").get_data(as_text=True)
    assert screen.count('data-label="Which lunch do you prefer?">Meat</td>') == 2


def test_an_option_that_does_not_exist_is_refused(client, lunch_question):
    for answer in ("Meat", "4", "0"):
        response = client.post(
            "/events/burgos-visit/register", data=registration_data(lunch_question, answer)
        )
        assert response.status_code == 400
        assert "Choose among the answers offered." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0


def test_registrant_reads_their_answer_in_their_language(client, lunch_question, make_registration):
    registration = make_registration(
        lunch_question.event, locale="lt", answers={str(lunch_question.id): "1"}
    )
    page = client.get(
        f"/registrations/{registration.token}", headers={"Accept-Language": "lt"}
    ).get_data(as_text=True)
    assert "<dt>Kokius pietus renkatės?</dt><dd>Vegetariški</dd>" in page
    data = json.loads(client.get(f"/registrations/{registration.token}/data.json").data)
    assert data["answers"] == [
        {"question": "Which lunch do you prefer?", "answer": "Vegetarian", "stored": "1"}
    ]


def test_multiple_choice_answers_are_keys_too(client, make_event):
    event = make_event(slug="topics")
    question = Question(
        event=event,
        label="Topics",
        kind="multiple_choice",
        options=["Export", "Digital", "Finance"],
        translations={"it": {"options": ["Export", "Digitale", "Finanza"]}},
    )
    db.session.add(question)
    db.session.commit()
    client.post(
        "/events/topics/register",
        data=registration_data(question, ["2", "3"], region="IT"),
        headers={"Accept-Language": "it"},
    )
    [registration] = db.session.scalars(db.select(Registration))
    assert registration.answers == {str(question.id): ["2", "3"]}
    page = client.get(
        f"/registrations/{registration.token}", headers={"Accept-Language": "it"}
    ).get_data(as_text=True)
    assert "Digitale, Finanza" in page


# --- the organiser writes the translations ---------------------------------------------


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def question_form(**overrides) -> dict[str, object]:
    return form_data(
        **{
            "questions-0-label": "Which sector?",
            "questions-0-kind": "single_choice",
            "questions-0-options": "Manufacturing\nServices",
            "questions-0-help_text": "For the matchmaking table.",
            "questions-0-translations-lt-label": "Kuris sektorius?",
            "questions-0-translations-lt-options": "Gamyba\nPaslaugos",
            "questions-0-translations-es-help_text": "Para la mesa de contactos.",
            "questions-0-position": "1",
            **overrides,
        }
    )


def test_organiser_gives_help_text_and_translations(client, organiser):
    response = client.post("/organiser/events/new", data=question_form())
    event = db.session.scalar(db.select(Event))
    assert event is not None, response.get_data(as_text=True)
    [question] = event.questions
    assert question.help_text == "For the matchmaking table."
    assert question.translations == {
        "lt": {"label": "Kuris sektorius?", "options": ["Gamyba", "Paslaugos"]},
        "es": {"help_text": "Para la mesa de contactos."},
    }
    form = client.get(f"/organiser/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Kuris sektorius?"' in form and "Gamyba\nPaslaugos</textarea>" in form


def test_more_translated_options_than_original_ones_are_refused(client, organiser):
    response = client.post(
        "/organiser/events/new",
        data=question_form(**{"questions-0-translations-lt-options": "Gamyba\nPaslaugos\nKita"}),
    )
    assert response.status_code in (200, 400)
    assert "more options here than in the original" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_over_long_translated_label_is_refused(client, organiser):
    response = client.post(
        "/organiser/events/new",
        data=question_form(**{"questions-0-translations-lt-label": "x" * 301}),
    )
    assert "Field cannot be longer than 300 characters." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_a_date_question_shows_its_help_text_in_the_visitors_language(client, make_event):
    event = make_event(slug="dated")
    db.session.add(
        Question(
            event=event,
            label="Preferred day",
            kind="date",
            help_text="Any weekday.",
            translations={"es": {"help_text": "Cualquier día laborable."}},
        )
    )
    db.session.commit()
    english = client.get("/events/dated/register").get_data(as_text=True)
    spanish = client.get("/events/dated/register", headers={"Accept-Language": "es"})
    assert "Any weekday." in english
    assert "Cualquier día laborable." in spanish.get_data(as_text=True)
