"""What goes into each calendar feed, the validators that answer 304s, and the feed cache.

Plain functions with explicit arguments: they never read the request and never commit.
Each feed costs a constant number of queries whatever its size: one cheap aggregate (the
validator, enough to answer a conditional request), and, when the feed must be built,
one query for the events and one for their regions.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, or_
from sqlalchemy.orm import joinedload, selectinload

from webapp.calendar import PRODID, CalendarEvent, build_calendar
from webapp.data_version import current_data_version
from webapp.event_calendar import (
    calendar_labels,
    event_ics,
    event_location,
    refresh_interval,
    to_calendar_event,
)
from webapp.extensions import db
from webapp.formatting import KIND_LABELS
from webapp.models import (
    Event,
    Invitation,
    Partner,
    PartnerContact,
    Region,
    Registration,
    event_regions,
)
from webapp.models.registrations import new_token
from webapp.tokens import lookup_by_token
from webapp.urls import external_url, public_base_url

# Bumped whenever the feed's content changes shape, so clients re-download it.
FEED_FORMAT_VERSION = "1"
SLUG_PLACEHOLDER = "feed-slug-placeholder"
CACHE_ENTRIES = 64

# Columns a feed needs from ``events``: never the join link, except for personal feeds.
_PUBLIC_COLUMNS = (
    Event.id,
    Event.slug,
    Event.kind,
    Event.title,
    Event.summary,
    Event.language,
    Event.translations,
    Event.starts_at,
    Event.ends_at,
    Event.timezone,
    Event.all_day,
    Event.format,
    Event.venue,
    Event.address,
    Event.status,
    Event.sequence,
    Event.created_at,
    Event.updated_at,
    Partner.name.label("host_name"),
)


# --- which events a feed holds ------------------------------------------------------------


@dataclass(frozen=True)
class FeedSpec:
    """One public feed: all events (optionally of one kind), or those serving one region."""

    kind: str | None = None
    region_id: int | None = None

    @property
    def key(self) -> str:
        return f"public:kind={self.kind or ''}:region={self.region_id or ''}"


def feed_window_start(now: datetime, past_days: int) -> datetime:
    """The oldest end time a feed still shows (the past ``past_days`` days and all ahead)."""
    return now - timedelta(days=past_days)


def _public_conditions(spec: FeedSpec, now: datetime, past_days: int) -> list[Any]:
    since = feed_window_start(now, past_days)
    conditions: list[Any] = [
        Event.visibility == "public",
        or_(
            and_(Event.status == "published", Event.ends_at >= since),
            # A cancelled event stays until it is over, so subscribed clients remove it.
            and_(Event.status == "cancelled", Event.ends_at >= now),
        ),
    ]
    if spec.kind:
        conditions.append(Event.kind == spec.kind)
    if spec.region_id is not None:
        conditions.append(
            Event.id.in_(
                db.select(event_regions.c.event_id).where(
                    event_regions.c.region_id == spec.region_id
                )
            )
        )
    return conditions


@dataclass(frozen=True)
class Validator:
    """What a feed's content depends on, read with one aggregate query."""

    etag: str
    last_modified: datetime | None


def _make_validator(key: str, locale: str, parts: Iterable[object], latest) -> Validator:
    material = "|".join([FEED_FORMAT_VERSION, key, locale, public_base_url(), *map(str, parts)])
    digest = hashlib.blake2b(material.encode(), digest_size=16).hexdigest()
    last_modified = latest.astimezone(UTC).replace(microsecond=0) if latest else None
    return Validator(etag=digest, last_modified=last_modified)


# Built once: a 304 should cost little more than this query's round trip.
_PUBLIC_VALIDATOR_QUERY = db.select(
    db.select(func.max(Event.updated_at)).scalar_subquery(),
    db.select(func.min(Event.ends_at))
    .where(Event.ends_at >= bindparam("since", type_=Event.ends_at.type))
    .scalar_subquery(),
    db.select(func.min(Event.ends_at))
    .where(Event.ends_at >= bindparam("now", type_=Event.ends_at.type))
    .scalar_subquery(),
)


