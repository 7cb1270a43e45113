"""Public programme pages and material downloads (``programme.*``).

Every download checks access again: materials for everyone on the public route (or any
material for a logged-in organiser), the others only through the registrant's secret
link. Files are sent as attachments with the type read from their bytes when uploaded;
only raster images are shown inline, and nothing is ever sniffed or run by the browser.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.errors import render_error
from webapp.extensions import db
from webapp.models import Event, Material
from webapp.programme.access import may_open
from webapp.programme.display import programme_context
from webapp.programme.files import INLINE_TYPES
from webapp.programme.storage import get_storage
from webapp.public.views import all_regions, get_public_event_or_404
from webapp.registrations.queries import find_by_token

bp = Blueprint("programme", __name__)


def _is_organiser() -> bool:
    return bool(current_user.is_authenticated and current_user.is_active)


@bp.get("/events/<slug:slug>/programme")
def printable(slug: str):
    event = get_public_event_or_404(slug)
    context = programme_context(event, all_regions(), request.args.get("tz"))
    materials = [m for m in event.materials if may_open(m)]
    return render_template(
        "programme/printable.html",
        event=event,
        programme=context,
        materials=materials,
        material_url=lambda m: url_for(".material", slug=event.slug, material_id=m.id),
    )


def _material_or_404(event_id: int, material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.event_id != event_id:
        abort(404)
    return material


def _send(material: Material, *, private: bool):
    if material.url:
        response = redirect(material.url, 303)
    else:
        storage = get_storage()
        if not storage.exists(material.storage_key):
            return render_error(
                404, _("This file is missing from the storage. Please tell the organisers.")
            )
        inline = material.content_type in INLINE_TYPES
        response = send_file(
            storage.open(material.storage_key),
            mimetype=material.content_type,
            as_attachment=not inline,
            download_name=material.filename,
            conditional=True,
            etag=material.storage_key,
            last_modified=material.created_at,
            max_age=0,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store" if private else "no-cache"
    if private:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(material: Material):
    messages = {
        "registrants": _(
            "This material is for the event's participants. Open it from your registration "
            "page: the link is in your confirmation e-mail."
        ),
        "attendees": _(
            "This material is for the people who attended. Open it from your registration "
            "page: the link is in your confirmation e-mail."
        ),
        "organisers": _("This material is for the organisers only."),
    }
    return render_error(403, messages.get(material.audience))


@bp.get("/events/<slug:slug>/materials/<int:material_id>")
def material(slug: str, material_id: int):
    """A material for everyone, or any material for a logged-in organiser."""
    organiser = _is_organiser()
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    if event is None or not (event.is_public or organiser):
        abort(404)
    found = _material_or_404(event.id, material_id)
    if not may_open(found, organiser=organiser):
        return _refused(found)
    return _send(found, private=found.audience != "everyone")


@bp.get("/registrations/<token>/materials/<int:material_id>")
def registrant_material(token: str, material_id: int):
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    found = _material_or_404(registration.event_id, material_id)
    if not may_open(found, registration=registration):
        return _refused(found)
    return _send(found, private=True)
