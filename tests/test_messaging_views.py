"""The message composer: recipients by status and region, placeholders, translations,
preview, a test to oneself, sending through the outbox, limits and who may write."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.models import Attendance, AuditEntry, Message, OutboxMessage


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser", locale="en"))


@pytest.fixture
def event(make_event):
    return make_event(start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC), timezone="Europe/Budapest")


def compose_url(event) -> str:
    return f"/organiser/events/{event.id}/messages"


def message_data(**overrides) -> dict:
    data = {
        "audiences": ["confirmed"],
        "language": "en",
        "subject": "Practical details for {name}",
        "body": "Dear {name},\n\nwe start at {event_time}.\nYour page: {personal_link}",
        "send": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def outbox(kind: str = "organiser_message") -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def test_sending_queues_one_personal_copy_per_recipient_and_keeps_it_in_the_history(
    client, organiser, event, make_registration, regions
):
    anna = make_registration(event, name="Anna Kovács", region=regions["HU"])
    jonas = make_registration(event, name="Jonas Petraitis", region=regions["LT"])
    make_registration(event, status="waitlisted")
    make_registration(event, status="cancelled")
    response = client.post(compose_url(event), data=message_data())
    message = db.session.scalar(db.select(Message))
    assert response.headers["Location"].endswith(f"{compose_url(event)}/{message.id}")
    assert message.recipient_count == 2 and message.audiences == ["confirmed"]
    assert message.sender_id == organiser.id
    copies = {m.registration_id: m for m in outbox()}
    assert set(copies) == {anna.id, jonas.id}
    assert copies[anna.id].to_address == anna.email
    assert copies[anna.id].subject == "Practical details for Anna Kovács"
    # The event's time on each reader's clock: 08:00 UTC is 10:00 in Budapest, 11:00 in
    # Vilnius (summer time).
    assert "we start at 2 June 2031, 10:00–12:00" in copies[anna.id].body_text
    assert "we start at 2 June 2031, 11:00–13:00" in copies[jonas.id].body_text
    assert f"/registrations/{jonas.token}" in copies[jonas.id].body_text
    assert f"/registrations/{anna.token}" not in copies[jonas.id].body_text
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "message.sent"))
    assert entry.details == {"message": message.id, "recipients": 2}
    history = client.get(compose_url(event)).get_data(as_text=True)
    assert "Practical details for {name}" in history
    detail = client.get(f"{compose_url(event)}/{message.id}").get_data(as_text=True)
    assert "Dear {name}," in detail and ">2<" in detail
    event_page = client.get(f"/organiser/events/{event.id}").get_data(as_text=True)
    assert "Wrote to registrants" in event_page
    assert f'href="{compose_url(event)}/{message.id}">2 recipients</a>' in event_page


def test_filters_by_status_and_region(client, organiser, event, make_registration, regions):
    make_registration(event, region=regions["HU"])
    waiting_lt = make_registration(event, status="waitlisted", region=regions["LT"])
    make_registration(event, status="waitlisted", region=regions["HU"])
    pending_lt = make_registration(event, status="pending", region=regions["LT"])
    client.post(
        compose_url(event),
        data=message_data(audiences=["waitlisted", "pending"], regions=["LT"]),
    )
    assert sorted(m.registration_id for m in outbox()) == sorted([waiting_lt.id, pending_lt.id])
    assert db.session.scalar(db.select(Message)).region_codes == ["LT"]


def test_attended_and_no_shows_after_the_event(client, organiser, make_event, make_registration):
    past = make_event(start=timedelta(days=-3))
    day = past.days[0]
    present = make_registration(past)
    excused = make_registration(past)
    absent = make_registration(past)
    db.session.add_all(
        [
            Attendance(registration_id=present.id, day=day, status="present"),
            Attendance(registration_id=excused.id, day=day, status="excused"),
        ]
    )
    db.session.commit()
    client.post(compose_url(past), data=message_data(audiences=["attended"]))
    assert [m.registration_id for m in outbox()] == [present.id]
    client.post(compose_url(past), data=message_data(audiences=["no_show"]))
    assert [m.registration_id for m in outbox()][1:] == [absent.id]


def test_no_shows_are_nobody_before_the_event(client, organiser, event, make_registration):
    make_registration(event)
    response = client.post(compose_url(event), data=message_data(audiences=["no_show"]))
    assert response.status_code == 200
    assert "Nobody matches these filters." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 0


def test_a_placeholder_that_does_not_exist_is_a_clear_error_and_nothing_is_sent(
    client, organiser, event, make_registration
):
    make_registration(event)
    for body, shown in (
        ("Hello {firstname}", "{firstname}"),
        ("Hello {name.upper}", "{name.upper}"),
        ("Hello {0}", "{0}"),
        ("Hello {name!r}", "{name!r}"),
    ):
        response = client.post(compose_url(event), data=message_data(body=body))
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"There is no placeholder {shown}." in page
        assert "You can use {name}, {personal_link}, {event_time}." in page
        assert 'id="body-error"' in page
    response = client.post(compose_url(event), data=message_data(subject="Hello {name"))
    assert "A brace { or } is not closed." in response.get_data(as_text=True)
    assert outbox() == [] and db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_doubled_braces_are_written_as_braces(client, organiser, event, make_registration):
    make_registration(event, name="Ana")
    client.post(compose_url(event), data=message_data(body="Code {{A}} for {name}"))
    (copy,) = outbox()
    assert "Code {A} for Ana" in copy.body_text


def test_an_over_long_message_is_refused(client, organiser, event, make_registration):
    make_registration(event)
    for data in (
        message_data(body="x" * 10_001),
        message_data(subject="s" * 201),
        message_data(**{"translations-hu-subject": "Tárgy", "translations-hu-body": "y" * 10_001}),
    ):
        response = client.post(compose_url(event), data=data)
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert outbox() == [] and db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_too_many_recipients_is_refused_with_the_counts(
    app, client, organiser, event, make_registration
):
    app.config["MESSAGE_MAX_RECIPIENTS"] = 2
    for _n in range(3):
        make_registration(event)
    response = client.post(compose_url(event), data=message_data())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 people match, but one message may go to at most 2." in page
    assert outbox() == [] and db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_translations_reach_readers_of_that_language_others_get_the_original(
    client, organiser, event, make_registration
):
    hungarian = make_registration(event, locale="hu", name="Kata")
    polish = make_registration(event, locale="pl", name="Piotr")
    client.post(
        compose_url(event),
        data=message_data(
            subject="Parking",
            body="Hello {name}",
            **{"translations-hu-subject": "Parkolás", "translations-hu-body": "Szia {name}!"},
        ),
    )
    copies = {m.registration_id: m for m in outbox()}
    assert copies[hungarian.id].subject == "Parkolás"
    assert "Szia Kata!" in copies[hungarian.id].body_text
    assert copies[polish.id].subject == "Parking" and "Hello Piotr" in copies[polish.id].body_text
    # The text is marked with the language it is written in, the frame with the reader's.
    assert 'lang="en"' in copies[polish.id].body_html and 'lang="pl"' in copies[polish.id].body_html
    assert db.session.scalar(db.select(Message)).translations == {
        "hu": {"subject": "Parkolás", "body": "Szia {name}!"}
    }


def test_half_a_translation_is_refused(client, organiser, event, make_registration):
    make_registration(event)
    response = client.post(
        compose_url(event), data=message_data(**{"translations-it-subject": "Solo oggetto"})
    )
    page = response.get_data(as_text=True)
    assert "Fill in both the subject and the message of a translation, or neither." in page
    assert 'id="translations-it-body-error"' in page
    assert outbox() == []


def test_preview_shows_one_recipients_copy_and_sends_nothing(
    client, organiser, event, make_registration
):
    make_registration(event, name="First Person")
    second = make_registration(event, name="Second Person", locale="it")
    response = client.post(
        compose_url(event),
        data=message_data(send=None, preview="1", preview_as=str(second.id)),
    )
    page = response.get_data(as_text=True)
    assert "2 people match the filters." in page
    assert "Practical details for Second Person" in page
    assert f'<option selected value="{second.id}">' in page
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_test_copy_goes_to_the_organiser_only_and_is_not_in_the_history(
    client, organiser, event, make_registration
):
    person = make_registration(event, name="Real Person")
    response = client.post(compose_url(event), data=message_data(send=None, send_test="1"))
    assert response.status_code == 200
    (test_copy,) = outbox("organiser_message_test")
    assert test_copy.to_address == organiser.email
    assert test_copy.subject == "[Test] Practical details for Real Person"
    assert f"/registrations/{person.token}" in test_copy.body_text
    assert test_copy.registration_id is None
    assert outbox() == [] and db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_only_organisers_who_see_the_registrants_may_write(
    app, client, login, make_user, make_partner, event, make_registration
):
    make_registration(event)
    other_region = login(make_user("organiser", partner=make_partner("IT")))
    assert other_region.partner.region.code == "IT"
    assert client.get(compose_url(event)).status_code == 403
    assert client.post(compose_url(event), data=message_data()).status_code == 403
    assert outbox() == []
    # Not logged in: the login page, nothing sent.
    response = app.test_client().post(compose_url(event), data=message_data())
    assert "/organiser/login" in response.headers["Location"]
    assert outbox() == []


def test_an_administrator_may_write_and_the_message_page_is_per_event(
    client, login, make_user, event, make_event, make_registration
):
    make_registration(event)
    login(make_user("admin"))
    client.post(compose_url(event), data=message_data())
    message = db.session.scalar(db.select(Message))
    other = make_event()
    assert client.get(f"/organiser/events/{other.id}/messages/{message.id}").status_code == 404
    assert client.get(f"/organiser/events/{event.id}/messages/999999").status_code == 404


def test_bad_filter_values_are_form_errors(client, organiser, event, make_registration):
    make_registration(event)
    for data in (
        message_data(audiences=["everyone"]),
        message_data(regions=["XX"]),
        message_data(language="fr"),
        message_data(audiences=None),
    ):
        response = client.post(compose_url(event), data=data)
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert outbox() == []


def test_all_day_events_show_their_days(client, organiser, make_event, make_registration):
    start = datetime(2031, 9, 14, 22, 0, tzinfo=UTC)  # midnight in Budapest
    event = make_event(start=start, duration=timedelta(days=2), all_day=True)
    make_registration(event)
    client.post(compose_url(event), data=message_data(body="On {event_time}"))
    (copy,) = outbox()
    assert "On 15 September 2031 – 16 September 2031" in copy.body_text
    assert date(2031, 9, 15) in event.days
