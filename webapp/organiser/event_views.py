"""Scheduling one event: the form page, its page in the workspace, and the actions on it."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.audit import audit_trail
from webapp.extensions import db
from webapp.invitations.services import answers_by_region, event_invitations
from webapp.models import Event
from webapp.organiser import event_data, event_languages, queries, services
from webapp.organiser.access import (
    can_edit_event,
    can_host_as,
    can_view_registrations,
    get_event_for_edit_or_403,
    get_event_or_404,
)
from webapp.organiser.blueprint import bp
from webapp.organiser.event_form import (
    FormProblem,
    event_data_from_form,
    initial_data,
    original_language,
    prepare_form,
    region_rows,
    shadowed_notice,
    stored_language,
    time_preview,
    translation_fieldsets,
    validate_for_preview,
)
from webapp.organiser.forms import (
    LANGUAGE_NAMES,
    CancelEventForm,
    EmptyForm,
    EventForm,
)
from webapp.organiser.queries import all_regions
from webapp.programme.storage import get_storage
from webapp.registrations.queries import seats_left, status_counts
from webapp.series.services import apply_to_later_dates, series_members
from webapp.user_errors import show_form_error


def _event_form_page(event: Event | None):
    """The event form: a GET shows it, a POST runs the button that was pressed."""
    regions = all_regions()
    if request.method == "POST":
        # A form posted without the language (an older page) keeps the event's language.
        form = EventForm(data={"language": stored_language(event)})
    else:
        form = EventForm(data=initial_data(event))
    prepare_form(form, regions, event)
    if not form.host_partner.choices:
        abort(403)
    exclude_id = event.id if event else None
    preview = None
    if request.method == "POST":
        if form.create_jitsi.data:
            _add_jitsi_room(form)
        elif form.add_question.data:
            if len(form.questions.entries) < form.questions.max_entries:
                form.questions.append_entry()
        elif form.check_times.data:
            validate_for_preview(form)
            preview = time_preview(form, regions, exclude_id)
        else:
            saved = _save_event(form, regions, event) if form.validate() else None
            if saved is not None:
                return redirect(url_for("organiser.event_detail", event_id=saved.id))
            preview = time_preview(form, regions, exclude_id)
    elif event is not None:
        preview = time_preview(form, regions, event.id)
    original = original_language(form, event)
    return render_template(
        "organiser/event_form.html",
        form=form,
        event=event,
        preview=preview,
        original_language=original,
        translation_fieldsets=translation_fieldsets(form, original),
    )


def _add_jitsi_room(form: EventForm) -> None:
    form.online_url.data = event_data.jitsi_room_url()
    form.online_url.raw_data = [form.online_url.data]
    flash(_("A Jitsi Meet room was created. Save the event to keep it."), "success")


def _save_event(form: EventForm, regions: list, event: Event | None) -> Event | None:
    """Create or update the event from a valid form and commit; None (errors on the form) if refused."""
    try:
        data = event_data_from_form(form, regions, event)
        if event is None:
            saved, message = _create(data), _("The event was created.")
        else:
            notify = form.notify_registrants.data != "no"
            note = (form.change_note.data or "").strip() if notify else ""
            saved, message = (
                event,
                _update(event, data, form.series_scope.data, notify=notify, note=note),
            )
        warnings = queries.scheduling_warnings(
            data.starts_at,
            data.ends_at,
            data.regions,
            all_day=data.all_day,
            exclude_event_id=saved.id,
        )
    except FormProblem as problem:
        db.session.rollback()
        show_form_error(form, problem.field, problem.message)
        return None
    except event_data.SchedulingError as error:
        db.session.rollback()
        show_form_error(form, error.field, str(error))
        return None
    db.session.commit()
    flash(message, "success")
    for warning in warnings:
        flash(warning.message, "warning")
    if event_languages.shadowed_translation(saved):
        flash(shadowed_notice(saved.language), "warning")
    return saved


def _create(data: event_data.EventData) -> Event:
    if not can_host_as(current_user, data.host_partner):
        abort(403)
    return services.create_event(data, actor=current_user)


def _update(
    event: Event,
    data: event_data.EventData,
    series_scope: str | None,
    *,
    notify: bool = True,
    note: str = "",
) -> str:
    """Apply the change (to the later dates of its series too, if asked); the message to show.

    ``notify`` and ``note``: whether the registrants are told, and the organiser's note.
    """
    result = services.update_event(event, data, actor=current_user, notify=notify, note=note)
    message = _("The event was saved.")
    if event.series_id is not None and series_scope == "following":
        later = apply_to_later_dates(
            event, result.changed_fields, actor=current_user, notify=notify, note=note
        )
        if later:
            message += " " + _(
                "%(n)d later dates of the series were changed too.",
                n=len(later),
            )
            result.notified += sum(r.notified for _e, r in later)
    if result.notified:
        message += " " + _("%(n)d registrants will be told about the change.", n=result.notified)
    if result.promoted:
        message += " " + _("%(n)d people moved up from the waiting list.", n=result.promoted)
    return message


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    return _event_form_page(None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    return _event_form_page(event)


# --- one event ----------------------------------------------------------------------------


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int):
    event = get_event_or_404(event_id)
    regions = all_regions()
    counts = status_counts([event.id])[event.id]
    answers = None
    if event.is_partners_only:
        answers = answers_by_region(event_invitations(event))
    return render_template(
        "organiser/event.html",
        event=event,
        counts=counts,
        answers=answers,
        series=series_members(event) if event.series_id is not None else [],
        seats_left=seats_left(event, counts["confirmed"]),
        rows=region_rows(
            event.starts_at, event.ends_at, regions, set(event.region_codes), event.all_day
        ),
        can_edit=can_edit_event(current_user, event),
        can_see_registrations=can_view_registrations(current_user, event),
        audit=audit_trail(event) if can_edit_event(current_user, event) else [],
        action_form=EmptyForm(),
        language=LANGUAGE_NAMES.get(event.language, event.language),
        translated_into=[
            LANGUAGE_NAMES[code]
            for code in (event.translations or {})
            if code != event.language and code in LANGUAGE_NAMES
        ],
    )


def _action(event_id: int, action, success: str):
    event = get_event_for_edit_or_403(event_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = action(event)
    except event_data.SchedulingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("organiser.event_detail", event_id=event_id))
    db.session.commit()
    flash(success, "success")
    return result


def published_message(event: Event) -> str:
    """What publishing made of the event, for its visibility."""
    if event.visibility == "unlisted":
        return _(
            "The event is published: anyone with its link can see it and register. It is "
            "not in the catalogue, the public feeds, the API or search."
        )
    if event.visibility == "partners":
        return _(
            "The meeting is published for the partners: it is in no public list or feed. "
            "Invite partner contacts to let them answer and register."
        )
    return _("The event is published: it is in the catalogue and the calendar feeds.")


@bp.post("/events/<int:event_id>/publish")
def event_publish(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    result = _action(
        event_id,
        lambda e: services.publish_event(e, actor=current_user),
        published_message(event),
    )
    return result or redirect(url_for("organiser.event_detail", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def event_cancel(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    form = CancelEventForm()
    if event.is_cancelled:
        flash(_("This event is already cancelled."), "error")
        return redirect(url_for("organiser.event_detail", event_id=event.id))
    if form.validate_on_submit():
        notify = form.notify.data != "no"
        notified = services.cancel_event(
            event, actor=current_user, reason=(form.reason.data or "").strip(), notify=notify
        )
        db.session.commit()
        if notify:
            flash(
                _("The event is cancelled. %(n)d registrants will be told.", n=notified), "success"
            )
        else:
            flash(_("The event is cancelled. No e-mail was sent."), "success")
        return redirect(url_for("organiser.event_detail", event_id=event.id))
    counts = status_counts([event.id])[event.id]
    return render_template("organiser/cancel.html", event=event, form=form, counts=counts)


@bp.post("/events/<int:event_id>/duplicate")
def event_duplicate(event_id: int):
    event = get_event_or_404(event_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    host = event.host_partner
    if not can_host_as(current_user, host):
        # Organisers may copy any event they can see, as a draft of their own partner.
        if current_user.partner is None:
            abort(403)
        host = current_user.partner
    copy = services.duplicate_event(event, actor=current_user, host_partner=host)
    db.session.commit()
    flash(_("This is a draft copy. Check the dates, then save or publish it."), "success")
    return redirect(url_for("organiser.event_edit", event_id=copy.id))


@bp.post("/events/<int:event_id>/delete")
def event_delete(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    # The material rows go with the event; their files once the deletion is committed.
    stored_files = [m.storage_key for m in event.materials if m.storage_key]
    try:
        services.delete_event(event, actor=current_user)
    except event_data.SchedulingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("organiser.event_detail", event_id=event_id))
    db.session.commit()
    storage = get_storage()
    for key in stored_files:
        storage.delete(key)
    flash(_("The draft was deleted."), "success")
    return redirect(url_for("organiser.dashboard"))
