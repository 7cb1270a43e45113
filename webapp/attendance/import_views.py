"""Importing a meeting platform's attendance report: upload, preview, match, confirm."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.attendance import (
    import_drafts,
    platform_import,
    queries,
    thresholds,
)
from webapp.attendance.blueprint import bp, sheet_event
from webapp.attendance.errors import AttendanceError
from webapp.attendance.forms import (
    THRESHOLD_UNIT_LABELS,
    ImportConfirmForm,
    ImportMatchForm,
    ImportPersonForm,
    ImportUploadForm,
    ImportWalkInForm,
    ThresholdForm,
    choices,
)
from webapp.attendance.importing import LAYOUTS, MAX_IMPORT_BYTES, ImportFileError
from webapp.extensions import db
from webapp.logs import log_event
from webapp.models import Event, Region, Registration
from webapp.organiser.access import (
    require_edit,
)
from webapp.organiser.queries import all_regions


def _max_import_bytes() -> int:
    return int(current_app.config.get("ATTENDANCE_IMPORT_MAX_BYTES", MAX_IMPORT_BYTES))


def _threshold_hint(event: Event) -> str:
    return _(
        "Per day. Default: %(percent)s %% of the scheduled time of a day (%(minutes)s minutes).",
        percent=thresholds.DEFAULT_THRESHOLD[1],
        minutes=thresholds.default_threshold_minutes(event),
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
        form.threshold_unit.data, form.threshold.data = thresholds.event_threshold(event)
        form.timezone.data = event.timezone
    return form


@bp.route("/events/<int:event_id>/attendance/import", methods=["GET", "POST"])
def import_report(event_id: int):
    event = require_edit(sheet_event(event_id))
    form = _import_form(event, all_regions())
    status = 200
    if form.validate_on_submit():
        upload = form.report.data
        max_bytes = _max_import_bytes()
        data = upload.stream.read(max_bytes + 1)
        try:
            draft = import_drafts.start_import(
                event,
                data,
                filename=upload.filename or "",
                timezone=form.timezone.data,
                threshold_unit=form.threshold_unit.data,
                threshold_value=form.threshold.data,
                created_by=current_user,
                max_bytes=max_bytes,
            )
        except (ImportFileError, AttendanceError) as exc:
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
    draft = import_drafts.import_draft(event, draft_id)
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
        preview = import_drafts.preview_draft(event, draft)
    except (ImportFileError, AttendanceError) as exc:
        # Kept files were readable when uploaded; a file this version cannot read any
        # more (or an out-of-range threshold) sends the organiser back to the upload.
        flash(str(exc.message), "error")
        return redirect(url_for(".import_report", event_id=event.id), code=303)
    confirm_form = ImportConfirmForm()
    confirm_form.digest.data = preview.digest()
    registrants = queries.attendable_registrations(event)
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
def import_preview(event_id: int, draft_id: int):
    event = require_edit(sheet_event(event_id))
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
def import_threshold(event_id: int, draft_id: int):
    event = require_edit(sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = _threshold_form(event, draft)
    if form.validate_on_submit():
        try:
            import_drafts.change_draft_threshold(
                event, draft, form.threshold_unit.data, form.threshold.data
            )
        except AttendanceError as exc:
            form.threshold.errors = [*form.threshold.errors, str(exc.message)]
        else:
            db.session.commit()
            return _back_to_preview(event, draft, "preview-heading")
    db.session.rollback()
    return _render_preview(event, draft, threshold_form=form, status=400)


@bp.post("/events/<int:event_id>/attendance/import/<int:draft_id>/match")
def import_match(event_id: int, draft_id: int):
    event = require_edit(sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = ImportMatchForm()
    if not form.validate_on_submit():
        abort(400)
    ref = form.person.data
    registration = None
    if (form.registrant.data or "").strip():
        registration = import_drafts.find_registrant(event, form.registrant.data)
        if registration is None:
            message = _("No active registrant of this event has that e-mail address.")
            return _render_preview(event, draft, errors={ref: message}, status=400)
    elif (form.registration.data or "").isdigit():
        registration = db.session.get(Registration, int(form.registration.data))
    if registration is None:
        message = _("Choose a registrant, or enter a registrant's e-mail address.")
        return _render_preview(event, draft, errors={ref: message}, status=400)
    try:
        import_drafts.match_import_person(event, draft, ref, registration)
    except AttendanceError as exc:
        db.session.rollback()
        return _render_preview(event, draft, errors={ref: str(exc.message)}, status=400)
    db.session.commit()
    flash(_("Matched to %(name)s.", name=registration.name), "success")
    return _back_to_preview(event, draft, "matched-table")


@bp.post("/events/<int:event_id>/attendance/import/<int:draft_id>/unmatch")
def import_unmatch(event_id: int, draft_id: int):
    event = require_edit(sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = ImportPersonForm()
    if not form.validate_on_submit():
        abort(400)
    import_drafts.unmatch_import_person(event, draft, form.person.data)
    db.session.commit()
    flash(_("The match was undone."), "success")
    return _back_to_preview(event, draft, "preview-heading")


@bp.route(
    "/events/<int:event_id>/attendance/import/<int:draft_id>/walk-in", methods=["GET", "POST"]
)
def import_walk_in(event_id: int, draft_id: int):
    event = require_edit(sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    regions = all_regions()
    form = ImportWalkInForm(prefix="walkin")
    form.region.choices = choices([("", _("Not given"))] + [(r.code, r.name) for r in regions])
    ref = form.person.data if form.is_submitted() else request.args.get("person", "")
    person = import_drafts.import_person(event, draft, ref)
    if person is None:
        abort(404)
    if not form.is_submitted():
        form.person.data = ref
        form.name.data = platform_import.display_name(person.name)
        form.email.data = person.email
        served = event.region_codes
        form.region.data = served[0] if len(served) == 1 else ""
    status = 200
    if form.validate_on_submit():
        region = next((r for r in regions if r.code == form.region.data), None)
        try:
            outcome = import_drafts.add_import_walk_in(
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
        except AttendanceError as exc:
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
def import_confirm(event_id: int, draft_id: int):
    event = require_edit(sheet_event(event_id))
    draft, gone = _draft_or_restart(event, draft_id)
    if gone:
        return gone
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = import_drafts.confirm_import(
            event, draft, form.digest.data, recorded_by=current_user
        )
        db.session.commit()
    except AttendanceError as exc:
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
