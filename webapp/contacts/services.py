"""Partner contacts: adding, changing, importing, exporting and removing them.

Plain functions with explicit arguments; they never read the request and never commit.
Other areas (invitations, polls) refer to contacts through ``PartnerContact`` and find
them with ``active_contacts``; removing a contact (``remove_contact``) is the one way
their personal data goes, and it ends every link they had.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from webapp.audit import record_audit
from webapp.config import LANGUAGES
from webapp.extensions import db
from webapp.language_codes import supported_language
from webapp.mail.queue import POLL_MAIL_KINDS
from webapp.models import (
    Invitation,
    OutboxMessage,
    Partner,
    PartnerContact,
    PollInvitee,
    Registration,
    User,
)
from webapp.models.polls import new_poll_token
from webapp.models.registrations import new_token
from webapp.registrations.services import (
    ERASED_NAME,
    RegistrationError,
    erase_registration,
    normalise_email,
)
from webapp.timezones import utcnow
from webapp.user_errors import UserError

NAME_MAX_LENGTH = 200
ROLE_MAX_LENGTH = 120
# The messages a contact receives as a contact (registrations keep their own).
INVITATION_MAIL_KINDS = ("invitation", "invitation_reminder")
IMPORT_MAX_ROWS = 1000
IMPORT_MAX_BYTES = 512 * 1024
# Column names accepted in an imported file (lower case); the first is the canonical one.
IMPORT_COLUMNS = {
    "name": ("name", "full name", "full_name"),
    "email": ("email", "e-mail", "e_mail", "email address", "mail"),
    "role": ("role", "position", "function", "job title"),
    "language": ("language", "locale", "lang"),
}


class ContactError(UserError):
    """A contact the rules refuse; ``str(error)`` is for the organiser, next to ``field``."""


@dataclass
class ContactData:
    name: str
    email: str
    role: str = ""
    locale: str = "en"


def active_contacts(partner_ids: Iterable[int] | None = None) -> list[PartnerContact]:
    """Contacts not removed (of the given partners, or all), by partner and name."""
    stmt = (
        db.select(PartnerContact)
        .join(Partner, Partner.id == PartnerContact.partner_id)
        .where(PartnerContact.removed_at.is_(None))
        .order_by(Partner.name, PartnerContact.name, PartnerContact.id)
    )
    if partner_ids is not None:
        stmt = stmt.where(PartnerContact.partner_id.in_(list(partner_ids)))
    return list(db.session.scalars(stmt))


def can_manage_contacts(user: User, partner: Partner) -> bool:
    """The partner's own organisers and the administrators manage its contacts."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_admin or (user.partner_id is not None and user.partner_id == partner.id)


def _clean(data: ContactData) -> ContactData:
    name = " ".join((data.name or "").split())
    if not name:
        raise ContactError(_("Enter the person's name."), "name")
    if len(name) > NAME_MAX_LENGTH:
        raise ContactError(_("A name has at most %(max)d characters.", max=NAME_MAX_LENGTH), "name")
    try:
        email = normalise_email(data.email)
    except RegistrationError as error:
        raise ContactError(error.message, "email") from error
    role = " ".join((data.role or "").split())
    if len(role) > ROLE_MAX_LENGTH:
        raise ContactError(_("A role has at most %(max)d characters.", max=ROLE_MAX_LENGTH), "role")
    locale = supported_language(data.locale, LANGUAGES)
    if locale is None:
        raise ContactError(
            _("Choose one of these languages: %(codes)s.", codes=", ".join(LANGUAGES)), "locale"
        )
    return ContactData(name=name, email=email, role=role, locale=locale)


def _address_taken(partner: Partner, email: str, except_id: int | None = None) -> bool:
    stmt = db.select(PartnerContact.id).where(
        PartnerContact.partner_id == partner.id, PartnerContact.email == email
    )
    if except_id is not None:
        stmt = stmt.where(PartnerContact.id != except_id)
    return db.session.scalar(stmt.limit(1)) is not None


def add_contact(partner: Partner, data: ContactData, *, actor: User | None) -> PartnerContact:
    data = _clean(data)
    if _address_taken(partner, data.email):
        raise ContactError(_("This partner already has a contact with this address."), "email")
    contact = PartnerContact(
        partner=partner, name=data.name, email=data.email, role=data.role, locale=data.locale
    )
    db.session.add(contact)
    db.session.flush()
    record_audit(
        actor, "contact.added", details={"partner": partner.short_name, "contact_id": contact.id}
    )
    return contact


