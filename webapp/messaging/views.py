"""The message composer (``organiser.messages.*``): write to an event's registrants.

Only those who may see an event's registrants (``can_view_registrations``) may write to
them, preview a copy or send themselves a test.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from webapp.extensions import db
from webapp.formatting import REGISTRATION_STATUS_LABELS
from webapp.language_codes import supported_language
from webapp.messaging import services
from webapp.messaging.forms import AUDIENCE_LABELS, MessageForm
from webapp.models import Event, Message, Region, Registration
from webapp.organiser.access import can_view_registrations, get_event_or_404
from webapp.organiser.forms import LANGUAGE_NAMES

bp = Blueprint("messages", __name__)

# How many recipients the "preview as" list offers (the first ones, in registration order).
PREVIEW_CHOICES = 200


def _event_for_messages(event_id: int) -> Event:
    event = get_event_or_404(event_id)
    if not can_view_registrations(current_user, event):
        abort(403)
    return event


def _regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))


def _draft(form: MessageForm) -> services.MessageDraft:
    """The organiser's draft from a validated form; translation halves are form errors."""
    original = form.language.data
    translations: dict[str, dict[str, str]] = {}
    for code in current_app.config["LANGUAGES"]:
        if code == original:
            continue
        sub = form.translations[code].form
        subject = (sub.subject.data or "").strip()
        body = (sub.body.data or "").strip()
        if subject and body:
            translations[code] = {"subject": subject, "body": body}
        elif subject or body:
            missing = sub.body if subject else sub.subject
            raise services.MessageError(
                _("Fill in both the subject and the message of a translation, or neither."),
                missing.id,
            )
    return services.MessageDraft(
        audiences=list(form.audiences.data or []),
        region_codes=list(form.regions.data or []),
        language=original,
        subject=(form.subject.data or "").strip(),
        body=(form.body.data or "").strip(),
        translations=translations,
    )


def _add_error(form: MessageForm, field_id: str | None, message: str) -> None:
    """Show ``message`` next to the field with ``field_id`` (``translations-hu-body``...)."""
    for field in _all_fields(form):
        if field.id == field_id:
            field.errors = [*field.errors, message]
            return
    form.form_errors.append(message)


def _all_fields(form):
    for field in form:
        if field.type == "FormField":
            yield from _all_fields(field.form)
        else:
            yield field


@bp.route("/events/<int:event_id>/messages", methods=["GET", "POST"])
def compose(event_id: int):
    event = _event_for_messages(event_id)
    regions = _regions()
    if request.method == "POST":
        form = MessageForm()
    else:
        form = MessageForm(language=_default_language())
    form.regions.choices = [SelectChoice(r.code, r.name) for r in regions]
    recipients: list[Registration] | None = None
    preview = None
    preview_as = None
    if request.method == "POST" and form.validate():
        try:
            draft = _draft(form)
            services.check_draft(draft)
        except services.MessageError as error:
            _add_error(form, error.field, str(error))
        else:
            recipients = services.find_recipients(event, draft.audiences, draft.region_codes)
            if "send" in request.form:
                try:
                    message = services.send_message(
                        event,
                        draft,
                        actor=current_user,
                        max_recipients=current_app.config["MESSAGE_MAX_RECIPIENTS"],
                    )
                except services.MessageError as error:
                    db.session.rollback()
                    _add_error(form, error.field, str(error))
                else:
                    db.session.commit()
                    flash(
                        ngettext(
                            "The message is queued for %(num)d recipient.",
                            "The message is queued for %(num)d recipients.",
                            message.recipient_count,
                        ),
                        "success",
                    )
                    return redirect(url_for(".detail", event_id=event.id, message_id=message.id))
            if recipients:
                preview_as = _preview_registration(recipients, form.preview_as.data)
                preview = services.render_copy(draft, preview_as)
                if "send_test" in request.form:
                    services.send_test(event, draft, actor=current_user, as_registration=preview_as)
                    db.session.commit()
                    flash(
                        _(
                            "A test copy, as %(name)s would read it, is queued for %(email)s.",
                            name=preview_as.name,
                            email=current_user.email,
                        ),
                        "success",
                    )
            elif "send" not in request.form:
                _add_error(form, "audiences", _("Nobody matches these filters."))
    if recipients:
        form.preview_as.choices = [
            SelectChoice(
                str(r.id), f"{r.name} ({REGISTRATION_STATUS_LABELS.get(r.status, r.status)})"
            )
            for r in recipients[:PREVIEW_CHOICES]
        ]
        if preview_as is not None:
            form.preview_as.data = str(preview_as.id)
    return render_template(
        "organiser/messages.html",
        event=event,
        form=form,
        recipients=recipients,
        max_recipients=current_app.config["MESSAGE_MAX_RECIPIENTS"],
        preview=preview,
        preview_as=preview_as,
        sent=services.event_messages(event),
        audience_labels=AUDIENCE_LABELS,
        translation_codes=list(current_app.config["LANGUAGES"]),
        language_names=LANGUAGE_NAMES,
    )


def _default_language() -> str:
    return supported_language(current_user.locale, current_app.config["LANGUAGES"]) or "en"


def _preview_registration(recipients: list[Registration], chosen: str | None) -> Registration:
    by_id = {str(r.id): r for r in recipients}
    return by_id.get(chosen or "", recipients[0])


@bp.get("/events/<int:event_id>/messages/<int:message_id>")
def detail(event_id: int, message_id: int):
    event = _event_for_messages(event_id)
    message = db.session.get(Message, message_id)
    if message is None or message.event_id != event.id:
        abort(404)
    regions = {r.code: r.name for r in _regions()}
    return render_template(
        "organiser/message.html",
        event=event,
        message=message,
        audiences=[AUDIENCE_LABELS.get(a, a) for a in message.audiences],
        region_names=[regions.get(code, code) for code in message.region_codes],
        language_names=LANGUAGE_NAMES,
    )
