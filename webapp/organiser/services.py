"""Scheduling rules: creating, changing, cancelling, duplicating and deleting events.

Plain functions with explicit arguments; they never read the request and never commit
(the view commits once, so a change, its audit entry and its e-mails are stored
together or not at all).
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func

from webapp.audit import record_audit
from webapp.config import LANGUAGES
from webapp.extensions import db
from webapp.models import (
    ACTIVE_STATUSES,
    AuditEntry,
    Event,
    Partner,
    Question,
    Region,
    Registration,
    User,
)
from webapp.programme.services import copy_programme, move_programme
from webapp.registrations.services import lock_event, promote_from_waiting_list
from webapp.routing import SLUG_MAX_LENGTH
from webapp.timezones import EventTimes, is_within_hours, times_in_regions, utc_to_local, utcnow

# Any language may be an event's original (``Event.language``); the others are translations.
EVENT_LANGUAGES = LANGUAGES
TRANSLATION_LANGUAGES = LANGUAGES
TRANSLATED_FIELDS = ("title", "summary", "description")
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


class SchedulingError(ValueError):
    """A change the rules refuse; ``str(error)`` is a message for the organiser.

    ``field`` names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class QuestionData:
    """One custom question as the organiser wants it (``id`` is None for a new one)."""

    label: str
    kind: str = "short_text"
    required: bool = False
    options: list[str] = field(default_factory=list)
    id: int | None = None


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