def update_contact(contact: PartnerContact, data: ContactData, *, actor: User | None) -> None:
    if not contact.is_active:
        raise ContactError(_("This contact was removed."))
    data = _clean(data)
    if _address_taken(contact.partner, data.email, except_id=contact.id):
        raise ContactError(_("This partner already has a contact with this address."), "email")
    contact.name, contact.email = data.name, data.email
    contact.role, contact.locale = data.role, data.locale
    contact.updated_at = utcnow()
    db.session.flush()
    record_audit(
        actor,
        "contact.changed",
        details={"partner": contact.partner.short_name, "contact_id": contact.id},
    )


def remove_contact(
    contact: PartnerContact, *, actor: User | None, now: datetime | None = None
) -> None:
    """Remove a contact from the partner and erase their personal data.

    Their name, address, role and comments go; every invitation link, every poll link
    they were invited by as this contact, and their feed stop working; the registrations their "attend" answers made are erased like any
    registrant's (a seat at a meeting still to come is given back). The answers stay,
    anonymous, in the counts per partner and region.
    """
    now = now or utcnow()
    if not contact.is_active:
        return
    invitations = list(
        db.session.scalars(db.select(Invitation).where(Invitation.contact_id == contact.id))
    )
    for invitation in invitations:
        if invitation.registration is not None and invitation.registration.erased_at is None:
            erase_registration(invitation.registration, now=now)
        invitation.comment = ""
        invitation.token = new_token()
        invitation.updated_at = now
    poll_invitees = list(
        db.session.scalars(db.select(PollInvitee).where(PollInvitee.contact_id == contact.id))
    )
    for invitee in poll_invitees:
        invitee.name = ERASED_NAME
        invitee.email = f"removed-{contact.id}-{invitee.id}@erased.invalid"
        invitee.token = new_poll_token()
        for answer in invitee.answers:
            answer.comment = ""
    # Invitations, poll links and reminders not sent yet are dropped; sent ones keep no
    # address or text.
    address = contact.email
    kinds = INVITATION_MAIL_KINDS + (POLL_MAIL_KINDS if poll_invitees else ())
    mine = (OutboxMessage.to_address == address) & OutboxMessage.kind.in_(kinds)
    db.session.execute(db.delete(OutboxMessage).where(mine, OutboxMessage.sent_at.is_(None)))
    db.session.execute(
        update(OutboxMessage)
        .where(mine)
        .values(to_address="", subject="", body_text="", body_html=None, attachments=[]),
        execution_options={"synchronize_session": False},
    )
    contact.name = ERASED_NAME
    contact.email = f"removed-{contact.id}@erased.invalid"
    contact.role = ""
    contact.feed_token = new_token()
    contact.removed_at = now
    contact.updated_at = now
    db.session.flush()
    record_audit(
        actor,
        "contact.removed",
        details={"partner": contact.partner.short_name, "contact_id": contact.id},
    )


def regenerate_contact_feed_token(contact: PartnerContact) -> str:
    """A new personal feed address for the contact; the old one stops working."""
    contact.feed_token = new_token()
    contact.updated_at = utcnow()
    return contact.feed_token


def export_contact_data(contact: PartnerContact) -> dict[str, Any]:
    """Everything stored about the contact, for "download my data" (JSON-ready)."""
    invitations = db.session.scalars(
        db.select(Invitation).where(Invitation.contact_id == contact.id).order_by(Invitation.id)
    )
    return {
        "partner": contact.partner.name,
        "region": contact.partner.region.code,
        "name": contact.name,
        "email": contact.email,
        "role": contact.role,
        "language": contact.locale,
        "added_at": contact.created_at.isoformat(),
        "invitations": [
            {
                "event": invitation.event.title,
                "starts_at": invitation.event.starts_at.isoformat(),
                "invited_at": invitation.invited_at.isoformat(),
                "answer": invitation.answer,
                "comment": invitation.comment,
                "answered_at": (
                    invitation.answered_at.isoformat() if invitation.answered_at else None
                ),
                "withdrawn": invitation.revoked_at is not None,
            }
            for invitation in invitations
        ],
        "polls": [
            {
                "poll": invitee.poll.title,
                "invited_at": invitee.created_at.isoformat(),
                "answered_at": invitee.answered_at.isoformat() if invitee.answered_at else None,
                "answers": [
                    {
                        "starts_at": answer.slot.starts_at.isoformat(),
                        "answer": answer.answer,
                        "comment": answer.comment,
                    }
                    for answer in sorted(invitee.answers, key=lambda a: a.slot.starts_at)
                ],
            }
            for invitee in db.session.scalars(
                db.select(PollInvitee)
                .where(PollInvitee.contact_id == contact.id)
                .order_by(PollInvitee.id)
            )
        ],
    }


