"""Public views: catalogue, event page, region page and the health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.models import Event, Partner, Region
from webapp.page_cache import cached_page, fresh_until
from webapp.programme.access import may_open
from webapp.programme.display import programme_context
from webapp.public.catalogue import (
    catalogue_page,
    next_end_of_listed_event,
    parse_filters,
    public_events_query,
)
from webapp.registrations.queries import confirmed_counts, seats_left
from webapp.series.services import series_dates_for_visitors
from webapp.timezones import times_in_regions

bp = Blueprint("public", __name__)


def all_regions() -> list[Region]:
    """Every region in code order, read once per request."""
    if "all_regions" not in g:
        g.all_regions = list(db.session.scalars(db.select(Region).order_by(Region.code)))
    return g.all_regions


@bp.app_context_processor
def navigation() -> dict[str, object]:
    def nav_regions() -> list[Region]:
        try:
            return all_regions()
        except SQLAlchemyError:  # an error page must render even when the database is down
            db.session.rollback()
            return []

    return {"nav_regions": nav_regions(), "current_locale": str(get_locale() or "en")}


@bp.get("/")
@cached_page
def catalogue():
    regions = all_regions()
    filters = parse_filters(request.args, {r.code for r in regions})
    page = catalogue_page(filters, current_app.config["EVENTS_PER_PAGE"])
    # An event moves from the upcoming list to the past one when it ends.
    fresh_until([next_end_of_listed_event()])
    counts = confirmed_counts(e.id for e in page.events)
    seats = {e.id: seats_left(e, counts.get(e.id, 0)) for e in page.events}
    return render_template(
        "public/catalogue.html",
        page=page,
        filters=filters,
        regions=regions,
        filter_region=next((r for r in regions if r.code == filters.region), None),
        seats=seats,
    )


def get_public_event_or_404(slug: str) -> Event:
    """The event with ``slug`` if anonymous visitors may see it; 404 otherwise."""
    event = db.session.scalar(
        db.select(Event)
        .where(Event.slug == slug)
        .options(
            joinedload(Event.host_partner).joinedload(Partner.region),
            selectinload(Event.regions),
        )
    )
    if event is None or not event.is_reachable_by_link:
        abort(404)
    return event


def unlisted_headers(response, event: Event):
    """Ask search engines to leave a page of an unlisted event alone."""
    if not event.is_public:
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/events/<slug:slug>")
@cached_page
def event_detail(slug: str):
    event = get_public_event_or_404(slug)
    regions = all_regions()
    confirmed = confirmed_counts([event.id]).get(event.id, 0)
    materials = list(event.materials)
    series_dates = series_dates_for_visitors(event)
    # Registration opens and closes, and the event starts and ends, by time alone.
    fresh_until(
        instant
        for shown in (event, *series_dates)
        for instant in (
            shown.registration_opens_at,
            shown.registration_closes_at,
            shown.starts_at,
            shown.ends_at,
        )
    )
    page = render_template(
        "public/event.html",
        event=event,
        seats_left=seats_left(event, confirmed),
        start_times=times_in_regions(event.starts_at, regions),
        end_times=times_in_regions(event.ends_at, regions),
        series_dates=series_dates,
        programme=programme_context(event, regions, request.args.get("tz")),
        materials=[m for m in materials if may_open(m)],
        material_url=lambda m: url_for("programme.material", slug=event.slug, material_id=m.id),
        more_materials=any(not may_open(m) and m.audience != "organisers" for m in materials),
    )
    return unlisted_headers(make_response(page), event)


@bp.get("/regions/<code>")
@cached_page
def region_detail(code: str):
    region = db.session.scalar(
        db.select(Region)
        .where(Region.code == code.upper()[:8])
        .options(selectinload(Region.partners))
    )
    if region is None:
        abort(404)
    filters = parse_filters(
        {"region": region.code, "when": request.args.get("when", "")}, {region.code}
    )
    filters.problems.clear()
    events = list(
        db.session.scalars(
            public_events_query(filters)
            .options(joinedload(Event.host_partner), selectinload(Event.regions))
            .limit(50)
        )
    )
    counts = confirmed_counts(e.id for e in events)
    seats = {e.id: seats_left(e, counts.get(e.id, 0)) for e in events}
    fresh_until([next_end_of_listed_event()])
    return render_template(
        "public/region.html",
        region=region,
        events=events,
        seats=seats,
        filters=filters,
        display_tz=region.timezone,
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
