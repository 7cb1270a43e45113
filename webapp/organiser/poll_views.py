"""Polls that find a time (``organiser.polls.*``): propose times, invite, read, choose.

Only the organisers of the poll's partner and administrators manage a poll.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.contacts.services import active_contacts
from webapp.extensions import db
from webapp.language_codes import supported_language
from webapp.models import Event, Partner, Poll, PollSlot, Region
from webapp.organiser.access import can_edit_event, can_host_as, get_poll_or_404
from webapp.organiser.forms import EmptyForm, choices, language_choices
from webapp.polls import services
from webapp.polls.forms import (
    ANSWER_LABELS,
    MAX_SLOT_ROWS,
    InviteeForm,
    PartnerContactsForm,
    PartnerOrganisersForm,
    PollForm,
)
from webapp.timezones import (
    InvalidLocalTime,
    is_valid_timezone,
    local_to_utc,
    selectable_timezones,
    utcnow,
)
from webapp.user_errors import UserError, show_form_error

bp = Blueprint("polls", __name__, url_prefix="/polls")


class FormProblem(UserError):
    """A form value the rules refuse: ``message`` first, then the ``field`` it belongs to."""


def _regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))


def _partners() -> list[Partner]:
    return list(db.session.scalars(db.select(Partner).order_by(Partner.name)))


def _language() -> str:
    return str(get_locale() or "en")


# --- list --------------------------------------------------------------------------------


@bp.get("/", endpoint="list")
def poll_list():
    polls = services.polls_visible_to(current_user)
    return render_template(
        "organiser/polls.html",
        polls=polls,
        now=utcnow(),
        can_create=any(can_host_as(current_user, p) for p in _partners()),
    )


# --- new poll ----------------------------------------------------------------------------


def _prepare_poll_form(form: PollForm) -> None:
    zones = selectable_timezones()
    form.timezone.choices = choices((z, z.replace("_", " ")) for z in zones)
    form.partner.choices = choices(
        (p.short_name, p.name) for p in _partners() if can_host_as(current_user, p)
    )
    now = utcnow()
    events = db.session.scalars(
        db.select(Event)
        .where(Event.starts_at > now, Event.status != "cancelled")
        .order_by(Event.starts_at)
        .limit(200)
    )
    form.event.choices = choices(
        [("", _("None: create a new event"))]
        + [(str(e.id), e.title) for e in events if can_edit_event(current_user, e)]
    )


def _initial_poll_data() -> dict:
    partner = current_user.partner
    first, last = current_app.config["POLL_WORKING_HOURS"]
    return {
        "timezone": partner.region.timezone if partner else "Europe/Brussels",
        "partner": partner.short_name if partner else None,
        "kind": "partner_meeting",
        "duration_minutes": 60,
        "working_hours_start": time(first // 60, first % 60),
        "working_hours_end": time(last // 60, last % 60) if last < 1440 else time(23, 59),
    }


def _to_utc(wall: datetime, tz: str, field: str) -> datetime:
    try:
        return local_to_utc(wall, tz)
    except InvalidLocalTime as error:
        raise FormProblem(
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward that night. "
                "Choose another time.",
                time=wall.strftime("%Y-%m-%d %H:%M"),
                zone=tz,
            ),
            field,
        ) from error


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _poll_data(form: PollForm) -> tuple[services.PollData, list[int]]:
    """The form's values with times in UTC; also which slot rows were filled in."""
    tz = form.timezone.data
    if not is_valid_timezone(tz):
        raise FormProblem(_("Choose a time zone from the list."), "timezone")
    partners = {p.short_name: p for p in _partners() if can_host_as(current_user, p)}
    partner = partners.get(form.partner.data or "")
    if partner is None:
        raise FormProblem(_("Choose the partner organising the meeting."), "partner")
    event = None
    if form.event.data:
        event = db.session.get(Event, int(form.event.data)) if form.event.data.isdigit() else None
        if event is None or not can_edit_event(current_user, event):
            raise FormProblem(_("Choose an event you may change, or none."), "event")
    rows, starts = [], []
    for index, entry in enumerate(form.slots.entries):
        if entry.data is not None:
            rows.append(index)
            starts.append(_to_utc(entry.data, tz, f"slots-{index}"))
    working_end = _minutes(form.working_hours_end.data)
    return (
        services.PollData(
            title=form.title.data.strip(),
            description=(form.description.data or "").strip(),
            kind=form.kind.data,
            timezone=tz,
            duration_minutes=form.duration_minutes.data,
            deadline_at=_to_utc(form.deadline_local.data, tz, "deadline_local"),
            remind_at=(
                _to_utc(form.remind_local.data, tz, "remind_local")
                if form.remind_local.data
                else None
            ),
            partner=partner,
            starts=starts,
            working_hours=(
                _minutes(form.working_hours_start.data),
                1440 if working_end == 23 * 60 + 59 else working_end,
            ),
            event=event,
        ),
        rows,
    )