def public_feed_validator(
    spec: FeedSpec, *, locale: str, now: datetime, past_days: int
) -> Validator:
    """ETag and Last-Modified of a public feed, from one query answered by indexes alone.

    Every new or edited event raises the latest ``updated_at`` (only drafts, which no
    feed shows, can be deleted). Time alone changes a feed only when an event's end
    passes the window's start (or, for a cancelled one, now): the earliest end still
    inside each boundary names that state, and changes exactly when an event drops out.
    No count: counting rows reads the whole table, and a 304 must stay cheap.

    The answer is kept in the process under the data version (which every change to an
    event raises, on any host) until the first of those ends passes, so a repeated
    request costs only the version read.
    """
    version = current_data_version()
    key = (spec.key, locale, past_days)
    kept = _validators().get(key)
    if kept is not None and version is not None:
        kept_version, validator, valid_until = kept
        if kept_version == version and (valid_until is None or now < valid_until):
            return validator
    since = feed_window_start(now, past_days)
    latest, first_in_window, first_not_over = db.session.execute(
        _PUBLIC_VALIDATOR_QUERY, {"since": since, "now": now}
    ).one()
    latest, first_in_window, first_not_over = (
        _as_utc(latest),
        _as_utc(first_in_window),
        _as_utc(first_not_over),
    )
    parts = (latest, first_in_window, first_not_over)
    validator = _make_validator(spec.key, locale, parts, latest)
    if version is not None:
        ends = [first_not_over]
        if first_in_window is not None:
            ends.append(first_in_window + timedelta(days=past_days))
        ahead = [instant for instant in ends if instant is not None]
        _validators()[key] = (version, validator, min(ahead) if ahead else None)
    return validator


VALIDATOR_ENTRIES = 512


def _validators() -> dict[tuple, tuple[int, Validator, datetime | None]]:
    """This app's public feed validators by (feed, language, window)."""
    kept = current_app.extensions.setdefault("feed_validators", {})
    if len(kept) > VALIDATOR_ENTRIES:
        kept.clear()
    return kept


