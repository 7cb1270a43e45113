"""The check-in QR code travels in the e-mails that give, confirm or remind of a seat.

It is an inline image of the HTML part (``multipart/related``, referenced by ``cid:``),
drawn by the outbox worker; the text part says where the code is. Only registrants who
will show it at the entrance get it: confirmed, on-site or hybrid, not cancelled or over.
"""

from __future__ import annotations

import base64
import email
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import segno

from webapp.extensions import db
from webapp.mail.delivery import backend_from_config
from webapp.mail.outbox import deliver_all_due
from webapp.mail.queue import queue_mail, queue_registration_mail
from webapp.models import OutboxMessage, Registration

BASE_URL = "https://events.example.org"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_SENTENCE = "Your check-in code is on your registration page"


def deliver(app):
    backend = backend_from_config(app.config, app.instance_path)
    return deliver_all_due(backend, app.config, domain="events.example.org")


def delivered(app) -> list[EmailMessage]:
    """Every message the file backend wrote, oldest first."""
    directory = Path(app.config["MAIL_FILE_DIRECTORY"])
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(directory.glob("*.eml"))
    ]


def only_message(app) -> EmailMessage:
    assert deliver(app).sent >= 1
    (message,) = delivered(app)
    return message


def images(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_maintype() == "image"]


def expected_png(registration: Registration) -> bytes:
    """The QR code of the registration's check-in page, drawn independently of the app."""
    import io

    url = f"{BASE_URL}/organiser/check-in/{registration.checkin_token}"
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


@pytest.fixture
def study_visit(make_event):
    return make_event(
        slug="burgos-agrifood-visit",
        title="Agri-food study visit in Burgos",
        kind="study_visit",
        format="onsite",
        online_url="",
        venue="CEEI-Burgos",
        address="Avenida Castilla y León 1, Burgos",
        timezone="Europe/Madrid",
        region_codes=("ES",),
    )


def test_confirmation_after_registering_carries_the_code_inline_in_the_html(
    app, client, study_visit, regions
):
    response = client.post(
        f"/events/{study_visit.slug}/register",
        data={
            "name": "Lucía Martín",
            "email": "lucia@agro.example",
            "organisation": "Agro Burgos",
            "stakeholder_type": "sme",
            "region": "ES",
            "consent": "y",
        },
    )
    assert response.status_code == 303
    registration = db.session.scalar(db.select(Registration))

    message = only_message(app)

    assert message["Subject"].startswith("Registration confirmed")
    assert message.get_content_type() == "multipart/mixed"
    (body, *_attachments) = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    plain, related = body.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.iter_parts()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"

    # The HTML shows the image by its Content-ID, with a text alternative.
    content_id = image["Content-ID"].strip("<>")
    assert content_id.endswith("@events.example.org")
    html = html_part.get_content()
    assert f'src="cid:{content_id}"' in html
    assert 'alt="QR code to show at the entrance to check in Lucía Martín"' in html

    # The image is the QR code of the registration's check-in page.
    png = image.get_payload(decode=True)
    assert png.startswith(PNG_SIGNATURE)
    assert png == expected_png(registration)

    # The text part points to the registrant page, where the code is shown too.
    text = plain.get_content()
    manage_url = f"{BASE_URL}/registrations/{registration.token}"
    assert TEXT_SENTENCE in text
    assert text.index(TEXT_SENTENCE) < text.index(manage_url)
    page = client.get(f"/registrations/{registration.token}")
    assert "Your check-in code" in page.get_data(as_text=True)

    # The calendar file is still an ordinary attachment.
    assert [p.get_content_type() for p in message.iter_attachments()] == ["text/calendar"]


@pytest.mark.parametrize("kind", ["confirmed", "promoted", "approved", "link_resent", "reminder"])
def test_messages_about_a_held_seat_carry_the_code(kind, app, study_visit, make_registration):
    registration = make_registration(study_visit, name="Jonas Petraitis")
    queue_registration_mail(registration, kind)
    db.session.commit()

    message = only_message(app)

    (image,) = images(message)
    assert image.get_payload(decode=True) == expected_png(registration)
    html = message.get_body(("html",)).get_content()
    assert f"cid:{image['Content-ID'].strip('<>')}" in html
    assert TEXT_SENTENCE in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    "kind", ["waitlisted", "pending", "rejected", "cancelled", "event_changed", "event_cancelled"]
)
def test_other_messages_carry_no_code(kind, app, study_visit, make_registration):
    status = {
        "waitlisted": "waitlisted",
        "pending": "pending",
        "rejected": "rejected",
        "cancelled": "cancelled",
    }.get(kind, "confirmed")
    registration = make_registration(study_visit, status=status)
    queue_registration_mail(registration, kind, changes=["venue"])
    db.session.commit()

    message = only_message(app)

    assert images(message) == []
    assert "cid:" not in message.get_body(("html",)).get_content()
    assert TEXT_SENTENCE not in message.get_body(("plain",)).get_content()


