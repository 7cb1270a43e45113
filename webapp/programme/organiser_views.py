"""Organiser screens (``organiser.programme.*``): programme items, speakers and materials.

Nested in the organiser blueprint, so every route needs a logged-in organiser; changing
an event's programme or materials needs the right to edit the event. Speakers are shared
by all events: any organiser may add or correct one.
"""

from __future__ import annotations

from datetime import datetime

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
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.models import Event, Material, ProgrammeItem, Speaker
from webapp.organiser.access import can_edit_event, get_event_for_edit_or_403, get_event_or_404
from webapp.organiser.forms import LANGUAGE_NAMES, EmptyForm, choices
from webapp.programme import services
from webapp.programme.display import programme_by_day
from webapp.programme.forms import AnnounceForm, MaterialForm, ProgrammeItemForm, SpeakerForm
from webapp.programme.storage import get_storage
from webapp.timezones import InvalidLocalTime, local_to_utc, utc_to_local
from webapp.user_errors import show_form_error

bp = Blueprint("programme", __name__)

EVENT_WIDE = "event"


def _item_or_404(event: Event, item_id: int) -> ProgrammeItem:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item


# --- the programme ---------------------------------------------------------------------------


@bp.get("/events/<int:event_id>/programme")
def items(event_id: int):
    event = get_event_or_404(event_id)
    return render_template(
        "organiser/programme.html",
        event=event,
        days=programme_by_day(event.programme, event.timezone),
        overlaps=services.programme_overlaps(event),
        can_edit=can_edit_event(current_user, event),
        action_form=EmptyForm(),
    )


def _local(value: datetime, tz: str) -> datetime:
    return utc_to_local(value, tz).replace(tzinfo=None)


def _prepare_item_form(form: ProgrammeItemForm, event: Event) -> None:
    form.speakers.choices = choices((str(s.id), s.label) for s in services.all_speakers())
    for code, entry in form.translations.form._fields.items():
        language = LANGUAGE_NAMES[code]
        entry.form.title.label.text = _("Title in %(language)s", language=language)
        entry.form.description.label.text = _("Description in %(language)s", language=language)


def _item_times(form: ProgrammeItemForm, event: Event) -> tuple[datetime, datetime]:
    times = []
    for name in ("starts_local", "ends_local"):
        wall = getattr(form, name).data
        try:
            times.append(local_to_utc(wall, event.timezone))
        except InvalidLocalTime as error:
            raise services.ProgrammeError(
                _(
                    "%(time)s does not exist in %(zone)s: the clocks go forward that night. "
                    "Choose another time.",
                    time=wall.strftime("%Y-%m-%d %H:%M"),
                    zone=event.timezone,
                ),
                name,
            ) from error
    return times[0], times[1]


def _item_page(event: Event, item: ProgrammeItem | None):
    if request.method == "POST":
        form = ProgrammeItemForm()
    elif item is not None:
        form = ProgrammeItemForm(
            data={
                "kind": item.kind,
                "title": item.title,
                "description": item.description,
                "starts_local": _local(item.starts_at, event.timezone),
                "ends_local": _local(item.ends_at, event.timezone),
                "place": item.place,
                "address": item.address,
                "map_url": item.map_url,
                "speakers": [str(s.id) for s in item.speakers],
                "translations": item.translations or {},
            }
        )
    else:
        start = _local(event.starts_at, event.timezone)
        form = ProgrammeItemForm(data={"starts_local": start, "ends_local": start})
    _prepare_item_form(form, event)
    if form.validate_on_submit():
        speakers_by_id = {str(s.id): s for s in services.all_speakers()}
        try:
            starts_at, ends_at = _item_times(form, event)
            data = services.ItemData(
                starts_at=starts_at,
                ends_at=ends_at,
                kind=form.kind.data,
                title=form.title.data,
                description=form.description.data or "",
                place=form.place.data or "",
                address=form.address.data or "",
                map_url=form.map_url.data or "",
                translations={
                    code: entry.form.data for code, entry in form.translations.form._fields.items()
                },
                speakers=[speakers_by_id[i] for i in form.speakers.data or []],
            )
            saved, warnings = services.save_item(event, data, actor=current_user, item=item)
        except services.ProgrammeError as error:
            db.session.rollback()
            show_form_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(
                _("The programme item was added.")
                if item is None
                else _("The programme item was saved."),
                "success",
            )
            for warning in warnings:
                flash(warning, "warning")
            return redirect(url_for(".items", event_id=event.id, _anchor=f"item-{saved.id}"))
    days = event.days
    return render_template(
        "organiser/programme_item_form.html",
        event=event,
        item=item,
        form=form,
        first_day=days[0],
        last_day=days[-1],
        original_language=event.language,
    ), (400 if request.method == "POST" else 200)


@bp.route("/events/<int:event_id>/programme/new", methods=["GET", "POST"])
def item_new(event_id: int):
    return _item_page(get_event_for_edit_or_403(event_id), None)


@bp.route("/events/<int:event_id>/programme/<int:item_id>/edit", methods=["GET", "POST"])
def item_edit(event_id: int, item_id: int):
    event = get_event_for_edit_or_403(event_id)
    return _item_page(event, _item_or_404(event, item_id))


