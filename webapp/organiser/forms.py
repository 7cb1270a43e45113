"""Forms of the organiser workspace (shape and field checks only; rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.formatting import FORMAT_LABELS, KIND_LABELS, STAKEHOLDER_LABELS
from webapp.i18n import LANGUAGE_NAMES as OWN_LANGUAGE_NAMES
from webapp.input_hygiene import FlaskForm, Form, LinkField
from webapp.models import QUESTION_KINDS, ROLES, STAKEHOLDER_TYPES
from webapp.timezones import is_valid_timezone

LOCAL_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
# Languages by their name in the organiser's own language (the translation fieldsets).
LANGUAGE_NAMES = {
    "en": _l("English"),
    "hu": _l("Hungarian"),
    "it": _l("Italian"),
    "pl": _l("Polish"),
    "es": _l("Spanish"),
    "lt": _l("Lithuanian"),
}
QUESTION_KIND_LABELS = {
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "single_choice": _l("One choice from a list"),
    "multiple_choice": _l("Several choices from a list"),
    "yes_no": _l("Yes or no"),
    "date": _l("A date"),
    "arrival_date": _l("Study visit: arrival date"),
    "departure_date": _l("Study visit: departure date"),
    "dietary_needs": _l("Study visit: dietary needs"),
    "accommodation": _l("Study visit: accommodation"),
}
MAX_OPTIONS = 30
MAX_QUESTIONS = 30


def choices(pairs) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def language_choices(codes) -> list[SelectChoice]:
    """Each language by its own name, marked with its ``lang`` for screen readers."""
    return [
        SelectChoice(code, OWN_LANGUAGE_NAMES.get(code, code), render_kw={"lang": code})
        for code in codes
    ]


class EmptyForm(FlaskForm):
    """CSRF protection for buttons that only POST (cancel, approve, log out)."""


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _options_text(form, field) -> None:
    options = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if len(options) > MAX_OPTIONS:
        raise ValidationError(_l("At most %(n)d options.", n=MAX_OPTIONS))
    if any(len(o) > 200 for o in options):
        raise ValidationError(_l("Each option may be at most 200 characters long."))
    if len(set(options)) != len(options):
        raise ValidationError(_l("Each option must be different."))


QUESTION_HELP_MAX = 500


class QuestionTranslationForm(Form):
    """One question in one other language; what is left empty reads as the original."""

    label = StringField(_l("Question"), validators=[Optional(), Length(max=300)])
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=QUESTION_HELP_MAX)])
    options = TextAreaField(
        _l("Options"),
        description=_l("One per line, in the same order as the original options."),
        validators=[Optional(), Length(max=6000)],
    )


class QuestionTranslationsForm(Form):
    en = FormField(QuestionTranslationForm, label=LANGUAGE_NAMES["en"])
    hu = FormField(QuestionTranslationForm, label=LANGUAGE_NAMES["hu"])
    it = FormField(QuestionTranslationForm, label=LANGUAGE_NAMES["it"])
    pl = FormField(QuestionTranslationForm, label=LANGUAGE_NAMES["pl"])
    es = FormField(QuestionTranslationForm, label=LANGUAGE_NAMES["es"])
    lt = FormField(QuestionTranslationForm, label=LANGUAGE_NAMES["lt"])


class QuestionForm(Form):
    """One custom registration question (a sub-form of the event form, no CSRF of its own)."""

    id = HiddenField()
    label = StringField(_l("Question"), validators=[Optional(), Length(max=300)])
    kind = SelectField(
        _l("Kind of answer"),
        choices=choices((k, QUESTION_KIND_LABELS[k]) for k in QUESTION_KINDS),
        default="short_text",
    )
    options = TextAreaField(
        _l("Options"),
        description=_l("For choice questions: one option per line."),
        validators=[Optional(), Length(max=6000), _options_text],
    )
    help_text = StringField(
        _l("Help text"),
        description=_l("Optional. Shown under the question, e.g. what the answer is for."),
        validators=[Optional(), Length(max=QUESTION_HELP_MAX)],
    )
    translations = FormField(QuestionTranslationsForm, label=_l("Other languages"))
    required = BooleanField(_l("An answer is required"))
    position = IntegerField(
        _l("Position"), validators=[Optional(), NumberRange(min=1, max=MAX_QUESTIONS)]
    )
    remove = BooleanField(_l("Remove this question"))

    def validate_id(self, field) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("This question is not valid; reload the page."))

    def validate_options(self, field) -> None:
        if self.remove.data or not (self.label.data or "").strip():
            return
        options = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if self.kind.data in ("single_choice", "multiple_choice") and len(options) < 2:
            raise ValidationError(_l("A choice question needs at least two options."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.remove.data or self.kind.data not in ("single_choice", "multiple_choice"):
            return valid
        # More translated options than original ones cannot be matched to them.
        original = [line for line in (self.options.data or "").splitlines() if line.strip()]
        for sub in self.translations.form:
            lines = [line for line in (sub.form.options.data or "").splitlines() if line.strip()]
            if len(lines) > len(original):
                sub.form.options.errors = [
                    *sub.form.options.errors,
                    _l(
                        "There are more options here than in the original: give one line per "
                        "original option, in the same order."
                    ),
                ]
                valid = False
        return valid


class TranslationForm(Form):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])


# The longest note an organiser may add to a change or cancellation notice.
NOTE_MAX_LENGTH = 2000
NOTIFY_CHOICES = [
    ("yes", _l("E-mail the registrants about the change")),
    ("no", _l("Change quietly: no e-mail")),
]


class EventForm(FlaskForm):
    kind = SelectField(_l("Kind of event"), choices=choices(KIND_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary"),
        description=_l("One or two sentences shown in the catalogue."),
        validators=[Optional(), Length(max=500)],
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Leave an empty line between paragraphs."),
        validators=[Optional(), Length(max=20000)],
    )
    # Choices (each language by its own name) are set by the view from LANGUAGES.
    language = SelectField(
        _l("Language of the texts above"),
        description=_l(
            "Visitors see it as the language the event is held in. Those who read another "
            "language see these texts unless you add a translation below."
        ),
        validate_choice=False,
    )
    timezone = SelectField(
        _l("Time zone"),
        description=_l("Start and end are the wall-clock times in this zone."),
        validate_choice=False,
    )
    starts_local = DateTimeLocalField(
        _l("Starts"), format=LOCAL_TIME_FORMATS, validators=[InputRequired()]
    )
    ends_local = DateTimeLocalField(
        _l("Ends"), format=LOCAL_TIME_FORMATS, validators=[InputRequired()]
    )
    all_day = BooleanField(
        _l("All-day event"),
        description=_l("Only the dates count; the event runs from the start day to the end day."),
    )
    format = SelectField(_l("Format"), choices=choices(FORMAT_LABELS.items()))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    online_url = LinkField(
        _l("Join link"),
        description=_l(
            "Paste a Zoom, Teams or Webex link, or create a Jitsi Meet room. "
            "Only confirmed participants see it."
        ),
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=True, message=_l("Enter a full link starting with https://")),
        ],
    )
    create_jitsi = SubmitField(_l("Create a Jitsi Meet room"))
    meeting_point = StringField(
        _l("Meeting point"),
        description=_l("Where participants gather, e.g. the hotel lobby at 08:30."),
        validators=[Optional(), Length(max=300)],
    )
    travel_notes = TextAreaField(
        _l("Travel notes"),
        description=_l("How to get there: airports, trains, transfers."),
        validators=[Optional(), Length(max=5000)],
    )
    accommodation_notes = TextAreaField(
        _l("Accommodation notes"),
        description=_l("Hotels, booked rooms, who pays."),
        validators=[Optional(), Length(max=5000)],
    )
    capacity = IntegerField(
        _l("Capacity"),
        description=_l("Leave empty for no limit. When full, people join a waiting list."),
        validators=[Optional(), NumberRange(min=1, max=100000)],
    )
    registration_opens_local = DateTimeLocalField(
        _l("Registration opens"),
        description=_l("Optional; in the event's time zone."),
        format=LOCAL_TIME_FORMATS,
        validators=[Optional()],
    )
    registration_closes_local = DateTimeLocalField(
        _l("Registration closes"),
        description=_l("Optional; in the event's time zone."),
        format=LOCAL_TIME_FORMATS,
        validators=[Optional()],
    )
    requires_approval = BooleanField(_l("Registrations need an organiser's approval"))
    requires_email_confirmation = BooleanField(
        _l("Registrants confirm their e-mail address to keep their seat"),
        description=_l(
            "Each registrant gets a link to confirm the address. A seat that is not "
            "confirmed in time goes to the next person on the waiting list, so made-up "
            "addresses cannot fill the event."
        ),
    )
    visibility = SelectField(
        _l("Visibility"),
        choices=choices(
            [
                ("public", _l("Public: in the catalogue and the public feeds")),
                ("unlisted", _l("Unlisted: anyone with the link, not listed anywhere")),
                ("partners", _l("Partners only: invited partner contacts")),
            ]
        ),
    )
    series_scope = RadioField(
        _l("Apply the changes to"),
        choices=choices(
            [
                ("this", _l("This date only")),
                ("following", _l("This date and every later date of the series")),
            ]
        ),
        default="this",
        validate_choice=False,
    )
    status = SelectField(
        _l("Status"),
        choices=choices([("draft", _l("Draft (not visible)")), ("published", _l("Published"))]),
    )
    # A page posted without the choice (an older page) tells the registrants, as before.
    notify_registrants = RadioField(
        _l("Tell the registrants"),
        description=_l(
            "A notice goes out only when the time, place, join link or title changes; "
            "calendar feeds follow either way."
        ),
        choices=choices(NOTIFY_CHOICES),
        default="yes",
    )
    change_note = TextAreaField(
        _l("Note to the registrants (optional)"),
        description=_l("Added to the change notice, in the words you write."),
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
    )
    regions = CheckboxListField(
        _l("Regions served"),
        coerce=str,
        validate_choice=False,
        validators=[DataRequired(_l("Choose at least one region."))],
    )
    host_partner = SelectField(_l("Host partner"), coerce=str, validate_choice=False)
    reminder_hours = IntegerField(
        _l("Reminder (hours before the start)"),
        description=_l("Confirmed participants get a reminder; leave empty for none."),
        validators=[Optional(), NumberRange(min=1, max=720)],
    )
    notify_organisers = BooleanField(
        _l("E-mail the host partner's organisers about each new registration")
    )
    translations = FormField(Form)  # replaced per language in __init__
    questions = FieldList(FormField(QuestionForm), max_entries=MAX_QUESTIONS)
    add_question = SubmitField(_l("Add a question"))
    check_times = SubmitField(_l("Check times"))
    save = SubmitField(_l("Save"))

    def validate_language(self, field) -> None:
        known = {choice.value for choice in field.choices}
        if field.data not in known:
            raise ValidationError(_l("Choose the language of the texts from the list."))

    def validate_timezone(self, field) -> None:
        if not is_valid_timezone(field.data):
            raise ValidationError(_l("Choose a time zone from the list, e.g. Europe/Vilnius."))

    def validate_regions(self, field) -> None:
        known = {choice.value for choice in field.choices}
        if any(code not in known for code in field.data or []):
            raise ValidationError(_l("Choose regions from the list."))

    def validate_host_partner(self, field) -> None:
        known = {choice.value for choice in field.choices}
        if field.data not in known:
            raise ValidationError(_l("Choose a host partner from the list."))


class TranslationsForm(Form):
    """The texts in each language; the original language's entry is normally left empty."""

    en = FormField(TranslationForm, label=LANGUAGE_NAMES["en"])
    hu = FormField(TranslationForm, label=LANGUAGE_NAMES["hu"])
    it = FormField(TranslationForm, label=LANGUAGE_NAMES["it"])
    pl = FormField(TranslationForm, label=LANGUAGE_NAMES["pl"])
    es = FormField(TranslationForm, label=LANGUAGE_NAMES["es"])
    lt = FormField(TranslationForm, label=LANGUAGE_NAMES["lt"])