def test_online_only_events_get_no_code_and_hybrid_events_do(app, make_event, make_registration):
    webinar = make_event(slug="online-webinar", format="online")
    hybrid = make_event(
        slug="hybrid-meeting",
        format="hybrid",
        venue="Klaipėda ID",
        address="Naujoji Uosto g. 3, Klaipėda",
    )
    queue_registration_mail(make_registration(webinar), "confirmed")
    queue_registration_mail(make_registration(hybrid), "confirmed")
    db.session.commit()
    assert deliver(app).sent == 2

    by_subject = {m["Subject"]: m for m in delivered(app)}
    online = next(m for s, m in by_subject.items() if webinar.title in s)
    on_site = next(m for s, m in by_subject.items() if hybrid.title in s)
    assert images(online) == []
    assert TEXT_SENTENCE not in online.get_body(("plain",)).get_content()
    assert len(images(on_site)) == 1


def test_a_waitlisted_registrants_resent_link_and_a_cancelled_event_carry_no_code(
    app, study_visit, make_event, make_registration
):
    queue_registration_mail(make_registration(study_visit, status="waitlisted"), "link_resent")
    called_off = make_event(
        slug="called-off-visit", format="onsite", venue="Unioncamere", status="cancelled"
    )
    queue_registration_mail(make_registration(called_off), "link_resent")
    db.session.commit()
    assert deliver(app).sent == 2
    assert [images(m) for m in delivered(app)] == [[], []]


def test_an_erased_registration_leaves_no_code_in_the_outbox(app, study_visit, make_registration):
    from webapp.registrations.services import erase_registration

    registration = make_registration(study_visit)
    queue_registration_mail(registration, "confirmed")
    db.session.commit()
    assert deliver(app).sent == 1
    stored = db.session.scalar(db.select(OutboxMessage))
    assert registration.checkin_token in str(stored.attachments)

    erase_registration(registration)
    db.session.commit()

    db.session.refresh(stored)
    assert stored.attachments == []


def test_the_code_arrives_through_smtp(app, smtp_server, study_visit, make_registration):
    registration = make_registration(study_visit)
    queue_registration_mail(registration, "confirmed")
    db.session.commit()

    assert deliver(app).sent == 1

    (received,) = smtp_server.messages
    (image,) = images(received.message)
    assert image.get_payload(decode=True) == expected_png(registration)
    related = received.message.get_body(("related",))
    assert related is not None and related.get_content_type() == "multipart/related"


def test_binary_attachments_are_stored_as_base64_and_sent_as_the_same_bytes(app):
    data = bytes(range(256)) * 4
    queue_mail(
        kind="organiser_notice",
        to_address="maria@pannon.example",
        subject="Attendance list",
        body_text="The list is attached.",
        attachments=[
            {
                "filename": "list.bin",
                "content_type": "application/octet-stream",
                "content": base64.b64encode(data).decode("ascii"),
                "encoding": "base64",
            }
        ],
    )
    db.session.commit()

    message = only_message(app)

    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "list.bin"
    assert attachment.get_payload(decode=True) == data


def test_a_message_whose_attachment_cannot_be_decoded_fails_without_stopping_others(app):
    for subject, content in (("Broken", "not base64 at all!"), ("Fine", "aGVsbG8=")):
        queue_mail(
            kind="organiser_notice",
            to_address="maria@pannon.example",
            subject=subject,
            body_text="See the attachment.",
            attachments=[
                {
                    "filename": "file.bin",
                    "content_type": "application/octet-stream",
                    "content": content,
                    "encoding": "base64",
                }
            ],
        )
    db.session.commit()

    report = deliver(app)

    assert (report.sent, report.failed) == (1, 1)
    broken = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.subject == "Broken"))
    db.session.refresh(broken)
    assert broken.failed_at is not None and "cannot build" in broken.last_error
    assert [m["Subject"] for m in delivered(app)] == ["Fine"]


def test_an_event_that_is_over_gets_no_code(app, make_event, make_registration):
    past = make_event(
        slug="past-visit",
        start=-timedelta(days=2),
        format="onsite",
        venue="Rzeszów Regional Development Agency",
    )
    queue_registration_mail(make_registration(past), "confirmed")
    db.session.commit()
    assert images(only_message(app)) == []