def contact_registration_values(contact: PartnerContact) -> dict[str, Any]:
    """The registration a contact's "attend" makes: their name, address and partner."""
    return {
        "name": contact.name,
        "email": contact.email,
        "organisation": contact.partner.name,
        "stakeholder_type": "other",
        "region": contact.partner.region,
        "locale": contact.locale,
    }


def registrations_of(contact: PartnerContact) -> list[Registration]:
    return list(
        db.session.scalars(
            db.select(Registration)
            .join(Invitation, Invitation.registration_id == Registration.id)
            .where(Invitation.contact_id == contact.id)
        )
    )


# --- import -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = (raw or "").strip().lstrip("\ufeff").strip().lower()
        for canonical, aliases in IMPORT_COLUMNS.items():
            if name in aliases and canonical not in found:
                found[canonical] = index
    return found


def _decode(raw: bytes) -> str | None:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


def import_contacts(
    partner: Partner, raw: bytes, *, actor: User | None, default_locale: str
) -> ImportReport:
    """Add or update the partner's contacts from a CSV file (comma or semicolon).

    Columns: name, email, and optionally role and language (en, hu, it, pl, es, lt; the
    partner's region's language when empty). A known address updates that contact.
    When any row is wrong nothing is stored and every problem is reported by row.
    """
    report = ImportReport()
    if len(raw) > IMPORT_MAX_BYTES:
        report.errors.append(
            _("The file is larger than %(kb)d kB. Split it into smaller files.", kb=512)
        )
        return report
    text = _decode(raw)
    if text is None:
        report.errors.append(_("The file could not be read as text. Save it as CSV (UTF-8)."))
        return report
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        report.errors.append(_("The file is not valid CSV: %(error)s", error=str(error)))
        return report
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        report.errors.append(_("The file is empty."))
        return report
    columns = _header_map(rows[0])
    missing = [name for name in ("name", "email") if name not in columns]
    if missing:
        report.errors.append(
            _(
                "The first row must name the columns; missing: %(columns)s.",
                columns=", ".join(missing),
            )
        )
        return report
    if len(rows) - 1 > IMPORT_MAX_ROWS:
        report.errors.append(_("A file may hold at most %(n)d contacts.", n=IMPORT_MAX_ROWS))
        return report

    existing = {
        c.email: c
        for c in db.session.scalars(
            db.select(PartnerContact).where(
                PartnerContact.partner_id == partner.id, PartnerContact.removed_at.is_(None)
            )
        )
    }
    seen: dict[str, int] = {}
    planned: list[tuple[PartnerContact | None, ContactData]] = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(name: str, row=row) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        data = ContactData(
            name=cell("name"),
            email=cell("email"),
            role=cell("role"),
            locale=cell("language").lower() or default_locale,
        )
        try:
            data = _clean(data)
        except ContactError as error:
            report.errors.append(_("Row %(row)d: %(problem)s", row=number, problem=str(error)))
            continue
        if data.email in seen:
            report.errors.append(
                _(
                    "Row %(row)d: the address %(email)s is already on row %(first)d.",
                    row=number,
                    email=data.email,
                    first=seen[data.email],
                )
            )
            continue
        seen[data.email] = number
        planned.append((existing.get(data.email), data))
    if report.errors:
        return report
    for contact, data in planned:
        if contact is None:
            db.session.add(
                PartnerContact(
                    partner=partner,
                    name=data.name,
                    email=data.email,
                    role=data.role,
                    locale=data.locale,
                )
            )
            report.added += 1
        elif (contact.name, contact.role, contact.locale) != (data.name, data.role, data.locale):
            contact.name, contact.role, contact.locale = data.name, data.role, data.locale
            contact.updated_at = utcnow()
            report.updated += 1
    db.session.flush()
    record_audit(
        actor,
        "contact.imported",
        details={"partner": partner.short_name, "added": report.added, "updated": report.updated},
    )
    return report
