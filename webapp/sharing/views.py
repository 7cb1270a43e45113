"""Sharing pages: share images, sitemap, RSS/Atom of upcoming events, and the list of
events partners embed in their own websites (the one page other sites may frame).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
)
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import BadRequest
from werkzeug.http import is_resource_modified

from webapp.extensions import db
from webapp.i18n import LANGUAGE_NAMES
from webapp.language_codes import supported_language
from webapp.models import EVENT_KINDS, Event, Partner
from webapp.public.views import all_regions
from webapp.security_headers import embeddable
from webapp.sharing import metadata, services
from webapp.sharing.image import DRAWING_VERSION, render_share_image
from webapp.sharing.services import ListingFilters
from webapp.urls import external_url

bp = Blueprint("sharing", __name__)

SHARE_IMAGE_MAX_AGE = 24 * 3600
LISTING_MAX_AGE = 300


@bp.app_context_processor
def sharing_helpers() -> dict[str, object]:
    return {
        "page_addresses": metadata.page_addresses,
        "open_graph_locales": metadata.open_graph_locales,
        "share_image_url": metadata.share_image_url,
        "event_json_ld": metadata.event_json_ld,
        "SHARE_IMAGE_SIZE": metadata.SHARE_IMAGE_SIZE,
        "SITE_NAME": metadata.SITE_NAME,
        "event_url": metadata.event_url,
        "external_url": external_url,
        "language_name": metadata.language_name,
    }


def parse_listing_filters(args: Mapping[str, str]) -> ListingFilters:
    """Filters of an embedded list or feed; a value that means nothing is a 400."""
    filters = ListingFilters()
    region = (args.get("region") or "").strip().upper()
    if region:
        if region not in {r.code for r in all_regions()}:
            raise BadRequest(_("There is no region “%(code)s”.", code=region[:12]))
        filters.region = region
    kind = (args.get("kind") or "").strip()
    if kind:
        if kind not in EVENT_KINDS:
            raise BadRequest(_("Unknown kind of event."))
        filters.kind = kind
    held_in_arg = (args.get("held_in") or "").strip()
    if held_in_arg:
        held_in = supported_language(held_in_arg, current_app.config["LANGUAGES"])
        if held_in is None:
            raise BadRequest(_("Unknown language."))
        filters.held_in = held_in
    limit = (args.get("limit") or "").strip()
    if limit:
        if not limit.isdigit() or not 1 <= int(limit) <= services.MAX_EMBED_EVENTS:
            raise BadRequest(
                _("The number of events must be between 1 and %(n)d.", n=services.MAX_EMBED_EVENTS)
            )
        filters.limit = int(limit)
    return filters


@bp.get("/events/<slug:slug>/share.png")
def event_share_image(slug: str) -> Response:
    event = db.session.scalar(
        db.select(Event)
        .where(Event.slug == slug)
        .options(joinedload(Event.host_partner).joinedload(Partner.region))
    )
    if event is None or not event.is_reachable_by_link:
        abort(404)
    card = metadata.share_card(event, metadata.current_language())
    etag = hashlib.blake2b(repr((DRAWING_VERSION, card)).encode(), digest_size=16).hexdigest()
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": f"public, max-age={SHARE_IMAGE_MAX_AGE}",
        "Vary": "Accept-Language, Cookie",
    }
    if not event.is_public:
        headers["X-Robots-Tag"] = "noindex"
    if not is_resource_modified(request.environ, etag=etag):
        return Response(status=304, headers=headers)
    return Response(render_share_image(card), content_type="image/png", headers=headers)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    body = services.build_sitemap(current_app.config["LANGUAGES"])
    return Response(
        body,
        content_type="application/xml; charset=utf-8",
        headers={"Cache-Control": f"public, max-age={LISTING_MAX_AGE}"},
    )


@bp.get("/robots.txt")
def robots() -> Response:
    body = "User-agent: *\nDisallow: /organiser/\nSitemap: {}\n".format(
        external_url("sharing.sitemap")
    )
    return Response(body, content_type="text/plain; charset=utf-8")


def _syndication(atom: bool) -> Response:
    filters = parse_listing_filters(request.args)
    language = metadata.current_language()
    events = services.upcoming_events(filters, services.MAX_LISTED_EVENTS)
    endpoint = "sharing.atom_feed" if atom else "sharing.rss_feed"
    body = services.build_syndication_feed(
        events,
        atom=atom,
        title=services.listing_title(filters, all_regions()),
        language=language,
        feed_url=external_url(endpoint, **filters.as_args(), lang=language),
        site_url=external_url("public.catalogue", region=filters.region, kind=filters.kind),
    )
    content_type = "application/atom+xml" if atom else "application/rss+xml"
    return Response(
        body,
        content_type=f"{content_type}; charset=utf-8",
        headers={"Cache-Control": f"public, max-age={LISTING_MAX_AGE}"},
    )


@bp.get("/events.atom")
def atom_feed() -> Response:
    return _syndication(atom=True)


@bp.get("/events.rss")
def rss_feed() -> Response:
    return _syndication(atom=False)


@bp.get("/embed/events")
@embeddable()
def embedded_list():
    try:
        filters = parse_listing_filters(request.args)
    except BadRequest as error:
        return render_template("sharing/embedded_list.html", problem=error.description), 400
    events = services.upcoming_events(filters, filters.limit)
    response = Response(
        render_template(
            "sharing/embedded_list.html",
            events=events,
            filters=filters,
            title=services.listing_title(filters, all_regions()),
            language=metadata.current_language(),
        )
    )
    response.headers["Cache-Control"] = f"public, max-age={LISTING_MAX_AGE}"
    return response


@bp.get("/embed")
def embed_help():
    """For partners: the snippet that shows a filtered list of events on their website."""
    problem = None
    try:
        filters = parse_listing_filters(request.args)
    except BadRequest as error:
        problem = error.description
        filters = ListingFilters()
    # The widget's language is its own choice: ``lang`` would switch this page's.
    asked = request.args.get("widget_lang", "").strip()
    language = (
        supported_language(asked, current_app.config["LANGUAGES"]) if asked else None
    ) or metadata.current_language()
    if asked and supported_language(asked, current_app.config["LANGUAGES"]) is None:
        problem = problem or _("Unknown language.")
    list_args = {**filters.as_args(), "lang": language}
    if filters.limit != services.DEFAULT_EMBED_EVENTS:
        list_args["limit"] = filters.limit
    return render_template(
        "sharing/embed_help.html",
        filters=filters,
        problem=problem,
        regions=all_regions(),
        kinds=EVENT_KINDS,
        languages=[(c, LANGUAGE_NAMES.get(c, c)) for c in current_app.config["LANGUAGES"]],
        widget_language=language,
        list_url=external_url("sharing.embedded_list", **list_args),
        atom_url=external_url("sharing.atom_feed", **filters.as_args(), lang=language),
        rss_url=external_url("sharing.rss_feed", **filters.as_args(), lang=language),
        max_events=services.MAX_EMBED_EVENTS,
    ), (400 if problem else 200)
