"""Polls and partner contacts: inviting contacts, the invitation a chosen time sends them,
and what removing a contact does to their poll link."""

from __future__ import annotations

import re

import icalendar
import pytest

from tests.test_polls_views import create_poll, invite
from webapp.contacts.services import export_contact_data
from webapp.extensions import db
from webapp.mail.delivery import backend_from_config
from webapp.mail.outbox import deliver_all_due
from webapp.models import Event, Invitation, OutboxMessage, PartnerContact, PollInvitee
from webapp.polls import services


@pytest.fixture
def partners(make_partner, partner):
    return {
        "HU": partner,
        "ES": make_partner("ES", short_name="SODEBUR", name="SODEBUR"),
        "LT": make_partner("LT", short_name="KID", name="Klaipeda ID"),
    }


@pytest.fixture
def contacts(app, partners):
    people = {
        "ruta": PartnerContact(
            partner=partners["LT"], name="Rūta Petraitė", email="ruta@kid.example", locale="lt"
        ),
        "jonas": PartnerContact(
            partner=partners["LT"], name="Jonas Jonaitis", email="jonas@kid.example", locale="lt"
        ),
        "carmen": PartnerContact(
            partner=partners["ES"], name="Carmen Ruiz", email="carmen@sodebur.example", locale="es"
        ),
    }
    db.session.add_all(people.values())
    db.session.commit()
    return people


@pytest.fixture
def organiser(make_user, login, partners):
    return login(make_user(name="Orsolya"))


def outbox(kind):
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def invite_contacts(client, poll, partners=(), contacts=()):
    return client.post(
        f"/organiser/polls/{poll.id}/invitees/contacts",
        data={
            "partners": [str(p.id) for p in partners],
            "contacts": [str(c.id) for c in contacts],
        },
    )


def invitee_of(contact) -> PollInvitee:
    return db.session.scalar(db.select(PollInvitee).where(PollInvitee.contact_id == contact.id))


def test_a_partners_contacts_and_picked_contacts_are_invited_once(
    client, organiser, partners, contacts
):
    poll = create_poll(client, partners["HU"])
    page = client.get(f"/organiser/polls/{poll.id}").get_data(as_text=True)
    assert "Invite partner contacts" in page and "Carmen Ruiz – SODEBUR" in page

    response = invite_contacts(client, poll, partners=[partners["LT"]])
    assert response.status_code == 303
    assert "Contacts invited: 2." in client.get(response.headers["Location"]).get_data(as_text=True)
    ruta = invitee_of(contacts["ruta"])
    assert (ruta.name, ruta.email, ruta.locale) == ("Rūta Petraitė", "ruta@kid.example", "lt")
    assert ruta.partner == partners["LT"] and ruta.timezone == "Europe/Vilnius"
    assert sorted(m.to_address for m in outbox("poll_invitation")) == [
        "jonas@kid.example",
        "ruta@kid.example",
    ]

    # The partner again plus a picked person: only the new one is added.
    response = invite_contacts(
        client, poll, partners=[partners["LT"]], contacts=[contacts["carmen"]]
    )
    message = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contacts invited: 1." in message and "2 were already invited." in message
    db.session.refresh(poll)
    assert len(poll.invitees) == 3 and len(outbox("poll_invitation")) == 3
    assert invitee_of(contacts["carmen"]).locale == "es"

    # A contact whose address was invited by hand is not added a second time.
    other = create_poll(client, partners["HU"])
    invite(client, other, "Rūta", "ruta@kid.example", "en", partners["LT"])
    invite_contacts(client, other, contacts=[contacts["ruta"]])
    db.session.refresh(other)
    assert len(other.invitees) == 1 and other.invitees[0].contact_id is None


def test_inviting_nobody_or_unknown_contacts_is_a_clear_error(
    client, organiser, partners, contacts
):
    poll = create_poll(client, partners["HU"])
    response = invite_contacts(client, poll)
    assert response.status_code == 400
    assert "Choose at least one partner or person to invite." in response.get_data(as_text=True)
    response = client.post(
        f"/organiser/polls/{poll.id}/invitees/contacts", data={"contacts": ["999999", "x"]}
    )
    assert response.status_code == 400
    db.session.refresh(poll)
    assert poll.invitees == [] and outbox("poll_invitation") == []


def test_only_the_polls_partner_organisers_and_admins_invite_contacts(
    client, make_user, login, partners, contacts
):
    owner = login(make_user(name="Owner"))
    poll = create_poll(client, partners["HU"])
    login(make_user(name="Other", partner=partners["LT"]))
    assert invite_contacts(client, poll, partners=[partners["LT"]]).status_code == 403
    db.session.refresh(poll)
    assert poll.invitees == []

    login(make_user(role="admin"))
    assert invite_contacts(client, poll, contacts=[contacts["ruta"]]).status_code == 303
    login(owner)
    assert invite_contacts(client, poll, contacts=[contacts["jonas"]]).status_code == 303
    db.session.refresh(poll)
    assert sorted(i.email for i in poll.invitees) == ["jonas@kid.example", "ruta@kid.example"]

    client.post("/organiser/logout")
    response = invite_contacts(client, poll, contacts=[contacts["carmen"]])
    assert "/organiser/login" in response.headers["Location"]


