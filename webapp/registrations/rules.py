"""What a registration must satisfy before anything is stored: its errors and checks.

Nothing here reads or writes the database; the queries, the status changes
(``transitions``) and the views all build on it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from webapp.formatting import local_datetime
from webapp.models import Event
from webapp.timezones import utcnow

EMAIL_MAX_LENGTH = 254
# Tokens are made by ``new_token`` (URL-safe base64); anything else is not a token.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class RegistrationError(Exception):
    """A registration rule said no; ``message`` is translated and shown to the user."""

    field: str | None = None

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidEmail(RegistrationError):
    field = "email"


class InvalidRegistrationData(RegistrationError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RegistrationClosed(RegistrationError):
    """The event does not take registrations now."""


class CapacityError(RegistrationError):
    """No free seat for an action that needs one."""


class InvalidTransition(RegistrationError):
    """The registration's status does not allow the requested change."""


class ConfirmationExpired(RegistrationError):
    """The address was confirmed after the seat's hold ran out (it is released)."""


def normalise_email(raw: str) -> str:
    """The address in the form registrations are stored and compared in.

    Syntax is checked by ``email-validator`` without any DNS look-up. The result is
    NFC-normalised and case-folded, so ``Anna@Example.org`` and ``anna@example.ORG``
    (or a decomposed and a precomposed ``á``) are the same person.
    """
    value = unicodedata.normalize("NFC", (raw or "").strip())
    if not value:
        raise InvalidEmail(_("Enter your e-mail address."))
    if len(value) > EMAIL_MAX_LENGTH:
        raise InvalidEmail(
            _("An e-mail address has at most %(max)d characters.", max=EMAIL_MAX_LENGTH)
        )
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(_("Enter a valid e-mail address, like name@example.org.")) from exc
    normalised = unicodedata.normalize("NFC", result.normalized.casefold())
    if len(normalised) > EMAIL_MAX_LENGTH:
        raise InvalidEmail(
            _("An e-mail address has at most %(max)d characters.", max=EMAIL_MAX_LENGTH)
        )
    return normalised


def is_well_formed_token(token: str) -> bool:
    return bool(TOKEN_RE.match(token or ""))


def registration_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """``None`` while ``event`` takes registrations; otherwise why not, for the visitor."""
    now = now or utcnow()
    if event.is_cancelled:
        return _("This event has been cancelled, so registration is closed.")
    if not event.is_published:
        return _("This event is not open for registration.")
    if event.is_over(now):
        return _("This event has already taken place.")
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return _(
            "Registration opens on %(when)s.",
            when=local_datetime(event.registration_opens_at, event.timezone),
        )
    if event.registration_closes_at is not None and now >= event.registration_closes_at:
        return _(
            "Registration closed on %(when)s.",
            when=local_datetime(event.registration_closes_at, event.timezone),
        )
    return None
