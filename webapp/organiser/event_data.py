"""What an event form hands the scheduling rules: the values, their checks, slugs and rooms."""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from webapp.extensions import db
from webapp.models import Event, Partner, Region
from webapp.routing import SLUG_MAX_LENGTH
from webapp.timezones import utc_to_local
from webapp.user_errors import UserError

WORKING_HOURS = (8, 18)

# Fields whose change a subscribed calendar must see: they raise ``sequence`` and the
# registrants are told.
CALENDAR_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "timezone",
    "format",
    "venue",
    "address",
    "online_url",
)
EDITABLE_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "starts_at",
    "ends_at",
    "timezone",
    "all_day",
    "format",
    "venue",
    "address",
    "online_url",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "requires_email_confirmation",
    "visibility",
    "reminder_hours",
    "notify_organisers",
    "language",
    "translations",
    "meeting_point",
    "travel_notes",
    "accommodation_notes",
)

JITSI_BASE = "https://meet.jit.si/"
_ROOM_ALPHABET = string.ascii_letters + string.digits


class SchedulingError(UserError):
    """A change the rules refuse; ``str(error)`` is a message for the organiser.

    ``field`` names the form field the message belongs next to, when there is one.
    """


@dataclass
class QuestionData:
    """One custom question as the organiser wants it (``id`` is None for a new one)."""

    label: str
    kind: str = "short_text"
    required: bool = False
    options: list[str] = field(default_factory=list)
    id: int | None = None
    help_text: str = ""
    # {language: {"label": ..., "help_text": ..., "options": [...]}}, empty parts left out
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class EventData:
    """Validated values of the event form, times already converted to aware UTC."""

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    host_partner: Partner
    regions: list[Region]
    summary: str = ""
    description: str = ""
    all_day: bool = False
    format: str = "online"
    venue: str = ""
    address: str = ""
    online_url: str = ""
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    requires_approval: bool = False
    requires_email_confirmation: bool = False
    visibility: str = "public"
    status: str = "draft"
    reminder_hours: int | None = 24
    notify_organisers: bool = False
    language: str = "en"  # the language title, summary and description are written in
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    meeting_point: str = ""
    travel_notes: str = ""
    accommodation_notes: str = ""
    questions: list[QuestionData] | None = None  # None: leave the questions as they are


@dataclass
class SchedulingWarning:
    """Something the organiser should know but may accept (shown, never blocking)."""

    kind: str  # "outside_hours" | "overlap"
    message: str


@dataclass
class ChangeResult:
    changed_fields: list[str]
    calendar_changed: bool
    notified: int
    promoted: int = 0


# --- small helpers ---------------------------------------------------------------------


def jitsi_room_url() -> str:
    """A new Jitsi Meet room with an unguessable name (about 143 bits of randomness)."""
    token = "".join(secrets.choice(_ROOM_ALPHABET) for _ in range(24))
    return f"{JITSI_BASE}InterVentures{token}"


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII words joined by hyphens: "Klaipėda – Export" → "klaipeda-export"."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
        .encode("ascii", "ignore")
        .decode()
    )
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "event"


def unique_slug(title: str, starts_at: datetime, timezone: str) -> str:
    """A slug not used by any event: title and local start date, then -2, -3, ..."""
    day = utc_to_local(starts_at, timezone).date().isoformat()
    base = f"{slugify(title, SLUG_MAX_LENGTH - 20)}-{day}"
    taken = set(
        db.session.scalars(
            db.select(Event.slug).where((Event.slug == base) | Event.slug.like(f"{base}-%"))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def check_times(data: EventData) -> None:
    if data.ends_at <= data.starts_at:
        raise SchedulingError(_("The end must be after the start."), "ends_local")
    if (
        data.registration_opens_at
        and data.registration_closes_at
        and data.registration_closes_at <= data.registration_opens_at
    ):
        raise SchedulingError(
            _("Registration must close after it opens."), "registration_closes_local"
        )
    if data.registration_closes_at and data.registration_closes_at > data.ends_at:
        raise SchedulingError(
            _("Registration cannot close after the event has ended."),
            "registration_closes_local",
        )
    if not data.regions:
        raise SchedulingError(_("Choose at least one region the event serves."), "regions")
    if data.format in ("online", "hybrid") and data.status == "published" and not data.online_url:
        raise SchedulingError(
            _("An online event needs a join link before it is published."), "online_url"
        )
    if data.format in ("onsite", "hybrid") and not data.venue:
        raise SchedulingError(_("Say where the event takes place."), "venue")
