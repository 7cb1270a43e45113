"""The JSON read API's queries and the public shape of an event.

An event's JSON never holds its join link (``online_url``), its registrations or any
organiser-only field: only what the public event page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.models import EVENT_KINDS, Event, Partner, ProgrammeItem, Region
from webapp.models.events import TRANSLATABLE_FIELDS
from webapp.public.catalogue import MAX_QUERY_LENGTH, CatalogueFilters, public_events_query
from webapp.registrations.queries import confirmed_counts, seats_left
from webapp.urls import external_url

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000


@dataclass
class ListQuery:
    filters: CatalogueFilters
    per_page: int
    errors: dict[str, str] = field(default_factory=dict)


def _positive_int(raw: str, *, name: str, maximum: int, errors: dict[str, str]) -> int | None:
    raw = raw.strip()
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        errors[name] = _(
            "%(name)s must be a whole number from 1 to %(max)d.", name=name, max=maximum
        )
        return None
    return int(raw)


def parse_list_query(args: Mapping[str, str], region_codes: set[str]) -> ListQuery:
    """Read and check the list's query parameters; every bad value is reported by name."""
    errors: dict[str, str] = {}
    filters = CatalogueFilters()
    region = args.get("region", "").strip().upper()
    if region:
        if region in region_codes:
            filters.region = region
        else:
            errors["region"] = _(
                "Unknown region. Use one of: %(codes)s.", codes=", ".join(sorted(region_codes))
            )
    kind = args.get("kind", "").strip()
    if kind:
        if kind in EVENT_KINDS:
            filters.kind = kind
        else:
            errors["kind"] = _("Unknown kind. Use one of: %(kinds)s.", kinds=", ".join(EVENT_KINDS))
    when = args.get("when", "").strip() or "upcoming"
    if when in ("upcoming", "past"):
        filters.when = when
    else:
        errors["when"] = _("when must be upcoming or past.")
    q = " ".join(args.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _("q must be at most %(n)d characters.", n=MAX_QUERY_LENGTH)
    filters.q = q
    page = _positive_int(args.get("page", "1"), name="page", maximum=MAX_PAGE, errors=errors)
    filters.page = page or 1
    per_page = _positive_int(
        args.get("per_page", str(DEFAULT_PER_PAGE)),
        name="per_page",
        maximum=MAX_PER_PAGE,
        errors=errors,
    )
    return ListQuery(filters=filters, per_page=per_page or DEFAULT_PER_PAGE, errors=errors)


def _utc(instant: datetime | None) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_json(event: Event, seats: int | None) -> dict[str, Any]:
    """The public JSON of an event (host partner and regions loaded by the caller)."""
    partner = event.host_partner
    data: dict[str, Any] = {
        "slug": event.slug,
        "url": external_url("public.event_detail", slug=event.slug),
        "ics_url": external_url("feeds.event_ics", slug=event.slug),
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        # The language of title, summary and description, and the organisers' translations.
        "language": event.language or "en",
        "translations": {
            language: {
                field: texts[field]
                for field in TRANSLATABLE_FIELDS
                if isinstance(texts.get(field), str) and texts[field].strip()
            }
            for language, texts in sorted((event.translations or {}).items())
            if isinstance(texts, dict)
        },
        "status": event.status,
        "starts_at": _utc(event.starts_at),
        "ends_at": _utc(event.ends_at),
        "timezone": event.timezone,
        "all_day": event.all_day,
        "format": event.format,
        "venue": event.venue if event.is_onsite else "",
        "address": event.address if event.is_onsite else "",
        "regions": [{"code": r.code, "name": r.name} for r in event.regions],
        "host_partner": {
            "name": partner.name,
            "short_name": partner.short_name,
            "region": partner.region.code if partner.region else None,
        },
        "capacity": event.capacity,
        "seats_left": seats,
        "registration_opens_at": _utc(event.registration_opens_at),
        "registration_closes_at": _utc(event.registration_closes_at),
        "requires_approval": event.requires_approval,
        "sequence": event.sequence,
        "updated_at": _utc(event.updated_at),
    }
    if event.all_day:
        days = event.days
        data["first_day"] = days[0].isoformat()
        data["last_day"] = days[-1].isoformat()
    return data


def _with_relations(stmt):
    return stmt.options(
        joinedload(Event.host_partner).joinedload(Partner.region), selectinload(Event.regions)
    )


@dataclass
class EventList:
    events: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def list_events(query: ListQuery) -> EventList:
    """One page of published or cancelled public events matching the filters."""
    stmt = public_events_query(query.filters)
    total = db.session.scalar(db.select(func.count()).select_from(stmt.order_by(None).subquery()))
    events = list(
        db.session.scalars(
            _with_relations(stmt)
            .limit(query.per_page)
            .offset((query.filters.page - 1) * query.per_page)
        ).unique()
    )
    counts = confirmed_counts(e.id for e in events)
    return EventList(
        events=[event_json(e, seats_left(e, counts.get(e.id, 0))) for e in events],
        total=total or 0,
        page=query.filters.page,
        per_page=query.per_page,
    )


def public_event(slug: str) -> dict[str, Any] | None:
    """The JSON of the public event ``slug``, or ``None`` when unknown or not public."""
    event = db.session.scalars(_with_relations(db.select(Event).where(Event.slug == slug))).first()
    if event is None or not event.is_public:
        return None
    confirmed = confirmed_counts([event.id]).get(event.id, 0)
    data = event_json(event, seats_left(event, confirmed))
    data["programme_url"] = external_url("programme.printable", slug=event.slug)
    data["programme"] = [programme_item_json(item) for item in event.programme]
    return data


def programme_item_json(item: ProgrammeItem) -> dict[str, Any]:
    """One programme item: UTC times, texts in the event's language and their translations."""
    return {
        "starts_at": _utc(item.starts_at),
        "ends_at": _utc(item.ends_at),
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "translations": {
            language: dict(texts)
            for language, texts in sorted((item.translations or {}).items())
            if isinstance(texts, dict)
        },
        "place": item.place,
        "address": item.address,
        "map_url": item.map_link,
        "speakers": [
            {"name": s.name, "organisation": s.organisation, "url": s.url} for s in item.speakers
        ],
    }


def region_codes() -> set[str]:
    return set(db.session.scalars(db.select(Region.code)))
