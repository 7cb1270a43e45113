"""Programme, speaker and material rules.

Plain functions with explicit arguments; they never read the request and never commit.
A material's file is written to storage before the row is committed and removed from
storage only after its row is gone (the view deletes it once the commit succeeded), so
a failed request leaves at worst an unreferenced file, never a row without its file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from webapp.audit import record_audit
from webapp.config import LANGUAGES
from webapp.extensions import db
from webapp.mail.queue import queue_registration_mail
from webapp.models import (
    Attendance,
    Event,
    Material,
    ProgrammeItem,
    Registration,
    Speaker,
    User,
)
from webapp.models.programme import ITEM_TRANSLATED_FIELDS
from webapp.programme.access import is_registrant, may_open
from webapp.programme.files import HEAD_BYTES, UploadRefused, check_upload
from webapp.programme.storage import FileTooLarge, Storage, new_key
from webapp.registrations.transitions import lock_event
from webapp.timezones import InvalidLocalTime, local_to_utc, utc_to_local, utcnow
from webapp.user_errors import UserError

ANNOUNCE_AUDIENCES = ("attendees", "registrants")


class ProgrammeError(UserError):
    """A change the rules refuse; ``str(error)`` is for the organiser, ``field`` names where."""


@dataclass
class ItemData:
    starts_at: datetime
    ends_at: datetime
    title: str
    kind: str = "session"
    description: str = ""
    place: str = ""
    address: str = ""
    map_url: str = ""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    speakers: list[Speaker] = field(default_factory=list)


@dataclass
class SpeakerData:
    name: str
    organisation: str = ""
    bio: str = ""
    url: str = ""


def _check_link(url: str, field: str) -> None:
    """Links are shown to visitors: only web addresses, never ``javascript:`` and the like."""
    if url and not url.strip().lower().startswith(("https://", "http://")):
        raise ProgrammeError(_("Enter a full link starting with https://"), field)


# --- the programme ---------------------------------------------------------------------


def _local_day(instant: datetime, tz_name: str) -> date:
    return utc_to_local(instant, tz_name).date()


def check_inside_event(event: Event, starts_at: datetime, ends_at: datetime) -> None:
    """Refuse an item that is not inside the event's days (on the event's clock)."""
    if ends_at <= starts_at:
        raise ProgrammeError(_("The end must be after the start."), "ends_local")
    days = event.days
    first, last = days[0], days[-1]
    # An item ending at midnight belongs to the day before.
    last_moment = ends_at - timedelta(microseconds=1)
    if (
        _local_day(starts_at, event.timezone) < first
        or _local_day(starts_at, event.timezone) > last
    ):
        raise ProgrammeError(
            _(
                "The event runs from %(first)s to %(last)s; the programme must stay within "
                "those days.",
                first=first.isoformat(),
                last=last.isoformat(),
            ),
            "starts_local",
        )
    if _local_day(last_moment, event.timezone) > last:
        raise ProgrammeError(
            _(
                "The event ends on %(last)s; this item would end after it.",
                last=last.isoformat(),
            ),
            "ends_local",
        )


def normalise_item_translations(
    raw: dict[str, dict[str, str]], original_language: str, originals: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Known languages and fields only, stripped, empty ones and copies of the original dropped."""
    clean: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        values = raw.get(language) or {}
        kept = {f: (values.get(f) or "").strip() for f in ITEM_TRANSLATED_FIELDS}
        kept = {f: v for f, v in kept.items() if v}
        if language == original_language and all(
            v == (originals.get(f) or "").strip() for f, v in kept.items()
        ):
            kept = {}
        if kept:
            clean[language] = kept
    return clean


def _same_place(a: str, b: str) -> bool:
    return bool(a.strip()) and " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def overlap_warnings(event: Event, item: ProgrammeItem) -> list[str]:
    """Other items of the event in the same place at an overlapping time (allowed, but said)."""
    messages = []
    for other in event.programme:
        if other is item or (other.id is not None and other.id == item.id):
            continue
        if not _same_place(other.place, item.place):
            continue
        if other.starts_at < item.ends_at and item.starts_at < other.ends_at:
            messages.append(
                _(
                    "“%(title)s” overlaps “%(other)s” (%(start)s–%(end)s) in %(place)s.",
                    title=item.title,
                    other=other.title,
                    start=utc_to_local(other.starts_at, event.timezone).strftime("%H:%M"),
                    end=utc_to_local(other.ends_at, event.timezone).strftime("%H:%M"),
                    place=item.place,
                )
            )
    return messages


def programme_overlaps(event: Event) -> dict[int, list[str]]:
    """For each item id, its warnings for the organiser's programme page: overlaps in one
    place, and items left outside the event's days after the event was moved."""
    warnings = {}
    for item in event.programme:
        messages = overlap_warnings(event, item)
        try:
            check_inside_event(event, item.starts_at, item.ends_at)
        except ProgrammeError as error:
            messages.append(str(error))
        warnings[item.id] = messages
    return warnings


