"""Registrations of one event, as its organisers manage them (``organiser.registrations.*``).

Only organisers who may change the event (its host region, administrators) see its
registrants: names, addresses and answers are personal data.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from webapp.exports import csv_response, xlsx_response
from webapp.extensions import db
from webapp.formatting import REGISTRATION_STATUS_LABELS, STAKEHOLDER_LABELS
from webapp.i18n import LANGUAGE_NAMES
from webapp.input_hygiene import clean_line
from webapp.models import REGISTRATION_STATUSES, Event, Region, Registration
from webapp.organiser import queries, registration_actions
from webapp.organiser.access import get_event_for_edit_or_403
from webapp.organiser.event_data import SchedulingError
from webapp.organiser.forms import (
    AddRegistrationForm,
    ConfirmFromWaitingListForm,
    EmptyForm,
    RegistrationFilterForm,
    choices,
)
from webapp.registrations.queries import seats_left, status_counts
from webapp.registrations.rules import CapacityError, RegistrationError

bp = Blueprint("registrations", __name__, url_prefix="/events/<int:event_id>")

PER_PAGE = 200


def _registration_or_404(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def _back(event: Event):
    """Back to the list with the filters it had (rebuilt, so nothing odd reaches the header)."""
    target = url_for("organiser.registrations.list", event_id=event.id)
    referrer_args = request.form.get("return_query", "")
    if referrer_args and len(referrer_args) < 300:
        pairs = parse_qsl(referrer_args.lstrip("?"), keep_blank_values=True)
        query = urlencode([(clean_line(key), clean_line(value)) for key, value in pairs])
        if query:
            target += "?" + query
    return redirect(target)


@bp.get("/registrations", endpoint="list")
def registration_list(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    form = RegistrationFilterForm(request.args)
    form.status.choices = choices(
        [("", _("Every status"))]
        + [(s, REGISTRATION_STATUS_LABELS[s]) for s in REGISTRATION_STATUSES]
    )
    stmt = (
        db.select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.region))
        .order_by(Registration.id)
    )
    # A filter is a view, not a change: an unknown status or an over-long search is
    # ignored (and the list shown unfiltered) rather than refused.
    status = request.args.get("status", "")
    if status in REGISTRATION_STATUSES:
        stmt = stmt.where(Registration.status == status)
    else:
        form.status.data = ""
    q = " ".join((request.args.get("q") or "").split())[:100]
    form.q.data = q
    if q:
        pattern = "%" + q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        stmt = stmt.where(
            or_(
                func.lower(Registration.name).like(pattern),
                func.lower(Registration.email).like(pattern),
                func.lower(Registration.organisation).like(pattern),
            )
        )
    registrations = list(db.session.scalars(stmt.limit(PER_PAGE + 1)))
    truncated = len(registrations) > PER_PAGE
    counts = status_counts([event.id])[event.id]
    return render_template(
        "organiser/registrations.html",
        event=event,
        form=form,
        registrations=registrations[:PER_PAGE],
        truncated=truncated,
        counts=counts,
        seats_left=seats_left(event, counts["confirmed"]),
        action_form=EmptyForm(),
        return_query=request.query_string.decode()[:300],
        STAKEHOLDER_LABELS=STAKEHOLDER_LABELS,
    )


def _post_action(event_id: int, registration_id: int, action, success: str):
    event = get_event_for_edit_or_403(event_id)
    registration = _registration_or_404(event, registration_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(registration)
    except (RegistrationError, SchedulingError) as error:
        db.session.rollback()
        flash(getattr(error, "message", None) or str(error), "error")
        return _back(event)
    db.session.commit()
    flash(success, "success")
    return _back(event)


@bp.post("/registrations/<int:registration_id>/approve")
def approve(event_id: int, registration_id: int):
    return _post_action(
        event_id,
        registration_id,
        lambda r: registration_actions.approve(r, actor=current_user),
        _("The registration was approved; they will get an e-mail."),
    )


@bp.post("/registrations/<int:registration_id>/reject")
def reject(event_id: int, registration_id: int):
    return _post_action(
        event_id,
        registration_id,
        lambda r: registration_actions.reject(r, actor=current_user),
        _("The registration was turned down; they will get an e-mail."),
    )


@bp.post("/registrations/<int:registration_id>/cancel")
def cancel(event_id: int, registration_id: int):
    return _post_action(
        event_id,
        registration_id,
        lambda r: registration_actions.cancel_on_behalf(r, actor=current_user),
        _("The registration was cancelled; they will get an e-mail."),
    )


@bp.post("/registrations/<int:registration_id>/resend")
def resend(event_id: int, registration_id: int):
    return _post_action(
        event_id,
        registration_id,
        lambda r: registration_actions.resend_link(r, actor=current_user),
        _("Their registration link is on its way."),
    )


@bp.route("/registrations/<int:registration_id>/confirm", methods=["GET", "POST"])
def confirm(event_id: int, registration_id: int):
    """Give a waitlisted person a seat; when the event is full, ask for a reason."""
    event = get_event_for_edit_or_403(event_id)
    registration = _registration_or_404(event, registration_id)
    if registration.status != "waitlisted":
        flash(_("Only people on the waiting list can be given a seat."), "error")
        return _back(event)
    form = ConfirmFromWaitingListForm()
    counts = status_counts([event.id])[event.id]
    free = seats_left(event, counts["confirmed"])
    if form.validate_on_submit():
        try:
            registration_actions.confirm_waitlisted(
                registration, actor=current_user, override_reason=form.override_reason.data
            )
        except CapacityError as error:
            db.session.rollback()
            form.override_reason.errors = [
                *form.override_reason.errors,
                _(
                    "The event is full. Write why this person may have a seat beyond the "
                    "capacity, or raise the capacity instead."
                ),
            ]
            current_app.logger.debug("confirm refused: %s", error)
        except RegistrationError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _back(event)
        else:
            db.session.commit()
            flash(
                _("%(name)s has a seat now; they will get an e-mail.", name=registration.name),
                "success",
            )
            return _back(event)
    return render_template(
        "organiser/confirm_waitlisted.html",
        event=event,
        registration=registration,
        form=form,
        seats_left=free,
        counts=counts,
    )


@bp.route("/registrations/new", methods=["GET", "POST"])
def add(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    regions = list(db.session.scalars(db.select(Region).order_by(Region.code)))
    form = AddRegistrationForm()
    form.region.choices = choices([("", _("Not given"))] + [(r.code, r.name) for r in regions])
    languages = current_app.config["LANGUAGES"]
    form.locale.choices = choices((code, LANGUAGE_NAMES.get(code, code)) for code in languages)
    if request.method == "GET":
        form.locale.data = current_user.partner.region.locale if current_user.partner else "en"
    if form.validate_on_submit():
        region = next((r for r in regions if r.code == form.region.data), None)
        try:
            outcome = registration_actions.add_registration(
                event,
                actor=current_user,
                name=form.name.data,
                email=form.email.data,
                organisation=form.organisation.data or "",
                stakeholder_type=form.stakeholder_type.data,
                region=region,
                locale=form.locale.data,
                privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            )
        except RegistrationError as error:
            db.session.rollback()
            target = getattr(form, error.field, None) if error.field else None
            if target is not None:
                target.errors = [*target.errors, error.message]
            else:
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            if outcome.created:
                flash(
                    _(
                        "%(name)s is registered (%(status)s) and will get an e-mail.",
                        name=outcome.registration.name,
                        status=REGISTRATION_STATUS_LABELS[outcome.status],
                    ),
                    "success",
                )
            else:
                flash(
                    _("This address was already registered; their link was sent again."),
                    "warning",
                )
            return redirect(url_for("organiser.registrations.list", event_id=event.id))
    return render_template("organiser/add_registration.html", event=event, form=form)


def _export_name(event: Event, extension: str) -> str:
    return f"{event.slug}-registrations.{extension}"


@bp.get("/registrations.csv")
def export_csv(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    header, rows = queries.registration_export(event)
    return csv_response(_export_name(event, "csv"), header, rows)


@bp.get("/registrations.xlsx")
def export_xlsx(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    header, rows = queries.registration_export(event)
    return xlsx_response(_export_name(event, "xlsx"), header, rows, sheet_title=_("Registrations"))
