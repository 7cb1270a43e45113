"""Scheduling rules: creating, changing, cancelling, duplicating and deleting events.

Plain functions with explicit arguments; they never read the request and never commit
(the view commits once, so a change, its audit entry and its e-mails are stored
together or not at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.audit import record_audit
from webapp.extensions import db
from webapp.formatting import event_when
from webapp.mail.queue import queue_registration_mail
from webapp.models import AuditEntry, Event, Partner, Question, User
from webapp.organiser.event_data import (
    CALENDAR_FIELDS,
    EDITABLE_FIELDS,
    JITSI_BASE,
    ChangeResult,
    EventData,
    SchedulingError,
    check_times,
    jitsi_room_url,
    unique_slug,
)
from webapp.organiser.event_languages import check_language, settle_translations
from webapp.organiser.queries import active_registrations, confirmed_count, registration_count
from webapp.organiser.questions import apply_questions
from webapp.programme.services import copy_programme, move_programme
from webapp.registrations.transitions import lock_event, promote_from_waiting_list
from webapp.timezones import EventTimes, utcnow


def create_event(data: EventData, *, actor: User) -> Event:
    """A new event from ``data`` with a unique slug; records who created it."""
    check_times(data)
    check_language(data)
    settle_translations(data)
    event = Event(slug=unique_slug(data.title, data.starts_at, data.timezone))
    for name in EDITABLE_FIELDS:
        setattr(event, name, getattr(data, name))
    event.host_partner = data.host_partner
    event.regions = list(data.regions)
    event.status = data.status if data.status in ("draft", "published") else "draft"
    event.sequence = 0
    db.session.add(event)
    if data.questions:
        apply_questions(event, data.questions, actor)
    db.session.flush()
    record_audit(
        actor,
        "event.created",
        event=event,
        details={"title": event.title, "slug": event.slug, "status": event.status},
    )
    return event


def _display(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Partner):
        return value.short_name
    if isinstance(value, list):
        return [getattr(v, "code", v) for v in value]
    return value


def describe_changes(event: Event, changed: Iterable[str]) -> list[str]:
    """One line per calendar-visible change, in the current locale, for the registrants."""

    lines: list[str] = []
    changed = set(changed)
    if changed & {"starts_at", "ends_at", "all_day", "timezone"}:
        lines.append(
            _("New time: %(when)s (%(zone)s)", when=event_when(event), zone=event.timezone)
        )
    if changed & {"venue", "address", "format"}:
        if event.is_onsite:
            place = ", ".join(p for p in (event.venue, event.address) if p)
            lines.append(_("New place: %(place)s", place=place))
        else:
            lines.append(_("The event now takes place online only."))
    if "online_url" in changed and event.is_online:
        lines.append(_("New join link: see your registration page."))
    if "title" in changed:
        lines.append(_("New title: %(title)s", title=event.title))
    return lines


def _notify_registrants(
    event: Event,
    kind: str,
    changed: Iterable[str] = (),
    *,
    note: str = "",
    earlier: EventTimes | None = None,
) -> int:
    changed = list(changed)
    registrations = active_registrations(event)
    for registration in registrations:
        changes: list[str] = []
        if changed:
            with force_locale(registration.locale or "en"):
                changes = describe_changes(event, changed)
        queue_registration_mail(registration, kind, changes=changes, note=note, earlier=earlier)
    return len(registrations)


def update_event(
    event: Event, data: EventData, *, actor: User, notify: bool = True, note: str = ""
) -> ChangeResult:
    """Apply ``data`` to ``event``; raise ``sequence`` and notify on calendar-visible changes.

    Capacity may not fall below the number of people already confirmed (the organiser
    is told to cancel some first); raising it moves people up from the waiting list.
    ``notify=False`` raises the sequence (feeds follow) but e-mails nobody; ``note`` is
    the organiser's words added to the change notice.
    """
    event = _check_update(event, data, actor)
    old_capacity = event.capacity
    earlier = EventTimes.of(event)
    before = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    before["regions"] = list(event.regions)
    before["host_partner"] = event.host_partner
    before["status"] = event.status
    settle_translations(data)
    changed = _apply_fields(event, data, before)
    question_changes: list[dict[str, Any]] = []
    if data.questions is not None:
        question_changes = apply_questions(event, data.questions, actor)
        if question_changes:
            changed.append("questions")

    if {"starts_at", "timezone"} & set(changed):
        move_programme(event, old_starts_at=before["starts_at"], old_timezone=before["timezone"])

    calendar_changes = [name for name in CALENDAR_FIELDS if name in changed]
    notified = 0
    if calendar_changes and before["status"] != "draft":
        event.sequence += 1
        if not event.is_cancelled and notify:
            notified = _notify_registrants(
                event, "event_changed", calendar_changes, note=note, earlier=earlier
            )
    promoted = 0
    if "capacity" in changed and (
        event.capacity is None or (old_capacity is not None and event.capacity > old_capacity)
    ):
        promoted = _promote_waiting_list(event)
    db.session.flush()
    if changed:
        details = _change_details(event, before, changed)
        extra = {"questions": question_changes, "notified": notified, "promoted": promoted}
        details.update({key: value for key, value in extra.items() if value})
        if calendar_changes and before["status"] != "draft" and not notify:
            details["notified"] = 0  # the organiser chose to change quietly
        if note and notified:
            details["note"] = note
        record_audit(actor, "event.updated", event=event, details=details)
    return ChangeResult(changed, bool(calendar_changes), notified, promoted)


def _check_update(event: Event, data: EventData, actor: User) -> Event:
    """Refuse a change the rules forbid; the event, locked when its capacity falls."""
    check_times(data)
    check_language(data)
    if data.host_partner.id != event.host_partner_id and not (
        actor.is_admin or actor.partner_id == data.host_partner.id
    ):
        raise SchedulingError(_("You cannot host events for that partner."), "host_partner")
    old_capacity = event.capacity
    if data.capacity is not None and (old_capacity is None or data.capacity < old_capacity):
        # Counted under the event's row lock, so no registration slips in meanwhile.
        event = lock_event(event.id)
        confirmed = confirmed_count(event)
        if data.capacity < confirmed:
            raise SchedulingError(
                _(
                    "%(n)d people are already confirmed, so the capacity cannot be lower "
                    "than %(n)d. Cancel registrations first, or keep a higher capacity.",
                    n=confirmed,
                ),
                "capacity",
            )
    if data.status == "draft" and event.status != "draft" and active_registrations(event):
        raise SchedulingError(
            _("People have registered, so the event cannot go back to draft. Cancel it instead."),
            "status",
        )
    return event


def _apply_fields(event: Event, data: EventData, before: dict[str, Any]) -> list[str]:
    """Copy ``data`` onto ``event`` (questions apart); the names of the fields that changed."""
    changed: list[str] = []
    for name in EDITABLE_FIELDS:
        new = getattr(data, name)
        if before[name] != new:
            setattr(event, name, new)
            changed.append(name)
    if {r.id for r in before["regions"]} != {r.id for r in data.regions}:
        event.regions = list(data.regions)
        # The regions live in another table, so the event's row would not change: touch
        # it, or the feeds' validators (the latest updated_at) would answer 304 and keep
        # the event in, or out of, a region's feed. The regions are only CATEGORIES in a
        # calendar, not one of the changes RFC 5545 raises SEQUENCE for (times, status),
        # so no bump and no notice; the new LAST-MODIFIED and DTSTAMP mark the version.
        event.updated_at = utcnow()
        changed.append("regions")
    if data.host_partner.id != before["host_partner"].id:
        event.host_partner = data.host_partner
        changed.append("host_partner")
    if not event.is_cancelled and data.status in ("draft", "published"):
        if data.status != event.status:
            event.status = data.status
            changed.append("status")
    return changed


def _change_details(event: Event, before: dict[str, Any], changed: list[str]) -> dict[str, Any]:
    """The audit entry's before/after values (long texts only as a mark)."""
    details: dict[str, Any] = {
        "changes": {
            name: [_display(before[name]), _display(getattr(event, name))]
            for name in changed
            if name not in ("questions", "description", "translations")
        }
    }
    for name in ("description", "translations"):
        if name in changed:
            details["changes"][name] = ["…", "…"]
    return details