def _add_error(form, field: str | None, message: str, rows: list[int] | None = None) -> None:
    if field and field.startswith("slots-") and rows is not None:
        index = int(field.split("-")[1])
        field = f"slots-{rows[index]}" if index < len(rows) else "slots"
    if field and field.startswith("slots-"):
        index = int(field.split("-")[1])
        if index < len(form.slots.entries):
            entry = form.slots.entries[index]
            entry.errors = [*(entry.errors or []), message]
            # The list's errors name the rows that have one (the error summary links them).
            form.slots.errors = [e.errors for e in form.slots.entries if e.errors]
            return
        field = "slots"
    show_form_error(form, field, message)


def _preview(form: PollForm) -> list[dict] | None:
    """Each filled-in slot in every region, with its flags (for "Show the times")."""
    try:
        data, _rows = _poll_data(form)
    except FormProblem as problem:
        _add_error(form, problem.field, problem.message)
        return None
    regions = _regions()
    return [
        {
            "starts_at": start,
            "cells": [
                services.region_slot(
                    start,
                    start + _duration(data),
                    region,
                    data.working_hours,
                    _language(),
                )
                for region in regions
            ],
        }
        for start in sorted(data.starts)
    ]


def _duration(data: services.PollData) -> timedelta:
    return timedelta(minutes=data.duration_minutes)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = PollForm(data=None if request.method == "POST" else _initial_poll_data())
    _prepare_poll_form(form)
    if not form.partner.choices:
        abort(403)
    preview = None
    if request.method == "POST":
        if form.add_slot.data:
            if len(form.slots.entries) < MAX_SLOT_ROWS:
                form.slots.append_entry()
        elif form.check_times.data:
            if form.validate():
                preview = _preview(form)
        elif form.validate():
            rows: list[int] = []
            try:
                data, rows = _poll_data(form)
                poll = services.create_poll(data, actor=current_user)
            except FormProblem as problem:
                db.session.rollback()
                _add_error(form, problem.field, problem.message)
            except services.PollError as error:
                db.session.rollback()
                _add_error(form, error.field, str(error), rows)
            else:
                db.session.commit()
                flash(_("The poll is open. Now invite the people who should answer."), "success")
                return redirect(url_for("organiser.polls.detail", poll_id=poll.id))
    for index, entry in enumerate(form.slots.entries):
        entry.label.text = _("Time %(n)d", n=index + 1)
    return render_template(
        "organiser/poll_form.html", form=form, preview=preview, regions=_regions()
    )


# --- one poll ----------------------------------------------------------------------------


def _invitee_form(formdata=None) -> InviteeForm:
    form = InviteeForm(formdata=formdata) if formdata is not None else InviteeForm()
    form.locale.choices = language_choices(current_app.config["LANGUAGES"])
    form.partner.choices = choices(
        [("", _("None (outside the partnership)"))]
        + [(p.short_name, f"{p.name} ({p.region.code})") for p in _partners()]
    )
    return form


def _partner_form() -> PartnerOrganisersForm:
    form = PartnerOrganisersForm()
    form.partner.choices = choices(
        (p.short_name, f"{p.name} ({p.region.code})") for p in _partners()
    )
    return form


def _contacts_form(**kwargs) -> PartnerContactsForm:
    form = PartnerContactsForm(**kwargs)
    contacts = active_contacts()
    with_contacts = {c.partner_id for c in contacts}
    form.partners.choices = choices(
        (p.id, f"{p.name} ({p.region.code})") for p in _partners() if p.id in with_contacts
    )
    form.contacts.choices = choices(
        (c.id, f"{c.name} – {c.partner.short_name}" + (f", {c.role}" if c.role else ""))
        for c in contacts
    )
    form.all_contacts = contacts
    return form


def _detail_page(
    poll: Poll,
    invitee_form: InviteeForm | None = None,
    status: int = 200,
    contacts_form: PartnerContactsForm | None = None,
):
    regions = _regions()
    language = _language()
    hours = services.working_hours_of(poll)
    summaries = services.slot_summaries(poll)
    by_slot = {s.slot.id: s for s in summaries}
    flags = {slot.id: services.region_slots(slot, regions, hours, language) for slot in poll.slots}
    invited_regions = sorted({i.region.code for i in poll.invitees if i.region is not None}) + (
        [""] if any(i.region is None for i in poll.invitees) else []
    )
    return (
        render_template(
            "organiser/poll.html",
            poll=poll,
            regions=regions,
            summaries=summaries,
            by_slot=by_slot,
            flags=flags,
            matrix=services.answer_matrix(poll),
            invited_regions=invited_regions,
            region_names={r.code: r.name for r in regions},
            invitee_form=invitee_form or _invitee_form(),
            partner_form=_partner_form(),
            contacts_form=contacts_form or _contacts_form(formdata=None),
            action_form=EmptyForm(),
            is_open=poll.is_open(),
            now=utcnow(),
            ANSWER_LABELS=ANSWER_LABELS,
            working_hours=f"{hours[0] // 60:02d}:{hours[0] % 60:02d}–{hours[1] // 60:02d}:{hours[1] % 60:02d}",
        ),
        status,
    )


@bp.get("/<int:poll_id>")
def detail(poll_id: int):
    return _detail_page(get_poll_or_404(poll_id))


