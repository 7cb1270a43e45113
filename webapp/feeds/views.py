"""Every .ics endpoint; the calendar content itself is built by ``webapp.calendar``.

Each feed answers a conditional request (``If-None-Match``/``If-Modified-Since``) with a
304 after one cheap validator query, before anything is built; a built feed is kept in
the process, keyed by that validator.
"""

from __future__ import annotations

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
    """A 304 when the client's copy is current, else the (cached or freshly built) feed."""
    max_age = _config_int("FEED_HTTP_MAX_AGE", 300)
    headers = {
        "ETag": f'"{validator.etag}"',
        "Cache-Control": f"{'private' if private else 'public'}, max-age={max_age}",
        "Vary": "Accept-Language, Cookie",
    }
    if private:
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if validator.last_modified is not None:
        headers["Last-Modified"] = http_date(validator.last_modified)
    if not is_resource_modified(
        request.environ, etag=validator.etag, last_modified=validator.last_modified
    ):
        return Response(status=304, headers=headers)

    body = feed_cache.get(validator.etag, _config_int("FEED_CACHE_SECONDS", 900))
    if body is None:
        body = build()
        feed_cache.put(validator.etag, body)
    response = Response(body, content_type=CALENDAR_CONTENT_TYPE, headers=headers)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _public_feed(spec: FeedSpec, title: services.FeedTitle) -> Response:
    locale = _request_locale()
    now = utcnow()
    past_days = _config_int("FEED_PAST_DAYS", 90)
    validator = services.public_feed_validator(spec, locale=locale, now=now, past_days=past_days)
    return _calendar_response(
        validator,
        lambda: services.build_public_feed(
            spec, title, locale=locale, now=now, past_days=past_days
        ),
    )


@bp.get("/calendar.ics")
def catalogue_ics() -> Response:
    kind = request.args.get("kind", "").strip() or None
    if kind is not None and kind not in EVENT_KINDS:
        abort(400)
    return _public_feed(FeedSpec(kind=kind), services.catalogue_title(kind))


@bp.get("/regions/<code>/calendar.ics")
def region_ics(code: str) -> Response:
    region = db.session.scalar(db.select(Region).where(Region.code == code.upper()[:8]))
    if region is None:
        abort(404)
    return _public_feed(FeedSpec(region_id=region.id), services.region_title(region))


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
def regenerate_feed_token(token: str) -> Response:
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