EventForm.translations = FormField(TranslationsForm, label=_l("Other languages"))


class CancelEventForm(FlaskForm):
    notify = RadioField(
        _l("Tell the registrants"),
        choices=choices(
            [
                ("yes", _l("E-mail the registrants the cancellation")),
                ("no", _l("Cancel quietly: no e-mail (calendar feeds still show it cancelled)")),
            ]
        ),
        default="yes",
    )
    reason = TextAreaField(
        _l("Reason (optional)"),
        description=_l("Written in the cancellation e-mail and kept in the history."),
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
    )


class RegistrationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search name, e-mail or organisation"), validators=[Length(max=100)])
    status = SelectField(_l("Status"), validate_choice=True)
    region = SelectField(_l("Region"), validate_choice=True)


BULK_NOTE_MAX = 1000


class BulkDecisionForm(FlaskForm):
    """Approve or turn down the ticked registrations, with an optional word to them."""

    ids = SelectMultipleField(
        _l("Registrations"),
        coerce=int,
        validators=[DataRequired(_l("Tick at least one registration."))],
        invalid_choice_message=_l(
            "One of the ticked registrations is no longer waiting for a decision; reload the list."
        ),
    )
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Turn down"))],
        invalid_choice_message=_l("Choose to approve or to turn down."),
    )
    note = TextAreaField(
        _l("Message to include in their e-mail (optional)"),
        description=_l("Shown to each of them exactly as you write it."),
        validators=[
            Optional(),
            Length(max=BULK_NOTE_MAX, message=_l("A message has at most %(max)d characters.")),
        ],
    )


