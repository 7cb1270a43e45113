"""Read-only queries and builders behind the sharing pages: the embeddable list, the
RSS/Atom feeds of upcoming events and the sitemap. They never read the request and never
commit; each costs a constant number of queries whatever the number of events.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import feedgenerator
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.formatting import KIND_LABELS, event_when
from webapp.models import Event, Partner, Region
from webapp.public.catalogue import CatalogueFilters, public_events_query
from webapp.urls import external_url, external_url_builder

# Most events an embedded list or a feed shows, and how many a list shows unless asked.
MAX_LISTED_EVENTS = 50
DEFAULT_EMBED_EVENTS = 5
MAX_EMBED_EVENTS = 20
# A sitemap file holds at most 50,000 addresses and 50 MB; each event takes one address
# and about 1 kB with its language versions. The most recent events come first.
MAX_SITEMAP_EVENTS = 20_000

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass
class ListingFilters:
    """What an embedded list or a syndication feed shows."""

    region: str | None = None
    kind: str | None = None
    # Only events held in this language (``Event.language``).
    held_in: str | None = None
    limit: int = DEFAULT_EMBED_EVENTS

    def as_args(self) -> dict[str, object]:
        args = {"region": self.region, "kind": self.kind, "held_in": self.held_in}
        return {k: v for k, v in args.items() if v}


def upcoming_events(filters: ListingFilters, limit: int) -> list[Event]:
    """Upcoming public events matching ``filters``, soonest first, with partner and regions."""
    stmt = public_events_query(CatalogueFilters(region=filters.region, kind=filters.kind))
    if filters.held_in:
        stmt = stmt.where(Event.language == filters.held_in)
    return list(
        db.session.scalars(
            stmt.options(
                joinedload(Event.host_partner).joinedload(Partner.region),
                selectinload(Event.regions),
            ).limit(min(limit, MAX_LISTED_EVENTS))
        )
    )


def listing_title(filters: ListingFilters, regions: Sequence[Region]) -> str:
    """A feed's or list's title naming its filters: "Upcoming events · Lithuania · Webinars"."""
    parts = [_("Inter Ventures: upcoming events")]
    names = {r.code: r.name for r in regions}
    if filters.region:
        parts.append(names.get(filters.region, filters.region))
    if filters.kind:
        parts.append(str(KIND_LABELS[filters.kind]))
    return " · ".join(parts)


def _event_address(event: Event, language: str) -> str:
    return external_url("public.event_detail", slug=event.slug, lang=language)


def build_syndication_feed(
    events: Sequence[Event],
    *,
    atom: bool,
    title: str,
    language: str,
    feed_url: str,
    site_url: str,
) -> bytes:
    """An Atom 1.0 (``atom=True``) or RSS 2.0 document of ``events`` in ``language``."""
    feed_class = feedgenerator.Atom1Feed if atom else feedgenerator.Rss201rev2Feed
    feed = feed_class(
        title=title,
        link=site_url,
        description=_(
            "Partner meetings, thematic study visits and stakeholder webinars of the Inter "
            "Ventures partnership."
        ),
        language=language,
        feed_url=feed_url,
        author_name="Inter Ventures",
    )
    for event in events:
        summary = event.localized("summary", language)
        when = f"{event_when(event)} ({event.timezone})"
        description = f"{when}\n{summary}" if summary else when
        if event.is_cancelled:
            description = f"{_('This event has been cancelled.')}\n{description}"
        feed.add_item(
            title=event.localized("title", language),
            link=_event_address(event, language),
            description=description,
            unique_id=external_url("public.event_detail", slug=event.slug),
            unique_id_is_permalink=True,
            author_name=event.host_partner.name,
            pubdate=event.created_at.astimezone(UTC),
            updateddate=event.updated_at.astimezone(UTC),
            categories=[str(KIND_LABELS[event.kind]), *(r.code for r in event.regions)],
        )
    return feed.writeString("utf-8").encode("utf-8")


def latest_change(events: Sequence[Event]) -> datetime | None:
    return max((e.updated_at for e in events), default=None)


def build_sitemap(languages: Sequence[str]) -> bytes:
    """The sitemap of the public pages: catalogue, region pages and listed events.

    Each address names its language versions (``xhtml:link rel="alternate"``).
    """
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    address = external_url_builder()

    def add(endpoint: str, lastmod: datetime | None = None, **values: object) -> None:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = address(endpoint, **values)
        if lastmod is not None:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = (
                lastmod.astimezone(UTC).replace(microsecond=0).isoformat()
            )
        for code in languages:
            ET.SubElement(
                url,
                f"{{{XHTML_NS}}}link",
                rel="alternate",
                hreflang=code,
                href=address(endpoint, **values, lang=code),
            )
        ET.SubElement(
            url,
            f"{{{XHTML_NS}}}link",
            rel="alternate",
            hreflang="x-default",
            href=address(endpoint, **values),
        )

    add("public.catalogue")
    for code in db.session.scalars(db.select(Region.code).order_by(Region.code)):
        add("public.region_detail", code=code)
    rows = db.session.execute(
        db.select(Event.slug, Event.updated_at)
        .where(Event.visibility == "public", Event.status != "draft")
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(MAX_SITEMAP_EVENTS)
    )
    for slug, updated_at in rows:
        add("public.event_detail", lastmod=updated_at, slug=slug)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
