"""Every .ics endpoint; the calendar content itself is built by ``webapp.calendar``.

Each feed answers a conditional request (``If-None-Match``/``If-Modified-Since``) with a
304 after one cheap validator query, before anything is built; a built feed is kept in
the process, keyed by that validator.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.http import http_date, is_resource_modified
from werkzeug.wrappers import Response as BaseResponse

from webapp.extensions import db
from webapp.feeds import services
from webapp.feeds.services import FeedSpec, Validator, feed_cache
from webapp.models import EVENT_KINDS, Region
from webapp.registrations.queries import find_by_token
from webapp.timezones import utcnow

bp = Blueprint("feeds", __name__)

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


@bp.app_context_processor
def calendar_link_helpers() -> dict[str, object]:
    return {
        "feed_links": services.feed_links,
        "public_feed_links": services.public_feed_links,
        "region_feed_links": services.region_feed_links,
        "add_to_calendar_links": services.add_to_calendar_links,
    }


def _config_int(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def _request_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _calendar_response(
    validator: Validator,
    build: Callable[[], bytes],
    *,
    private: bool = False,
    filename: str | None = None,
) -> Response:
    """A 304 when the client's copy is current, else the (cached or freshly built) feed.

    A client that accepts gzip (calendar apps do) gets the feed compressed once per
    build and kept beside the plain one, under its own ETag.
    """
    max_age = _config_int("FEED_HTTP_MAX_AGE", 300)
    gzipped = request.accept_encodings["gzip"] > 0
    etag = f"{validator.etag}-gzip" if gzipped else validator.etag
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": f"{'private' if private else 'public'}, max-age={max_age}",
        "Vary": "Accept-Encoding, Accept-Language, Cookie",
    }
    if private:
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if validator.last_modified is not None:
        headers["Last-Modified"] = http_date(validator.last_modified)
    if not is_resource_modified(request.environ, etag=etag, last_modified=validator.last_modified):
        return Response(status=304, headers=headers)

    cache_seconds = _config_int("FEED_CACHE_SECONDS", 900)
    max_bytes = _config_int("FEED_CACHE_MAX_BYTES", 16 * 1024 * 1024)
    body = feed_cache.get(etag, cache_seconds)
    if body is None:
        plain = feed_cache.get(validator.etag, cache_seconds) if gzipped else None
        if plain is None:
            plain = build()
            feed_cache.put(validator.etag, plain, max_bytes)
        body = gzip.compress(plain, compresslevel=6, mtime=0) if gzipped else plain
        feed_cache.put(etag, body, max_bytes)
    response = Response(body, content_type=CALENDAR_CONTENT_TYPE, headers=headers)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _public_feed(spec: FeedSpec, title: Callable[[], services.FeedTitle]) -> Response:
    """``title`` is called only when the feed is built (a 304 needs no translated name)."""
    locale = _request_locale()
    now = utcnow()
    past_days = _config_int("FEED_PAST_DAYS", 90)
    validator = services.public_feed_validator(spec, locale=locale, now=now, past_days=past_days)
    return _calendar_response(
        validator,
        lambda: services.build_public_feed(
            spec, title(), locale=locale, now=now, past_days=past_days
        ),
    )


def _kind_from_args() -> str | None:
    kind = request.args.get("kind", "").strip() or None
    if kind is not None and kind not in EVENT_KINDS:
        abort(400)
    return kind


def _region_by_code(code: str) -> Region | None:
    return db.session.scalar(db.select(Region).where(Region.code == code.strip().upper()[:8]))


@bp.get("/calendar.ics")
def catalogue_ics() -> Response:
    """Every public event, or those of one kind and/or serving one region."""
    kind = _kind_from_args()
    region = None
    if code := request.args.get("region", "").strip():
        region = _region_by_code(code)
        if region is None:
            abort(400)
    spec = FeedSpec(kind=kind, region_id=region.id if region else None)
    return _public_feed(spec, lambda: services.catalogue_title(kind, region))


@bp.get("/regions/<code>/calendar.ics")
def region_ics(code: str) -> Response:
    region = _region_by_code(code)
    if region is None:
        abort(404)
    kind = _kind_from_args()
    return _public_feed(
        FeedSpec(kind=kind, region_id=region.id), lambda: services.catalogue_title(kind, region)
    )


@bp.get("/events/<slug:slug>.ics")
def event_ics(slug: str) -> Response:
    locale = _request_locale()
    found = services.public_event_validator(slug, locale=locale)
    if found is None:
        abort(404)
    event_id, validator = found
    return _calendar_response(
        validator,
        lambda: services.build_event_feed(
            services.load_event_for_calendar(event_id), locale=locale
        ),
        filename=f"{slug}.ics",
    )


@bp.get("/feeds/<token>.ics")
def personal_ics(token: str) -> Response:
    registration = services.find_by_feed_token(token)
    if registration is None:
        abort(404)
    validator, event_id = services.personal_feed_validator(
        registration, now=utcnow(), past_days=_config_int("FEED_PAST_DAYS", 90)
    )
    return _calendar_response(
        validator,
        lambda: services.build_personal_feed(registration, event_id),
        private=True,
    )


@bp.get("/feeds/partners/<token>.ics")
def contact_ics(token: str) -> Response:
    """A partner contact's own feed: the partners-only meetings they are invited to."""
    contact = services.find_contact_by_feed_token(token)
    if contact is None:
        abort(404)
    validator, rows = services.contact_feed_validator(
        contact, now=utcnow(), past_days=_config_int("FEED_PAST_DAYS", 90)
    )
    return _calendar_response(
        validator, lambda: services.build_contact_feed(contact, rows), private=True
    )


@bp.post("/registrations/<token>/feed-token")
def regenerate_feed_token(token: str) -> BaseResponse:
    """Give the registrant a new personal feed address (CSRF-checked by the app)."""
    registration = find_by_token(token)
    if registration is None or registration.erased_at is not None:
        abort(404)
    services.regenerate_feed_token(registration)
    db.session.commit()
    flash(
        _(
            "Your personal calendar feed has a new address. Calendars subscribed to the old "
            "address no longer receive updates: subscribe again with the new one."
        ),
        "success",
    )
    return redirect(url_for("registrations.manage", token=registration.token), 303)