@bp.post("/<int:poll_id>/invitees")
def add_invitee(poll_id: int):
    poll = get_poll_or_404(poll_id)
    form = _invitee_form(request.form)
    if not form.validate_on_submit():
        return _detail_page(poll, form, 400)
    partners = {p.short_name: p for p in _partners()}
    partner = partners.get(form.partner.data or "")
    if form.partner.data and partner is None:
        form.partner.errors = [_("Choose a partner from the list.")]
        return _detail_page(poll, form, 400)
    locale = supported_language(form.locale.data, current_app.config["LANGUAGES"])
    if locale is None:
        form.locale.errors = [_("Choose a language from the list.")]
        return _detail_page(poll, form, 400)
    try:
        invitee = services.add_invitee(
            poll, name=form.name.data, email=form.email.data, locale=locale, partner=partner
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.email.errors = [_("This person was invited a moment ago.")]
        return _detail_page(poll, form, 400)
    except services.PollError as error:
        db.session.rollback()
        target = getattr(form, error.field or "", None)
        if target is None:
            form.form_errors.append(str(error))
        else:
            target.errors = [*target.errors, str(error)]
        return _detail_page(poll, form, 400)
    flash(
        _("%(name)s is invited; their personal link is on its way.", name=invitee.name), "success"
    )
    return redirect(url_for("organiser.polls.detail", poll_id=poll.id) + "#invitees")


@bp.post("/<int:poll_id>/invitees/partner")
def add_partner_organisers(poll_id: int):
    poll = get_poll_or_404(poll_id)
    form = _partner_form()
    if not form.validate_on_submit():
        abort(400)
    partner = {p.short_name: p for p in _partners()}.get(form.partner.data or "")
    if partner is None:
        flash(_("Choose a partner from the list."), "error")
        return redirect(url_for("organiser.polls.detail", poll_id=poll.id) + "#invitees")
    try:
        added = services.add_partner_organisers(poll, partner)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Someone invited the same people a moment ago; nothing was changed."), "error")
    except services.PollError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(
            _("Organisers of %(partner)s invited: %(n)d.", n=added, partner=partner.name), "success"
        )
    return redirect(url_for("organiser.polls.detail", poll_id=poll.id) + "#invitees")


@bp.post("/<int:poll_id>/invitees/contacts")
def add_partner_contacts(poll_id: int):
    poll = get_poll_or_404(poll_id)
    form = _contacts_form()
    if not form.validate_on_submit():
        return _detail_page(poll, status=400, contacts_form=form)
    partner_ids = {int(v) for v in form.partners.data or [] if v.isdigit()}
    contact_ids = {int(v) for v in form.contacts.data or [] if v.isdigit()}
    chosen = [c for c in form.all_contacts if c.partner_id in partner_ids or c.id in contact_ids]
    try:
        added, already = services.add_partner_contacts(poll, chosen)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.form_errors.append(
            _("Someone invited the same people a moment ago; nothing was changed.")
        )
        return _detail_page(poll, status=409, contacts_form=form)
    except services.PollError as error:
        db.session.rollback()
        target = getattr(form, error.field or "", None)
        if target is None:
            form.form_errors.append(str(error))
        else:
            target.errors = [*target.errors, str(error)]
        return _detail_page(poll, status=400, contacts_form=form)
    message = _("Contacts invited: %(n)d.", n=added)
    if already:
        message += " " + _("%(n)d were already invited.", n=already)
    flash(message, "success")
    return redirect(url_for("organiser.polls.detail", poll_id=poll.id) + "#invitees", 303)


@bp.post("/<int:poll_id>/close")
def close(poll_id: int):
    poll = get_poll_or_404(poll_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.close_poll(poll)
    except services.PollError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The poll is closed: no more answers are taken."), "success")
    return redirect(url_for("organiser.polls.detail", poll_id=poll.id))


def _slot_of(poll: Poll, slot_id: int) -> PollSlot:
    slot = db.session.get(PollSlot, slot_id)
    if slot is None or slot.poll_id != poll.id:
        abort(404)
    return slot


@bp.route("/<int:poll_id>/slots/<int:slot_id>/choose", methods=["GET", "POST"])
def choose(poll_id: int, slot_id: int):
    poll = get_poll_or_404(poll_id)
    slot = _slot_of(poll, slot_id)
    form = EmptyForm()
    if poll.status == "decided":
        flash(_("A time has already been chosen for this poll."), "error")
        return redirect(url_for("organiser.polls.detail", poll_id=poll.id))
    error = None
    if form.validate_on_submit():
        try:
            event = services.choose_slot(poll, slot, actor=current_user)
        except services.PollError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            flash(
                _(
                    "The time is chosen and “%(title)s” is scheduled; every invitee will get "
                    "the invitation with a calendar file.",
                    title=event.title,
                ),
                "success",
            )
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    summary = next(s for s in services.slot_summaries(poll) if s.slot.id == slot.id)
    return render_template(
        "organiser/poll_choose.html",
        poll=poll,
        slot=slot,
        summary=summary,
        form=form,
        error=error,
        cells=services.region_slots(slot, _regions(), services.working_hours_of(poll), _language()),
    ), (400 if error else 200)
