"""A registrant's own page: correcting details, the privacy notice, the personal feed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.outbox import written
from webapp.extensions import db
from webapp.mail.queue import queue_registration_mail
from webapp.models import AuditEntry, Question, Registration


@pytest.fixture
def webinar(make_event):
    event = make_event(slug="export-webinar", title="Export readiness webinar", capacity=5)
    db.session.add_all(
        [
            Question(event=event, position=0, label="Which market?", kind="short_text"),
            Question(
                event=event,
                position=1,
                label="Lunch?",
                kind="single_choice",
                options=["Vegetarian", "Meat"],
                required=True,
            ),
        ]
    )
    db.session.commit()
    return event


def details(**overrides) -> dict[str, object]:
    data = {"name": "Aušra Jonaitė", "organisation": "Klaipėda ID", "stakeholder_type": "ngo"}
    data["region"] = "LT"
    data.update(overrides)
    return data


def question_ids(event) -> tuple[int, int]:
    first, second = event.questions
    return first.id, second.id


def test_registrant_corrects_name_region_and_answers(client, webinar, make_registration):
    market, lunch = question_ids(webinar)
    registration = make_registration(webinar, answers={str(market): "Italy"})
    page = client.get(f"/registrations/{registration.token}/edit")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Italy"' in text and 'value="Example Ltd"' in text
    assert page.headers["Cache-Control"] == "no-store"

    response = client.post(
        f"/registrations/{registration.token}/edit",
        data=details(**{f"q_{market}": "Poland", f"q_{lunch}": "1"}),
    )
    assert response.headers["Location"] == f"/registrations/{registration.token}"
    db.session.expire_all()
    assert (registration.name, registration.organisation, registration.region.code) == (
        "Aušra Jonaitė",
        "Klaipėda ID",
        "LT",
    )
    assert registration.stakeholder_type == "ngo"
    assert registration.email.startswith("person")  # the address is not editable here
    assert registration.answers[str(market)] == "Poland"
    manage = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your details are saved." in manage and "Poland" in manage

    [entry] = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "registration.details_changed")
    )
    assert entry.registration_id == registration.id and entry.user_id is None
    assert set(entry.details["fields"]) == {
        "name",
        "organisation",
        "stakeholder_type",
        "region",
        "answers",
    }
    # The audit trail names the fields, never the personal values.
    assert "Aušra" not in str(entry.details) and "Poland" not in str(entry.details)


def test_an_unchanged_form_writes_no_audit_entry(client, webinar, make_registration):
    _market, lunch = question_ids(webinar)
    registration = make_registration(webinar, answers={str(lunch): "2"})
    data = details(
        name=registration.name,
        organisation="Example Ltd",
        stakeholder_type="sme",
        region="HU",
        **{f"q_{lunch}": "2"},
    )
    response = client.post(f"/registrations/{registration.token}/edit", data=data)
    assert "Nothing was changed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


def test_bad_input_is_refused_and_nothing_changes(client, webinar, make_registration):
    _market, lunch = question_ids(webinar)
    registration = make_registration(webinar, answers={str(lunch): "2"})
    cases = [
        details(name="", **{f"q_{lunch}": "2"}),
        details(name="x" * 201, **{f"q_{lunch}": "2"}),
        details(region="XX", **{f"q_{lunch}": "2"}),
        details(**{f"q_{lunch}": "3"}),  # not an option
        details(),  # a required answer missing
    ]
    for data in cases:
        response = client.post(f"/registrations/{registration.token}/edit", data=data)
        assert response.status_code == 400
        assert 'class="field-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert registration.name.startswith("Person") and registration.answers == {str(lunch): "2"}


def test_details_cannot_change_once_the_event_has_started(client, make_event, make_registration):
    started = make_event(start=timedelta(minutes=-10), duration=timedelta(hours=2))
    registration = make_registration(started)
    manage = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert "Correct my details" not in manage
    for method in (client.get, client.post):
        response = method(f"/registrations/{registration.token}/edit", data=details())
        assert response.headers["Location"] == f"/registrations/{registration.token}"
    db.session.expire_all()
    assert registration.name.startswith("Person")


def test_cancelled_registration_cannot_be_edited(client, webinar, make_registration):
    registration = make_registration(webinar, status="cancelled")
    response = client.post(f"/registrations/{registration.token}/edit", data=details())
    assert response.headers["Location"] == f"/registrations/{registration.token}"
    db.session.expire_all()
    assert registration.name.startswith("Person")


def test_unknown_token_edit_is_404(client, webinar):
    assert client.get("/registrations/not-a-real-token-at-all/edit").status_code == 404


# --- the personal feed --------------------------------------------------------------------


@pytest.mark.parametrize("status", ["waitlisted", "pending"])
def test_no_personal_feed_until_confirmed(client, webinar, make_registration, status):
    registration = make_registration(webinar, status=status)
    page = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert registration.feed_token not in page
    assert "once your seat is confirmed" in page
    # Nor the event's calendar file: it would add an event they hold no seat at.
    assert f"/events/{webinar.slug}.ics" not in page


def test_confirmed_registrant_gets_the_personal_feed(client, webinar, make_registration):
    registration = make_registration(webinar)
    page = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert f"/feeds/{registration.feed_token}.ics" in page
    assert f"/events/{webinar.slug}.ics" in page


# --- the privacy notice -------------------------------------------------------------------


def test_built_in_privacy_notice_in_the_visitors_language(client):
    english = client.get("/privacy").get_data(as_text=True)
    assert "Privacy notice" in english and "Version 2026-01" in english
    lithuanian = client.get("/privacy", headers={"Accept-Language": "lt"}).get_data(as_text=True)
    assert "<h1>Privatumo pranešimas</h1>" in lithuanian


def test_privacy_notice_text_comes_from_the_deployment(app, client, tmp_path):
    folder = tmp_path / "privacy"
    folder.mkdir()
    (folder / "en.txt").write_text("Run by <PANNON EGTC>.\n\nAsk dpo@example.eu.", "utf-8")
    (folder / "hu.txt").write_text("A PANNON EGTC üzemelteti.", "utf-8")
    app.config["PRIVACY_NOTICE_PATH"] = str(folder)
    english = client.get("/privacy").get_data(as_text=True)
    assert "<p>Run by &lt;PANNON EGTC&gt;.</p>" in english
    assert "<p>Ask dpo@example.eu.</p>" in english
    hungarian = client.get("/privacy", headers={"Accept-Language": "hu"}).get_data(as_text=True)
    assert "A PANNON EGTC üzemelteti." in hungarian
    # Polish has no file of its own: the English text, marked as English.
    polish = client.get("/privacy", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert 'lang="en"' in polish and "Run by &lt;PANNON EGTC&gt;." in polish


def test_consent_box_and_every_page_link_the_privacy_notice(client, webinar):
    page = client.get("/events/export-webinar/register").get_data(as_text=True)
    consent_at = page.index('id="consent"')
    assert page.rfind('href="/privacy"', 0, consent_at) > page.rfind("<fieldset", 0, consent_at)
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("kind", ["confirmed", "waitlisted", "cancelled", "link_resent"])
def test_every_registrant_e_mail_links_the_privacy_notice(webinar, make_registration, kind):
    registration = make_registration(webinar)
    message = written(queue_registration_mail(registration, kind))
    assert "/privacy" in message.body_text
    assert 'href="http' in message.body_html and "/privacy" in message.body_html


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Registration)))
