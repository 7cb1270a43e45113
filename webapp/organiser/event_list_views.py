"""The dashboard and the list of events."""

from __future__ import annotations

from flask import (
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.models import EVENT_STATUSES, Event, Partner, Region
from webapp.organiser.access import (
    can_edit_event,
)
from webapp.organiser.blueprint import bp
from webapp.organiser.queries import all_regions
from webapp.registrations.queries import seats_left, status_counts
from webapp.reporting.attention import Attention, needs_attention
from webapp.search import contains_text
from webapp.timezones import (
    utcnow,
)


def _with_counts(events: list[Event]) -> list[dict]:
    counts = status_counts(e.id for e in events)
    return [
        {
            "event": e,
            "counts": counts[e.id],
            "seats_left": seats_left(e, counts[e.id]["confirmed"]),
            "can_edit": can_edit_event(current_user, e),
        }
        for e in events
    ]


def _event_list_options():
    return (
        joinedload(Event.host_partner).joinedload(Partner.region),
        selectinload(Event.regions),
    )


@bp.get("/")
def dashboard():
    now = utcnow()
    stmt = (
        db.select(Event)
        .where(Event.ends_at >= now)
        .options(*_event_list_options())
        .order_by(Event.starts_at, Event.id)
        .limit(100)
    )
    region = current_user.partner.region if current_user.partner else None
    if region is not None:
        stmt = stmt.where(
            or_(
                Event.regions.any(Region.id == region.id),
                Event.host_partner.has(Partner.region_id == region.id),
            )
        )
    rows = _with_counts(list(db.session.scalars(stmt)))
    return render_template(
        "organiser/dashboard.html", rows=rows, region=region, attention=_attention()
    )


def _attention():

    if current_user.is_admin:
        return needs_attention(None)
    if current_user.region_id is None:
        return Attention()
    return needs_attention(current_user.region_id)


@bp.get("/events")
def events():
    regions = all_regions()
    codes = {r.code for r in regions}
    region = (request.args.get("region") or "").upper()
    status = request.args.get("status") or ""
    when = request.args.get("when") or "upcoming"
    q = " ".join((request.args.get("q") or "").split())[:100]
    problems = []
    stmt = db.select(Event).options(*_event_list_options())
    if region:
        if region in codes:
            stmt = stmt.where(Event.regions.any(Region.code == region))
        else:
            problems.append(_("There is no region “%(code)s”; showing all regions.", code=region))
            region = ""
    if status:
        if status in EVENT_STATUSES:
            stmt = stmt.where(Event.status == status)
        else:
            problems.append(_("Unknown status; showing every status."))
            status = ""
    now = utcnow()
    if when == "past":
        stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        when = "upcoming"
        stmt = stmt.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    if q:
        stmt = stmt.where(contains_text(q, Event.title))
    rows = _with_counts(list(db.session.scalars(stmt.limit(200))))
    return render_template(
        "organiser/events.html",
        rows=rows,
        regions=regions,
        filters={"region": region, "status": status, "when": when, "q": q},
        problems=problems,
    )
