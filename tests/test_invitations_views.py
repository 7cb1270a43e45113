"""Partner contacts invited to partners-only meetings: e-mail, answers, seats, feeds."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from tests.support.outbox import render_queued
from webapp.contacts.services import remove_contact
from webapp.extensions import db
from webapp.invitations import services as invitations
from webapp.mail.delivery import backend_from_config
from webapp.mail.outbox import deliver_all_due
from webapp.models import Invitation, OutboxMessage, PartnerContact
from webapp.timezones import utcnow


def deliver(app):
    backend = backend_from_config(app.config, app.instance_path)
    return deliver_all_due(backend, app.config, domain="events.example.org")


@pytest.fixture
def meeting(make_event):
    return make_event(
        kind="partner_meeting",
        title="Steering committee",
        slug="steering-committee",
        visibility="partners",
        capacity=1,
    )


@pytest.fixture
def contacts(app, make_partner, partner):
    lithuanian = make_partner("LT", short_name="KID", name="Klaipeda ID")
    people = [
        PartnerContact(
            partner=partner, name="Zsófia Kovács", email="zsofia@pannon.example", locale="hu"
        ),
        PartnerContact(
            partner=lithuanian, name="Rūta Petraitė", email="ruta@kid.example", locale="lt"
        ),
    ]
    db.session.add_all(people)
    db.session.commit()
    return people


@pytest.fixture
def organiser(make_user, login):
    return login(make_user())


def test_invitations_end_to_end_with_mail(app, client, smtp_server, meeting, contacts, organiser):
    page = client.get(f"/organiser/events/{meeting.id}/invitations")
    assert page.status_code == 200
    hungarian, lithuanian = contacts
    response = client.post(
        f"/organiser/events/{meeting.id}/invitations",
        data={"partners": [str(hungarian.partner_id)], "contacts": [str(lithuanian.id)]},
    )
    assert response.headers["Location"].endswith(f"/organiser/events/{meeting.id}/invitations")
    assert deliver(app).sent == 2

    received = {str(m.message["To"]): m.message for m in smtp_server.messages}
    assert set(received) == {"zsofia@pannon.example", "ruta@kid.example"}
    hu_mail = received["zsofia@pannon.example"]
    assert hu_mail["Subject"].startswith("Meghívó")  # Hungarian: the contact's language
    calendar = next(
        p for p in hu_mail.iter_attachments() if p.get_content_type() == "text/calendar"
    )
    (vevent,) = icalendar.Calendar.from_ical(calendar.get_payload(decode=True)).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{meeting.id}@events.example.org"
    assert meeting.online_url not in calendar.get_payload(decode=True).decode()
    body = hu_mail.get_body(("plain",)).get_content()
    invitation = db.session.scalar(
        db.select(Invitation).where(Invitation.contact_id == hungarian.id)
    )
    assert f"/invitations/{invitation.token}" in body
    assert len(invitation.token) >= 22  # 128 bits or more, URL-safe

    # The invitee answers "attend": a confirmed registration, the join link on the page.
    client.get("/organiser/logout")
    url = f"/invitations/{invitation.token}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert meeting.online_url not in page.get_data(as_text=True)
    response = client.post(url, data={"answer": "attend", "comment": "Coming with a colleague"})
    assert response.headers["Location"].endswith(url)
    db.session.refresh(invitation)
    assert invitation.answer == "attend" and invitation.registration.status == "confirmed"
    assert invitation.registration.region.code == "HU"
    assert meeting.online_url in client.get(url).get_data(as_text=True)

    # The second one finds the meeting full (capacity 1): waiting list.
    other = db.session.scalar(db.select(Invitation).where(Invitation.contact_id == lithuanian.id))
    client.post(f"/invitations/{other.token}", data={"answer": "attend"})
    db.session.refresh(other)
    assert other.registration.status == "waitlisted"
    assert meeting.online_url not in client.get(f"/invitations/{other.token}").get_data(
        as_text=True
    )

    # Declining gives the seat back, and the waiting list moves up.
    client.post(url, data={"answer": "decline", "comment": ""})
    db.session.refresh(invitation)
    db.session.refresh(other)
    assert invitation.answer == "decline" and invitation.registration.status == "cancelled"
    assert other.registration.status == "confirmed"
    assert meeting.online_url not in client.get(url).get_data(as_text=True)


def test_organiser_page_shows_answers_per_partner_and_region(client, meeting, contacts, organiser):
    report = invitations.invite([meeting], contacts, actor=organiser)
    invitations.answer_invitation(report.invited[0], "maybe", "", privacy_version="1")
    db.session.commit()
    html = client.get(f"/organiser/events/{meeting.id}").get_data(as_text=True)
    assert "only invited partner contacts see it" in html
    assert 'id="answers-by-partner"' in html
    assert "Klaipeda ID" in html and "PANNON EGTC" in html
    assert "Klaipėda (LT)" in html and "Hungary (HU)" in html


def test_bad_answers_and_dead_links(client, meeting, contacts, organiser):
    report = invitations.invite([meeting], contacts[:1], actor=organiser)
    db.session.commit()
    invitation = report.invited[0]
    url = f"/invitations/{invitation.token}"
    response = client.post(url, data={"answer": "perhaps", "comment": "x" * 1001})
    assert response.status_code == 400
    assert invitation.answer is None
    for token in ("nope", "A" * 32, "x" * 65, invitation.token[:-1] + "x"):
        page = client.get(f"/invitations/{token}")
        assert page.status_code == 404
        assert "This invitation link does not work" in page.get_data(as_text=True)

    invitations.revoke(invitation, actor=organiser)
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.post(url, data={"answer": "attend"}).status_code == 404


def test_a_removed_contact_loses_access_and_their_data(client, meeting, contacts, organiser):
    report = invitations.invite([meeting], contacts[:1], actor=organiser)
    invitation = report.invited[0]
    invitations.answer_invitation(invitation, "attend", "See you", privacy_version="1")
    db.session.commit()
    contact = invitation.contact
    url = f"/invitations/{invitation.token}"
    feed = f"/feeds/partners/{contact.feed_token}.ics"
    assert client.get(feed).status_code == 200

    remove_contact(contact, actor=organiser)
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(feed).status_code == 404
    assert contact.email.endswith("@erased.invalid") and contact.name == "—"
    assert invitation.comment == "" and invitation.registration.erased_at is not None
    assert invitation.registration.status == "cancelled"
    unsent = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.to_address == "zsofia@pannon.example")
    ).all()
    assert all(m.kind not in ("invitation", "invitation_reminder") for m in unsent)


def test_invitee_erases_their_own_data(client, meeting, contacts, organiser):
    report = invitations.invite([meeting], contacts[:1], actor=organiser)
    db.session.commit()
    url = f"/invitations/{report.invited[0].token}"
    data = client.get(f"{url}/data.json").get_json()
    assert data["email"] == "zsofia@pannon.example" and data["invitations"][0]["answer"] is None
    assert client.post(f"{url}/erase", data={}).status_code == 400
    response = client.post(f"{url}/erase", data={"confirm": "y"})
    assert response.status_code == 200
    assert client.get(url).status_code == 404


def test_contact_feed_has_the_join_link_only_when_attending(client, meeting, contacts, organiser):
    report = invitations.invite([meeting], contacts[:1], actor=organiser)
    db.session.commit()
    invitation = report.invited[0]
    feed = f"/feeds/partners/{invitation.contact.feed_token}.ics"
    body = client.get(feed).get_data(as_text=True)
    assert f"event-{meeting.id}@" in body and meeting.online_url not in body
    client.post(f"/invitations/{invitation.token}", data={"answer": "attend"})
    body = client.get(feed).get_data(as_text=True).replace("\r\n ", "")
    assert meeting.online_url in body
    assert f"/invitations/{invitation.token}" in body
    client.post(f"/invitations/{invitation.token}", data={"answer": "decline"})
    assert f"event-{meeting.id}@" not in client.get(feed).get_data(as_text=True)

    old = invitation.contact.feed_token
    client.post(f"/invitations/{invitation.token}/feed-token")
    db.session.refresh(invitation.contact)
    assert invitation.contact.feed_token != old
    assert client.get(f"/feeds/partners/{old}.ics").status_code == 404
    assert client.get(f"/feeds/partners/{invitation.contact.feed_token}.ics").status_code == 200


def test_one_reminder_to_non_responders(app, runner, meeting, contacts, organiser):
    meeting.starts_at = utcnow() + timedelta(days=5)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    report = invitations.invite([meeting], contacts, actor=organiser)
    for invitation in report.invited:
        invitation.invited_at = utcnow() - timedelta(days=3)
    invitations.answer_invitation(report.invited[1], "decline", "", privacy_version="1")
    db.session.commit()

    first = runner.invoke(args=["reminders", "send"])
    assert "Queued 1 invitation reminder " in first.output
    second = runner.invoke(args=["reminders", "send"])
    assert second.exit_code == 0 and "invitation reminder" not in second.output
    reminders = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind == "invitation_reminder")
    ).all()
    assert [m.to_address for m in reminders] == ["zsofia@pannon.example"]


def test_invitations_only_for_published_partners_meetings(client, make_event, contacts, organiser):
    public = make_event(slug="open-webinar")
    response = client.post(
        f"/organiser/events/{public.id}/invitations", data={"contacts": [str(contacts[0].id)]}
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(Invitation.id)) is None


def test_other_regions_cannot_invite(client, meeting, contacts, make_user, make_partner, login):
    stranger = make_partner("ES", short_name="SODEBUR")
    login(make_user(partner=stranger))
    assert client.get(f"/organiser/events/{meeting.id}/invitations").status_code == 403


def test_invitation_page_speaks_the_contacts_language_unless_the_visitor_chose(
    client, meeting, contacts, organiser
):
    report = invitations.invite([meeting], contacts[1:], actor=organiser)
    db.session.commit()
    url = f"/invitations/{report.invited[0].token}"
    assert '<html lang="lt">' in client.get(url).get_data(as_text=True)
    chosen = client.get(url, headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<html lang="it">' in chosen


def test_attending_invitee_is_a_registration_with_mail_and_attendance(
    client, meeting, contacts, organiser
):
    report = invitations.invite([meeting], contacts[:1], actor=organiser)
    invitation = report.invited[0]
    invitations.answer_invitation(invitation, "attend", "", privacy_version="1")
    db.session.commit()
    render_queued()
    confirmed = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "confirmed"))
    assert confirmed.to_address == "zsofia@pannon.example"
    assert meeting.online_url in confirmed.body_text
    # A partners-only meeting has no public page: the mail points to the invitation.
    assert f"/invitations/{invitation.token}" in confirmed.body_text
    assert f"/events/{meeting.slug}" not in confirmed.body_text
    sheet = client.get(f"/organiser/events/{meeting.id}/attendance")
    assert sheet.status_code == 200
    assert "Zsófia Kovács" in sheet.get_data(as_text=True)


@pytest.mark.parametrize(
    ("visibility", "words"),
    [
        ("public", "it is in the catalogue"),
        ("unlisted", "anyone with its link can see it"),
        ("partners", "Invite partner contacts"),
    ],
)
def test_publishing_says_where_the_event_is_seen(client, make_event, organiser, visibility, words):
    draft = make_event(status="draft", visibility=visibility)
    response = client.post(f"/organiser/events/{draft.id}/publish", follow_redirects=True)
    assert words in response.get_data(as_text=True)
