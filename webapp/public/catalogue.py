"""The public catalogue: which events a visitor's filters select, one page at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, func
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.models import EVENT_KINDS, Event, Region
from webapp.search import events_matching
from webapp.timezones import utcnow

MAX_QUERY_LENGTH = 100
MAX_PAGE = 10_000


@dataclass
class CatalogueFilters:
    region: str | None = None
    kind: str | None = None
    when: str = "upcoming"
    q: str = ""
    page: int = 1
    problems: list[str] = field(default_factory=list)

    def as_args(self, **overrides: object) -> dict[str, object]:
        """Query-string arguments that reproduce these filters (for links and pagination)."""
        args: dict[str, object] = {
            "region": self.region,
            "kind": self.kind,
            "when": self.when if self.when != "upcoming" else None,
            "q": self.q or None,
            "page": self.page if self.page != 1 else None,
        }
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "")}


def parse_filters(args: Mapping[str, str], region_codes: set[str]) -> CatalogueFilters:
    """Read filters from query arguments; an invalid value is dropped and explained."""
    filters = CatalogueFilters()
    region = (args.get("region") or "").strip().upper()
    if region:
        if region in region_codes:
            filters.region = region
        else:
            filters.problems.append(
                _("There is no region “%(code)s”; showing all regions.", code=region[:12])
            )
    kind = (args.get("kind") or "").strip()
    if kind:
        if kind in EVENT_KINDS:
            filters.kind = kind
        else:
            filters.problems.append(_("Unknown kind of event; showing every kind."))
    when = (args.get("when") or "upcoming").strip()
    if when in ("upcoming", "past"):
        filters.when = when
    else:
        filters.problems.append(_("“When” must be upcoming or past; showing upcoming events."))
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        q = q[:MAX_QUERY_LENGTH]
        filters.problems.append(
            _("The search text was shortened to %(n)d characters.", n=MAX_QUERY_LENGTH)
        )
    filters.q = q
    raw_page = (args.get("page") or "1").strip()
    if raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE:
        filters.page = int(raw_page)
    else:
        filters.problems.append(_("That page number does not exist; showing the first page."))
    return filters


def public_events_query(filters: CatalogueFilters, now: datetime | None = None) -> Select:
    """Published or cancelled public events matching ``filters``, in display order."""
    now = now or utcnow()
    stmt = db.select(Event).where(Event.visibility == "public", Event.status != "draft")
    if filters.region:
        stmt = stmt.where(Event.regions.any(Region.code == filters.region))
    if filters.kind:
        stmt = stmt.where(Event.kind == filters.kind)
    if filters.when == "past":
        stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        stmt = stmt.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    matching = events_matching(filters.q) if filters.q else None
    if matching is not None:
        stmt = stmt.where(Event.id.in_(matching))
    return stmt


@dataclass
class CataloguePage:
    events: list[Event]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def catalogue_page(filters: CatalogueFilters, per_page: int) -> CataloguePage:
    """One page of events with their host partner and regions loaded (constant queries)."""
    stmt = public_events_query(filters)
    total = db.session.scalar(db.select(func.count()).select_from(stmt.order_by(None).subquery()))
    events = list(
        db.session.scalars(
            stmt.options(joinedload(Event.host_partner), selectinload(Event.regions))
            .limit(per_page)
            .offset((filters.page - 1) * per_page)
        )
    )
    return CataloguePage(events=events, total=total or 0, page=filters.page, per_page=per_page)


def next_end_of_listed_event(now: datetime | None = None) -> datetime | None:
    """When the next listed event ends (and so leaves the upcoming lists), if any does."""
    now = now or utcnow()
    return db.session.scalar(
        db.select(func.min(Event.ends_at)).where(
            Event.visibility == "public", Event.status != "draft", Event.ends_at >= now
        )
    )
