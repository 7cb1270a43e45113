"""Attendance and report views (organisers only).

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

from typing import Any

from flask import (
    Blueprint,
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
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from webapp.attendance import services
from webapp.attendance.charts import Series, bar_chart_svg
from webapp.attendance.forms import (
    MARK_ACTIONS,
    THRESHOLD_UNIT_LABELS,
    ImportConfirmForm,
    ImportMatchForm,
    ImportPersonForm,
    ImportUploadForm,
    ImportWalkInForm,
    MarkForm,
    ReportFilterForm,
    ThresholdForm,
    WalkInForm,
    choices,
)
from webapp.attendance.importing import LAYOUTS, MAX_IMPORT_BYTES, ImportFileError
from webapp.attendance.qr import checkin_qr_svg, shows_checkin_code
from webapp.attendance.reports import Report, ReportFilters, build_report
from webapp.exports import csv_response, xlsx_response
from webapp.extensions import db
from webapp.formatting import KIND_LABELS, STAKEHOLDER_LABELS
from webapp.logs import log_event
from webapp.models import EVENT_KINDS, STAKEHOLDER_TYPES, Event, Region, Registration
from webapp.organiser.access import (
    can_edit_event,
    can_view_registrations,
    get_event_or_404,
    require_edit,
)
from webapp.registrations import checkin
from webapp.reporting import services as reporting_services
from webapp.reporting.evidence import attendance_table
from webapp.timezones import utcnow, zone

bp = Blueprint("attendance", __name__, url_prefix="/organiser")

# Registrant pages and e-mails embed the check-in code: {{ checkin_qr_svg(registration) }}.
bp.add_app_template_global(checkin_qr_svg, "checkin_qr_svg")
bp.add_app_template_global(shows_checkin_code, "shows_checkin_code")


@bp.after_request
def no_store(response):
    # Names and addresses of participants: never kept in shared caches or history.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _sheet_event(event_id: int) -> Event:
    """The event if the current user may see its participants (404 / 403 otherwise)."""
    event = get_event_or_404(event_id)
    if not can_view_registrations(current_user, event):
        abort(403)
    return event


def _day_or_400(event: Event, raw: str | None):
    try:
        return services.parse_day(event, raw)
    except services.AttendanceError:
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
            rows=services.sheet_rows(event, day, query),
            counts=services.day_counts(event, day),
            can_edit=can_edit_event(current_user, event),
            mark_form=MarkForm(),
            walk_in=walk_in,
        ),
        status,
    )


# --- the check-in sheet -------------------------------------------------------------------


@bp.get("/events/<int:event_id>/attendance")
@login_required
def sheet(event_id: int):
    event = _sheet_event(event_id)
    day = _day_or_400(event, request.args.get("day"))
    query = request.args.get("q", "")[:100]
    return _render_sheet(event, day, query, _walk_in_form(event, _regions(), day))


@bp.post("/events/<int:event_id>/attendance/<int:registration_id>")
@login_required
def mark(event_id: int, registration_id: int):
    event = require_edit(_sheet_event(event_id))
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
    except services.AttendanceError as exc:
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
            counts=services.day_counts(event, day).as_dict(),
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
@login_required
def walk_in(event_id: int):
    event = require_edit(_sheet_event(event_id))
    regions = _regions()
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
        except services.AttendanceError as exc:
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
@login_required
def sheet_export(event_id: int, fmt: str):
    """Everyone registered with their mark and minutes on each day (a signature list)."""
    event = _sheet_event(event_id)
    header, table = attendance_table(event)
    filename = f"attendance-{event.slug}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, table)
    return xlsx_response(filename, header, table, sheet_title=_("Attendance"))


# --- QR check-in --------------------------------------------------------------------------


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@login_required
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
        counts = services.day_counts(result.registration.event, result.day)
    return (
        render_template("attendance/checkin.html", result=result, counts=counts, form=form),
        status,
    )


# --- imports ------------------------------------------------------------------------------


def _max_import_bytes() -> int:
    return int(current_app.config.get("ATTENDANCE_IMPORT_MAX_BYTES", MAX_IMPORT_BYTES))


def _threshold_hint(event: Event) -> str:
    return _(
        "Per day. Default: %(percent)s %% of the scheduled time of a day (%(minutes)s minutes).",
        percent=services.DEFAULT_THRESHOLD[1],
        minutes=services.default_threshold_minutes(event),
    )


def _import_form(event: Event, regions: list[Region]) -> ImportUploadForm:
    form = ImportUploadForm()
    zones = [event.timezone] + [r.timezone for r in regions] + ["UTC"]
    form.timezone.choices = choices((z, z) for z in dict.fromkeys(zones))
    form.report.description = " ".join(
        (
            str(form.report.description),
            _("At most %(size)s kB.", size=_max_import_bytes() // 1024),
        )
    )
    form.threshold.description = _threshold_hint(event)
    if not form.is_submitted():
        form.threshold_unit.data, form.threshold.data = services.event_threshold(event)
        form.timezone.data = event.timezone
    return form


@bp.route("/events/<int:event_id>/attendance/import", methods=["GET", "POST"])
@login_required
def import_report(event_id: int):
    event = require_edit(_sheet_event(event_id))
    form = _import_form(event, _regions())
    status = 200
    if form.validate_on_submit():
        upload = form.report.data
        max_bytes = _max_import_bytes()
        data = upload.stream.read(max_bytes + 1)
        try:
            draft = services.start_import(
                event,
                data,
                filename=upload.filename or "",
                timezone=form.timezone.data,
                threshold_unit=form.threshold_unit.data,
                threshold_value=form.threshold.data,
                created_by=current_user,
                max_bytes=max_bytes,
            )
        except (ImportFileError, services.AttendanceError) as exc:
            db.session.rollback()
            form.report.errors = [*form.report.errors, str(exc.message)]
            status = 400
        else:
            db.session.commit()
            return redirect(
                url_for(".import_preview", event_id=event.id, draft_id=draft.id), code=303
            )
    elif form.is_submitted():
        status = 400
    return (
        render_template("attendance/import.html", event=event, form=form, layouts=LAYOUTS),
        status,
    )


def _draft_or_restart(event: Event, draft_id: int):
    """The uploaded report, or a redirect to the upload form when it is gone."""
    draft = services.import_draft(event, draft_id)
    if draft is None:
        flash(_("This upload has expired or was already imported. Upload the file again."), "error")
        return None, redirect(url_for(".import_report", event_id=event.id), code=303)
    return draft, None


def _threshold_form(event: Event, draft) -> ThresholdForm:
    form = ThresholdForm(prefix="threshold")
    form.threshold.description = _threshold_hint(event)
    if not form.is_submitted():
        form.threshold_unit.data = draft.threshold_unit
        form.threshold.data = draft.threshold_value
    return form


def _render_preview(
    event: Event,
    draft,
    *,
    threshold_form: ThresholdForm | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    try:
        preview = services.preview_draft(event, draft)
    except (ImportFileError, services.AttendanceError) as exc:
        # Kept files were readable when uploaded; a file this version cannot read any
        # more (or an out-of-range threshold) sends the organiser back to the upload.
        flash(str(exc.message), "error")
        return redirect(url_for(".import_report", event_id=event.id), code=303)
    confirm_form = ImportConfirmForm()
    confirm_form.digest.data = preview.digest()
    registrants = services.attendable_registrations(event)
    return (
        render_template(
            "attendance/import_preview.html",
            event=event,
            draft=draft,
            preview=preview,
            threshold_form=threshold_form or _threshold_form(event, draft),
            confirm_form=confirm_form,
            action_form=ImportPersonForm(),
            registrants=registrants,
            errors=errors or {},
            unit_labels=THRESHOLD_UNIT_LABELS,
        ),
        status,
    )


@bp.get("/events/<int:event_id>/attendance/import/<int:draft_id>")
@login_required
def import_preview(event_id: int, draft_id: int):
    event = require_edit(_sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    return _render_preview(event, draft)


def _back_to_preview(event: Event, draft, anchor: str | None = None):
    return redirect(
        url_for(".import_preview", event_id=event.id, draft_id=draft.id, _anchor=anchor),
        code=303,
    )


@bp.post("/events/<int:event_id>/attendance/import/<int:draft_id>/threshold")
@login_required
def import_threshold(event_id: int, draft_id: int):
    event = require_edit(_sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = _threshold_form(event, draft)
    if form.validate_on_submit():
        try:
            services.change_draft_threshold(
                event, draft, form.threshold_unit.data, form.threshold.data
            )
        except services.AttendanceError as exc:
            form.threshold.errors = [*form.threshold.errors, str(exc.message)]
        else:
            db.session.commit()
            return _back_to_preview(event, draft, "preview-heading")
    db.session.rollback()
    return _render_preview(event, draft, threshold_form=form, status=400)


@bp.post("/events/<int:event_id>/attendance/import/<int:draft_id>/match")
@login_required
def import_match(event_id: int, draft_id: int):
    event = require_edit(_sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = ImportMatchForm()
    if not form.validate_on_submit():
        abort(400)
    ref = form.person.data
    registration = None
    if (form.registrant.data or "").strip():
        registration = services.find_registrant(event, form.registrant.data)
        if registration is None:
            message = _("No active registrant of this event has that e-mail address.")
            return _render_preview(event, draft, errors={ref: message}, status=400)
    elif (form.registration.data or "").isdigit():
        registration = db.session.get(Registration, int(form.registration.data))
    if registration is None:
        message = _("Choose a registrant, or enter a registrant's e-mail address.")
        return _render_preview(event, draft, errors={ref: message}, status=400)
    try:
        services.match_import_person(event, draft, ref, registration)
    except services.AttendanceError as exc:
        db.session.rollback()
        return _render_preview(event, draft, errors={ref: str(exc.message)}, status=400)
    db.session.commit()
    flash(_("Matched to %(name)s.", name=registration.name), "success")
    return _back_to_preview(event, draft, "matched-table")


@bp.post("/events/<int:event_id>/attendance/import/<int:draft_id>/unmatch")
@login_required
def import_unmatch(event_id: int, draft_id: int):
    event = require_edit(_sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = ImportPersonForm()
    if not form.validate_on_submit():
        abort(400)
    services.unmatch_import_person(event, draft, form.person.data)
    db.session.commit()
    flash(_("The match was undone."), "success")
    return _back_to_preview(event, draft, "preview-heading")


@bp.route(
    "/events/<int:event_id>/attendance/import/<int:draft_id>/walk-in", methods=["GET", "POST"]
)
@login_required
def import_walk_in(event_id: int, draft_id: int):
    event = require_edit(_sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    regions = _regions()
    form = ImportWalkInForm(prefix="walkin")
    form.region.choices = choices([("", _("Not given"))] + [(r.code, r.name) for r in regions])
    ref = form.person.data if form.is_submitted() else request.args.get("person", "")
    person = services.import_person(event, draft, ref)
    if person is None:
        abort(404)
    if not form.is_submitted():
        form.person.data = ref
        form.name.data = services.display_name(person.name)
        form.email.data = person.email
        served = event.region_codes
        form.region.data = served[0] if len(served) == 1 else ""
    status = 200
    if form.validate_on_submit():
        region = next((r for r in regions if r.code == form.region.data), None)
        try:
            outcome = services.add_import_walk_in(
                event,
                draft,
                ref,
                name=form.name.data,
                email=form.email.data,
                organisation=form.organisation.data or "",
                stakeholder_type=form.stakeholder_type.data,
                region=region,
                recorded_by=current_user,
                privacy_version=current_app.config.get("PRIVACY_NOTICE_VERSION", ""),
            )
        except services.AttendanceError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc.message)]
            status = 400
        else:
            db.session.commit()
            if outcome.created:
                flash(
                    _("%(name)s was added as a walk-in.", name=outcome.registration.name), "success"
                )
            else:
                flash(
                    _(
                        "%(name)s was already registered; the report's minutes are now theirs.",
                        name=outcome.registration.name,
                    ),
                    "success",
                )
            return _back_to_preview(event, draft, "matched-table")
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "attendance/import_walk_in.html", event=event, draft=draft, person=person, form=form
        ),
        status,
    )


@bp.post("/events/<int:event_id>/attendance/import/<int:draft_id>/confirm")
@login_required
def import_confirm(event_id: int, draft_id: int):
    event = require_edit(_sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = services.confirm_import(event, draft, form.digest.data, recorded_by=current_user)
        db.session.commit()
    except services.AttendanceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _back_to_preview(event, draft, "preview-heading")
    except IntegrityError:
        # Someone stored attendance for the same people at the same moment.
        db.session.rollback()
        flash(_("Attendance changed while you were importing. Check the preview again."), "error")
        return _back_to_preview(event, draft, "preview-heading")
    log_event(
        "attendance.import",
        event_id=event.id,
        user_id=current_user.id,
        created=result.created,
        updated=result.updated,
        kept=result.kept,
        unchanged=result.unchanged,
    )
    if result.changed:
        flash(
            _(
                "Attendance imported: %(created)s new records, %(updated)s updated, "
                "%(kept)s marked by hand kept their status (minutes added), %(unchanged)s unchanged.",
                created=result.created,
                updated=result.updated,
                kept=result.kept,
                unchanged=result.unchanged,
            ),
            "success",
        )
    else:
        flash(
            ngettext(
                "Nothing changed: the %(num)d record in this file was already imported.",
                "Nothing changed: the %(num)d records in this file were already imported.",
                result.unchanged,
            ),
            "success",
        )
    return redirect(url_for(".sheet", event_id=event.id), code=303)


# --- reports ------------------------------------------------------------------------------

REPORT_TABLES = (
    "events",
    "attendee-regions",
    "served-regions",
    "stakeholder-types",
    "kinds",
    "events-by-region",
    "types-by-region",
    "actions",
    "summary",
)


# Events listed on the report page; the totals and the downloads cover every event.
REPORT_EVENTS_SHOWN = 200


def _report_filters(regions: list[Region]) -> tuple[ReportFilterForm, ReportFilters | None]:
    """The filter form and the filters it gives (None when the form has errors).

    A first visit (no arguments) reports on the current reporting period; dates left
    empty are taken from the chosen period.
    """
    periods = reporting_services.periods()
    form = ReportFilterForm(request.args)
    form.region.choices = choices([("", _("All regions"))] + [(r.code, r.name) for r in regions])
    form.period.choices = choices(
        [("", _("No period: the dates below"))] + [(str(p.id), p.name) for p in periods]
    )
    if not request.args:
        current = reporting_services.current_period(utcnow().date(), periods)
        form.period.data = str(current.id) if current else ""
    if not form.validate():
        return form, None
    period = next((p for p in periods if str(p.id) == form.period.data), None)
    date_from = form.date_from.data or (period.starts_on if period else None)
    date_to = form.date_to.data or (period.ends_on if period else None)
    if date_from and date_to and date_to < date_from:
        form.date_to.errors = [*form.date_to.errors, _("The end date is before the start date.")]
        return form, None
    return form, ReportFilters(
        date_from=date_from,
        date_to=date_to,
        kind=form.kind.data or None,
        region=form.region.data or None,
        include_upcoming=form.when.data == "all",
        period=period.id if period else None,
    )


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _group_label(table: str, key: str | None, report: Report) -> str:
    if key is None:
        return _("Not given")
    if table in ("attendee-regions", "served-regions"):
        return report.region_names.get(key, key)
    if table == "stakeholder-types":
        return str(STAKEHOLDER_LABELS.get(key, key))
    return str(KIND_LABELS.get(key, key))


def _groups(report: Report) -> dict[str, list]:
    return {
        "attendee-regions": report.by_attendee_region,
        "served-regions": report.by_served_region,
        "stakeholder-types": report.by_stakeholder_type,
        "kinds": report.by_kind,
    }


def _group_titles() -> dict[str, str]:
    return {
        "attendee-regions": _("Attendees by the region they come from"),
        "served-regions": _("Attendees by the region the event serves"),
        "stakeholder-types": _("Attendees by kind of organisation"),
        "kinds": _("Attendees by kind of event"),
    }


def _group_header(table: str) -> list[str]:
    first = {
        "attendee-regions": _("Region"),
        "served-regions": _("Region"),
        "stakeholder-types": _("Kind of organisation"),
        "kinds": _("Kind of event"),
    }[table]
    return [
        first,
        _("Registered"),
        _("Confirmed"),
        _("Attended"),
        _("Attendance rate"),
        _("No-shows"),
        _("Unique people"),
        _("Organisations"),
    ]


def _figure_cells(g) -> list[Any]:
    rate = g.attendance_rate
    return [
        g.registered,
        g.confirmed,
        g.attended,
        None if rate is None else round(rate, 4),
        g.no_shows,
        g.people,
        g.organisations,
    ]


def _region_keys(report: Report, found: dict) -> list[str | None]:
    keys: list[str | None] = list(report.region_names)
    return keys + [k for k in found if k not in keys]


def _table(table: str, report: Report) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one report table, as shown and exported."""
    if table == "events":
        header = [
            _("Event"),
            _("Kind"),
            _("Starts"),
            _("Registered"),
            _("Confirmed"),
            _("Attended"),
            _("Excused"),
            _("No-shows"),
            _("Attendance rate"),
            _("Minutes online"),
        ]
        rows = [
            [
                e.title,
                str(KIND_LABELS.get(e.kind, e.kind)),
                e.starts_at.astimezone(zone(e.timezone)).replace(tzinfo=None),
                e.registered,
                e.confirmed,
                e.attended,
                e.excused,
                e.no_shows,
                None if e.attendance_rate is None else round(e.attendance_rate, 4),
                e.minutes_online,
            ]
            for e in report.events
        ]
        return header, rows
    if table == "summary":
        header = [_("Figure"), _("Value")]
        totals = report.totals
        rate = report.attendance_rate
        rows = [
            [_("Events"), len(report.events)],
            [_("Registered"), totals["registered"]],
            [_("Confirmed"), totals["confirmed"]],
            [_("Attendances"), report.attendances],
            [_("Attendance rate"), None if rate is None else round(rate, 4)],
            [_("Unique people (by e-mail)"), report.unique_people],
            [_("Organisations"), report.unique_organisations],
            [_("Person-days present"), report.person_days],
            [_("No-shows"), totals["no_shows"]],
            [_("Minutes online"), totals["minutes_online"]],
        ]
        return header, rows
    if table == "events-by-region":
        found = report.events_by_region_and_kind
        header = [_("Region served")] + [str(KIND_LABELS[k]) for k in EVENT_KINDS] + [_("Total")]
        rows = []
        for key in _region_keys(report, found):
            counts = found.get(key, {})
            cells = [counts.get(k, 0) for k in EVENT_KINDS]
            rows.append([_group_label("served-regions", key, report), *cells, sum(cells)])
        return header, rows
    if table == "types-by-region":
        found = report.people_by_region_and_type
        header = (
            [_("Region people come from")]
            + [str(STAKEHOLDER_LABELS[t]) for t in STAKEHOLDER_TYPES]
            + [_("Total")]
        )
        rows = []
        for key in _region_keys(report, found):
            counts = found.get(key, {})
            cells = [counts.get(t, 0) for t in STAKEHOLDER_TYPES]
            rows.append([_group_label("attendee-regions", key, report), *cells, sum(cells)])
        return header, rows
    if table == "actions":
        header = [
            _("Region"),
            _("Action plan"),
            _("Action"),
            _("Events"),
            *_group_header("kinds")[1:],
        ]
        rows = [
            [
                report.region_names.get(a.region_code, a.region_code),
                a.plan_title,
                f"{a.position}. {a.title}",
                a.events,
                *_figure_cells(a.figures),
            ]
            for a in report.by_action
        ]
        return header, rows
    groups = _groups(report)[table]
    return _group_header(table), [
        [_group_label(table, g.key, report), *_figure_cells(g)] for g in groups
    ]


