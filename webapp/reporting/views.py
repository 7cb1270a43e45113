"""Reporting periods and action plans (``/organiser/...``), and the actions of an event.

Administrators keep the reporting periods; an action plan is kept by the organisers
of its region and by administrators; everyone logged in may read them.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.attendance.forms import choices
from webapp.extensions import db
from webapp.models import ActionPlan, PlanAction, Region, ReportingPeriod
from webapp.organiser.access import (
    can_view_registrations,
    get_event_for_edit_or_403,
    get_event_or_404,
    require_admin,
)
from webapp.organiser.forms import EmptyForm
from webapp.reporting import evidence, services
from webapp.reporting.forms import ActionPlanForm, EventActionsForm, PeriodForm, PlanActionForm
from webapp.user_errors import show_form_error

bp = Blueprint("reporting", __name__, url_prefix="/organiser")


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _get_or_404(model, object_id: int):
    row = db.session.get(model, object_id)
    if row is None:
        abort(404)
    return row


# --- reporting periods --------------------------------------------------------------------


@bp.get("/reports/periods")
@login_required
def periods():
    require_admin()
    return render_template(
        "reporting/periods.html", periods=services.periods(), delete_form=EmptyForm()
    )


@bp.route("/reports/periods/new", methods=["GET", "POST"], endpoint="new_period")
@bp.route("/reports/periods/<int:period_id>", methods=["GET", "POST"], endpoint="edit_period")
@login_required
def period_form(period_id: int | None = None):
    require_admin()
    period = _get_or_404(ReportingPeriod, period_id) if period_id else None
    form = PeriodForm(obj=period)
    if form.validate_on_submit():
        try:
            services.save_period(
                period,
                name=form.name.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
            db.session.commit()
        except services.ReportingError as error:
            db.session.rollback()
            show_form_error(form, error.field, error.message)
        else:
            flash(_("The period “%(name)s” is saved.", name=form.name.data), "success")
            return redirect(url_for(".periods"))
    status = 400 if form.is_submitted() else 200
    return render_template("reporting/period_form.html", form=form, period=period), status


@bp.post("/reports/periods/<int:period_id>/delete")
@login_required
def delete_period(period_id: int):
    require_admin()
    period = _get_or_404(ReportingPeriod, period_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = period.name
    services.delete_period(period)
    db.session.commit()
    flash(_("The period “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for(".periods"))


# --- action plans -------------------------------------------------------------------------


def _may_edit_plans_of(region: Region) -> bool:
    return current_user.is_admin or current_user.region_id == region.id


def _require_plan_edit(plan: ActionPlan) -> ActionPlan:
    if not _may_edit_plans_of(plan.region):
        abort(403)
    return plan


def _editable_regions() -> list[Region]:
    regions = db.session.scalars(db.select(Region).order_by(Region.code))
    return [r for r in regions if _may_edit_plans_of(r)]


@bp.get("/action-plans")
@login_required
def plans():
    plans = services.action_plans()
    return render_template(
        "reporting/plans.html",
        plans=plans,
        can_edit=_may_edit_plans_of,
        can_add=bool(_editable_regions()),
        delete_form=EmptyForm(),
    )


@bp.route("/action-plans/new", methods=["GET", "POST"], endpoint="new_plan")
@bp.route("/action-plans/<int:plan_id>", methods=["GET", "POST"], endpoint="edit_plan")
@login_required
def plan_form(plan_id: int | None = None):
    plan = _require_plan_edit(_get_or_404(ActionPlan, plan_id)) if plan_id else None
    regions = _editable_regions()
    if not regions:
        abort(403)
    form = ActionPlanForm(obj=plan)
    form.region.choices = choices((r.code, r.name) for r in regions)
    if not form.is_submitted():
        form.region.data = plan.region.code if plan else regions[0].code
    if form.validate_on_submit():
        region = next(r for r in regions if r.code == form.region.data)
        services.save_plan(
            plan,
            region=region,
            title=form.title.data,
            policy_instrument=form.policy_instrument.data or "",
        )
        db.session.commit()
        flash(_("The action plan “%(title)s” is saved.", title=form.title.data), "success")
        return redirect(url_for(".plans"))
    status = 400 if form.is_submitted() else 200
    return render_template("reporting/plan_form.html", form=form, plan=plan), status


@bp.post("/action-plans/<int:plan_id>/delete")
@login_required
def delete_plan(plan_id: int):
    plan = _require_plan_edit(_get_or_404(ActionPlan, plan_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    title = plan.title
    services.delete_plan(plan)
    db.session.commit()
    flash(_("The action plan “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for(".plans"))


@bp.route("/action-plans/<int:plan_id>/actions/new", methods=["GET", "POST"])
@bp.route(
    "/action-plans/<int:plan_id>/actions/<int:action_id>",
    methods=["GET", "POST"],
    endpoint="edit_action",
)
@login_required
def action_form(plan_id: int, action_id: int | None = None):
    plan = _require_plan_edit(_get_or_404(ActionPlan, plan_id))
    action = _get_or_404(PlanAction, action_id) if action_id else None
    if action is not None and action.action_plan_id != plan.id:
        abort(404)
    form = PlanActionForm(obj=action)
    if form.validate_on_submit():
        services.save_action(
            plan, action, title=form.title.data, description=form.description.data or ""
        )
        db.session.commit()
        flash(_("The action is saved."), "success")
        return redirect(url_for(".plans", _anchor=f"plan-{plan.id}"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "reporting/action_form.html", form=form, plan=plan, action=action
    ), status


@bp.post("/action-plans/<int:plan_id>/actions/<int:action_id>/delete")
@login_required
def delete_action(plan_id: int, action_id: int):
    plan = _require_plan_edit(_get_or_404(ActionPlan, plan_id))
    action = _get_or_404(PlanAction, action_id)
    if action.action_plan_id != plan.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_action(action)
    db.session.commit()
    flash(_("The action is deleted."), "success")
    return redirect(url_for(".plans", _anchor=f"plan-{plan.id}"))


# --- the actions an event serves ------------------------------------------------------------


@bp.route("/events/<int:event_id>/actions", methods=["GET", "POST"])
@login_required
def event_actions(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    plans = services.action_plans()
    form = EventActionsForm()
    form.actions.choices = [
        (a.id, f"{p.region.code} · {a.position}. {a.title}") for p in plans for a in p.actions
    ]
    if not form.is_submitted():
        form.actions.data = [a.id for a in event.actions]
    if form.validate_on_submit():
        try:
            services.set_event_actions(event, form.actions.data or [])
            db.session.commit()
        except services.ReportingError as error:
            db.session.rollback()
            show_form_error(form, error.field, error.message)
        else:
            flash(_("The actions of this event are saved."), "success")
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "reporting/event_actions.html", form=form, event=event, plans=plans
    ), status


# --- evidence packs ---------------------------------------------------------------------------


def _evidence_event(event_id: int):
    event = get_event_or_404(event_id)
    if not can_view_registrations(current_user, event):
        abort(403)
    return event


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/events/<int:event_id>/evidence/<any(participants, 'sign-in-sheet', programme):doc>.pdf")
@login_required
def evidence_pdf(event_id: int, doc: str):
    event = _evidence_event(event_id)
    locale = str(get_locale() or "en")
    if doc == "participants":
        data = evidence.participants_pdf(event, locale)
    elif doc == "sign-in-sheet":
        if not event.is_onsite:
            abort(404)
        data = evidence.signin_pdf(event, locale)
    else:
        data = evidence.programme_pdf(event, locale)
    return _download(data, f"{doc}-{event.slug}.pdf", "application/pdf")


@bp.get("/events/<int:event_id>/evidence.zip")
@login_required
def evidence_zip(event_id: int):
    event = _evidence_event(event_id)
    data = evidence.evidence_zip(event, str(get_locale() or "en"))
    return _download(data, f"evidence-{event.slug}.zip", "application/zip")
