"""The attendance and reports blueprint: its pages are organiser pages.

Its routes live under ``/organiser`` with the organiser workspace's access rules: a
logged-in, active organiser (``organiser.blueprint.require_login``), never cached; each
view checks its own permission on the event.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from webapp.attendance.qr import checkin_qr_svg, shows_checkin_code
from webapp.models import Event
from webapp.organiser.access import can_view_registrations, get_event_or_404
from webapp.organiser.blueprint import no_store, require_login

bp = Blueprint("attendance", __name__, url_prefix="/organiser")
bp.before_request(require_login)
# Names and addresses of participants: never kept in shared caches or history.
bp.after_request(no_store)

# Registrant pages and e-mails embed the check-in code: {{ checkin_qr_svg(registration) }}.
bp.add_app_template_global(checkin_qr_svg, "checkin_qr_svg")
bp.add_app_template_global(shows_checkin_code, "shows_checkin_code")


def sheet_event(event_id: int) -> Event:
    """The event if the current user may see its participants (404 / 403 otherwise)."""
    event = get_event_or_404(event_id)
    if not can_view_registrations(current_user, event):
        abort(403)
    return event