@bp.post("/events/<int:event_id>/programme/<int:item_id>/delete")
def item_delete(event_id: int, item_id: int):
    event = get_event_for_edit_or_403(event_id)
    item = _item_or_404(event, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_item(item, actor=current_user)
    db.session.commit()
    flash(_("The programme item was removed."), "success")
    return redirect(url_for(".items", event_id=event.id))


# --- speakers ------------------------------------------------------------------------------


@bp.get("/speakers")
def speakers():
    return render_template(
        "organiser/speakers.html", speakers=services.all_speakers(), action_form=EmptyForm()
    )


def _speaker_or_404(speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        abort(404)
    return speaker


def _speaker_page(speaker: Speaker | None):
    form = SpeakerForm(obj=speaker) if request.method == "GET" else SpeakerForm()
    if form.validate_on_submit():
        try:
            services.save_speaker(
                services.SpeakerData(
                    name=form.name.data,
                    organisation=form.organisation.data or "",
                    bio=form.bio.data or "",
                    url=form.url.data or "",
                ),
                speaker=speaker,
            )
        except services.ProgrammeError as error:
            db.session.rollback()
            show_form_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(_("The speaker was saved."), "success")
            return redirect(url_for(".speakers"))
    return render_template("organiser/speaker_form.html", form=form, speaker=speaker), (
        400 if request.method == "POST" else 200
    )


@bp.route("/speakers/new", methods=["GET", "POST"])
def speaker_new():
    return _speaker_page(None)


@bp.route("/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
def speaker_edit(speaker_id: int):
    return _speaker_page(_speaker_or_404(speaker_id))


@bp.post("/speakers/<int:speaker_id>/delete")
def speaker_delete(speaker_id: int):
    speaker = _speaker_or_404(speaker_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.delete_speaker(speaker)
    except services.ProgrammeError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The speaker was removed."), "success")
    return redirect(url_for(".speakers"))


# --- materials -------------------------------------------------------------------------------


def _material_form(event: Event, *, posted: bool = False) -> MaterialForm:
    form = MaterialForm() if posted else MaterialForm(formdata=None)
    form.item.choices = choices(
        [(EVENT_WIDE, _("The whole event"))]
        + [
            (
                str(i.id),
                f"{utc_to_local(i.starts_at, event.timezone):%Y-%m-%d %H:%M} {i.title}",
            )
            for i in event.programme
        ]
    )
    if form.item.data is None:
        form.item.data = EVENT_WIDE
    return form


def _materials_page(event: Event, form: MaterialForm, announce: AnnounceForm, status: int = 200):
    return render_template(
        "organiser/materials.html",
        event=event,
        form=form,
        announce_form=announce,
        action_form=EmptyForm(),
        can_edit=can_edit_event(current_user, event),
        max_mb=f"{current_app.config['MATERIAL_MAX_BYTES'] / 1024 / 1024:g}",
    ), status


def _save_material(event: Event, form: MaterialForm) -> bool:
    """Store the material the form describes; False (with the error on the form) if refused."""
    upload = form.file.data
    has_file = upload is not None and bool(getattr(upload, "filename", ""))
    url = (form.url.data or "").strip()
    if has_file == bool(url):
        form.file.errors = [
            *form.file.errors,
            _("Choose a file or give a link (one of the two)."),
        ]
        return False
    item = None
    if form.item.data != EVENT_WIDE:
        item = _item_or_404(event, int(form.item.data))
    try:
        if has_file:
            services.add_file_material(
                event,
                title=form.title.data or "",
                audience=form.audience.data,
                filename=upload.filename,
                stream=upload.stream,
                item=item,
                actor=current_user,
                storage=get_storage(),
                max_bytes=current_app.config["MATERIAL_MAX_BYTES"],
            )
        else:
            if not (form.title.data or "").strip():
                form.title.errors = [*form.title.errors, _("Give the link a title.")]
                return False
            services.add_link_material(
                event,
                title=form.title.data,
                audience=form.audience.data,
                url=url,
                item=item,
                actor=current_user,
            )
    except services.ProgrammeError as error:
        db.session.rollback()
        show_form_error(form, error.field, str(error))
        return False
    db.session.commit()
    return True


@bp.route("/events/<int:event_id>/materials", methods=["GET", "POST"])
def materials(event_id: int):
    event = get_event_or_404(event_id)
    if request.method == "POST":
        event = get_event_for_edit_or_403(event_id)
        form = _material_form(event, posted=True)
        if form.validate_on_submit() and _save_material(event, form):
            flash(_("The material was added."), "success")
            return redirect(url_for(".materials", event_id=event.id))
        return _materials_page(event, form, AnnounceForm(formdata=None), 400)
    return _materials_page(event, _material_form(event), AnnounceForm(formdata=None))


@bp.post("/events/<int:event_id>/materials/<int:material_id>/delete")
def material_delete(event_id: int, material_id: int):
    event = get_event_for_edit_or_403(event_id)
    material = db.session.get(Material, material_id)
    if material is None or material.event_id != event.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    key = services.delete_material(material, actor=current_user)
    db.session.commit()
    if key:
        get_storage().delete(key)
    flash(_("The material was removed."), "success")
    return redirect(url_for(".materials", event_id=event.id))


@bp.post("/events/<int:event_id>/materials/announce")
def announce(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    form = AnnounceForm()
    if form.validate_on_submit():
        try:
            sent = services.announce_materials(
                event, audience=form.audience.data, actor=current_user
            )
        except services.ProgrammeError as error:
            db.session.rollback()
            show_form_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(
                _("%(n)d people will be told that the materials are available.", n=sent),
                "success",
            )
            return redirect(url_for(".materials", event_id=event.id))
    return _materials_page(event, _material_form(event), form, 400)
