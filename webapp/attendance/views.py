"""Attendance and report views (organisers only): the check-in sheet and QR check-in.

Imports of platform reports are in ``import_views``, the reports in ``report_views``;
all are routes of the ``attendance`` blueprint (``blueprint.py``).

- ``/organiser/events/<id>/attendance``: the check-in sheet of one day, with one-tap
  forms (they work without JavaScript; ``static/js/attendance.js`` sends them with
  ``fetch`` and updates the counts in place), undo and walk-ins;
- ``/organiser/check-in/<checkin_token>``: what an organiser's phone opens when it
  scans a registrant's QR code;
- ``/organiser/events/<id>/attendance/import``: upload a meeting platform's report;
  ``.../import/<upload id>`` previews it, where the organiser matches people the file
  does not name for sure, adds walk-ins, changes the threshold and confirms;
- ``/organiser/reports``: figures per event and across events, with CSV/XLSX exports.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.attendance import (
    days,
    import_views,
    queries,
    report_views,
    services,
)
from webapp.attendance.blueprint import bp, sheet_event
from webapp.attendance.errors import AttendanceError
from webapp.attendance.forms import (
    MARK_ACTIONS,
    MarkForm,
    WalkInForm,
    choices,
)
from webapp.exports import csv_response, xlsx_response
from webapp.extensions import db
from webapp.models import Event, Region, Registration
from webapp.organiser.access import (
    can_edit_event,
    require_edit,
)
from webapp.organiser.queries import all_regions
from webapp.registrations import checkin
from webapp.reporting.evidence import attendance_table

# The modules whose routes are the blueprint's too (imported for their ``@bp.route``s).
ROUTE_MODULES = (import_views, report_views)

__all__ = ["bp"]


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _day_or_400(event: Event, raw: str | None):
    try:
        return days.parse_day(event, raw)
    except AttendanceError:
        abort(400)


def _walk_in_form(event: Event, regions: list[Region], day) -> WalkInForm:
    form = WalkInForm(prefix="walkin")
    form.region.choices = choices([("", _("Not given"))] + [(r.code, r.name) for r in regions])
    if not form.is_submitted():
        form.day.data = day.isoformat()
        served = event.region_codes
        form.region.data = served[0] if len(served) == 1 else ""
    return form


def _render_sheet(event: Event, day, query: str, walk_in: WalkInForm, status: int = 200):
    return (
        render_template(
            "attendance/sheet.html",
            event=event,
            day=day,
            days=event.days,
            query=query,
            rows=queries.sheet_rows(event, day, query),
            counts=queries.day_counts(event, day),
            can_edit=can_edit_event(current_user, event),
            mark_form=MarkForm(),
            walk_in=walk_in,
        ),
        status,
    )


# --- the check-in sheet -------------------------------------------------------------------


@bp.get("/events/<int:event_id>/attendance")
def sheet(event_id: int):
    event = sheet_event(event_id)
    day = _day_or_400(event, request.args.get("day"))
    query = request.args.get("q", "")[:100]
    return _render_sheet(event, day, query, _walk_in_form(event, all_regions(), day))


@bp.post("/events/<int:event_id>/attendance/<int:registration_id>")
def mark(event_id: int, registration_id: int):
    event = require_edit(sheet_event(event_id))
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    form = MarkForm()
    if not form.validate_on_submit() or form.action.data not in MARK_ACTIONS:
        abort(400)
    day = _day_or_400(event, form.day.data)
    action = form.action.data
    try:
        if action == "undo":
            services.clear_attendance(event, registration, day)
        else:
            services.mark_attendance(event, registration, day, action, recorded_by=current_user)
    except AttendanceError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(exc.message)), 409
        flash(str(exc.message), "error")
        return redirect(url_for(".sheet", event_id=event.id, day=day.isoformat()))
    db.session.commit()
    message = _mark_message(registration.name, action)
    if _wants_json():
        return jsonify(
            registration=registration.id,
            status=None if action == "undo" else action,
            message=message,
            counts=queries.day_counts(event, day).as_dict(),
        )
    flash(message, "success")
    return redirect(
        url_for(
            ".sheet",
            event_id=event.id,
            day=day.isoformat(),
            q=form.q.data or None,
            _anchor=f"person-{registration.id}",
        )
    )


def _mark_message(name: str, action: str) -> str:
    if action == "present":
        return _("%(name)s is marked present.", name=name)
    if action == "absent":
        return _("%(name)s is marked absent.", name=name)
    if action == "excused":
        return _("%(name)s is marked excused.", name=name)
    return _("The mark of %(name)s was removed.", name=name)


@bp.post("/events/<int:event_id>/attendance/walk-in")
def walk_in(event_id: int):
    event = require_edit(sheet_event(event_id))
    regions = all_regions()
    form = _walk_in_form(event, regions, None)
    day = _day_or_400(event, form.day.data)
    if form.validate_on_submit():
        region = next((r for r in regions if r.code == form.region.data), None)
        try:
            outcome = services.add_walk_in(
                event,
                name=form.name.data,
                email=form.email.data,
                organisation=form.organisation.data or "",
                stakeholder_type=form.stakeholder_type.data,
                region=region,
                day=day,
                recorded_by=current_user,
                privacy_version=current_app.config.get("PRIVACY_NOTICE_VERSION", ""),
            )
        except AttendanceError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc.message)]
        else:
            db.session.commit()
            if outcome.created:
                flash(_("%(name)s was added and marked present.", name=form.name.data), "success")
            else:
                flash(
                    _(
                        "%(name)s was already registered; they are now confirmed and marked present.",
                        name=outcome.registration.name,
                    ),
                    "success",
                )
            return redirect(
                url_for(
                    ".sheet",
                    event_id=event.id,
                    day=day.isoformat(),
                    _anchor=f"person-{outcome.registration.id}",
                )
            )
    return _render_sheet(event, day, "", form, status=400)


@bp.get("/events/<int:event_id>/attendance.<any(csv, xlsx):fmt>")
def sheet_export(event_id: int, fmt: str):
    """Everyone registered with their mark and minutes on each day (a signature list)."""
    event = sheet_event(event_id)
    header, table = attendance_table(event)
    filename = f"attendance-{event.slug}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, table)
    return xlsx_response(filename, header, table, sheet_title=_("Attendance"))


# --- QR check-in --------------------------------------------------------------------------


@bp.route("/check-in/<token>", methods=["GET", "POST"])
def qr_checkin(token: str):
    """Scanning a registrant's code checks them in for today (a repeat scan does nothing).

    The scan is a GET so that a phone's camera app can open it directly; it only acts
    for a logged-in organiser of the event and is idempotent.
    """
    registration = checkin.find_by_checkin_token(token)
    if registration is not None and not can_edit_event(current_user, registration.event):
        abort(403)
    form = MarkForm()
    confirm = request.method == "POST" and form.validate_on_submit()
    if request.method == "POST" and not confirm:
        abort(400)
    result = checkin.check_in_by_token(token, recorded_by=current_user, confirm=confirm)
    if result.outcome == "checked_in":
        db.session.commit()
    status = {"unknown": 404, "cancelled": 409, "not_today": 409, "not_confirmed": 409}.get(
        result.outcome, 200
    )
    counts = None
    if result.registration is not None and result.day in result.registration.event.days:
        counts = queries.day_counts(result.registration.event, result.day)
    return (
        render_template("attendance/checkin.html", result=result, counts=counts, form=form),
        status,
    )
