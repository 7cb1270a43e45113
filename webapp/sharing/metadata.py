"""What a public page tells link previews and search engines about itself.

Canonical address and ``hreflang`` alternates (each language version of a page is the
same address with ``?lang=xx``), Open Graph and Twitter card data, and schema.org
``Event`` data for event pages. Every address is built from ``PUBLIC_BASE_URL``
(``webapp.urls``), never from the request's ``Host``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.formatting import KIND_LABELS, event_when
from webapp.i18n import LOCALE_ARGUMENT
from webapp.language_codes import supported_language
from webapp.models import Event
from webapp.sharing.image import DRAWING_VERSION, ShareCard
from webapp.timezones import zone
from webapp.urls import external_url, external_url_builder

SITE_NAME = "Inter Ventures Events"
SHARE_IMAGE_SIZE = (1200, 630)

# Open Graph wants a territory with each language.
OPEN_GRAPH_LOCALES = {
    "en": "en_GB",
    "hu": "hu_HU",
    "it": "it_IT",
    "pl": "pl_PL",
    "es": "es_ES",
    "lt": "lt_LT",
}

# Pages shown to search engines and link previews, with the query arguments that choose
# what they show. Others (search text, a visitor's own zone) stay out of the canonical
# address: they show a variant of the same page.
SHAREABLE_PAGES: dict[str, tuple[str, ...]] = {
    "public.catalogue": ("region", "kind", "when", "page"),
    "public.region_detail": ("when",),
    "public.event_detail": (),
    "sharing.embed_help": (),
}

SCHEMA_STATUS = {
    "published": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
}
SCHEMA_ATTENDANCE = {
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "onsite": "https://schema.org/OfflineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


@dataclass
class PageAddresses:
    """The canonical address of the current page and its language versions."""

    canonical: str
    # (hreflang, address) for each language, then ``x-default`` (the address without
    # ``lang``: the visitor's own language).
    alternates: list[tuple[str, str]] = field(default_factory=list)


def requested_language() -> str | None:
    """The language named in the address (``?lang=``), if it is one of the site's."""
    return supported_language(request.args.get(LOCALE_ARGUMENT), current_app.config["LANGUAGES"])


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def page_addresses(*, indexable: bool = True) -> PageAddresses | None:
    """Canonical and alternate addresses of the current page, or ``None`` if it has none.

    ``indexable=False`` (an unlisted event) gives the canonical address alone.
    """
    endpoint = request.endpoint
    if endpoint not in SHAREABLE_PAGES:
        return None
    values: dict[str, Any] = dict(request.view_args or {})
    for name in SHAREABLE_PAGES[endpoint]:
        value = request.args.get(name, "").strip()
        if value:
            values[name] = value[:100]
    language = requested_language()
    address = external_url_builder()
    canonical = address(endpoint, **values, **({LOCALE_ARGUMENT: language} if language else {}))
    addresses = PageAddresses(canonical=canonical)
    if indexable:
        for code in current_app.config["LANGUAGES"]:
            addresses.alternates.append((code, address(endpoint, **values, lang=code)))
        addresses.alternates.append(("x-default", address(endpoint, **values)))
    return addresses


def open_graph_locales() -> tuple[str, list[str]]:
    """``og:locale`` of the page and ``og:locale:alternate`` for the other languages."""
    current = current_language()
    return OPEN_GRAPH_LOCALES.get(current, current), [
        OPEN_GRAPH_LOCALES.get(code, code)
        for code in current_app.config["LANGUAGES"]
        if code != current
    ]


def _language_args(language: str | None) -> dict[str, str]:
    return {LOCALE_ARGUMENT: language} if language else {}


def event_url(event: Event, language: str | None = None) -> str:
    """The public address of ``event``, in ``language`` if given."""
    return external_url("public.event_detail", slug=event.slug, **_language_args(language))


def share_image_url(event: Event, language: str) -> str:
    """The address of ``event``'s share image in ``language``.

    ``v`` changes with every edit, so link previews that keep images by address (most
    do, for days) fetch the new one.
    """
    edited = int(event.updated_at.timestamp()) if event.updated_at else 0
    return external_url(
        "sharing.event_share_image",
        slug=event.slug,
        lang=language,
        v=f"{DRAWING_VERSION}-{edited}-{event.sequence}",
    )


def share_card(event: Event, language: str) -> ShareCard:
    """The texts of ``event``'s share image in the current language."""
    host = event.host_partner
    host_line = host.name
    if host.region is not None:
        host_line = f"{host.name} · {host.region.name}"
    return ShareCard(
        title=event.localized("title", language),
        when=f"{event_when(event)} ({event.timezone})",
        host=_("Hosted by %(partner)s", partner=host_line),
        kind=event.kind,
        kind_label=str(KIND_LABELS.get(event.kind, "")),
        site_name=SITE_NAME,
        cancelled_label=_("Cancelled") if event.is_cancelled else "",
    )


def _instant(instant: datetime, tz_name: str) -> str:
    return instant.astimezone(zone(tz_name)).isoformat()


def event_json_ld(
    event: Event, language: str, *, seats_left: int | None, registration_open: bool
) -> dict[str, Any]:
    """schema.org ``Event`` data of a public event (never its join link).

    The offer (free, pointing at the registration form) is there only while registration
    is open.
    """
    page = event_url(event, language)
    if event.all_day:
        days = event.days
        start, end = days[0].isoformat(), days[-1].isoformat()
    else:
        start, end = (
            _instant(event.starts_at, event.timezone),
            _instant(event.ends_at, event.timezone),
        )
    online = {"@type": "VirtualLocation", "url": page}
    place: dict[str, Any] = {"@type": "Place", "name": event.venue or event.address}
    if event.address:
        place["address"] = event.address
    if event.format == "online":
        location: Any = online
    elif event.format == "hybrid":
        location = [place, online]
    else:
        location = place
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.localized("title", language),
        "startDate": start,
        "endDate": end,
        "eventStatus": SCHEMA_STATUS.get(event.status, SCHEMA_STATUS["published"]),
        "eventAttendanceMode": SCHEMA_ATTENDANCE.get(event.format, SCHEMA_ATTENDANCE["online"]),
        "location": location,
        "url": page,
        "image": [share_image_url(event, language)],
        "inLanguage": event.language or "en",
        "organizer": {"@type": "Organization", "name": event.host_partner.name},
        "isAccessibleForFree": True,
    }
    summary = event.localized("summary", language) or event.localized("description", language)
    if summary:
        data["description"] = summary[:500]
    if registration_open:
        data["offers"] = {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "EUR",
            "url": external_url("registrations.register", slug=event.slug),
            "availability": "https://schema.org/SoldOut"
            if seats_left == 0
            else "https://schema.org/InStock",
        }
    return data


def language_name(code: str | None) -> str:
    """The name of language ``code`` in the current language (``litván`` in Hungarian)."""
    code = code or "en"
    try:
        name = Locale.parse(code).get_language_name(current_language())
    except (ValueError, UnknownLocaleError):
        return code
    return name or code