def normalise_translations(raw: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Only known languages and fields, stripped; empty values and languages dropped."""
    clean: dict[str, dict[str, str]] = {}
    for language in TRANSLATION_LANGUAGES:
        values = raw.get(language) or {}
        kept = {f: (values.get(f) or "").strip() for f in TRANSLATED_FIELDS}
        kept = {f: v for f, v in kept.items() if v}
        if kept:
            clean[language] = kept
    return clean


def default_event_language(user_locale: str | None, region_locale: str | None) -> str:
    """The language a new event's texts are proposed in: the organiser's, else their region's.

    ``User.locale`` is English unless someone chose otherwise, so an English locale says
    little about the organiser: the region's language comes before it. An organiser who
    writes in English for a non-English region changes the select once.
    """
    for candidate in (user_locale if user_locale != "en" else None, region_locale, user_locale):
        if candidate in EVENT_LANGUAGES:
            return candidate
    return "en"


def settle_original_language(
    translations: dict[str, dict[str, str]], language: str, originals: dict[str, str]
) -> dict[str, dict[str, str]]:
    """``translations`` without a redundant entry for the original ``language``.

    An entry in the original language that repeats the original texts (each of its
    fields equal to the same original field) says nothing and is dropped. One that
    differs is kept, so that nothing the organiser wrote is lost when they change the
    original language (``shadowed_translation`` tells them visitors see the original).
    """
    entry = translations.get(language)
    if entry and all(text == (originals.get(name) or "").strip() for name, text in entry.items()):
        return {code: texts for code, texts in translations.items() if code != language}
    return translations


def _check_language(data: EventData) -> None:
    if data.language not in EVENT_LANGUAGES:
        raise SchedulingError(_("Choose the language of the texts from the list."), "language")


def _settle_translations(data: EventData) -> None:
    """Keep only real translations in ``data.translations`` (see settle_original_language)."""
    data.translations = settle_original_language(
        normalise_translations(data.translations),
        data.language,
        {"title": data.title, "summary": data.summary, "description": data.description},
    )


def shadowed_translation(event: Event) -> bool:
    """Whether ``event`` keeps a translation into its own original language.

    Visitors never see it (the original wins); the organiser is told, so they can copy
    what they need and empty it.
    """
    return bool((event.translations or {}).get(event.language))


def _active_registrations(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
            .order_by(Registration.id)
        )
    )


def _confirmed_count(event: Event) -> int:
    return (
        db.session.scalar(
            db.select(func.count()).where(
                Registration.event_id == event.id, Registration.status == "confirmed"
            )
        )
        or 0
    )


# --- warnings ----------------------------------------------------------------------------


def scheduling_warnings(
    starts_at: datetime,
    ends_at: datetime,
    regions: Sequence[Region],
    *,
    all_day: bool = False,
    exclude_event_id: int | None = None,
) -> list[SchedulingWarning]:
    """Working-hours and overlap warnings for a time and the regions an event serves."""
    warnings: list[SchedulingWarning] = []
    start_hour, end_hour = WORKING_HOURS
    if not all_day:
        for start, end in zip(
            times_in_regions(starts_at, regions), times_in_regions(ends_at, regions), strict=True
        ):
            multi_day = start.local.date() != end.local.date()
            outside = not is_within_hours(start.local, start_hour, end_hour) or (
                not multi_day and not is_within_hours(end.local, start_hour, end_hour)
            )
            if outside:
                warnings.append(
                    SchedulingWarning(
                        "outside_hours",
                        _(
                            "In %(region)s it runs %(start)s–%(end)s local time, outside "
                            "working hours (%(from)02d:00–%(to)02d:00).",
                            region=start.name,
                            start=start.local.strftime("%H:%M"),
                            end=end.local.strftime("%H:%M"),
                            **{"from": start_hour, "to": end_hour},
                        ),
                    )
                )
    region_ids = [r.id for r in regions]
    if region_ids:
        stmt = (
            db.select(Event)
            .where(
                Event.status != "cancelled",
                Event.starts_at < ends_at,
                Event.ends_at > starts_at,
                Event.regions.any(Region.id.in_(region_ids)),
            )
            .order_by(Event.starts_at)
            .limit(10)
        )
        if exclude_event_id is not None:
            stmt = stmt.where(Event.id != exclude_event_id)
        for other in db.session.scalars(stmt):
            shared = sorted(set(other.region_codes) & {r.code for r in regions})
            warnings.append(
                SchedulingWarning(
                    "overlap",
                    _(
                        "It overlaps “%(title)s” (%(when)s), which also serves %(regions)s.",
                        title=other.title,
                        when=utc_to_local(other.starts_at, other.timezone).strftime(
                            "%Y-%m-%d %H:%M"
                        )
                        + " "
                        + other.timezone,
                        regions=", ".join(shared),
                    ),
                )
            )
    return warnings


# --- validation shared by create and update ----------------------------------------------


def _check_times(data: EventData) -> None:
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


def _answer_counts(event: Event) -> dict[int, int]:
    """How many registrations answered each question of ``event``."""
    counts: dict[int, int] = {q.id: 0 for q in event.questions}
    if not counts:
        return counts
    for answers in db.session.scalars(
        db.select(Registration.answers).where(Registration.event_id == event.id)
    ):
        for question_id in counts:
            for key in (str(question_id), f"q_{question_id}"):
                value = (answers or {}).get(key)
                if value not in (None, "", []):
                    counts[question_id] += 1
                    break
    return counts


def _apply_questions(
    event: Event, wanted: list[QuestionData], actor: User | None
) -> list[dict[str, Any]]:
    """Make ``event.questions`` match ``wanted`` (order = list order); refuse risky edits."""
    existing = {q.id: q for q in event.questions}
    answered = _answer_counts(event) if existing else {}
    kept_ids = {q.id for q in wanted if q.id is not None}
    unknown = kept_ids - set(existing)
    if unknown:
        raise SchedulingError(_("A question does not belong to this event."), "questions")
    changes: list[dict[str, Any]] = []
    for question in existing.values():
        if question.id not in kept_ids and answered.get(question.id):
            raise SchedulingError(
                _(
                    "“%(label)s” already has answers, so it cannot be removed.",
                    label=question.label,
                ),
                "questions",
            )
    for position, data in enumerate(wanted):
        if data.id is None:
            question = Question(
                label=data.label, kind=data.kind, required=data.required, options=data.options
            )
            question.position = position
            event.questions.append(question)
            changes.append({"question": data.label, "change": "added"})
            continue
        question = existing[data.id]
        if answered.get(question.id):
            if data.kind != question.kind:
                raise SchedulingError(
                    _(
                        "“%(label)s” already has answers, so its kind cannot change. "
                        "Add a new question instead.",
                        label=question.label,
                    ),
                    "questions",
                )
            old_options = list(question.options or [])
            if data.options[: len(old_options)] != old_options:
                raise SchedulingError(
                    _(
                        "“%(label)s” already has answers, so its existing options cannot be "
                        "removed, renamed or reordered; you may add options at the end.",
                        label=question.label,
                    ),
                    "questions",
                )
        before = (question.label, question.kind, question.required, list(question.options or []))
        after = (data.label, data.kind, data.required, data.options)
        if before != after:
            changes.append({"question": data.label, "change": "changed"})
        question.label, question.kind = data.label, data.kind
        question.required, question.options = data.required, data.options
        question.position = position
    for question in list(event.questions):
        if question.id is not None and question.id not in kept_ids:
            changes.append({"question": question.label, "change": "removed"})
            event.questions.remove(question)
    return changes


# --- the operations --------------------------------------------------------------------


def create_event(data: EventData, *, actor: User) -> Event:
    """A new event from ``data`` with a unique slug; records who created it."""
    _check_times(data)
    _check_language(data)
    _settle_translations(data)
    event = Event(slug=unique_slug(data.title, data.starts_at, data.timezone))
    for name in EDITABLE_FIELDS:
        setattr(event, name, getattr(data, name))
    event.host_partner = data.host_partner
    event.regions = list(data.regions)
    event.status = data.status if data.status in ("draft", "published") else "draft"
    event.sequence = 0
    db.session.add(event)
    if data.questions:
        _apply_questions(event, data.questions, actor)
    db.session.flush()
    record_audit(
        actor,
        "event.created",
        event=event,
        details={"title": event.title, "slug": event.slug, "status": event.status},
    )
    return event


def _display(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Partner):
        return value.short_name
    if isinstance(value, list):
        return [getattr(v, "code", v) for v in value]
    return value


def describe_changes(event: Event, changed: Iterable[str]) -> list[str]:
    """One line per calendar-visible change, in the current locale, for the registrants."""
    from webapp.formatting import event_when

    lines: list[str] = []
    changed = set(changed)
    if changed & {"starts_at", "ends_at", "all_day", "timezone"}:
        lines.append(
            _("New time: %(when)s (%(zone)s)", when=event_when(event), zone=event.timezone)
        )
    if changed & {"venue", "address", "format"}:
        if event.is_onsite:
            place = ", ".join(p for p in (event.venue, event.address) if p)
            lines.append(_("New place: %(place)s", place=place))
        else:
            lines.append(_("The event now takes place online only."))
    if "online_url" in changed and event.is_online:
        lines.append(_("New join link: see your registration page."))
    if "title" in changed:
        lines.append(_("New title: %(title)s", title=event.title))
    return lines


def _notify_registrants(
    event: Event,
    kind: str,
    changed: Iterable[str] = (),
    *,
    note: str = "",
    earlier: EventTimes | None = None,
) -> int:
    from webapp.mail.queue import queue_registration_mail

    changed = list(changed)
    registrations = _active_registrations(event)
    for registration in registrations:
        changes: list[str] = []
        if changed:
            with force_locale(registration.locale or "en"):
                changes = describe_changes(event, changed)
        queue_registration_mail(registration, kind, changes=changes, note=note, earlier=earlier)
    return len(registrations)


def update_event(
    event: Event, data: EventData, *, actor: User, notify: bool = True, note: str = ""
) -> ChangeResult:
    """Apply ``data`` to ``event``; raise ``sequence`` and notify on calendar-visible changes.

    Capacity may not fall below the number of people already confirmed (the organiser
    is told to cancel some first); raising it moves people up from the waiting list.
    ``notify=False`` raises the sequence (feeds follow) but e-mails nobody; ``note`` is
    the organiser's words added to the change notice.
    """
    _check_times(data)
    _check_language(data)
    if data.host_partner.id != event.host_partner_id and not (
        actor.is_admin or actor.partner_id == data.host_partner.id
    ):
        raise SchedulingError(_("You cannot host events for that partner."), "host_partner")
    old_capacity = event.capacity
    if data.capacity is not None and (old_capacity is None or data.capacity < old_capacity):
        # Counted under the event's row lock, so no registration slips in meanwhile.
        event = lock_event(event.id)
        confirmed = _confirmed_count(event)
        if data.capacity < confirmed:
            raise SchedulingError(
                _(
                    "%(n)d people are already confirmed, so the capacity cannot be lower "
                    "than %(n)d. Cancel registrations first, or keep a higher capacity.",
                    n=confirmed,
                ),
                "capacity",
            )
    if data.status == "draft" and event.status != "draft" and _active_registrations(event):
        raise SchedulingError(
            _("People have registered, so the event cannot go back to draft. Cancel it instead."),
            "status",
        )

    earlier = EventTimes.of(event)
    before = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    before["regions"] = list(event.regions)
    before["host_partner"] = event.host_partner
    before["status"] = event.status
    _settle_translations(data)
    changed: list[str] = []
    for name in EDITABLE_FIELDS:
        new = getattr(data, name)
        if before[name] != new:
            setattr(event, name, new)
            changed.append(name)
    if {r.id for r in before["regions"]} != {r.id for r in data.regions}:
        event.regions = list(data.regions)
        # The regions live in another table, so the event's row would not change: touch
        # it, or the feeds' validators (the latest updated_at) would answer 304 and keep
        # the event in, or out of, a region's feed. The regions are only CATEGORIES in a
        # calendar, not one of the changes RFC 5545 raises SEQUENCE for (times, status),
        # so no bump and no notice; the new LAST-MODIFIED and DTSTAMP mark the version.
        event.updated_at = utcnow()
        changed.append("regions")
    if data.host_partner.id != before["host_partner"].id:
        event.host_partner = data.host_partner
        changed.append("host_partner")
    if not event.is_cancelled and data.status in ("draft", "published"):
        if data.status != event.status:
            event.status = data.status
            changed.append("status")
    question_changes: list[dict[str, Any]] = []
    if data.questions is not None:
        question_changes = _apply_questions(event, data.questions, actor)
        if question_changes:
            changed.append("questions")

    if {"starts_at", "timezone"} & set(changed):
        move_programme(event, old_starts_at=before["starts_at"], old_timezone=before["timezone"])

    calendar_changes = [name for name in CALENDAR_FIELDS if name in changed]
    notified = 0
    if calendar_changes and before["status"] != "draft":
        event.sequence += 1
        if not event.is_cancelled and notify:
            notified = _notify_registrants(
                event, "event_changed", calendar_changes, note=note, earlier=earlier
            )
    promoted = 0
    if "capacity" in changed and (
        event.capacity is None or (old_capacity is not None and event.capacity > old_capacity)
    ):
        promoted = _promote_waiting_list(event)
    db.session.flush()
    if changed:
        details: dict[str, Any] = {
            "changes": {
                name: [_display(before[name]), _display(getattr(event, name))]
                for name in changed
                if name not in ("questions", "description", "translations")
            }
        }
        for name in ("description", "translations"):
            if name in changed:
                details["changes"][name] = ["…", "…"]
        if question_changes:
            details["questions"] = question_changes
        if notified:
            details["notified"] = notified
        elif calendar_changes and not notify and before["status"] != "draft":
            details["notified"] = 0
        if note and notified:
            details["note"] = note
        if promoted:
            details["promoted"] = promoted
        record_audit(actor, "event.updated", event=event, details=details)
    return ChangeResult(changed, bool(calendar_changes), notified, promoted)


def _promote_waiting_list(event: Event) -> int:
    return len(promote_from_waiting_list(event))


def publish_event(event: Event, *, actor: User) -> None:
    """Make a draft visible in the catalogue and the feeds."""
    if event.status != "draft":
        raise SchedulingError(_("Only a draft can be published."))
    if event.is_online and not event.online_url:
        raise SchedulingError(_("An online event needs a join link before it is published."))
    if not event.regions:
        raise SchedulingError(_("Choose at least one region the event serves."))
    event.status = "published"
    record_audit(actor, "event.published", event=event, details={"title": event.title})


def cancel_event(event: Event, *, actor: User, reason: str = "", notify: bool = True) -> int:
    """Mark ``event`` cancelled (it stays listed), raise its sequence, tell its registrants.

    Returns how many registrants were notified; their notice carries ``reason`` and a
    calendar file that removes the event. ``notify=False`` e-mails nobody (the feeds
    still show the cancellation). Registrations keep their status so the organisers
    still know who had registered.
    """
    if event.is_cancelled:
        raise SchedulingError(_("This event is already cancelled."))
    was_draft = event.status == "draft"
    event.status = "cancelled"
    event.sequence += 1
    notified = 0
    if not was_draft and notify:
        notified = _notify_registrants(event, "event_cancelled", note=reason)
    record_audit(
        actor,
        "event.cancelled",
        event=event,
        details={"title": event.title, "reason": reason, "notified": notified},
    )
    return notified


def duplicate_event(event: Event, *, actor: User, host_partner: Partner | None = None) -> Event:
    """A draft copy of ``event`` with a new slug and the same questions and regions."""
    copy = Event(slug=unique_slug(event.title, event.starts_at, event.timezone))
    for name in EDITABLE_FIELDS:
        value = getattr(event, name)
        setattr(copy, name, dict(value) if isinstance(value, dict) else value)
    if copy.online_url.startswith(JITSI_BASE):
        copy.online_url = jitsi_room_url()  # a room of its own, not the original's
    copy.status = "draft"
    copy.sequence = 0
    copy.host_partner = host_partner or event.host_partner
    copy.regions = list(event.regions)
    for question in event.questions:
        copy.questions.append(
            Question(
                position=question.position,
                label=question.label,
                kind=question.kind,
                required=question.required,
                options=list(question.options or []),
            )
        )
    copy_programme(event, copy)
    db.session.add(copy)
    db.session.flush()
    record_audit(
        actor,
        "event.duplicated",
        event=copy,
        details={"from_slug": event.slug, "from_id": event.id, "title": copy.title},
    )
    record_audit(actor, "event.copied", event=event, details={"to_slug": copy.slug})
    return copy


def delete_event(event: Event, *, actor: User) -> None:
    """Delete a draft that nobody registered for; anything else must be cancelled."""
    if event.status != "draft":
        raise SchedulingError(_("Only drafts can be deleted; cancel a published event instead."))
    has_registrations = db.session.scalar(
        db.select(func.count()).where(Registration.event_id == event.id)
    )
    if has_registrations:
        raise SchedulingError(_("People have registered for this draft, so it cannot be deleted."))
    # Earlier entries stay, detached: an id must not later point at another event.
    db.session.execute(
        db.update(AuditEntry).where(AuditEntry.event_id == event.id).values(event_id=None)
    )
    record_audit(
        actor,
        "event.deleted",
        details={"title": event.title, "slug": event.slug, "deleted_event_id": event.id},
    )
    db.session.delete(event)


# --- managing registrations on the registrants' behalf -----------------------------------
#
# The registration rules (capacity, waiting list, e-mails) are the registration area's;
# these wrappers add who did it to the audit trail.


def approve(registration: Registration, *, actor: User) -> str:
    from webapp.registrations.services import approve_registration

    status = approve_registration(registration)
    record_audit(
        actor, "registration.approved", registration=registration, details={"status": status}
    )
    return status


def reject(registration: Registration, *, actor: User) -> None:
    from webapp.registrations.services import reject_registration

    reject_registration(registration)
    record_audit(actor, "registration.rejected", registration=registration)


def confirm_waitlisted(
    registration: Registration, *, actor: User, override_reason: str | None = None
) -> None:
    """Give a waitlisted person a seat; over capacity only with a written reason."""
    from webapp.registrations.services import confirm_from_waiting_list

    reason = (override_reason or "").strip() or None
    confirm_from_waiting_list(registration, override_reason=reason)
    details: dict[str, Any] = {}
    if reason:
        details["override_reason"] = reason
    record_audit(actor, "registration.confirmed", registration=registration, details=details)


def cancel_on_behalf(registration: Registration, *, actor: User) -> int:
    """Cancel someone's registration; returns how many moved up from the waiting list."""
    from webapp.registrations.services import cancel_registration

    previous = registration.status
    promoted = cancel_registration(registration)
    record_audit(
        actor,
        "registration.cancelled",
        registration=registration,
        details={"previous_status": previous, "promoted": [r.id for r in promoted]},
    )
    return len(promoted)


def resend_link(registration: Registration, *, actor: User) -> None:
    from webapp.mail.queue import queue_registration_mail

    if not registration.is_active:
        raise SchedulingError(_("Only active registrations have a link worth sending."))
    queue_registration_mail(registration, "link_resent")
    record_audit(actor, "registration.link_resent", registration=registration)


def add_registration(
    event: Event,
    *,
    actor: User,
    name: str,
    email: str,
    organisation: str,
    stakeholder_type: str,
    region: Region | None,
    locale: str,
    privacy_version: str,
    now: datetime | None = None,
) -> Any:
    """Register someone by hand (they told the organiser they agree to the privacy notice)."""
    from webapp.registrations.services import register
    from webapp.timezones import utcnow

    now = now or utcnow()
    outcome = register(
        event,
        name=name,
        email=email,
        organisation=organisation,
        stakeholder_type=stakeholder_type,
        region=region,
        locale=locale,
        answers={},
        consent_at=now,
        privacy_version=privacy_version,
        now=now,
    )
    if outcome.created:
        record_audit(
            actor,
            "registration.added",
            registration=outcome.registration,
            details={"status": outcome.status},
        )
    return outcome


# --- export ------------------------------------------------------------------------------


def registration_export(event: Event) -> tuple[list[str], list[list[Any]]]:
    """Every registration of ``event`` with every field and answer, oldest first.

    Times are written on the event's wall clock (a spreadsheet has no time zones); the
    header says which zone.
    """
    from sqlalchemy.orm import selectinload

    from webapp.formatting import (
        REGISTRATION_STATUS_LABELS,
        STAKEHOLDER_LABELS,
        answer_label,
        question_label,
    )

    registrations = list(
        db.session.scalars(
            db.select(Registration)
            .where(Registration.event_id == event.id)
            .options(selectinload(Registration.region))
            .order_by(Registration.id)
        )
    )
    zone_note = f" ({event.timezone})"
    header = [
        _("Id"),
        _("Status"),
        _("Name"),
        _("E-mail"),
        _("Organisation"),
        _("Type of organisation"),
        _("Region"),
        _("Language"),
        _("Registered") + zone_note,
        _("Last change") + zone_note,
        _("Consent given") + zone_note,
        _("Privacy notice version"),
    ] + [question_label(q) for q in event.questions]

    def local(value: datetime | None) -> datetime | None:
        return utc_to_local(value, event.timezone).replace(tzinfo=None) if value else None

    rows: list[list[Any]] = []
    for r in registrations:
        answers = r.answers or {}
        row: list[Any] = [
            r.id,
            str(REGISTRATION_STATUS_LABELS.get(r.status, r.status)),
            r.name,
            r.email if r.erased_at is None else "",
            r.organisation,
            str(STAKEHOLDER_LABELS.get(r.stakeholder_type, r.stakeholder_type)),
            r.region.name if r.region else "",
            r.locale,
            local(r.created_at),
            local(r.updated_at),
            local(r.consent_at),
            r.privacy_version,
        ]
        for question in event.questions:
            value = answers.get(str(question.id))
            if question.kind == "yes_no" and value in (True, False, "yes", "no"):
                value = _("Yes") if value in (True, "yes") else _("No")
            value = answer_label(question, value)
            row.append(value if value is not None else "")
        rows.append(row)
    return header, rows
