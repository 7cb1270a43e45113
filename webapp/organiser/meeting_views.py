"""Invitations to partners-only meetings and event series (``organiser.meetings.*``)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.contacts.services import active_contacts
from webapp.extensions import db
from webapp.invitations import services as invitations
from webapp.models import Invitation, Partner
from webapp.organiser.access import get_event_for_edit_or_403
from webapp.organiser.event_data import SchedulingError
from webapp.organiser.forms import EmptyForm, InviteForm, SeriesForm, choices
from webapp.series import services as series
from webapp.timezones import utc_to_local

bp = Blueprint("meetings", __name__)


# --- invitations ---------------------------------------------------------------------------


def _invite_form(event, **kwargs) -> InviteForm:
    form = InviteForm(**kwargs)
    contacts = active_contacts()
    partners = list(db.session.scalars(db.select(Partner).order_by(Partner.name)))
    form.partners.choices = choices((p.id, f"{p.name} ({p.region.code})") for p in partners)
    form.contacts.choices = choices(
        (c.id, f"{c.name} – {c.partner.short_name}" + (f", {c.role}" if c.role else ""))
        for c in contacts
    )
    form.all_contacts = contacts
    return form


def _invitations_page(event, form: InviteForm, status: int = 200):
    rows = invitations.event_invitations(event)
    total, regions = invitations.answers_by_region(rows)
    later = [e for e in series.later_members(event) if e.visibility == "partners"]
    return render_template(
        "organiser/invitations.html",
        event=event,
        form=form,
        invitations=rows,
        total=total,
        regions=regions,
        later_dates=later,
        invitable_error=invitations.invitable_error(event),
        action_form=EmptyForm(),
    ), status


@bp.get("/events/<int:event_id>/invitations")
def invitation_list(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    return _invitations_page(event, _invite_form(event, formdata=None))


@bp.post("/events/<int:event_id>/invitations")
def invite(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    form = _invite_form(event)
    if not form.validate_on_submit():
        return _invitations_page(event, form, 400)
    partner_ids = {int(v) for v in form.partners.data or [] if v.isdigit()}
    contact_ids = {int(v) for v in form.contacts.data or [] if v.isdigit()}
    chosen = [c for c in form.all_contacts if c.partner_id in partner_ids or c.id in contact_ids]
    events = [event]
    if form.whole_series.data:
        events += [
            e
            for e in series.later_members(event)
            if e.visibility == "partners" and e.status == "published"
        ]
    try:
        report = invitations.invite(events, chosen, actor=current_user)
    except invitations.InvitationError as error:
        db.session.rollback()
        target = getattr(form, error.field or "", None)
        if target is not None:
            target.errors = [*target.errors, str(error)]
        else:
            form.form_errors.append(str(error))
        return _invitations_page(event, form, 400)
    db.session.commit()
    message = _("%(n)d invitations sent.", n=len(report.invited))
    if report.events > 1:
        message += " " + _("The series has %(n)d dates.", n=report.events)
    if report.already:
        message += " " + _("%(n)d were already invited.", n=report.already)
    flash(message, "success")
    return redirect(url_for(".invitation_list", event_id=event.id), 303)


@bp.post("/events/<int:event_id>/invitations/<int:invitation_id>/withdraw")
def withdraw(event_id: int, invitation_id: int):
    event = get_event_for_edit_or_403(event_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    invitations.revoke(invitation, actor=current_user)
    db.session.commit()
    flash(_("The invitation was withdrawn; its link no longer works."), "success")
    return redirect(url_for(".invitation_list", event_id=event.id), 303)


# --- series --------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/series/new", methods=["GET", "POST"])
def series_new(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    if event.series_id is not None:
        flash(_("This event already belongs to a series."), "error")
        return redirect(url_for("organiser.event_detail", event_id=event.id))
    local_start = utc_to_local(event.starts_at, event.timezone)
    if request.method == "POST":
        form = SeriesForm()
    else:
        form = SeriesForm(
            data={
                "weekday": str(local_start.weekday()),
                "position": str(min((local_start.day - 1) // 7 + 1, 4)),
            }
        )
    if form.validate_on_submit():
        try:
            starts, rule_text = _series_starts(form, local_start.replace(tzinfo=None))
            created = series.create_series(event, starts, rule_text=rule_text, actor=current_user)
        except SchedulingError as error:
            db.session.rollback()
            target = getattr(form, error.field or "", None)
            if target is not None:
                target.errors = [*target.errors, str(error)]
            else:
                form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The series was created with %(n)d dates.", n=len(created.events)), "success")
            return redirect(url_for("organiser.event_detail", event_id=event.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("organiser/series_form.html", event=event, form=form), status


def _series_starts(form: SeriesForm, local_start: datetime) -> tuple[list[datetime], str]:
    if form.mode.data == "dates":
        days = series.parse_date_list(form.dates.data or "")
        return [datetime.combine(day, local_start.time()) for day in days], "dates"
    if form.count.data is None:
        raise SchedulingError(_("Give the number of dates."), "count")
    rule = series.SeriesRule(
        frequency=form.frequency.data,
        weekday=int(form.weekday.data) if (form.weekday.data or "").isdigit() else -1,
        position=int(form.position.data) if form.position.data in ("1", "2", "3", "4", "-1") else 0,
        interval=form.interval.data or 1,
        count=form.count.data,
    )
    if not 0 <= rule.weekday <= 6:
        raise SchedulingError(_("Choose a weekday."), "weekday")
    return series.rule_dates(rule, local_start.date(), local_start.time()), rule.as_rrule_text()