def _as_utc(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back naive UTC (or a string).
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _region_names(event_ids_select) -> dict[int, list[str]]:
    rows = db.session.execute(
        db.select(event_regions.c.event_id, Region.name)
        .join(Region, Region.id == event_regions.c.region_id)
        .where(event_regions.c.event_id.in_(event_ids_select))
        .order_by(event_regions.c.event_id, Region.code)
    )
    names: dict[int, list[str]] = {}
    for event_id, name in rows:
        names.setdefault(event_id, []).append(name)
    return names


def public_feed_rows(spec: FeedSpec, *, now: datetime, past_days: int):
    """The events of a public feed (rows, join link excluded) and their region names."""
    conditions = _public_conditions(spec, now, past_days)
    rows = db.session.execute(
        db.select(*_PUBLIC_COLUMNS)
        .join(Partner, Partner.id == Event.host_partner_id)
        .where(*conditions)
        .order_by(Event.starts_at, Event.id)
    ).all()
    regions = _region_names(db.select(Event.id).where(*conditions))
    return rows, regions


# --- turning events into calendar entries --------------------------------------------------


class _EventPageUrls:
    """Absolute event page URLs, built once per feed instead of once per event."""

    def __init__(self) -> None:
        self._template = external_url("public.event_detail", slug=SLUG_PLACEHOLDER)

    def __call__(self, slug: str) -> str:
        # Slugs are [a-z0-9-] only, so they need no quoting.
        return self._template.replace(SLUG_PLACEHOLDER, slug)


# --- feeds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedTitle:
    name: str
    description: str


def catalogue_title(kind: str | None, region: Region | None = None) -> FeedTitle:
    """The name and description of the public feed of ``kind`` and/or ``region``."""
    if region is not None and kind:
        label = str(KIND_LABELS[kind])
        return FeedTitle(
            _("Inter Ventures: %(kind)s, %(region)s", kind=label, region=region.name),
            _(
                "%(kind)s of the Inter Ventures partnership serving %(region)s (%(country)s).",
                kind=label,
                region=region.name,
                country=region.country,
            ),
        )
    if region is not None:
        return region_title(region)
    if kind:
        label = str(KIND_LABELS[kind])
        return FeedTitle(
            _("Inter Ventures: %(kind)s", kind=label),
            _("%(kind)s of the Inter Ventures partnership.", kind=label),
        )
    return FeedTitle(
        _("Inter Ventures events"),
        _(
            "Partner meetings, thematic study visits and stakeholder webinars of the "
            "Inter Ventures partnership."
        ),
    )


def region_title(region: Region) -> FeedTitle:
    return FeedTitle(
        _("Inter Ventures: %(region)s", region=region.name),
        _(
            "Inter Ventures events serving %(region)s (%(country)s).",
            region=region.name,
            country=region.country,
        ),
    )


def build_public_feed(
    spec: FeedSpec, title: FeedTitle, *, locale: str, now: datetime, past_days: int
) -> bytes:
    """The bytes of a public feed: published public events, no join links."""
    with force_locale(locale):
        rows, regions = public_feed_rows(spec, now=now, past_days=past_days)
        labels = calendar_labels()
        page_url = _EventPageUrls()
        entries = [
            to_calendar_event(
                row,
                region_names=regions.get(row.id, ()),
                host_name=row.host_name,
                page_url=page_url(row.slug),
                labels=labels,
            )
            for row in rows
        ]
        return build_calendar(
            entries,
            name=title.name,
            description=title.description,
            prodid=PRODID,
            url=external_url("public.catalogue"),
            refresh_interval=refresh_interval(),
        )


# --- one event --------------------------------------------------------------------------------


def public_event_validator(slug: str, *, locale: str) -> tuple[int, Validator] | None:
    """The id and validator of the public event ``slug``, or ``None`` if it is not public."""
    row = db.session.execute(
        db.select(Event.id, Event.updated_at, Event.sequence, Event.status, Event.visibility).where(
            Event.slug == slug
        )
    ).first()
    # An unlisted event's file is reachable like its page (by its link); it is in no feed.
    if row is None or row.visibility not in ("public", "unlisted") or row.status == "draft":
        return None
    return row.id, _make_validator(
        f"event:{row.id}", locale, (row.updated_at, row.sequence, row.status), row.updated_at
    )


def load_event_for_calendar(event_id: int) -> Event:
    return db.session.scalars(
        db.select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.host_partner),
            selectinload(Event.regions),
            selectinload(Event.programme),
        )
    ).one()


def build_event_feed(event: Event, *, locale: str) -> bytes:
    with force_locale(locale):
        return event_ics(event, personal=False)


# --- personal feeds ----------------------------------------------------------------------------


def find_by_feed_token(token: str) -> Registration | None:
    """The registration whose personal feed is ``token`` (not erased), or ``None``."""
    registration = lookup_by_token(Registration.feed_token, token)
    if registration is None or registration.erased_at is not None:
        return None
    return registration


def personal_feed_validator(
    registration: Registration, *, now: datetime, past_days: int
) -> tuple[Validator, int | None]:
    """Validator of a registrant's feed, and the id of the event it shows (if any).

    The feed holds the registration's event while the registrant is confirmed and the
    event is published (or cancelled and not yet over), within the feed window.
    """
    row = db.session.execute(
        db.select(Event.id, Event.updated_at, Event.status, Event.ends_at, Event.sequence).where(
            Event.id == registration.event_id
        )
    ).one()
    since = feed_window_start(now, past_days)
    shown = registration.status == "confirmed" and (
        (row.status == "published" and row.ends_at >= since)
        or (row.status == "cancelled" and row.ends_at >= now)
    )
    latest = max(registration.updated_at, row.updated_at)
    parts = (registration.id, registration.status, shown, row.updated_at, row.sequence, row.status)
    validator = _make_validator(
        f"personal:{registration.feed_token}", registration.locale or "en", parts, latest
    )
    return validator, row.id if shown else None


