"""Forms of the programme, speaker and material screens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.formatting import MATERIAL_AUDIENCE_LABELS, PROGRAMME_KIND_LABELS
from webapp.input_hygiene import FlaskForm, Form, LinkField
from webapp.models import MATERIAL_AUDIENCES, PROGRAMME_KINDS
from webapp.organiser.forms import (
    LANGUAGE_NAMES,
    LOCAL_TIME_FORMATS,
    CheckboxListField,
    choices,
)

HTTPS_URL = URL(require_tld=True, message=_l("Enter a full link starting with https://"))


def _https_only(form, field) -> None:
    if field.data and not field.data.strip().lower().startswith(("https://", "http://")):
        raise ValidationError(_l("Enter a full link starting with https://"))


class ItemTranslationForm(Form):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class ItemTranslationsForm(Form):
    en = FormField(ItemTranslationForm, label=LANGUAGE_NAMES["en"])
    hu = FormField(ItemTranslationForm, label=LANGUAGE_NAMES["hu"])
    it = FormField(ItemTranslationForm, label=LANGUAGE_NAMES["it"])
    pl = FormField(ItemTranslationForm, label=LANGUAGE_NAMES["pl"])
    es = FormField(ItemTranslationForm, label=LANGUAGE_NAMES["es"])
    lt = FormField(ItemTranslationForm, label=LANGUAGE_NAMES["lt"])


class ProgrammeItemForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=choices((k, PROGRAMME_KIND_LABELS[k]) for k in PROGRAMME_KINDS)
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    starts_local = DateTimeLocalField(
        _l("Starts"), format=LOCAL_TIME_FORMATS, validators=[InputRequired()]
    )
    ends_local = DateTimeLocalField(
        _l("Ends"), format=LOCAL_TIME_FORMATS, validators=[InputRequired()]
    )
    place = StringField(
        _l("Place"),
        description=_l("A room, a company, a hotel: items in the same place must not overlap."),
        validators=[Optional(), Length(max=200)],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    map_url = LinkField(
        _l("Link to the place on OpenStreetMap"),
        description=_l("Optional; without it, visitors get a map search for the address."),
        validators=[Optional(), Length(max=500), HTTPS_URL, _https_only],
    )
    speakers = CheckboxListField(_l("Speakers"), coerce=str, validate_choice=False)
    translations = FormField(ItemTranslationsForm, label=_l("Other languages"))

    def validate_speakers(self, field) -> None:
        known = {choice.value for choice in field.choices}
        if any(value not in known for value in field.data or []):
            raise ValidationError(_l("Choose speakers from the list."))


class SpeakerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(
        _l("Short biography"),
        description=_l("Two or three sentences."),
        validators=[Optional(), Length(max=1000)],
    )
    url = LinkField(
        _l("Link"),
        description=_l("Optional: a profile or website."),
        validators=[Optional(), Length(max=500), HTTPS_URL, _https_only],
    )


class MaterialForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("For a file, the file name is used when this is empty."),
        validators=[Optional(), Length(max=200)],
    )
    file = FileField(_l("File"))
    url = LinkField(
        _l("Or a link"),
        description=_l("A recording or a shared folder, instead of a file."),
        validators=[Optional(), Length(max=500), HTTPS_URL, _https_only],
    )
    audience = RadioField(
        _l("Who may see it"),
        choices=choices((a, MATERIAL_AUDIENCE_LABELS[a]) for a in MATERIAL_AUDIENCES),
        default="registrants",
        validators=[DataRequired()],
    )
    item = SelectField(_l("Belongs to"), coerce=str, validate_choice=False)

    def validate_item(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a programme item from the list."))


class AnnounceForm(FlaskForm):
    audience = RadioField(
        _l("Send to"),
        choices=choices(
            [
                ("attendees", _l("People who attended")),
                ("registrants", _l("Everyone registered (confirmed or attended)")),
            ]
        ),
        default="attendees",
        validators=[DataRequired()],
    )