class ConfirmFromWaitingListForm(FlaskForm):
    override_reason = TextAreaField(
        _l("Reason for going over capacity"),
        description=_l("Only needed when the event is full; kept in the audit trail."),
        validators=[Optional(), Length(max=500)],
    )


class AddRegistrationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    stakeholder_type = SelectField(_l("Type of organisation"))
    region = SelectField(_l("Region they come from"), validate_choice=True)
    locale = SelectField(_l("Language for their e-mails"), validate_choice=True)
    consent = BooleanField(
        _l("They agreed to the privacy notice"),
        validators=[DataRequired(_l("Registrations need the person's consent."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.stakeholder_type.choices = choices(
            (k, STAKEHOLDER_LABELS[k]) for k in STAKEHOLDER_TYPES
        )


class InviteUserForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=choices((r, r) for r in ROLES), default="organiser")
    partner = SelectField(_l("Partner"), coerce=str, validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices(
            [("organiser", _l("Organiser")), ("admin", _l("Administrator"))]
        )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l(
            "At least 12 characters and not easy to guess: a phrase of a few unrelated "
            "words is easy to remember and hard to guess."
        ),
        validators=[
            DataRequired(),
            Length(
                min=12,
                max=200,
                message=_l("The password must be at least 12 characters long (at most 200)."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )


class ChangePasswordForm(SetPasswordForm):
    """The logged-in user's own password: the current one, then the new one twice."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )


class TwoFactorCodeForm(FlaskForm):
    """The second step of a login: a code from the app or a recovery code."""

    code = StringField(
        _l("Code"),
        description=_l(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        validators=[DataRequired(), Length(max=40)],
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        description=_l("The 6-digit code the app shows after adding the account."),
        validators=[DataRequired(), Length(max=40)],
    )


class ConfirmPasswordForm(FlaskForm):
    """Asks for the current password again before a change to the account's security."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])


class SecurityPolicyForm(FlaskForm):
    two_factor_required = BooleanField(
        _l("Require a second factor (authenticator app) for every account"),
        description=_l(
            "Users without one are asked to set it up right after their next password login."
        ),
    )


class RegionForm(FlaskForm):
    """A region; ``code`` is only used when creating (it names the region's URLs)."""

    code = StringField(
        _l("Code"),
        description=_l("2 to 8 capital letters, e.g. HU. It cannot be changed later."),
        validators=[Optional(), Length(max=8)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    country = StringField(_l("Country"), validators=[DataRequired(), Length(max=80)])
    timezone = SelectField(
        _l("Time zone"),
        description=_l("Where the region's partners live; times are shown in it."),
        validate_choice=False,
    )
    locale = SelectField(_l("Language"), validate_choice=False)

    def validate_timezone(self, field) -> None:
        if not is_valid_timezone(field.data):
            raise ValidationError(_l("Choose a time zone from the list, e.g. Europe/Vilnius."))

    def validate_locale(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose one of the site's languages."))


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(
        _l("Short name"),
        description=_l("Unique; shown in lists and on the organiser screens."),
        validators=[DataRequired(), Length(max=40)],
    )
    region = SelectField(_l("Region"), coerce=str, validate_choice=False)
    email = EmailField(
        _l("E-mail address for replies"),
        description=_l("Optional. Registrants' replies to this partner's event e-mails go here."),
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    website = LinkField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300),
            URL(require_tld=True, message=_l("Enter a full link starting with https://")),
        ],
    )

    def validate_region(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a region from the list."))


# --- partner meetings: contacts, invitations, series ------------------------------------


class ContactForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter the person's e-mail address.")), Length(max=254)],
    )
    role = StringField(
        _l("Role"),
        description=_l("Optional, e.g. project manager or communication officer."),
        validators=[Optional(), Length(max=120)],
    )
    locale = SelectField(
        _l("Language of the e-mails"),
        validate_choice=False,
    )


class ContactImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l(
            "First row: name, email, role, language (role and language may be left out). "
            "Comma or semicolon, UTF-8."
        ),
        validators=[FileRequired(_l("Choose a CSV file."))],
    )


class InviteForm(FlaskForm):
    partners = CheckboxListField(
        _l("Every contact of these partners"), coerce=str, validate_choice=False
    )
    contacts = CheckboxListField(_l("These people"), coerce=str, validate_choice=False)
    whole_series = BooleanField(_l("Also invite them to every later date of this series"))


SERIES_WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


class SeriesForm(FlaskForm):
    mode = RadioField(
        _l("How the dates are chosen"),
        choices=choices([("rule", _l("A repeating rule")), ("dates", _l("A list of dates"))]),
        default="rule",
        validators=[InputRequired(_l("Choose how the dates are chosen."))],
    )
    frequency = SelectField(
        _l("Repeats"),
        choices=choices([("monthly", _l("Monthly")), ("weekly", _l("Weekly"))]),
        default="monthly",
        validate_choice=False,
    )
    position = SelectField(
        _l("Which one in the month"),
        description=_l("For monthly series."),
        choices=choices(
            [
                ("1", _l("First")),
                ("2", _l("Second")),
                ("3", _l("Third")),
                ("4", _l("Fourth")),
                ("-1", _l("Last")),
            ]
        ),
        default="1",
        validate_choice=False,
    )
    weekday = SelectField(
        _l("Weekday"),
        choices=choices((str(n), label) for n, label in enumerate(SERIES_WEEKDAYS)),
        validate_choice=False,
    )
    interval = IntegerField(
        _l("Every how many weeks"),
        description=_l("For weekly series."),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=4, message=_l("From 1 to 4."))],
    )
    count = IntegerField(
        _l("Number of dates"),
        description=_l("Counted from this event's day, which is the first when it fits the rule."),
        default=6,
        validators=[Optional(), NumberRange(min=2, max=52, message=_l("From 2 to 52."))],
    )
    dates = TextAreaField(
        _l("Further dates"),
        description=_l("One per line, like 2026-03-03; each at this event's time of day."),
        validators=[Optional(), Length(max=2000)],
    )