def _promote_waiting_list(event: Event) -> int:
    return len(promote_from_waiting_list(event))


def publish_event(event: Event, *, actor: User) -> None:
    """Make a draft visible in the catalogue and the feeds."""
    if event.status != "draft":
        raise SchedulingError(_("Only a draft can be published."))
    if event.is_online and not event.online_url:
        raise SchedulingError(_("An online event needs a join link before it is published."))
    if not event.regions:
        raise SchedulingError(_("Choose at least one region the event serves."))
    event.status = "published"
    record_audit(actor, "event.published", event=event, details={"title": event.title})


def cancel_event(event: Event, *, actor: User, reason: str = "", notify: bool = True) -> int:
    """Mark ``event`` cancelled (it stays listed), raise its sequence, tell its registrants.

    Returns how many registrants were notified; their notice carries ``reason`` and a
    calendar file that removes the event. ``notify=False`` e-mails nobody (the feeds
    still show the cancellation). Registrations keep their status so the organisers
    still know who had registered.
    """
    if event.is_cancelled:
        raise SchedulingError(_("This event is already cancelled."))
    was_draft = event.status == "draft"
    event.status = "cancelled"
    event.sequence += 1
    notified = 0
    if not was_draft and notify:
        notified = _notify_registrants(event, "event_cancelled", note=reason)
    record_audit(
        actor,
        "event.cancelled",
        event=event,
        details={"title": event.title, "reason": reason, "notified": notified},
    )
    return notified


