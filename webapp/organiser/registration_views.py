"""Registrations of one event, as its organisers manage them (``organiser.registrations.*``).

Only organisers who may change the event (its host region, administrators) see its
registrants: names, addresses and answers are personal data.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp.audit import audit_entries_for_registration
from webapp.exports import csv_response, xlsx_response
from webapp.extensions import db
from webapp.formatting import (
    REGISTRATION_STATUS_LABELS,
    STAKEHOLDER_LABELS,
    answer_items,
    answer_text,
    question_label,
)
from webapp.i18n import LANGUAGE_NAMES
from webapp.input_hygiene import clean_line
from webapp.models import REGISTRATION_STATUSES, Event, Region, Registration
from webapp.organiser import queries, registration_actions
from webapp.organiser.access import get_event_for_edit_or_403
from webapp.organiser.event_data import SchedulingError
from webapp.organiser.forms import (
    AddRegistrationForm,
    BulkDecisionForm,
    ConfirmFromWaitingListForm,
    EmptyForm,
    RegistrationFilterForm,
    choices,
)
from webapp.registrations.queries import seats_left, status_counts
from webapp.registrations.rules import CapacityError, RegistrationError
from webapp.search import contains_text

bp = Blueprint("registrations", __name__, url_prefix="/events/<int:event_id>")

PER_PAGE = 200
# Registrations an organiser may still decide on (approve or turn down).
DECIDABLE_STATUSES = ("pending", "waitlisted")
NO_REGION = "none"


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
    regions = list(db.session.scalars(db.select(Region).order_by(Region.code)))
    form = RegistrationFilterForm(request.args)
    form.status.choices = choices(
        [("", _("Every status"))]
        + [(s, REGISTRATION_STATUS_LABELS[s]) for s in REGISTRATION_STATUSES]
    )
    form.region.choices = choices(
        [("", _("Every region"))]
        + [(r.code, r.name) for r in regions]
        + [(NO_REGION, _("Other / outside the partnership"))]
    )
    stmt = (
        db.select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.region))
        .order_by(Registration.id)
    )
    # A filter is a view, not a change: an unknown status or region, or an over-long
    # search, is ignored (and the list shown unfiltered) rather than refused.
    status = request.args.get("status", "")
    if status in REGISTRATION_STATUSES:
        stmt = stmt.where(Registration.status == status)
    else:
        form.status.data = ""
    region_code = request.args.get("region", "")
    region = next((r for r in regions if r.code == region_code), None)
    if region is not None:
        stmt = stmt.where(Registration.region_id == region.id)
    elif region_code == NO_REGION:
        stmt = stmt.where(Registration.region_id.is_(None))
    else:
        form.region.data = ""
    q = " ".join((request.args.get("q") or "").split())[:100]
    form.q.data = q
    if q:
        stmt = stmt.where(
            contains_text(q, Registration.name, Registration.email, Registration.organisation)
        )
    registrations = list(db.session.scalars(stmt.limit(PER_PAGE + 1)))
    truncated = len(registrations) > PER_PAGE
    registrations = registrations[:PER_PAGE]
    counts = status_counts([event.id])[event.id]
    questions = list(event.questions)
    return render_template(
        "organiser/registrations.html",
        event=event,
        form=form,
        registrations=registrations,
        truncated=truncated,
        counts=counts,
        seats_left=seats_left(event, counts["confirmed"]),
        action_form=EmptyForm(),
        bulk_form=BulkDecisionForm(formdata=None),
        decidable=[r for r in registrations if r.status in DECIDABLE_STATUSES],
        questions=questions,
        question_headers=[question_label(q) for q in questions],
        answer_text=answer_text,
        return_query=request.query_string.decode()[:300],
        STAKEHOLDER_LABELS=STAKEHOLDER_LABELS,
    )


@bp.get("/registrations/<int:registration_id>", endpoint="detail")
def registration_detail(event_id: int, registration_id: int):
    """One registration: every field, every answer, its history and what can be done."""
    event = get_event_for_edit_or_403(event_id)
    registration = _registration_or_404(event, registration_id)
    return render_template(
        "organiser/registration.html",
        event=event,
        registration=registration,
        answers=answer_items(list(event.questions), registration.answers),
        history=audit_entries_for_registration(registration),
        STAKEHOLDER_LABELS=STAKEHOLDER_LABELS,
        return_query="",
    )


@bp.post("/registrations/decide")
def decide(event_id: int):
    """Approve or turn down the ticked registrations, with an optional message."""
    event = get_event_for_edit_or_403(event_id)
    form = BulkDecisionForm()
    candidates = {
        r.id: r
        for r in db.session.scalars(
            db.select(Registration).where(
                Registration.event_id == event.id,
                Registration.status.in_(DECIDABLE_STATUSES),
            )
        )
    }
    form.ids.choices = [SelectChoice(rid, str(rid)) for rid in candidates]
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for errors in (form.ids.errors, form.decision.errors, form.note.errors):
            for error in errors:
                flash(error, "error")
        return _back(event)
    chosen = [candidates[registration_id] for registration_id in form.ids.data]
    try:
        outcome = registration_actions.decide_registrations(
            chosen, form.decision.data, actor=current_user, note=form.note.data or ""
        )
    except (RegistrationError, SchedulingError) as error:
        db.session.rollback()
        flash(getattr(error, "message", None) or str(error), "error")
        return _back(event)
    db.session.commit()
    for message, category in _bulk_messages(outcome):
        flash(message, category)
    return _back(event)


def _bulk_messages(outcome: registration_actions.BulkOutcome) -> list[tuple[str, str]]:
    """What happened, each outcome in its own words (nobody "approved" who is waiting)."""
    messages: list[tuple[str, str]] = []
    if outcome.confirmed:
        messages.append(
            (
                ngettext(
                    "%(num)d registration approved: the seat is confirmed; they get an e-mail.",
                    "%(num)d registrations approved: their seats are confirmed; they get an "
                    "e-mail.",
                    outcome.confirmed,
                ),
                "success",
            )
        )
    if outcome.waitlisted:
        messages.append(
            (
                ngettext(
                    "%(num)d approved registration went to the waiting list because the "
                    "event is full; they get an e-mail.",
                    "%(num)d approved registrations went to the waiting list because the "
                    "event is full; they get an e-mail.",
                    outcome.waitlisted,
                ),
                "warning",
            )
        )
    if outcome.rejected:
        messages.append(
            (
                ngettext(
                    "%(num)d registration turned down; they get an e-mail.",
                    "%(num)d registrations turned down; they get an e-mail.",
                    outcome.rejected,
                ),
                "success",
            )
        )
    if outcome.skipped:
        messages.append(
            (
                ngettext(
                    "%(num)d registration was left as it is: its status does not allow "
                    "this decision.",
                    "%(num)d registrations were left as they are: their status does not "
                    "allow this decision.",
                    outcome.skipped,
                ),
                "warning",
            )
        )
    return messages


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
    event = get_event_for_edit_or_403(event_id)
    registration = _registration_or_404(event, registration_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        status = registration_actions.approve(registration, actor=current_user)
    except RegistrationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(event)
    db.session.commit()
    if status == "confirmed":
        flash(
            _(
                "%(name)s is approved and has a seat; they will get an e-mail.",
                name=registration.name,
            ),
            "success",
        )
    else:
        flash(
            _(
                "%(name)s is approved, but the event is full: they are on the waiting list "
                "and will get an e-mail saying so.",
                name=registration.name,
            ),
            "warning",
        )
    return _back(event)


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
