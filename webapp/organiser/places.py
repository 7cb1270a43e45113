"""Regions of the partnership and their partner organisations (administrators only).

Plain functions with explicit arguments; they never read the request and never commit.

Region and host partner names appear in the calendar feeds, whose ETag is the latest
``events.updated_at``: renaming one touches the events that show it (one UPDATE), so
subscribed calendars download the new names instead of getting 304.

A region or partner that events, users or registrations refer to is never deleted: the
history of the project's events would lose its hosts and audiences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func

from webapp.audit import record_audit
from webapp.extensions import db, rows_changed
from webapp.models import Event, Partner, Poll, Region, Registration, User
from webapp.models.events import event_regions
from webapp.timezones import is_valid_timezone, utcnow
from webapp.user_errors import UserError

REGION_CODE = re.compile(r"[A-Z]{2,8}")
REGION_FIELDS = ("name", "country", "timezone", "locale")
PARTNER_FIELDS = ("name", "short_name", "website", "email")


class PlaceError(UserError):
    """A refused change; ``str(error)`` is a message for the administrator."""


@dataclass(frozen=True)
class Usage:
    """How many rows refer to a region or partner (any of them forbids deletion)."""

    events: int = 0
    users: int = 0
    registrations: int = 0
    partners: int = 0
    polls: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.events or self.users or self.registrations or self.partners or self.polls)


# --- reading ----------------------------------------------------------------------------


def partner_usage() -> dict[int, Usage]:
    """Events hosted and user accounts of every partner, in two grouped queries."""
    events = dict(
        db.session.execute(
            db.select(Event.host_partner_id, func.count()).group_by(Event.host_partner_id)
        ).all()
    )
    users = dict(
        db.session.execute(
            db.select(User.partner_id, func.count())
            .where(User.partner_id.is_not(None))
            .group_by(User.partner_id)
        ).all()
    )
    polls = dict(
        db.session.execute(db.select(Poll.partner_id, func.count()).group_by(Poll.partner_id)).all()
    )
    ids = set(events) | set(users) | set(polls)
    return {
        pid: Usage(events=events.get(pid, 0), users=users.get(pid, 0), polls=polls.get(pid, 0))
        for pid in ids
    }


def region_usage() -> dict[int, Usage]:
    """Events served, registrations from and partners in every region (grouped queries)."""
    events = dict(
        db.session.execute(
            db.select(event_regions.c.region_id, func.count()).group_by(event_regions.c.region_id)
        ).all()
    )
    registrations = dict(
        db.session.execute(
            db.select(Registration.region_id, func.count())
            .where(Registration.region_id.is_not(None))
            .group_by(Registration.region_id)
        ).all()
    )
    partners = dict(
        db.session.execute(
            db.select(Partner.region_id, func.count()).group_by(Partner.region_id)
        ).all()
    )
    ids = set(events) | set(registrations) | set(partners)
    return {
        rid: Usage(
            events=events.get(rid, 0),
            registrations=registrations.get(rid, 0),
            partners=partners.get(rid, 0),
        )
        for rid in ids
    }


# --- checks -----------------------------------------------------------------------------


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _optional(value: str | None) -> str | None:
    return _clean(value) or None


def _check_region_fields(*, name: str, country: str, timezone: str, locale: str, languages) -> None:
    if not name:
        raise PlaceError(_("Enter the region's name."), "name")
    if not country:
        raise PlaceError(_("Enter the country."), "country")
    if not is_valid_timezone(timezone):
        raise PlaceError(_("Choose a time zone from the list, e.g. Europe/Vilnius."), "timezone")
    if locale not in languages:
        raise PlaceError(_("Choose one of the site's languages."), "locale")


def _touch_region_events(region: Region) -> int:
    """Give every event serving ``region`` a new ``updated_at`` (one UPDATE)."""
    served = db.select(event_regions.c.event_id).where(event_regions.c.region_id == region.id)
    result = db.session.execute(
        db.update(Event)
        .where(Event.id.in_(served))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def _touch_partner_events(partner: Partner) -> int:
    """Give every event hosted by ``partner`` a new ``updated_at`` (one UPDATE)."""
    result = db.session.execute(
        db.update(Event)
        .where(Event.host_partner_id == partner.id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


# --- regions ----------------------------------------------------------------------------


def create_region(
    *,
    code: str,
    name: str,
    country: str,
    timezone: str,
    locale: str,
    languages,
    actor: User | None,
) -> Region:
    """A new region; ``code`` is 2–8 upper-case letters, unique."""
    code = _clean(code).upper()
    if not REGION_CODE.fullmatch(code):
        raise PlaceError(_("The code is 2 to 8 letters A–Z, e.g. HU or LT."), "code")
    if db.session.scalar(db.select(Region.id).where(Region.code == code)) is not None:
        raise PlaceError(_("A region with the code %(code)s already exists.", code=code), "code")
    name, country, timezone = _clean(name), _clean(country), _clean(timezone)
    _check_region_fields(
        name=name, country=country, timezone=timezone, locale=locale, languages=languages
    )
    region = Region(code=code, name=name, country=country, timezone=timezone, locale=locale)
    db.session.add(region)
    db.session.flush()
    record_audit(
        actor, "region.created", details={"region_id": region.id, "code": code, "name": name}
    )
    return region


def update_region(
    region: Region,
    *,
    name: str,
    country: str,
    timezone: str,
    locale: str,
    languages,
    actor: User | None,
) -> dict[str, list]:
    """Change a region's texts, zone and language; returns ``{field: [old, new]}``.

    The code is the region's name in URLs and feeds (``/regions/HU.ics``), so it stays.
    """
    name, country, timezone = _clean(name), _clean(country), _clean(timezone)
    _check_region_fields(
        name=name, country=country, timezone=timezone, locale=locale, languages=languages
    )
    new = {"name": name, "country": country, "timezone": timezone, "locale": locale}
    changes = {
        field: [getattr(region, field), value]
        for field, value in new.items()
        if getattr(region, field) != value
    }
    if not changes:
        return changes
    for field, (_old, value) in changes.items():
        setattr(region, field, value)
    db.session.flush()
    if {"name", "country"} & changes.keys():
        _touch_region_events(region)
    record_audit(
        actor,
        "region.updated",
        details={"region_id": region.id, "code": region.code, "changes": changes},
    )
    return changes


def delete_region(region: Region, *, actor: User | None) -> None:
    """Delete a region nothing refers to; otherwise refuse, saying what uses it."""
    usage = region_usage().get(region.id, Usage())
    if usage.in_use:
        raise PlaceError(
            _(
                "%(code)s cannot be deleted while other records refer to it (partners: "
                "%(partners)d, events: %(events)d, registrations: %(registrations)d).",
                code=region.code,
                partners=usage.partners,
                events=usage.events,
                registrations=usage.registrations,
            )
        )
    record_audit(actor, "region.deleted", details={"code": region.code, "name": region.name})
    db.session.delete(region)
    db.session.flush()


# --- partners ---------------------------------------------------------------------------


def _check_partner_fields(*, name: str, short_name: str, region: Region | None) -> None:
    if not name:
        raise PlaceError(_("Enter the partner's name."), "name")
    if not short_name:
        raise PlaceError(_("Enter a short name."), "short_name")
    if region is None:
        raise PlaceError(_("Choose a region from the list."), "region")


def _short_name_taken(short_name: str, except_id: int | None = None) -> bool:
    query = db.select(Partner.id).where(func.lower(Partner.short_name) == short_name.lower())
    if except_id is not None:
        query = query.where(Partner.id != except_id)
    return db.session.scalar(query) is not None


def create_partner(
    *,
    name: str,
    short_name: str,
    region: Region | None,
    email: str | None,
    website: str | None,
    actor: User | None,
) -> Partner:
    """A new partner organisation; ``short_name`` is unique (whatever the case)."""
    name, short_name = _clean(name), _clean(short_name)
    _check_partner_fields(name=name, short_name=short_name, region=region)
    if _short_name_taken(short_name):
        raise PlaceError(
            _("Another partner already has the short name %(short)s.", short=short_name),
            "short_name",
        )
    partner = Partner(
        name=name,
        short_name=short_name,
        region=region,
        email=(_optional(email) or "").lower() or None,
        website=_optional(website),
    )
    db.session.add(partner)
    db.session.flush()
    record_audit(
        actor,
        "partner.created",
        details={"partner_id": partner.id, "short_name": short_name, "region": region.code},
    )
    return partner


def update_partner(
    partner: Partner,
    *,
    name: str,
    short_name: str,
    region: Region | None,
    email: str | None,
    website: str | None,
    actor: User | None,
) -> dict[str, list]:
    """Change a partner; returns ``{field: [old, new]}`` (region as its code)."""
    name, short_name = _clean(name), _clean(short_name)
    _check_partner_fields(name=name, short_name=short_name, region=region)
    if _short_name_taken(short_name, except_id=partner.id):
        raise PlaceError(
            _("Another partner already has the short name %(short)s.", short=short_name),
            "short_name",
        )
    new = {
        "name": name,
        "short_name": short_name,
        "email": (_optional(email) or "").lower() or None,
        "website": _optional(website),
    }
    changes = {
        field: [getattr(partner, field), value]
        for field, value in new.items()
        if getattr(partner, field) != value
    }
    if partner.region_id != region.id:
        changes["region"] = [partner.region.code, region.code]
    if not changes:
        return changes
    for field in new:
        setattr(partner, field, new[field])
    partner.region = region
    db.session.flush()
    if {"name", "region"} & changes.keys():
        # The host's name is in every feed entry; its region decides who may edit.
        _touch_partner_events(partner)
    record_audit(
        actor,
        "partner.updated",
        details={"partner_id": partner.id, "short_name": partner.short_name, "changes": changes},
    )
    return changes


def delete_partner(partner: Partner, *, actor: User | None) -> None:
    """Delete a partner that hosts no event and has no user accounts; else refuse."""
    usage = partner_usage().get(partner.id, Usage())
    if usage.polls and not (usage.events or usage.users):
        raise PlaceError(
            _(
                "%(short)s organises polls to find a meeting time, so it cannot be deleted.",
                short=partner.short_name,
            )
        )
    if usage.in_use:
        raise PlaceError(
            _(
                "%(short)s cannot be deleted while other records refer to it (events "
                "hosted: %(events)d, user accounts: %(users)d).",
                short=partner.short_name,
                events=usage.events,
                users=usage.users,
            )
        )
    record_audit(
        actor,
        "partner.deleted",
        details={"short_name": partner.short_name, "name": partner.name},
    )
    db.session.delete(partner)
    db.session.flush()
