"""Organiser workspace views: the blueprint with every route under ``/organiser``.

Login (``login_views``), the dashboard and event list (``event_list_views``) and scheduling
one event (``event_views``) are routes of the ``organiser`` blueprint itself; registration
management (``organiser.registrations.*``), user administration (``organiser.users.*``),
regions and partners (``organiser.places.*``), the own account (``organiser.account.*``),
polls, partner contacts, meetings and the programme are nested blueprints. Every route of
all of them requires a logged-in, active organiser (``blueprint.require_login``) and
checks its own permission.
"""

from __future__ import annotations

from webapp.messaging.views import bp as messages_bp
from webapp.organiser import event_list_views, event_views, login_views
from webapp.organiser.account_views import bp as account_bp
from webapp.organiser.blueprint import bp
from webapp.organiser.contact_views import bp as contacts_bp
from webapp.organiser.meeting_views import bp as meetings_bp
from webapp.organiser.place_views import bp as places_bp
from webapp.organiser.poll_views import bp as polls_bp
from webapp.organiser.registration_views import bp as registrations_bp
from webapp.organiser.user_views import bp as users_bp
from webapp.programme.organiser_views import bp as programme_bp

# The modules whose routes are the blueprint's own (imported for their ``@bp.route``s).
ROUTE_MODULES = (login_views, event_list_views, event_views)

for nested in (
    registrations_bp,
    users_bp,
    places_bp,
    account_bp,
    polls_bp,
    contacts_bp,
    meetings_bp,
    programme_bp,
    messages_bp,
):
    bp.register_blueprint(nested)

__all__ = ["bp"]