def save_item(
    event: Event, data: ItemData, *, actor: User | None, item: ProgrammeItem | None = None
) -> tuple[ProgrammeItem, list[str]]:
    """Add ``data`` to ``event``'s programme (or change ``item``); returns it and its warnings."""
    check_inside_event(event, data.starts_at, data.ends_at)
    if not data.title.strip():
        raise ProgrammeError(_("Give the item a title."), "title")
    _check_link(data.map_url, "map_url")
    translations = normalise_item_translations(
        data.translations,
        event.language,
        {"title": data.title, "description": data.description},
    )
    created = item is None
    if item is None:
        item = ProgrammeItem(event=event)
        db.session.add(item)
    elif item.event_id != event.id:
        raise ProgrammeError(_("This programme item belongs to another event."))
    item.starts_at, item.ends_at = data.starts_at, data.ends_at
    item.kind, item.title = data.kind, data.title.strip()
    item.description = data.description.strip()
    item.place, item.address = data.place.strip(), data.address.strip()
    item.map_url = data.map_url.strip()
    item.translations = translations
    item.speakers = list(data.speakers)
    _programme_changed(event)
    db.session.flush()
    record_audit(
        actor,
        "programme.item_added" if created else "programme.item_changed",
        event=event,
        details={
            "title": item.title,
            "starts_at": item.starts_at.isoformat(),
            "ends_at": item.ends_at.isoformat(),
        },
    )
    return item, overlap_warnings(event, item)


def delete_item(item: ProgrammeItem, *, actor: User | None) -> None:
    """Remove ``item``; its materials stay with the event."""
    event = item.event
    record_audit(actor, "programme.item_removed", event=event, details={"title": item.title})
    event.programme.remove(item)
    db.session.delete(item)
    _programme_changed(event)
    db.session.flush()


def _shift_days(instant: datetime, days: int, old_zone: str, new_zone: str) -> datetime:
    """``instant`` moved by whole ``days``, keeping its wall-clock time (across DST)."""
    wall = utc_to_local(instant, old_zone).replace(tzinfo=None) + timedelta(days=days)
    try:
        return local_to_utc(wall, new_zone)
    except InvalidLocalTime:  # skipped by a spring change: the hour after it
        return local_to_utc(wall + timedelta(hours=1), new_zone)


def move_programme(event: Event, *, old_starts_at: datetime, old_timezone: str) -> int:
    """Move the programme with its event when the event moves to other days.

    Each item keeps its clock time and moves by as many days as the event's first day
    did (a change of the start time on the same day moves nothing: the programme's times
    are the organiser's to keep). Returns how many items moved.
    """
    old_first = _local_day(old_starts_at, old_timezone)
    new_first = _local_day(event.starts_at, event.timezone)
    days = (new_first - old_first).days
    if not days or not event.programme:
        return 0
    for item in event.programme:
        item.starts_at = _shift_days(item.starts_at, days, old_timezone, event.timezone)
        item.ends_at = _shift_days(item.ends_at, days, old_timezone, event.timezone)
    _programme_changed(event)
    return len(event.programme)


def copy_programme(source: Event, copy: Event) -> None:
    """The programme of ``source`` (times, texts, places, speakers) on ``copy``; not the
    materials, which belong to the event that took place."""
    for item in source.programme:
        copy.programme.append(
            ProgrammeItem(
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                kind=item.kind,
                title=item.title,
                description=item.description,
                place=item.place,
                address=item.address,
                map_url=item.map_url,
                translations={k: dict(v) for k, v in (item.translations or {}).items()},
                speakers=list(item.speakers),
            )
        )


def _programme_changed(event: Event) -> None:
    # The event's calendar file describes the programme: a new updated_at gives the
    # feeds a new validator (no SEQUENCE bump: times and status are unchanged).
    event.updated_at = utcnow()


# --- speakers ----------------------------------------------------------------------------


def all_speakers() -> list[Speaker]:
    return list(db.session.scalars(db.select(Speaker).order_by(Speaker.name, Speaker.id)))


def save_speaker(data: SpeakerData, *, speaker: Speaker | None = None) -> Speaker:
    if not data.name.strip():
        raise ProgrammeError(_("Give the speaker's name."), "name")
    _check_link(data.url, "url")
    if speaker is None:
        speaker = Speaker()
        db.session.add(speaker)
    speaker.name = data.name.strip()
    speaker.organisation = data.organisation.strip()
    speaker.bio = data.bio.strip()
    speaker.url = data.url.strip()
    for item in speaker.items:
        _programme_changed(item.event)
    db.session.flush()
    return speaker


def delete_speaker(speaker: Speaker) -> None:
    if speaker.items:
        raise ProgrammeError(
            _(
                "%(name)s speaks in %(n)d programme items; remove them from those items first.",
                name=speaker.name,
                n=len(speaker.items),
            )
        )
    db.session.delete(speaker)
    db.session.flush()


# --- materials -----------------------------------------------------------------------------


def _check_item(event: Event, item: ProgrammeItem | None) -> None:
    if item is not None and item.event_id != event.id:
        raise ProgrammeError(_("Choose a programme item of this event."), "item")


