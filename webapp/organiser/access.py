"""Who may see and change what in the organiser workspace.

An administrator may do everything. An organiser may create events hosted by their own
partner, edit events hosted by any partner of their own region, and see (not change)
every other event. Views call these and answer 403 when they say no.
"""

from __future__ import annotations

from webapp.models import Event, Partner, User


def can_view_event(user: User, event: Event) -> bool:
    return user.is_authenticated and user.is_active


def can_edit_event(user: User, event: Event) -> bool:
    """Edit, cancel, manage registrations and attendance of ``event``."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_admin:
        return True
    return user.region_id is not None and event.host_partner.region_id == user.region_id


def can_host_as(user: User, partner: Partner) -> bool:
    """Whether ``user`` may create an event hosted by ``partner``."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_admin or (user.partner_id is not None and user.partner_id == partner.id)


def can_manage_users(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_admin