def build_personal_feed(registration: Registration, event_id: int | None) -> bytes:
    locale = registration.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        entries = []
        if event_id is not None:
            event = load_event_for_calendar(event_id)
            entries.append(
                to_calendar_event(
                    event,
                    region_names=[region.name for region in event.regions],
                    host_name=event.host_partner.name,
                    page_url=(
                        external_url("public.event_detail", slug=event.slug)
                        if event.is_reachable_by_link
                        else external_url("registrations.manage", token=registration.token)
                    ),
                    labels=calendar_labels(),
                    join_url=event.join_url if event.is_online else "",
                )
            )
        return build_calendar(
            entries,
            name=_("My Inter Ventures events"),
            description=_(
                "The Inter Ventures events you are registered for, with their join links. "
                "Keep this address private."
            ),
            url=external_url("public.catalogue"),
            refresh_interval=refresh_interval(),
        )


# --- partner contacts' feeds ---------------------------------------------------------------------


def find_contact_by_feed_token(token: str) -> PartnerContact | None:
    """The contact (not removed) whose personal feed is ``token``, or ``None``."""
    contact = lookup_by_token(PartnerContact.feed_token, token)
    if contact is None or not contact.is_active:
        return None
    return contact


def _contact_feed_rows(contact: PartnerContact, *, now: datetime, past_days: int):
    """(invitation, event, registration status) of each meeting the contact's feed shows.

    Partners-only meetings the contact is invited to (invitation not withdrawn, not
    declined), published or cancelled and not yet over, within the feed window.
    """
    since = feed_window_start(now, past_days)
    return db.session.execute(
        db.select(Invitation, Event, Registration.status)
        .join(Event, Event.id == Invitation.event_id)
        .outerjoin(Registration, Registration.id == Invitation.registration_id)
        .where(
            Invitation.contact_id == contact.id,
            Invitation.revoked_at.is_(None),
            or_(Invitation.answer.is_(None), Invitation.answer != "decline"),
            Event.visibility == "partners",
            or_(
                and_(Event.status == "published", Event.ends_at >= since),
                and_(Event.status == "cancelled", Event.ends_at >= now),
            ),
        )
        .order_by(Event.starts_at, Event.id)
    ).all()


def contact_feed_validator(contact: PartnerContact, *, now: datetime, past_days: int):
    """Validator of a contact's feed and the rows it is built from (a small list)."""
    rows = _contact_feed_rows(contact, now=now, past_days=past_days)
    parts: list[object] = [contact.id, contact.updated_at]
    latest = contact.updated_at
    for invitation, event, status in rows:
        parts += [event.id, event.updated_at, event.sequence, event.status, invitation.answer]
        parts += [invitation.updated_at, status]
        latest = max(latest, event.updated_at, invitation.updated_at)
    validator = _make_validator(
        f"contact:{contact.feed_token}", contact.locale or "en", parts, latest
    )
    return validator, rows


def build_contact_feed(contact: PartnerContact, rows) -> bytes:
    """The contact's meetings; the join link only where their "attend" holds a seat."""
    locale = contact.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        labels = calendar_labels()
        entries = []
        for invitation, event, status in rows:
            attending = invitation.answer == "attend" and status == "confirmed"
            entries.append(
                to_calendar_event(
                    event,
                    region_names=[region.name for region in event.regions],
                    host_name=event.host_partner.name,
                    page_url=external_url("invitations.invitation", token=invitation.token),
                    labels=labels,
                    join_url=event.join_url if attending and event.is_online else "",
                )
            )
        return build_calendar(
            entries,
            name=_("Inter Ventures partner meetings"),
            description=_(
                "The partner meetings you are invited to, with the join link of those you "
                "attend. Keep this address private."
            ),
            url=external_url("public.catalogue"),
            refresh_interval=refresh_interval(),
        )


def regenerate_feed_token(registration: Registration) -> str:
    """Give the registration a new personal feed address; the old one stops working."""
    registration.feed_token = new_token()
    return registration.feed_token


# --- links for pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedLinks:
    """Every way to subscribe to one feed; ``name`` is what calendar apps call it."""

    https: str
    webcal: str
    name: str = ""

    @property
    def google(self) -> str:
        """Opens Google Calendar's "add this calendar?" prompt."""
        return GOOGLE_SUBSCRIBE + urlencode({"cid": self.webcal})

    @property
    def outlook(self) -> str:
        """Outlook.com (personal Microsoft accounts): "Subscribe from web", filled in."""
        return OUTLOOK_COM_SUBSCRIBE + urlencode({"url": self.https, "name": self.name})

    @property
    def microsoft365(self) -> str:
        """Outlook on the web of a work or school account (Microsoft 365)."""
        return MICROSOFT_365_SUBSCRIBE + urlencode({"url": self.https, "name": self.name})


GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/render?"
OUTLOOK_COM_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb?"
MICROSOFT_365_SUBSCRIBE = "https://outlook.office.com/calendar/0/addfromweb?"


def feed_links(endpoint: str, name: str = "", **values: object) -> FeedLinks:
    """The ``https://`` and ``webcal://`` addresses of a feed, and its subscribe links."""
    url = external_url(endpoint, **values)
    scheme, _sep, rest = url.partition("://")
    return FeedLinks(https=url, webcal=f"webcal://{rest}", name=name)


def public_feed_links(region: Region | None = None, kind: str | None = None) -> FeedLinks:
    """The feed of what a filtered catalogue shows: ``/calendar.ics?region=LT&kind=webinar``."""
    return feed_links(
        "feeds.catalogue_ics",
        name=catalogue_title(kind, region).name,
        region=region.code if region is not None else None,
        kind=kind,
    )


def region_feed_links(region: Region) -> FeedLinks:
    """The feed of a region page: ``/regions/LT/calendar.ics``."""
    return feed_links("feeds.region_ics", name=region_title(region).name, code=region.code)


def _compact_utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def add_to_calendar_links(event: Event) -> dict[str, str]:
    """ "Add to Google Calendar" and Outlook.com links of a public event (no join link)."""
    page_url = external_url("public.event_detail", slug=event.slug)
    locale = str(get_locale() or "en")
    title = event.localized("title", locale)
    details = "\n\n".join(part for part in (event.localized("summary", locale), page_url) if part)
    location = event_location(event)
    if event.all_day:
        first, end = CalendarEvent(
            uid="",
            sequence=0,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            timezone=event.timezone,
            summary="",
            all_day=True,
        ).all_day_dates()
        google_dates = f"{first:%Y%m%d}/{end:%Y%m%d}"
        outlook_times = {"startdt": first.isoformat(), "enddt": end.isoformat(), "allday": "true"}
    else:
        google_dates = f"{_compact_utc(event.starts_at)}/{_compact_utc(event.ends_at)}"
        outlook_times = {
            "startdt": event.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "enddt": event.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "allday": "false",
        }
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": google_dates,
            "ctz": event.timezone,
            "details": details,
            "location": location,
        }
    )
    outlook = "https://outlook.live.com/calendar/0/action/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            **outlook_times,
            "body": details,
            "location": location,
        }
    )
    return {"google": google, "outlook": outlook}


# --- the per-process cache -----------------------------------------------------------------------


class FeedCache:
    """Built feeds kept in this process, keyed by their validator.

    A stale entry is never served: the key is the ETag computed from the database for
    this request, so any change to the data is a miss. Entries also expire after
    ``max_age`` seconds (texts outside the events, like region names, may change). At
    most ``max_entries`` feeds and ``max_bytes`` of them are kept (``FEED_CACHE_MAX_BYTES``;
    a feed of thousands of events weighs megabytes), least recently used first out; a
    feed larger than the budget is served but not kept.
    """

    def __init__(self, max_entries: int = CACHE_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, etag: str, max_age: float) -> bytes | None:
        with self._lock:
            entry = self._entries.get(etag)
            if entry is None:
                return None
            built, body = entry
            if time.monotonic() - built > max_age:
                self._drop(etag)
                return None
            self._entries.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes, max_bytes: int | None = None) -> None:
        if max_bytes is not None and len(body) > max_bytes:
            return
        with self._lock:
            if etag in self._entries:
                self._drop(etag)
            self._entries[etag] = (time.monotonic(), body)
            self._bytes += len(body)
            while len(self._entries) > self.max_entries or (
                max_bytes is not None and self._bytes > max_bytes
            ):
                self._drop(next(iter(self._entries)))

    @property
    def size(self) -> int:
        """Bytes of the feeds kept."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, etag: str) -> None:
        _built, body = self._entries.pop(etag)
        self._bytes -= len(body)


feed_cache = FeedCache()