def add_link_material(
    event: Event,
    *,
    title: str,
    audience: str,
    url: str,
    item: ProgrammeItem | None,
    actor: User | None,
) -> Material:
    """A link (a recording, a shared folder) for ``event`` or one of its items."""
    _check_item(event, item)
    if not url.strip():
        raise ProgrammeError(_("Choose a file or give a link (one of the two)."), "url")
    _check_link(url, "url")
    material = Material(
        event=event, item=item, title=title.strip(), audience=audience, url=url.strip()
    )
    material.created_by_id = actor.id if actor is not None else None
    db.session.add(material)
    db.session.flush()
    record_audit(
        actor, "material.added", event=event, details={"title": material.title, "link": url}
    )
    return material


def add_file_material(
    event: Event,
    *,
    title: str,
    audience: str,
    filename: str | None,
    stream: BinaryIO,
    item: ProgrammeItem | None,
    actor: User | None,
    storage: Storage,
    max_bytes: int,
) -> Material:
    """Store an uploaded file after checking its name, size and real type.

    Raises ``ProgrammeError`` (field ``file``) for an empty, oversized or disguised file
    or a name with folders in it; nothing is stored then.
    """
    _check_item(event, item)
    head = stream.read(HEAD_BYTES)
    try:
        checked = check_upload(filename, head)
    except UploadRefused as error:
        raise ProgrammeError(str(error), "file") from error
    stream.seek(0)
    key = new_key(checked.extension)
    try:
        size = storage.save(key, stream, max_bytes=max_bytes)
    except FileTooLarge as error:
        raise ProgrammeError(too_large_message(max_bytes), "file") from error
    material = Material(
        event=event,
        item=item,
        title=title.strip() or checked.filename,
        audience=audience,
        storage_key=key,
        filename=checked.filename,
        content_type=checked.content_type,
        size=size,
    )
    material.created_by_id = actor.id if actor is not None else None
    db.session.add(material)
    db.session.flush()
    record_audit(
        actor,
        "material.added",
        event=event,
        details={"title": material.title, "file": checked.filename, "size": size},
    )
    return material


def too_large_message(max_bytes: int) -> str:
    return _(
        "The file is larger than %(mb)s MB. Make it smaller (e.g. export the slides as PDF) "
        "or share it as a link.",
        mb=f"{max_bytes / 1024 / 1024:g}",
    )


def delete_material(material: Material, *, actor: User | None) -> str | None:
    """Remove ``material``; returns the storage key whose file to delete after the commit."""
    record_audit(actor, "material.removed", event=material.event, details={"title": material.title})
    key = material.storage_key
    db.session.delete(material)
    db.session.flush()
    return key


def materials_for(
    event: Event, *, registration: Registration | None = None, organiser: bool = False
) -> list[Material]:
    """The event's materials this visitor may open, event-wide ones first, then by item."""
    return [
        m for m in event.materials if may_open(m, registration=registration, organiser=organiser)
    ]


# --- "materials are available" ------------------------------------------------------------


def announcement_recipients(event: Event, audience: str) -> list[Registration]:
    """Attendees (marked present) or every registrant (confirmed or attended), not erased."""
    if audience not in ANNOUNCE_AUDIENCES:
        raise ProgrammeError(_("Choose who gets the message."), "audience")
    present = db.select(Attendance.registration_id).where(Attendance.status == "present")
    stmt = (
        db.select(Registration)
        .where(Registration.event_id == event.id, Registration.erased_at.is_(None))
        .options(selectinload(Registration.attendances))
        .order_by(Registration.id)
    )
    if audience == "attendees":
        stmt = stmt.where(Registration.id.in_(present))
    else:
        stmt = stmt.where((Registration.status == "confirmed") | Registration.id.in_(present))
    return [r for r in db.session.scalars(stmt) if is_registrant(r, event.id)]


def announce_materials(
    event: Event, *, audience: str, actor: User | None, now: datetime | None = None
) -> int:
    """Queue "materials are available" once per event, to each recipient in their language.

    Each person is told only of materials they may open; someone who may open none gets
    nothing. The event's row is locked while checking it was not sent yet, so two
    organisers pressing the button at once send it once.
    """
    now = now or utcnow()
    event = lock_event(event.id)
    already = db.session.scalar(db.select(Event.materials_notified_at).where(Event.id == event.id))
    if already is not None:
        raise ProgrammeError(
            _(
                "The message was already sent on %(date)s; it is sent only once.",
                date=utc_to_local(already, event.timezone).strftime("%Y-%m-%d %H:%M"),
            )
        )
    recipients = announcement_recipients(event, audience)
    if not recipients:
        raise ProgrammeError(_("Nobody to tell yet: no one matches the chosen group."), "audience")
    sent = 0
    for registration in recipients:
        if not materials_for(event, registration=registration):
            continue
        queue_registration_mail(
            registration,
            "materials_available",
            dedupe_key=f"materials_available:{event.id}:{registration.id}",
        )
        sent += 1
    if not sent:
        raise ProgrammeError(
            _("None of the materials is visible to that group yet. Check who may see each one."),
            "audience",
        )
    event.materials_notified_at = now
    record_audit(
        actor,
        "materials.announced",
        event=event,
        details={"audience": audience, "recipients": sent},
    )
    return sent
