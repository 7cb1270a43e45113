"""What registrants and organisers read: every message kind, in their language and zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.outbox import written
from webapp.extensions import db
from webapp.mail.queue import (
    REGISTRATION_MAIL_KINDS,
    notify_host_organisers,
    queue_event_notices,
    queue_registration_mail,
)
from webapp.models import OutboxMessage


def queued_and_written(registration, kind, **arguments):
    """Queue the message as the app does, then write it as delivery does."""
    return written(queue_registration_mail(registration, kind, **arguments))


START = datetime(2030, 3, 12, 9, 0, tzinfo=UTC)  # 10:00 in Budapest, 11:00 in Vilnius


@pytest.fixture
def app_config():
    return {"MAIL_DEFAULT_SENDER": "Inter Ventures Events <events@inter-ventures.eu>"}


@pytest.fixture
def webinar(make_event):
    return make_event(
        start=START, title="Digital export <tools>", slug="digital-export", format="online"
    )


@pytest.mark.parametrize("kind", REGISTRATION_MAIL_KINDS)
def test_every_kind_renders_text_and_html_naming_the_event(kind, webinar, make_registration):
    registration = make_registration(webinar, name="Ana Kovač")
    message = queued_and_written(registration, kind, changes=["starts_at"])
    db.session.commit()
    assert "Digital export <tools>" in message.subject
    assert "\n" not in message.subject
    assert message.body_text.startswith("Hello Ana Kovač,")
    assert "Digital export <tools>" in message.body_text
    assert "Digital export &lt;tools&gt;" in message.body_html
    assert "<tools>" not in message.body_html
    assert message.to_address == registration.email
    assert message.registration_id == registration.id
    assert message.event_id == webinar.id


def test_subjects_say_what_happened(webinar, make_registration):
    registration = make_registration(webinar)
    subjects = {
        kind: queued_and_written(registration, kind).subject
        for kind in ("confirmed", "pending", "rejected", "event_cancelled", "event_changed")
    }
    assert subjects["confirmed"] == "Registration confirmed: Digital export <tools>"
    assert subjects["pending"].startswith("Registration received, awaiting approval")
    assert subjects["rejected"].startswith("Registration not accepted")
    assert subjects["event_cancelled"].startswith("Event cancelled")
    assert subjects["event_changed"].startswith("Event changed")


def test_confirmation_has_times_in_event_and_registrant_zone_and_secret_link(
    webinar, make_registration, regions
):
    registration = make_registration(webinar, region=regions["LT"], locale="en")
    message = queued_and_written(registration, "confirmed")
    text = message.body_text
    assert "10:00–12:00" in text  # the event's own zone, Budapest
    assert "In Klaipėda:" in text and "11:00–13:00" in text  # the registrant's zone
    assert f"https://events.example.org/registrations/{registration.token}" in text
    assert f'href="https://events.example.org/registrations/{registration.token}"' in (
        message.body_html
    )
    assert webinar.online_url in text and webinar.online_url in message.body_html


def test_same_clock_time_is_not_repeated_for_a_region_in_the_same_zone(
    webinar, make_registration, regions
):
    message = queued_and_written(make_registration(webinar, region=regions["ES"]), "confirmed")
    assert "In Burgos" not in message.body_text


@pytest.mark.parametrize("status, kind", [("waitlisted", "waitlisted"), ("pending", "pending")])
def test_join_link_only_for_confirmed_registrants(status, kind, webinar, make_registration):
    registration = make_registration(webinar, status=status)
    message = queued_and_written(registration, kind)
    assert webinar.online_url not in message.body_text
    assert webinar.online_url not in message.body_html
    assert "the link is sent to you once your seat is confirmed" in message.body_text


def test_onsite_event_shows_the_place(make_event, make_registration):
    visit = make_event(
        start=START, format="onsite", venue="Klaipėda Science Park", address="Lietuvininkų 5"
    )
    message = queued_and_written(make_registration(visit), "confirmed")
    assert "Where: Klaipėda Science Park, Lietuvininkų 5" in message.body_text
    assert "Join online" not in message.body_text


def test_waiting_list_message_tells_the_position(make_event, make_registration):
    event = make_event(start=START, capacity=1)
    make_registration(event)
    first = make_registration(event, status="waitlisted")
    second = make_registration(event, status="waitlisted")
    assert "You are number 1 in line." in queued_and_written(first, "waitlisted").body_text
    message = queued_and_written(second, "waitlisted")
    assert "You are number 2 in line." in message.body_text
    assert message.subject.startswith("Waiting list, number 2:")


def test_change_notice_lists_what_changed_in_words(webinar, make_registration):
    message = queued_and_written(
        make_registration(webinar), "event_changed", changes=["starts_at", "ends_at", "venue"]
    )
    assert "- Date and time\n- Place\n" in message.body_text
    assert message.body_text.count("Date and time") == 1


def test_message_is_rendered_in_the_registrants_language(app, webinar, make_registration):
    registration = make_registration(webinar, locale="hu")
    message = queued_and_written(registration, "confirmed")
    # Dates follow the Hungarian calendar whatever language the catalog provides.
    assert "március" in message.body_text
    english = queued_and_written(make_registration(webinar, locale="en"), "confirmed")
    assert "March" in english.body_text and "március" not in english.body_text


def test_unknown_language_falls_back_to_english(webinar, make_registration):
    message = queued_and_written(make_registration(webinar, locale="xx"), "confirmed")
    assert "March" in message.body_text


def test_from_is_the_host_partner_on_the_site_address_and_replies_go_to_it(
    webinar, make_registration
):
    webinar.host_partner.email = "events@pannon.example"
    db.session.commit()
    message = queued_and_written(make_registration(webinar), "confirmed")
    assert message.from_address == "PANNON EGTC <events@inter-ventures.eu>"
    assert message.reply_to == "events@pannon.example"


def test_unknown_kind_is_refused(webinar, make_registration):
    with pytest.raises(ValueError):
        queued_and_written(make_registration(webinar), "party")


def test_event_notices_go_to_everyone_still_registered(webinar, make_registration):
    confirmed = make_registration(webinar)
    waiting = make_registration(webinar, status="waitlisted")
    make_registration(webinar, status="cancelled")
    assert queue_event_notices(webinar, "event_cancelled") == 2
    db.session.commit()
    recipients = set(db.session.scalars(db.select(OutboxMessage.to_address)))
    assert recipients == {confirmed.email, waiting.email}


def test_organiser_notice_goes_to_host_partner_organisers_once(
    make_event, make_registration, make_user, make_partner
):
    event = make_event(start=START, notify_organisers=True)
    organiser = make_user(locale="en")
    make_user(partner=make_partner("IT"))  # another partner's organiser
    make_user(is_active=False)
    registration = make_registration(event, name="Jonas Petraitis", organisation="Port SME")
    messages = notify_host_organisers(registration)
    assert [m.to_address for m in messages] == [organiser.email]
    message = messages[0]
    assert message.kind == "organiser_notice"
    assert message.subject == f"New registration for {event.title}: Jonas Petraitis"
    assert "Port SME" in message.body_text and registration.email in message.body_text
    assert message.reply_to == registration.email
    assert notify_host_organisers(registration)[0].id == message.id
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 1


def test_no_organiser_notice_unless_the_event_asks(make_event, make_registration, make_user):
    make_user()
    event = make_event(start=START, notify_organisers=False)
    assert notify_host_organisers(make_registration(event)) == []
