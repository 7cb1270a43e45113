"""The registrations screen: answers, filters, the detail view and decisions in bulk."""

from __future__ import annotations

import pytest

from tests.support.outbox import render_queued
from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage, Question, Registration


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def url(event, tail=""):
    return f"/organiser/events/{event.id}/registrations{tail}"


def flashes(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def study_visit(make_event):
    event = make_event(requires_approval=True, capacity=2)
    db.session.add_all(
        [
            Question(event=event, position=0, label="Which sector?", kind="short_text"),
            Question(event=event, position=1, label="Need a visa letter?", kind="yes_no"),
        ]
    )
    db.session.commit()
    return event


def test_answers_are_columns_and_in_the_detail_view(
    client, organiser, study_visit, make_registration
):
    sector, visa = study_visit.questions
    person = make_registration(
        study_visit,
        name="Ana Lopez",
        status="pending",
        answers={str(sector.id): "Agri-food", str(visa.id): "yes"},
    )
    page = client.get(url(study_visit)).get_data(as_text=True)
    assert '<th scope="col">Which sector?</th>' in page
    assert '<th scope="col">Need a visa letter?</th>' in page
    assert 'data-label="Which sector?">Agri-food</td>' in page
    assert 'data-label="Need a visa letter?">Yes</td>' in page
    assert f'href="{url(study_visit, f"/{person.id}")}"' in page

    detail = client.get(url(study_visit, f"/{person.id}"))
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert "<dt>Which sector?</dt><dd>Agri-food</dd>" in text
    assert "<dt>Need a visa letter?</dt><dd>Yes</dd>" in text
    assert person.email in text and "Approve" in text


def test_detail_view_shows_history_and_hides_other_events(
    client, organiser, make_event, study_visit, make_registration
):
    person = make_registration(study_visit, status="pending")
    client.post(url(study_visit, f"/{person.id}/approve"))
    text = client.get(url(study_visit, f"/{person.id}")).get_data(as_text=True)
    assert "Approved a registration" in text
    other = make_registration(make_event())
    assert client.get(url(study_visit, f"/{other.id}")).status_code == 404
    assert client.get(url(study_visit, "/999999")).status_code == 404


def test_detail_view_is_for_the_events_organisers_only(
    client, make_user, login, make_partner, study_visit, make_registration
):
    person = make_registration(study_visit, status="pending")
    login(make_user("organiser", partner=make_partner("ES")))
    assert client.get(url(study_visit, f"/{person.id}")).status_code == 403
    response = client.post(
        url(study_visit, "/decide"), data={"ids": [person.id], "decision": "approve"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert person.status == "pending"


def test_filter_by_region_and_unknown_region_is_ignored(
    client, organiser, make_event, make_registration, regions
):
    event = make_event()
    make_registration(event, name="Aušra Jonaitė", region=regions["LT"])
    make_registration(event, name="Marta Nowak", region=regions["PL"])
    make_registration(event, name="Somebody Else", region=None)
    page = client.get(url(event), query_string={"region": "LT"}).get_data(as_text=True)
    assert "Aušra Jonaitė" in page and "Marta Nowak" not in page
    page = client.get(url(event), query_string={"region": "none"}).get_data(as_text=True)
    assert "Somebody Else" in page and "Marta Nowak" not in page
    page = client.get(url(event), query_string={"region": "<b>", "q": "nowak"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Marta Nowak" in text and "Aušra" not in text


def test_bulk_approve_fills_seats_then_the_waiting_list_and_says_so(
    client, organiser, study_visit, make_registration
):
    first, second, third = (make_registration(study_visit, status="pending") for _ in range(3))
    response = client.post(
        url(study_visit, "/decide"),
        data={
            "ids": [first.id, second.id, third.id],
            "decision": "approve",
            "note": "Bring your ID card.\nSee you in Burgos!",
            "return_query": "status=pending",
        },
    )
    assert response.headers["Location"].endswith(url(study_visit) + "?status=pending")
    page = flashes(client, response)
    assert "2 registrations approved: their seats are confirmed" in page
    assert "1 approved registration went to the waiting list because the event is full" in page
    db.session.expire_all()
    assert (first.status, second.status, third.status) == ("confirmed", "confirmed", "waitlisted")
    messages = render_queued()
    assert [(m.kind, m.registration_id) for m in messages] == [
        ("approved", first.id),
        ("approved", second.id),
        ("waitlisted", third.id),
    ]
    for message in messages:
        assert "Bring your ID card." in message.body_text
        assert "Bring your ID card.<br>See you in Burgos!" in message.body_html
    actions = list(db.session.scalars(db.select(AuditEntry.action)))
    assert actions == ["registration.approved"] * 3


def test_bulk_turn_down_skips_who_is_no_longer_waiting(
    client, organiser, study_visit, make_registration
):
    pending = make_registration(study_visit, status="pending")
    waiting = make_registration(study_visit, status="waitlisted")
    response = client.post(
        url(study_visit, "/decide"), data={"ids": [pending.id, waiting.id], "decision": "reject"}
    )
    assert "2 registrations turned down" in flashes(client, response)
    db.session.expire_all()
    assert (pending.status, waiting.status) == ("rejected", "rejected")
    # A messages without a note carries none.
    message = db.session.scalar(db.select(OutboxMessage).limit(1))
    assert "A note from the organisers" not in message.body_text


def test_bulk_decision_refuses_bad_input_and_changes_nothing(
    client, organiser, make_event, study_visit, make_registration
):
    pending = make_registration(study_visit, status="pending")
    confirmed = make_registration(study_visit)
    elsewhere = make_registration(make_event(requires_approval=True), status="pending")
    cases = [
        ({"decision": "approve"}, "Tick at least one registration."),
        ({"ids": [confirmed.id], "decision": "approve"}, "no longer waiting for a decision"),
        ({"ids": [elsewhere.id], "decision": "approve"}, "no longer waiting for a decision"),
        ({"ids": ["abc"], "decision": "approve"}, "Tick at least one registration."),
        ({"ids": [pending.id], "decision": "delete"}, "Choose to approve or to turn down."),
        ({"ids": [pending.id], "decision": "approve", "note": "x" * 1001}, "at most 1000"),
    ]
    for data, message in cases:
        response = client.post(url(study_visit, "/decide"), data=data)
        assert response.headers["Location"].endswith(url(study_visit)), data
        assert message in flashes(client, response), data
    db.session.expire_all()
    assert (pending.status, confirmed.status, elsewhere.status) == (
        "pending",
        "confirmed",
        "pending",
    )
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_single_approval_says_waiting_list_when_full(
    client, organiser, make_event, make_registration
):
    event = make_event(requires_approval=True, capacity=1)
    make_registration(event)
    pending = make_registration(event, status="pending", name="Jonas Petraitis")
    response = client.post(url(event, f"/{pending.id}/approve"))
    page = flashes(client, response)
    assert "Jonas Petraitis is approved, but the event is full" in page
    assert "has a seat" not in page
    db.session.expire_all()
    assert pending.status == "waitlisted"


def test_person_added_by_an_organiser_needs_no_approval(client, organiser, make_event):
    event = make_event(requires_approval=True, capacity=1)
    for name, email in (("Giulia Rossi", "giulia@example.it"), ("Ana Lopez", "ana@example.es")):
        response = client.post(
            url(event, "/new"),
            data={
                "name": name,
                "email": email,
                "stakeholder_type": "sme",
                "region": "IT",
                "locale": "it",
                "consent": "y",
            },
        )
        assert response.headers["Location"].endswith(url(event))
    page = client.get(url(event)).get_data(as_text=True)
    assert "Ana Lopez is registered (On the waiting list)" in page
    db.session.expire_all()
    statuses = dict(db.session.execute(db.select(Registration.name, Registration.status)).all())
    # The first takes the only seat; the second waits: capacity still applies.
    assert statuses == {"Giulia Rossi": "confirmed", "Ana Lopez": "waitlisted"}


def test_person_added_by_an_organiser_skips_the_address_confirmation(client, organiser, make_event):
    event = make_event(requires_email_confirmation=True)
    client.post(
        url(event, "/new"),
        data={
            "name": "Giulia Rossi",
            "email": "giulia@example.it",
            "stakeholder_type": "sme",
            "region": "IT",
            "locale": "it",
            "consent": "y",
        },
    )
    registration = db.session.scalar(db.select(Registration))
    assert registration.status == "confirmed" and registration.email_confirm_by is None
    kinds = list(db.session.scalars(db.select(OutboxMessage.kind)))
    assert kinds == ["confirmed"]