def test_choosing_a_time_invites_contacts_and_tells_the_others(
    app, client, organiser, partners, contacts, smtp_server
):
    poll = create_poll(client, partners["HU"])
    invite_contacts(client, poll, contacts=[contacts["ruta"]])
    anna = invite(client, poll, "Anna", "anna@pannon.example", "hu", partners["HU"])
    ruta = invitee_of(contacts["ruta"])
    first, second = poll.slots
    visitor = app.test_client()
    visitor.post(f"/polls/{ruta.token}", data={f"slot-{first.id}": "yes"})
    visitor.post(f"/polls/{anna.token}", data={f"slot-{first.id}": "yes"})

    confirm = client.get(f"/organiser/polls/{poll.id}/slots/{first.id}/choose")
    assert "Partner contacts get the meeting's invitation" in confirm.get_data(as_text=True)
    response = client.post(f"/organiser/polls/{poll.id}/slots/{first.id}/choose")
    event = db.session.scalar(db.select(Event))
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    assert event.visibility == "partners" and event.starts_at == first.starts_at

    # The contact: one invitation to the meeting; the plain address: the outcome.
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.event == event and invitation.contact == contacts["ruta"]
    assert [m.to_address for m in outbox("invitation")] == ["ruta@kid.example"]
    assert [m.to_address for m in outbox("poll_decided")] == ["anna@pannon.example"]

    backend = backend_from_config(app.config, app.instance_path)
    deliver_all_due(backend, app.config, domain="events.example.org")
    received = {str(m.message["To"]): m.message for m in smtp_server.messages}
    ruta_mail = received["ruta@kid.example"]
    assert ruta_mail["Subject"].startswith("Kvietimas")  # Lithuanian: the contact's language
    body = ruta_mail.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/invitations/([\w-]+)", body)
    assert link and link.group(1) == invitation.token
    calendar = next(
        p for p in ruta_mail.iter_attachments() if p.get_content_type() == "text/calendar"
    )
    (vevent,) = icalendar.Calendar.from_ical(calendar.get_payload(decode=True)).walk("VEVENT")
    assert vevent.decoded("DTSTART").astimezone(first.starts_at.tzinfo) == first.starts_at
    page = app.test_client().get(f"/invitations/{invitation.token}")
    assert page.status_code == 200 and "Steering group" in page.get_data(as_text=True)

    anna_mail = received["anna@pannon.example"]
    assert any(p.get_content_type() == "text/calendar" for p in anna_mail.iter_attachments()), (
        "the outcome carries the calendar file"
    )
    assert "/invitations/" not in anna_mail.get_body(("plain",)).get_content()


def test_a_public_event_moved_by_a_poll_sends_everyone_the_outcome(
    client, organiser, partners, contacts, make_event
):
    event = make_event(title="Open webinar", visibility="public", host_partner=partners["HU"])
    poll = create_poll(client, partners["HU"], event=str(event.id))
    assert poll.event == event
    invite_contacts(client, poll, contacts=[contacts["ruta"]])
    client.post(f"/organiser/polls/{poll.id}/slots/{poll.slots[0].id}/choose")
    assert db.session.scalar(db.select(Invitation)) is None
    assert [m.to_address for m in outbox("poll_decided")] == ["ruta@kid.example"]


def test_a_removed_contact_loses_the_poll_link_and_their_data(
    app, client, make_user, login, partners, contacts
):
    login(make_user(role="admin"))
    poll = create_poll(client, partners["HU"])
    invite_contacts(client, poll, contacts=[contacts["ruta"], contacts["jonas"]])
    ruta = invitee_of(contacts["ruta"])
    old_token = ruta.token
    first = poll.slots[0]
    visitor = app.test_client()
    visitor.post(
        f"/polls/{old_token}", data={f"slot-{first.id}": "yes", f"comment-{first.id}": "Fine"}
    )
    assert visitor.get(f"/polls/{old_token}").status_code == 200

    contact = contacts["ruta"]
    exported = export_contact_data(contact)["polls"]
    assert exported[0]["poll"] == "Steering group"
    assert exported[0]["answers"][0]["answer"] == "yes"
    assert exported[0]["answers"][0]["comment"] == "Fine"
    client.post(f"/organiser/partners/{partners['LT'].id}/contacts/{contact.id}/remove")
    db.session.expire_all()
    assert contact.removed_at is not None
    response = visitor.get(f"/polls/{old_token}")
    assert response.status_code == 404
    ruta = db.session.get(PollInvitee, ruta.id)
    assert ruta.token != old_token
    assert visitor.get(f"/polls/{ruta.token}").status_code == 404
    assert ruta.name == "—" and "ruta" not in ruta.email
    # The answer stays, anonymous, in the counts; the comment goes.
    assert [(a.answer, a.comment) for a in ruta.answers] == [("yes", "")]
    assert services.slot_summaries(poll)[0].yes == 1
    # The link not sent yet is dropped.
    assert [m.to_address for m in outbox("poll_invitation")] == ["jonas@kid.example"]
    assert visitor.get(f"/polls/{invitee_of(contacts['jonas']).token}").status_code == 200

    # Choosing a time afterwards writes to nobody removed.
    client.post(f"/organiser/polls/{poll.id}/slots/{first.id}/choose")
    assert [m.to_address for m in outbox("invitation")] == ["jonas@kid.example"]
    assert outbox("poll_decided") == []
