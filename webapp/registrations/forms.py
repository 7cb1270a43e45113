"""Registration forms: the fixed fields, the event's own questions and the POST buttons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.formatting import (
    ACCOMMODATION_LABELS,
    STAKEHOLDER_LABELS,
    question_help,
    question_label,
)
from webapp.input_hygiene import FlaskForm
from webapp.models import STAKEHOLDER_TYPES, Question, Region
from webapp.models.events import ACCOMMODATION_ANSWERS
from webapp.registrations.rules import InvalidEmail, normalise_email

NAME_MAX = 200
ORGANISATION_MAX = 200
EMAIL_MAX = 254
SHORT_ANSWER_MAX = 300
LONG_ANSWER_MAX = 4000
OTHER_REGION = "other"
HONEYPOT_FIELD = "website"
INVALID_DATE = _l("Enter the date as year-month-day, e.g. 2026-10-24.")
# Arrival and departure may be this many days around the event's own days.
TRAVEL_DAYS_AROUND_EVENT = 7


class ChoiceRadioField(RadioField):
    """Radio buttons that may be left empty when the question is optional."""

    data: str | None

    def pre_validate(self, form):
        if self.data in (None, "", "None"):
            self.data = None
            return
        super().pre_validate(form)


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _email_syntax(form, field) -> None:
    try:
        field.data = normalise_email(field.data or "")
    except InvalidEmail as exc:
        raise ValidationError(exc.message) from exc


_NAME = StringField(
    _l("Your name"),
    validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=NAME_MAX, message=_l("A name has at most %(max)d characters.")),
    ],
    render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
)
_EMAIL = StringField(
    _l("E-mail address"),
    description=_l("We send your confirmation and your personal link here."),
    validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Length(max=EMAIL_MAX, message=_l("An e-mail address has at most %(max)d characters.")),
        _email_syntax,
    ],
    render_kw={
        "autocomplete": "email",
        # Not type="email": browsers refuse internationalised addresses (josé@…).
        "inputmode": "email",
        "maxlength": EMAIL_MAX,
        "spellcheck": "false",
    },
)
_ORGANISATION = StringField(
    _l("Organisation"),
    description=_l("Optional. The company, authority or body you represent."),
    validators=[
        Optional(),
        Length(
            max=ORGANISATION_MAX,
            message=_l("An organisation name has at most %(max)d characters."),
        ),
    ],
    render_kw={"autocomplete": "organization", "maxlength": ORGANISATION_MAX},
)
_STAKEHOLDER_TYPE = SelectField(
    _l("Kind of organisation"),
    choices=[SelectChoice("", _l("Choose one…"))]
    + [SelectChoice(t, STAKEHOLDER_LABELS[t]) for t in STAKEHOLDER_TYPES],
    validators=[DataRequired(_l("Choose the kind of organisation you represent."))],
    invalid_choice_message=_l("Choose one of the kinds in the list."),
)
_REGION = SelectField(
    _l("Where you come from"),
    description=_l("The partner region you are based in, for the regions' reports."),
    validators=[DataRequired(_l("Choose the region you are based in."))],
    invalid_choice_message=_l("Choose one of the regions in the list."),
)
_CONSENT = BooleanField(
    _l("I have read the privacy notice and agree that my data is used for this event."),
    validators=[DataRequired(_l("Agree to the privacy notice to register."))],
)
# Left empty by people; filled by bots that fill every input they find.
_WEBSITE = StringField(
    _l("Leave this field empty"),
    validators=[Optional(), Length(max=200)],
    render_kw={"autocomplete": "off", "tabindex": "-1"},
)


class RegistrantDetailsForm(FlaskForm):
    """What a registrant may correct on their own page: who they are and their answers."""

    name = _NAME
    organisation = _ORGANISATION
    stakeholder_type = _STAKEHOLDER_TYPE
    region = _REGION

    question_fields: list[str]

    def set_regions(self, regions: Iterable[Region]) -> None:
        self.region.choices = [
            SelectChoice("", _l("Choose one…")),
            *(SelectChoice(r.code, _region_label(r)) for r in regions),
            SelectChoice(OTHER_REGION, _l("Other / outside the partnership")),
        ]

    def answers(self, questions: Sequence[Question]) -> dict[str, object]:
        """The answers to the event's questions, keyed by question id (as a string)."""
        answers: dict[str, object] = {}
        for question in questions:
            value = getattr(self, question.field_name).data
            if question.kind == "multiple_choice":
                value = list(value or [])
                if not value:
                    continue
            elif isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            elif value is None:
                continue
            elif isinstance(value, date):
                value = value.isoformat()
            answers[str(question.id)] = value
        return answers

    def check_travel_dates(self, questions: Sequence[Question]) -> bool:
        """Whether departure is not before arrival (an error on the departure field if so)."""
        by_kind = {q.kind: getattr(self, q.field_name) for q in questions}
        arrival, departure = by_kind.get("arrival_date"), by_kind.get("departure_date")
        if arrival is None or departure is None or not arrival.data or not departure.data:
            return True
        if departure.data < arrival.data:
            departure.errors = [
                *departure.errors,
                _l("The departure date cannot be before the arrival date."),
            ]
            return False
        return True


