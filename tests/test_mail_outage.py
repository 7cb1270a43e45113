"""A registration made while the mail server refuses connections: stored, then mailed once."""

from __future__ import annotations

from datetime import timedelta

import icalendar

from webapp.extensions import db
from webapp.models import OutboxMessage, Registration


def test_registration_during_mail_outage_is_stored_and_its_confirmation_arrives_later(
    app, client, runner, smtp_server, make_event, regions
):
    app.config["MAIL_RETRY_BASE_SECONDS"] = 0  # retry as soon as the worker runs again
    event = make_event(start=timedelta(days=10), title="Export to the Baltics")
    smtp_server.stop()

    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Ana Kovač",
            "email": "Ana@SME.example",
            "organisation": "Kovač Design",
            "stakeholder_type": "sme",
            "region": "LT",
            "consent": "y",
        },
    )

    registration = db.session.scalar(db.select(Registration))
    assert registration is not None and registration.status == "confirmed"
    assert response.headers["Location"] == "/events/" + registration.event.slug + (
        "/register/check-your-inbox"
    )
    down = runner.invoke(args=["outbox", "send"])
    assert down.output == "Sent 0, 1 to be retried, 0 failed.\n"
    assert smtp_server.messages == []
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.sent_at is None and "refused" in message.last_error

    smtp_server.start()
    up = runner.invoke(args=["outbox", "send"])
    again = runner.invoke(args=["outbox", "send"])

    assert up.output == "Sent 1, 0 to be retried, 0 failed.\n"
    assert again.output == "Sent 0, 0 to be retried, 0 failed.\n"
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["ana@sme.example"]
    assert received.message["Subject"] == "Registration confirmed: Export to the Baltics"
    text = received.message.get_body(("plain",)).get_content()
    assert f"/registrations/{registration.token}" in text
    (attachment,) = received.message.iter_attachments()
    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == "Export to the Baltics"


def test_new_registration_notifies_host_organisers_when_the_event_asks(
    app, client, make_event, make_user, regions
):
    organiser = make_user(email="maria@pannon.example")
    event = make_event(start=timedelta(days=10), notify_organisers=True)
    data = {
        "name": "Jonas Petraitis",
        "email": "jonas@port.example",
        "stakeholder_type": "sme",
        "region": "LT",
        "consent": "y",
    }
    client.post(f"/events/{event.slug}/register", data=data)
    client.post(f"/events/{event.slug}/register", data=data)  # the same person again

    sent = db.session.execute(
        db.select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)
    ).all()
    assert sent == [
        ("confirmed", "jonas@port.example"),
        ("organiser_notice", organiser.email),
        ("link_resent", "jonas@port.example"),
    ]
