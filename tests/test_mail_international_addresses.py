"""Addresses with international domains travel as IDNA; organiser notices link to the workspace.

Python's e-mail package writes a non-ASCII address as RFC 2047 encoded words
(``anna@=?utf-8?q?p=C3=A9lda?=.hu``), which no mail server reads as an address.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.smtp import SMTPServer
from webapp.extensions import db
from webapp.mail.delivery import backend_from_config, build_email, transport_address
from webapp.mail.outbox import deliver_all_due
from webapp.mail.queue import notify_host_organisers, queue_registration_mail
from webapp.models import OutboxMessage
from webapp.timezones import utcnow

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def deliver(app):
    backend = backend_from_config(app.config, app.instance_path)
    return deliver_all_due(backend, app.config, domain="events.example.org")


def test_transport_address():
    assert transport_address("anna@példa.hu") == "anna@xn--plda-bpa.hu"
    assert transport_address("ana@example.org") == "ana@example.org"
    assert transport_address("jürgen@müller.de") == "jürgen@xn--mller-kva.de"


def test_registration_at_an_international_domain_is_sent_as_idna(
    app, client, make_event, smtp_server
):
    event = make_event(start=START)
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Anna Szabó",
            "email": "Anna@Példa.hu",
            "stakeholder_type": "sme",
            "region": "HU",
            "consent": "y",
        },
    )
    assert response.status_code in (302, 303)

    report = deliver(app)

    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["anna@xn--plda-bpa.hu"]
    assert received.message["To"] == "anna@xn--plda-bpa.hu"
    assert b"=?utf-8?" not in received.message.as_bytes().split(b"\nTo:")[1].split(b"\n")[0]


def test_no_encoded_words_inside_any_address(make_event, make_registration, make_user, partner):
    partner.email = "rendezveny@pannon-példa.hu"
    event = make_event(start=START, notify_organisers=True)
    make_user(email="szervezo@pannon.example")
    registration = make_registration(event, email="anna@példa.hu")
    queue_registration_mail(registration, "confirmed")
    notify_host_organisers(registration)
    db.session.commit()
    for message in db.session.scalars(db.select(OutboxMessage)):
        raw = build_email(message, domain="events.example.org").as_bytes()
        headers = raw.split(b"\n\n", 1)[0]
        for line in headers.splitlines():
            if line.split(b":", 1)[0] in (b"From", b"To", b"Reply-To"):
                assert b"=?" not in line, line
        assert b"xn--plda-bpa.hu" in headers


def test_an_international_local_part_uses_smtputf8_or_fails_for_good(
    app, make_event, make_registration
):
    registration = make_registration(make_event(start=START), email="jürgen@müller.de")
    queue_registration_mail(registration, "confirmed")
    db.session.commit()

    plain = SMTPServer().start()
    try:
        app.config.update(plain.config())
        report = deliver(app)
        # The server cannot take it, now or later: no endless retries.
        assert (report.sent, report.failed, report.retrying) == (0, 1, 0)
    finally:
        plain.stop()

    db.session.execute(
        db.update(OutboxMessage).values(failed_at=None, attempts=0, next_attempt_at=utcnow())
    )
    db.session.commit()
    modern = SMTPServer(smtputf8=True).start()
    try:
        app.config.update(modern.config())
        assert deliver(app).sent == 1
        (received,) = modern.messages
        assert received.rcpt_tos == ["jürgen@xn--mller-kva.de"]
        assert received.message["To"] == "jürgen@xn--mller-kva.de"
    finally:
        modern.stop()


@pytest.mark.parametrize("locale", ["en", "hu"])
def test_new_registration_notice_links_to_the_organisers_registration_list(
    make_event, make_registration, make_user, locale
):
    event = make_event(start=START, notify_organisers=True)
    make_user(locale=locale)
    registration = make_registration(event)
    (message,) = notify_host_organisers(registration)
    url = f"https://events.example.org/organiser/events/{event.id}/registrations"
    assert url in message.body_text
    assert f'href="{url}"' in message.body_html
    assert f"/events/{event.slug}\n" not in message.body_text