def duplicate_event(event: Event, *, actor: User, host_partner: Partner | None = None) -> Event:
    """A draft copy of ``event`` with a new slug and the same questions and regions."""
    copy = Event(slug=unique_slug(event.title, event.starts_at, event.timezone))
    for name in EDITABLE_FIELDS:
        value = getattr(event, name)
        setattr(copy, name, dict(value) if isinstance(value, dict) else value)
    if copy.online_url.startswith(JITSI_BASE):
        copy.online_url = jitsi_room_url()  # a room of its own, not the original's
    copy.status = "draft"
    copy.sequence = 0
    copy.host_partner = host_partner or event.host_partner
    copy.regions = list(event.regions)
    for question in event.questions:
        copy.questions.append(
            Question(
                position=question.position,
                label=question.label,
                kind=question.kind,
                required=question.required,
                options=list(question.options or []),
                help_text=question.help_text or "",
                translations=dict(question.translations or {}),
            )
        )
    copy_programme(event, copy)
    db.session.add(copy)
    db.session.flush()
    record_audit(
        actor,
        "event.duplicated",
        event=copy,
        details={"from_slug": event.slug, "from_id": event.id, "title": copy.title},
    )
    record_audit(actor, "event.copied", event=event, details={"to_slug": copy.slug})
    return copy


def delete_event(event: Event, *, actor: User) -> None:
    """Delete a draft that nobody registered for; anything else must be cancelled."""
    if event.status != "draft":
        raise SchedulingError(_("Only drafts can be deleted; cancel a published event instead."))
    if registration_count(event):
        raise SchedulingError(_("People have registered for this draft, so it cannot be deleted."))
    # Earlier entries stay, detached: an id must not later point at another event.
    db.session.execute(
        db.update(AuditEntry).where(AuditEntry.event_id == event.id).values(event_id=None)
    )
    record_audit(
        actor,
        "event.deleted",
        details={"title": event.title, "slug": event.slug, "deleted_event_id": event.id},
    )
    db.session.delete(event)
