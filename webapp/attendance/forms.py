"""Forms of the check-in sheet, the platform import and the report filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.attendance.thresholds import MAX_THRESHOLD_MINUTES
from webapp.formatting import KIND_LABELS, STAKEHOLDER_LABELS
from webapp.input_hygiene import FlaskForm
from webapp.models import STAKEHOLDER_TYPES

MARK_ACTIONS = ("present", "absent", "excused", "undo")


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class MarkForm(FlaskForm):
    """One tap on the sheet: present, absent, excused or undo, for one person and day."""

    action = HiddenField(validators=[DataRequired()])
    day = HiddenField()
    q = HiddenField()


class WalkInForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Counts the person once in the reports, however many events they attend."),
    )
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    stakeholder_type = SelectField(
        _l("Kind of organisation"),
        choices=choices((t, STAKEHOLDER_LABELS[t]) for t in STAKEHOLDER_TYPES),
        default="sme",
    )
    region = SelectField(_l("Region they come from"), choices=[], validate_choice=True)
    consent = BooleanField(
        _l("The person agrees that we keep these details under the privacy notice"),
        validators=[InputRequired(message=_l("Ask the person and tick the box."))],
    )
    day = HiddenField()


THRESHOLD_UNIT_LABELS = {
    "minutes": _l("minutes online"),
    "percent": _l("percent of the scheduled time"),
}


class ThresholdForm(FlaskForm):
    """The minutes online per day that count as present: minutes, or a percentage."""

    threshold = IntegerField(
        _l("Present from"),
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(min=0, max=MAX_THRESHOLD_MINUTES),
        ],
    )
    threshold_unit = SelectField(
        _l("Unit"),
        choices=choices(THRESHOLD_UNIT_LABELS.items()),
        default="percent",
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.threshold_unit.data == "percent" and self.threshold.data > 100:
            self.threshold.errors.append(_l("A percentage must be between 0 and 100."))
            return False
        return True


class ImportUploadForm(ThresholdForm):
    report = FileField(
        _l("Participant report"),
        validators=[FileRequired(message=_l("Choose the file to upload."))],
        description=_l(
            "The participant or attendance report of Zoom, Microsoft Teams, Webex or "
            "BigBlueButton as downloaded, or a CSV with name, e-mail, join and leave times "
            "(or duration)."
        ),
    )
    timezone = SelectField(
        _l("Time zone of the times in the file"),
        choices=[],
        description=_l(
            "Platforms write times on the clock of the account that exported the report."
        ),
    )


class ImportPersonForm(FlaskForm):
    """An action on one person of an uploaded report (``person`` is their reference)."""

    person = HiddenField(validators=[DataRequired(), Length(max=64)])


class ImportMatchForm(ImportPersonForm):
    registration = SelectField(_l("Registrant"), choices=[], validate_choice=False)
    registrant = StringField(
        _l("Or the e-mail address of another registrant"),
        validators=[Optional(), Length(max=320)],
    )


class ImportWalkInForm(WalkInForm):
    person = HiddenField(validators=[DataRequired(), Length(max=64)])


class ImportConfirmForm(FlaskForm):
    digest = HiddenField(validators=[DataRequired(), Length(max=64)])


# Reports cover the programme's lifetime with room to spare; other years are typing errors.
REPORT_FIRST_YEAR = 2000
REPORT_LAST_YEAR = 2100


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    period = SelectField(
        _l("Reporting period"),
        choices=[],
        default="",
        description=_l("Dates left empty are taken from the period."),
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    kind = SelectField(
        _l("Kind of event"),
        choices=choices([("", _l("All kinds")), *KIND_LABELS.items()]),
        default="",
    )
    region = SelectField(_l("Region served"), choices=[], default="")
    when = SelectField(
        _l("Events"),
        choices=choices(
            [("", _l("Only events that are over")), ("all", _l("Also events still to come"))]
        ),
        default="",
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        for field in (self.date_from, self.date_to):
            if field.data and not REPORT_FIRST_YEAR <= field.data.year <= REPORT_LAST_YEAR:
                field.errors.append(
                    _l(
                        "Choose a date between %(first)s and %(last)s.",
                        first=REPORT_FIRST_YEAR,
                        last=REPORT_LAST_YEAR,
                    )
                )
                return False
        if self.date_from.data and self.date_to.data and self.date_to.data < self.date_from.data:
            self.date_to.errors.append(_l("The end date is before the start date."))
            return False
        return True
