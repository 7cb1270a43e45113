"""Who may see and change what in the organiser workspace.

An administrator may do everything. An organiser may create events hosted by their own
partner, edit events hosted by any partner of their own region, and see (not change)
every other event. Views call these and answer 403 when they say no.

The registrants of an event (personal data) are shown only to those who may manage
them: the organisers of the host region and administrators.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from webapp.extensions import db
from webapp.models import Event, Partner, Poll, User


def _is_active_user(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_view_event(user: User, event: Event) -> bool:
    return _is_active_user(user)


def can_edit_event(user: User, event: Event) -> bool:
    """Edit, cancel, manage registrations and attendance of ``event``."""
    if not _is_active_user(user):
        return False
    if user.is_admin:
        return True
    return user.region_id is not None and event.host_partner.region_id == user.region_id


def can_view_registrations(user: User, event: Event) -> bool:
    """See the registrants of ``event`` (names, addresses, answers) and export them."""
    return can_edit_event(user, event)


def can_host_as(user: User, partner: Partner) -> bool:
    """Whether ``user`` may create an event hosted by ``partner``."""
    if not _is_active_user(user):
        return False
    return user.is_admin or (user.partner_id is not None and user.partner_id == partner.id)


def can_manage_users(user: User) -> bool:
    return _is_active_user(user) and user.is_admin


# --- helpers for views -----------------------------------------------------------------


def get_event_or_404(event_id: int) -> Event:
    """The event with ``event_id`` if the current user may see it; 404 if none, 403 if not."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if not can_view_event(current_user, event):
        abort(403)
    return event


def require_edit(event: Event) -> Event:
    """``event`` if the current user may change it; otherwise answer 403."""
    if not can_edit_event(current_user, event):
        abort(403)
    return event


def get_event_for_edit_or_403(event_id: int) -> Event:
    """The event with ``event_id`` if the current user may change it (404 / 403 otherwise)."""
    return require_edit(get_event_or_404(event_id))


def require_admin() -> None:
    if not can_manage_users(current_user):
        abort(403)


# --- polls ---------------------------------------------------------------------------------


def can_manage_poll(user: User, poll: Poll) -> bool:
    """See the answers of ``poll``, invite people, choose its time: its partner's organisers
    and administrators (the answers are personal data)."""
    if not _is_active_user(user):
        return False
    return user.is_admin or (user.partner_id is not None and user.partner_id == poll.partner_id)


def get_poll_or_404(poll_id: int) -> Poll:
    """The poll with ``poll_id`` if the current user manages it; 404 if none, 403 if not."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        abort(404)
    if not can_manage_poll(current_user, poll):
        abort(403)
    return poll
