"""The message composer's form (shape and field checks only; rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp.i18n import LANGUAGE_NAMES as OWN_LANGUAGE_NAMES
from webapp.input_hygiene import FlaskForm, Form
from webapp.messaging.services import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from webapp.organiser.forms import LANGUAGE_NAMES, CheckboxListField

AUDIENCE_LABELS = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "pending": _l("Awaiting approval"),
    "attended": _l("Attended (present on at least one day)"),
    "no_show": _l("No-shows (confirmed, the event is over, neither present nor excused)"),
}
PLACEHOLDER_HINT = _l(
    "Placeholders: {name} the person's name, {personal_link} their registration page, "
    "{event_time} the event's time on their clock. Write {{ or }} for a brace itself."
)


class MessageTextForm(Form):
    """A translation of the subject and body (a sub-form, no CSRF of its own)."""

    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=SUBJECT_MAX_LENGTH)])
    body = TextAreaField(_l("Message"), validators=[Optional(), Length(max=BODY_MAX_LENGTH)])


class MessageTranslationsForm(Form):
    en = FormField(MessageTextForm, label=LANGUAGE_NAMES["en"])
    hu = FormField(MessageTextForm, label=LANGUAGE_NAMES["hu"])
    it = FormField(MessageTextForm, label=LANGUAGE_NAMES["it"])
    pl = FormField(MessageTextForm, label=LANGUAGE_NAMES["pl"])
    es = FormField(MessageTextForm, label=LANGUAGE_NAMES["es"])
    lt = FormField(MessageTextForm, label=LANGUAGE_NAMES["lt"])


class MessageForm(FlaskForm):
    audiences = CheckboxListField(
        _l("Send to"),
        choices=[SelectChoice(value, label) for value, label in AUDIENCE_LABELS.items()],
        default=["confirmed"],
        validators=[DataRequired(_l("Choose whom the message is for."))],
    )
    regions = CheckboxListField(
        _l("Coming from"),
        description=_l("The region each person registered from. None ticked: every region."),
        coerce=str,
    )
    language = SelectField(
        _l("Written in"),
        choices=[
            SelectChoice(code, name, render_kw={"lang": code})
            for code, name in OWN_LANGUAGE_NAMES.items()
        ],
    )
    subject = StringField(
        _l("Subject"), validators=[DataRequired(), Length(max=SUBJECT_MAX_LENGTH)]
    )
    body = TextAreaField(
        _l("Message"),
        description=PLACEHOLDER_HINT,
        validators=[DataRequired(), Length(max=BODY_MAX_LENGTH)],
    )
    translations = FormField(MessageTranslationsForm, label=_l("Translations (optional)"))
    preview_as = SelectField(_l("Preview as"), coerce=str, validate_choice=False)
