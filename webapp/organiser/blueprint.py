"""The organiser workspace's blueprint and the rules every one of its pages shares.

Every route under ``/organiser`` (the nested blueprints' too) requires a logged-in, active
organiser (``require_login``) and is never cached; each view checks its own permission.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.extensions import login_manager

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

PUBLIC_ENDPOINTS = {"organiser.login", "organiser.login_code", "organiser.set_password"}


@bp.before_request
def require_login():
    """Every organiser page needs a logged-in, active account (else: the login page)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.after_request
def no_store(response):
    # Organiser pages show personal data: never keep them in shared caches or history.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


EVENT_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}
AUDIT_ACTION_LABELS = {
    "event.created": _l("Created the event"),
    "event.updated": _l("Changed the event"),
    "event.published": _l("Published the event"),
    "event.cancelled": _l("Cancelled the event"),
    "event.duplicated": _l("Created this event as a copy"),
    "event.copied": _l("Copied the event"),
    "registration.approved": _l("Approved a registration"),
    "registration.rejected": _l("Turned down a registration"),
    "registration.confirmed": _l("Gave a seat from the waiting list"),
    "registration.cancelled": _l("Cancelled a registration"),
    "registration.link_resent": _l("Resent a registration link"),
    "registration.added": _l("Added a registration"),
    "registration.expired": _l("Released a registration whose e-mail address was not confirmed"),
    "registration.details_changed": _l("Registrant corrected their details"),
    "registration.admitted": _l("Admitted someone without a confirmed seat at check-in"),
    "attendance.walk_in": _l("Added a walk-in and marked them present"),
    "attendance.imported": _l("Imported attendance from a meeting platform report"),
    "programme.item_added": _l("Added a programme item"),
    "programme.item_changed": _l("Changed a programme item"),
    "programme.item_removed": _l("Removed a programme item"),
    "material.added": _l("Added a material"),
    "material.removed": _l("Removed a material"),
    "materials.announced": _l("Announced the materials"),
    "message.sent": _l("Wrote to registrants"),
}


@bp.app_context_processor
def organiser_labels() -> dict[str, object]:
    return {"EVENT_STATUS_LABELS": EVENT_STATUS_LABELS, "AUDIT_ACTION_LABELS": AUDIT_ACTION_LABELS}
