"""The registration form, the confirmation and the registrant's own page, over HTTP."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import OutboxMessage, Question, Registration


def form_data(**overrides) -> dict[str, object]:
    data = {
        "name": "Giulia Rossi",
        "email": "giulia.rossi@example.it",
        "organisation": "Rossi S.r.l.",
        "stakeholder_type": "sme",
        "region": "IT",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Registration).order_by(Registration.id)))


@pytest.fixture
def webinar(make_event):
    return make_event(slug="export-webinar", title="Export readiness webinar", capacity=2)


# --- the form ---------------------------------------------------------------------------


def test_form_shows_fields_seats_and_questions(client, webinar, regions):
    db.session.add(Question(event=webinar, label="Which market interests you?", kind="short_text"))
    db.session.commit()
    page = client.get("/events/export-webinar/register").get_data(as_text=True)
    for name in ("name", "email", "organisation", "stakeholder_type", "region", "consent"):
        assert f'name="{name}"' in page
    assert "Which market interests you?" in page
    assert "2 seats left" in page
    assert "Other / outside the partnership" in page
    assert 'value="LT"' in page
    assert "meet.jit.si" not in page  # the join link never appears on public pages


def test_event_page_offers_registration_or_says_why_not(client, make_event):
    open_event = make_event(slug="open-one")
    page = client.get("/events/open-one").get_data(as_text=True)
    assert 'href="/events/open-one/register"' in page

    make_event(slug="closed-one", registration_closes_at=open_event.starts_at - timedelta(days=30))
    page = client.get("/events/closed-one").get_data(as_text=True)
    assert "Registration closed on" in page
    assert "/events/closed-one/register" not in page


def test_full_event_page_offers_the_waiting_list(client, webinar, make_registration):
    make_registration(webinar)
    make_registration(webinar)
    page = client.get("/events/export-webinar").get_data(as_text=True)
    assert "Join the waiting list" in page


# --- registering ------------------------------------------------------------------------


def test_registering_confirms_and_sends_the_link_by_e_mail_only(client, webinar):
    response = client.post("/events/export-webinar/register", data=form_data())
    [stored] = registrations()
    assert response.headers["Location"] == "/events/export-webinar/register/check-your-inbox"
    inbox_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your inbox" in inbox_page and stored.token not in inbox_page
    assert (stored.name, stored.email, stored.region.code, stored.status) == (
        "Giulia Rossi",
        "giulia.rossi@example.it",
        "IT",
        "confirmed",
    )
    assert stored.consent_at is not None and stored.privacy_version == "2026-01"

    page = client.get(f"/registrations/{stored.token}/confirmation").get_data(as_text=True)
    assert "You are registered" in page
    assert "giulia.rossi@example.it" in page
    assert f"/registrations/{stored.token}" in page
    assert [m.kind for m in db.session.scalars(db.select(OutboxMessage))] == ["confirmed"]


def test_region_other_stores_no_region(client, webinar):
    client.post("/events/export-webinar/register", data=form_data(region="other"))
    [stored] = registrations()
    assert stored.region is None


def test_full_event_puts_people_on_the_waiting_list_with_their_position(
    client, webinar, make_registration
):
    make_registration(webinar)
    make_registration(webinar)
    make_registration(webinar, status="waitlisted")
    client.post("/events/export-webinar/register", data=form_data())
    token = db.session.scalar(
        db.select(Registration.token).where(Registration.email == "giulia.rossi@example.it")
    )
    page = client.get(f"/registrations/{token}/confirmation").get_data(as_text=True)
    assert "You are on the waiting list" in page
    assert "at position 2" in page


def test_event_requiring_approval_says_what_happens_next(client, make_event):
    make_event(slug="partners", kind="partner_meeting", requires_approval=True)
    client.post("/events/partners/register", data=form_data())
    page = client.get(f"/registrations/{registrations()[0].token}/confirmation").get_data(
        as_text=True
    )
    assert "Your registration awaits approval" in page
    assert registrations()[0].status == "pending"


def test_registering_twice_answers_as_the_first_time_and_mails_the_link(client, webinar):
    first = client.post("/events/export-webinar/register", data=form_data())
    response = client.post(
        "/events/export-webinar/register",
        data=form_data(name="Mallory", email="  GIULIA.ROSSI@example.IT "),
    )
    # Nothing tells the second visitor that the address was registered already.
    assert response.status_code == first.status_code
    assert response.headers["Location"] == first.headers["Location"]
    assert response.headers["Location"] == "/events/export-webinar/register/check-your-inbox"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your inbox" in page
    assert "Giulia" not in page and "Rossi S.r.l." not in page
    assert "/registrations/" not in page
    assert len(registrations()) == 1
    kinds = [
        m.kind for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
    ]
    assert kinds == ["confirmed", "link_resent"]


def test_answers_to_custom_questions_are_stored(client, webinar):
    text_q = Question(event=webinar, label="Your export market", kind="short_text", position=1)
    multi = Question(
        event=webinar,
        label="Topics",
        kind="multiple_choice",
        options=["Finance", "Logistics", "Law"],
        position=2,
    )
    single = Question(
        event=webinar, label="Level", kind="single_choice", options=["New", "Experienced"]
    )
    yes_no = Question(event=webinar, label="Need a certificate?", kind="yes_no", required=True)
    db.session.add_all([text_q, multi, single, yes_no])
    db.session.commit()
    data = form_data()
    data.update(
        {
            text_q.field_name: "Germany",
            # Choices answer with their keys (the option's place), not their texts.
            multi.field_name: ["1", "3"],
            yes_no.field_name: "yes",
        }
    )
    response = client.post("/events/export-webinar/register", data=data)
    assert response.headers["Location"].endswith("/check-your-inbox")
    [stored] = registrations()
    assert stored.answers == {
        str(text_q.id): "Germany",
        str(multi.id): ["1", "3"],
        str(yes_no.id): "yes",
    }


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address"),
        ({"email": "a" * 250 + "@example.org"}, "email", "at most 254 characters"),
        ({"email": ""}, "email", "Enter your e-mail address."),
        ({"consent": None}, "consent", "Agree to the privacy notice"),
        ({"region": "XX"}, "region", "Choose one of the regions in the list."),
        ({"region": ""}, "region", "Choose the region you are based in."),
        ({"stakeholder_type": "alien"}, "stakeholder_type", "Choose one of the kinds in the list."),
        ({"name": ""}, "name", "Enter your name."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"organisation": "x" * 201}, "organisation", "at most 200 characters"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_stores_nothing(
    client, webinar, overrides, field, message
):
    response = client.post("/events/export-webinar/register", data=form_data(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    [control] = re.findall(rf'<(?:input|select)[^>]*\bid="{field}"[^>]*>', page)
    assert 'aria-invalid="true"' in control
    assert f"{field}-error" in control  # aria-describedby points at the message
    assert f'id="{field}-error"' in page
    assert registrations() == []
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


def test_required_question_and_unknown_choice_are_refused(client, webinar):
    required = Question(event=webinar, label="Your sector", kind="short_text", required=True)
    choice = Question(
        event=webinar, label="Language", kind="single_choice", options=["English", "Italian"]
    )
    multi = Question(event=webinar, label="Days", kind="multiple_choice", options=["Mon", "Tue"])
    db.session.add_all([required, choice, multi])
    db.session.commit()
    data = form_data()
    data.update({choice.field_name: "Klingon", multi.field_name: ["Mon", "Sun"]})
    response = client.post("/events/export-webinar/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Answer this question." in page
    assert page.count("Choose among the answers offered.") >= 2
    assert registrations() == []


def test_honeypot_filled_is_refused(client, webinar):
    response = client.post("/events/export-webinar/register", data=form_data(website="http://spam"))
    assert response.status_code == 400
    assert registrations() == []


def test_closed_and_hidden_events(client, make_event):
    make_event(slug="gone", status="cancelled")
    make_event(slug="draft", status="draft")
    make_event(slug="internal", visibility="partners")
    make_event(slug="past", start=timedelta(days=-2))

    page = client.get("/events/gone/register")
    assert page.status_code == 200
    assert "cancelled" in page.get_data(as_text=True)
    response = client.post("/events/gone/register", data=form_data())
    assert response.status_code == 400
    assert "Registration is closed" in response.get_data(as_text=True)
    assert client.post("/events/past/register", data=form_data()).status_code == 400
    for slug in ("draft", "internal", "no-such-event"):
        assert client.get(f"/events/{slug}/register").status_code == 404
        assert client.post(f"/events/{slug}/register", data=form_data()).status_code == 404
    assert client.get("/events/Bad.Slug/register").status_code == 404
    assert registrations() == []


def test_typed_text_is_escaped_everywhere(client, webinar):
    evil = '<script>alert("x")</script>'
    response = client.post(
        "/events/export-webinar/register", data=form_data(name=evil, organisation=evil)
    )
    assert response.headers["Location"].endswith("/check-your-inbox")
    token = registrations()[0].token
    assert "<script>alert" not in client.get(f"/registrations/{token}/confirmation").get_data(
        as_text=True
    )
    page = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;") == 2  # name and organisation
    # and in the form re-shown after an error
    response = client.post(
        "/events/export-webinar/register", data=form_data(name=evil, email="bad")
    )
    assert "<script>alert" not in response.get_data(as_text=True)


# --- the registrant's page --------------------------------------------------------------


def test_join_link_only_while_confirmed(client, make_event, make_registration):
    event = make_event(capacity=5, online_url="https://meet.jit.si/room-for-confirmed")
    for status in ("confirmed", "waitlisted", "pending", "cancelled", "rejected"):
        registration = make_registration(event, status=status)
        page = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
        assert ("room-for-confirmed" in page) is (status == "confirmed"), status
    assert "room-for-confirmed" not in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "room-for-confirmed" not in client.get(f"/events/{event.slug}/register").get_data(
        as_text=True
    )


def test_registrant_page_is_private(client, webinar, make_registration):
    registration = make_registration(webinar, status="waitlisted")
    response = client.get(f"/registrations/{registration.token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    assert "On the waiting list" in page
    assert "position 1" in page


# A NUL byte ("%00") is refused before routing: tests/test_input_hygiene_views.py.
@pytest.mark.parametrize("token", ["nope", "A" * 32, "a" * 300, "%01"])
def test_unknown_token_is_a_styled_404(client, token):
    response = client.get(f"/registrations/{token}")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
    assert client.post(f"/registrations/{token}/cancel").status_code == 404
    assert client.post(f"/registrations/{token}/erase", data={"confirm": "y"}).status_code == 404
    assert client.get(f"/registrations/{token}/data.json").status_code == 404


def test_cancel_frees_the_seat_for_the_first_person_waiting(client, make_event, make_registration):
    event = make_event(capacity=1)
    holder = make_registration(event)
    waiting = make_registration(event, status="waitlisted")
    response = client.post(f"/registrations/{holder.token}/cancel")
    assert response.headers["Location"] == f"/registrations/{holder.token}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your registration is cancelled" in page
    assert "Cancel my registration" not in page
    db.session.expire_all()
    assert holder.status == "cancelled"
    assert waiting.status == "confirmed"

    again = client.post(f"/registrations/{holder.token}/cancel")
    assert again.headers["Location"] == f"/registrations/{holder.token}"
    assert "already cancelled" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_cancel_after_the_event_changes_nothing(client, make_event, make_registration):
    registration = make_registration(make_event(start=timedelta(days=-3)))
    client.post(f"/registrations/{registration.token}/cancel")
    db.session.expire_all()
    assert registration.status == "confirmed"


def test_cancel_asks_first_and_a_get_changes_nothing(client, webinar, make_registration):
    registration = make_registration(webinar)
    manage = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert f'href="/registrations/{registration.token}/cancel"' in manage
    page = client.get(f"/registrations/{registration.token}/cancel")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cancel your registration?" in text
    assert "Yes, cancel my registration" in text
    assert f'href="/registrations/{registration.token}"' in text  # "No, keep it"
    db.session.expire_all()
    assert registration.status == "confirmed"
    assert page.headers["Cache-Control"] == "no-store"


def test_cancel_page_of_an_inactive_registration_leads_back(client, webinar, make_registration):
    registration = make_registration(webinar, status="cancelled")
    response = client.get(f"/registrations/{registration.token}/cancel")
    assert response.headers["Location"] == f"/registrations/{registration.token}"


def test_download_my_data(client, webinar, make_registration):
    registration = make_registration(webinar, name="Jonas Petraitis")
    response = client.get(f"/registrations/{registration.token}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert data["name"] == "Jonas Petraitis"
    assert data["event"]["title"] == "Export readiness webinar"


def test_erase_needs_confirmation_then_anonymises(client, webinar, make_registration):
    registration = make_registration(webinar, name="Jonas Petraitis", email="jonas@example.lt")
    response = client.post(f"/registrations/{registration.token}/erase", data={})
    assert response.status_code == 400
    assert "Tick the box" in response.get_data(as_text=True)
    db.session.expire_all()
    assert registration.name == "Jonas Petraitis"

    response = client.post(f"/registrations/{registration.token}/erase", data={"confirm": "y"})
    assert response.headers["Location"] == f"/registrations/{registration.token}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your personal data has been erased" in page
    assert "Jonas" not in page and "jonas@example.lt" not in page
    db.session.expire_all()
    assert registration.erased_at is not None
    assert registration.status == "cancelled"  # the event is still to come


def test_error_summary_links_each_problem_to_its_field(client, webinar, regions):
    response = client.post("/events/export-webinar/register", data=form_data(consent=None))
    page = response.get_data(as_text=True)
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#consent"' in summary
    assert "for this event: Agree to the privacy notice to register." in summary
    assert ".:" not in summary
