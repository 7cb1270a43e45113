"""Certificates of attendance: issue, PDF in the registrant's language, verification."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.test_reporting_evidence import pdf_pages, pdf_text
from webapp.extensions import db
from webapp.models import Attendance, Certificate
from webapp.reporting import certificates


@pytest.fixture
def attendee(make_event, make_registration, regions):
    event = make_event(
        start=timedelta(days=-5),
        format="online",
        title="Digitalizacja i internacjonalizacja MŚP",
        region_codes=("PL",),
    )
    registration = make_registration(
        event,
        name="Żaneta Łęcka-Świątek",
        organisation="Stowarzyszenie Euroregion Karpacki Polska",
        region=regions["PL"],
        locale="pl",
    )
    db.session.add(
        Attendance(
            registration=registration, day=event.days[0], status="present", minutes_online=95
        )
    )
    db.session.commit()
    return registration


def test_registrant_downloads_a_certificate_in_their_language(client, attendee):
    page = client.get(f"/registrations/{attendee.token}").get_data(as_text=True)
    assert f"/registrations/{attendee.token}/certificate.pdf" in page
    response = client.get(f"/registrations/{attendee.token}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    certificate = db.session.scalar(db.select(Certificate))
    assert certificate.registration_id == attendee.id and len(certificate.code) == 16
    text = pdf_text(response.get_data())
    assert "Żaneta Łęcka-Świątek" in text
    assert "Stowarzyszenie Euroregion Karpacki Polska" in text
    assert "Zaświadczenie o uczestnictwie" in text  # Polish
    assert certificate.formatted_code in text
    assert f"/certificates/{certificate.formatted_code}" in text
    page_image = pdf_pages(response.get_data())[0]
    assert page_image.width > page_image.height
    # Downloading again gives the same certificate, not a second one.
    client.get(f"/registrations/{attendee.token}/certificate.pdf")
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1


def test_no_certificate_without_presence_or_before_the_end(client, make_event, make_registration):
    past = make_event(start=timedelta(days=-5))
    absent = make_registration(past)
    db.session.add(Attendance(registration=absent, day=past.days[0], status="absent"))
    upcoming = make_event(start=timedelta(days=5))
    future = make_registration(upcoming)
    db.session.commit()
    for registration in (absent, future):
        assert "certificate.pdf" not in client.get(f"/registrations/{registration.token}").get_data(
            as_text=True
        )
        assert client.get(f"/registrations/{registration.token}/certificate.pdf").status_code == 404
    assert client.get("/registrations/not-a-token/certificate.pdf").status_code == 404
    with pytest.raises(certificates.CertificateError):
        certificates.issue(absent)


def test_verification_page_shows_what_the_certificate_says(client, attendee):
    certificate = certificates.issue(attendee)
    db.session.commit()
    for code in (certificate.code, certificate.formatted_code, certificate.code.lower()):
        response = client.get(f"/certificates/{code}")
        assert response.status_code == 200, code
    page = response.get_data(as_text=True)
    assert "This certificate is valid." in page
    assert "Żaneta Łęcka-Świątek" in page and "Digitalizacja i internacjonalizacja MŚP" in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    typed = client.get(f"/certificates?code= {certificate.formatted_code.lower()} ")
    assert typed.status_code == 302
    assert typed.headers["Location"].endswith(f"/certificates/{certificate.code}")


def test_unknown_and_malformed_codes_get_a_clear_404(client, attendee):
    for path in (
        "/certificates/ABCDEFGHJKLMNPQR",
        "/certificates/%3Cscript%3E",
        "/certificates/" + "A" * 300,
        "/certificates?code=nope",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "No certificate has this code." in response.get_data(as_text=True)
    assert client.get("/certificates").status_code == 200


def test_an_erased_registration_withdraws_the_certificate(client, attendee):
    from webapp.timezones import utcnow

    certificate = certificates.issue(attendee)
    attendee.erased_at = utcnow()
    attendee.name = "—"
    db.session.commit()
    response = client.get(f"/certificates/{certificate.code}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This certificate is no longer valid." in page and "Łęcka" not in page


def test_certificates_are_emailed_once_after_the_event(runner, attendee, make_event, regions):
    from webapp.models import OutboxMessage

    old = make_event(start=timedelta(days=-40))
    from webapp.models import Registration

    late = Registration(
        event=old,
        name="Old Timer",
        email="old@example.org",
        stakeholder_type="sme",
        status="confirmed",
    )
    db.session.add(late)
    db.session.flush()
    db.session.add(Attendance(registration=late, day=old.days[0], status="present"))
    db.session.commit()
    result = runner.invoke(args=["certificates", "send"])
    assert result.exit_code == 0, result.output
    assert "1 certificates queued" in result.output
    message = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "certificate"))
    assert message.to_address == attendee.email
    assert message.subject.startswith("Twoje zaświadczenie o uczestnictwie")  # in Polish
    (attachment,) = message.attachments
    assert attachment["content_type"] == "application/pdf"
    import base64

    assert "Żaneta Łęcka-Świątek" in pdf_text(base64.b64decode(attachment["content"]))
    certificate = db.session.scalar(db.select(Certificate))
    assert certificate.emailed_at is not None
    again = runner.invoke(args=["certificates", "send"])
    assert "0 certificates queued" in again.output
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1
    assert runner.invoke(args=["certificates", "send", "--days", "0"]).exit_code == 2