class RegistrationForm(RegistrantDetailsForm):
    email = _EMAIL
    consent = _CONSENT
    website = _WEBSITE

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.website.data or "").strip())


def _region_label(region: Region) -> str:
    if region.name == region.country:
        return region.name
    return f"{region.name} ({region.country})"


def _options(question: Question) -> list[SelectChoice]:
    """The options in the reader's language; each answers with its key, not its text."""
    language = str(get_locale() or "en")
    return [SelectChoice(key, text) for key, text in question.localized_choices(language)]


def _text_field(field_class: type[Field], question: Question, max_length: int) -> Field:
    return field_class(
        question_label(question),
        description=question_help(question),
        validators=[
            InputRequired(_l("Answer this question.")) if question.required else Optional(),
            Length(max=max_length, message=_l("An answer has at most %(max)d characters.")),
        ],
        render_kw={"maxlength": max_length},
    )


class TravelDateField(DateField):
    """A date of arrival or departure, near the event's days."""

    def __init__(self, *args, first: date, last: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.first, self.last = first, last

    def pre_validate(self, form):
        if self.data is not None and not (self.first <= self.data <= self.last):
            raise ValidationError(
                _l(
                    "Choose a date between %(first)s and %(last)s.",
                    first=self.first.isoformat(),
                    last=self.last.isoformat(),
                )
            )


def _date_field(question: Question) -> Field:
    label = question_label(question)
    validators = [
        InputRequired(_l("Enter a date.")) if question.required else Optional(),
    ]
    if question.kind in ("arrival_date", "departure_date") and question.event is not None:
        days = question.event.days
        around = timedelta(days=TRAVEL_DAYS_AROUND_EVENT)
        first, last = days[0] - around, days[-1] + around
        return TravelDateField(
            label,
            description=question_help(question),
            validators=validators,
            invalid_value_message=INVALID_DATE,
            first=first,
            last=last,
            render_kw={"min": first.isoformat(), "max": last.isoformat()},
        )
    return DateField(
        label,
        description=question_help(question),
        validators=validators,
        invalid_value_message=INVALID_DATE,
    )


def question_field(question: Question) -> Field:
    """The form field asking ``question``."""
    required = question.required
    if question.kind in ("date", "arrival_date", "departure_date"):
        return _date_field(question)
    if question.kind == "dietary_needs":
        return StringField(
            question_label(question),
            description=_l("For example vegetarian, halal, no gluten, a nut allergy."),
            validators=[
                InputRequired(_l("Answer this question.")) if required else Optional(),
                Length(
                    max=SHORT_ANSWER_MAX, message=_l("An answer has at most %(max)d characters.")
                ),
            ],
            render_kw={"maxlength": SHORT_ANSWER_MAX},
        )
    if question.kind == "accommodation":
        return ChoiceRadioField(
            question_label(question),
            choices=[SelectChoice(a, ACCOMMODATION_LABELS[a]) for a in ACCOMMODATION_ANSWERS],
            validators=[DataRequired(_l("Choose an answer."))] if required else [],
            invalid_choice_message=_l("Choose among the answers offered."),
        )
    if question.kind == "short_text":
        return _text_field(StringField, question, SHORT_ANSWER_MAX)
    if question.kind == "long_text":
        return _text_field(TextAreaField, question, LONG_ANSWER_MAX)
    if question.kind == "multiple_choice":
        return CheckboxListField(
            question_label(question),
            description=question_help(question),
            choices=_options(question),
            validators=[DataRequired(_l("Choose at least one answer."))] if required else [],
            invalid_choice_message=_l("Choose among the answers offered."),
        )
    choices = (
        [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
        if question.kind == "yes_no"
        else _options(question)
    )
    return ChoiceRadioField(
        question_label(question),
        description=question_help(question),
        choices=choices,
        validators=[DataRequired(_l("Choose an answer."))] if required else [],
        invalid_choice_message=_l("Choose among the answers offered."),
    )


def registration_form(
    questions: Sequence[Question],
    regions: Iterable[Region],
    base: type[RegistrantDetailsForm] = RegistrationForm,
    **kwargs,
) -> RegistrationForm:
    """A registration form (or, with ``base``, a details form) for an event with ``questions``."""

    class EventRegistrationForm(base):
        pass

    for question in questions:
        setattr(EventRegistrationForm, question.field_name, question_field(question))
    form = EventRegistrationForm(**kwargs)
    form.question_fields = [q.field_name for q in questions]
    form.set_regions(regions)
    return form


class ButtonForm(FlaskForm):
    """An empty form: CSRF protection for a POST-only button (cancel)."""


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm that you want your data erased."))],
    )
