"""Certificates of attendance: issued once per registration, checked by their code.

A registration earns a certificate when its event is over and it is marked present on
at least one day (for online events an import marks people present only at or above
the threshold). The PDF is written in the registrant's language and carries the code
and the address of the public verification page, also as a QR code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import segno
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.formatting import KIND_LABELS
from webapp.models import Certificate, Registration
from webapp.reporting.pdf import configured_logos, render_pdf
from webapp.timezones import utcnow
from webapp.urls import external_url


class CertificateError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Attended:
    days: list[date]
    minutes_online: int


def attended(registration: Registration) -> Attended:
    """The days ``registration`` was present and its minutes online over all days."""
    records = registration.attendances
    return Attended(
        days=sorted(a.day for a in records if a.status == "present"),
        minutes_online=sum(a.minutes_online or 0 for a in records),
    )


def is_eligible(registration: Registration, now: datetime | None = None) -> bool:
    """Present at least once at an event that is over, and the person not erased."""
    if registration.erased_at is not None or registration.event.status != "published":
        return False
    if not registration.event.is_over(now):
        return False
    return bool(attended(registration).days)


def issue(registration: Registration, now: datetime | None = None) -> Certificate:
    """The certificate of ``registration``, issued now if it has none yet."""
    if not is_eligible(registration, now):
        raise CertificateError(
            _("A certificate is given to people present at an event that is over.")
        )
    existing = db.session.scalar(
        select(Certificate).where(Certificate.registration_id == registration.id)
    )
    if existing is not None:
        return existing
    certificate = Certificate(registration_id=registration.id, issued_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        # Issued at the same moment by another request: use that one.
        return db.session.scalars(
            select(Certificate).where(Certificate.registration_id == registration.id)
        ).one()
    return certificate


def normalise_code(raw: str) -> str:
    """The code as stored: capitals, without the spaces and dashes people type."""
    return re.sub(r"[\s-]+", "", raw or "").upper()[:32]


def find(code: str) -> Certificate | None:
    code = normalise_code(code)
    if not re.fullmatch(r"[A-Z0-9]{8,32}", code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def verification_url(certificate: Certificate) -> str:
    return external_url("certificates.verify", code=certificate.formatted_code)


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=3, border=2)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate in the registrant's language."""
    registration = certificate.registration
    event = registration.event
    locale = registration.locale or "en"
    url = verification_url(certificate)
    with force_locale(locale):
        return render_pdf(
            "reporting/certificate_pdf.html",
            certificate=certificate,
            registration=registration,
            event=event,
            locale=locale,
            title=event.localized("title", locale),
            title_language=event.text_language("title", locale),
            kind=KIND_LABELS.get(event.kind, event.kind),
            attended=attended(registration),
            verification_url=url,
            qr_code=_qr_data_uri(url),
            logos=configured_logos(
                event.host_partner.short_name if event.host_partner else None,
                _("Co-funded by the European Union"),
            ),
        )