def _charts(report: Report) -> dict[str, Any]:
    charts = {}
    for table, groups in _groups(report).items():
        charts[table] = bar_chart_svg(
            chart_id=f"chart-{table}",
            title=_group_titles()[table],
            categories=[_group_label(table, g.key, report) for g in groups],
            series=[
                Series(_("Attendances"), [g.attendances for g in groups], "solid"),
                Series(_("Unique people"), [g.people for g in groups], "hatch"),
            ],
        )
    return charts


@bp.get("/reports")
@login_required
def reports():
    regions = _regions()
    form, filters = _report_filters(regions)
    report = build_report(filters) if filters is not None else None
    tables = (
        {name: _table(name, report) for name in ("events-by-region", "types-by-region")}
        if report
        else {}
    )
    return (
        render_template(
            "attendance/reports.html",
            form=form,
            report=report,
            filters=filters,
            charts=_charts(report) if report else {},
            tables=tables,
            group_titles=_group_titles(),
            group_header=_group_header,
            group_label=_group_label,
            figure_cells=_figure_cells,
            rate=_rate,
            export_args=filters.as_args() if filters else {},
            events_shown=REPORT_EVENTS_SHOWN,
        ),
        200 if report is not None else 400,
    )


@bp.get("/reports/<table>.<any(csv, xlsx):fmt>")
@login_required
def report_export(table: str, fmt: str):
    if table not in REPORT_TABLES:
        abort(404)
    form, filters = _report_filters(_regions())
    if filters is None:
        abort(400)
    report = build_report(filters)
    header, rows = _table(table, report)
    filename = f"report-{table}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, header, rows, sheet_title=table)
