"""Forms of reporting periods, action plans and the actions an event serves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.attendance.forms import REPORT_FIRST_YEAR, REPORT_LAST_YEAR
from webapp.input_hygiene import FlaskForm
from webapp.organiser.forms import CheckboxListField


def _plausible_year(form, field) -> None:
    if field.data and not REPORT_FIRST_YEAR <= field.data.year <= REPORT_LAST_YEAR:
        raise ValidationError(
            _l(
                "Choose a date between %(first)s and %(last)s.",
                first=REPORT_FIRST_YEAR,
                last=REPORT_LAST_YEAR,
            )
        )


class PeriodForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=100)],
        description=_l("For example “Semester 3 (2023)”."),
    )
    starts_on = DateField(
        _l("First day"),
        validators=[InputRequired(_l("Enter the first day.")), _plausible_year],
    )
    ends_on = DateField(
        _l("Last day"),
        validators=[InputRequired(_l("Enter the last day.")), _plausible_year],
    )

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date is before the start date."))


class ActionPlanForm(FlaskForm):
    region = SelectField(_l("Region"), choices=[])
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    policy_instrument = StringField(
        _l("Policy instrument addressed"),
        validators=[Optional(), Length(max=300)],
        description=_l("The regional or national programme the action plan improves."),
    )


class PlanActionForm(FlaskForm):
    title = StringField(
        _l("Action"), validators=[DataRequired(_l("Enter the action.")), Length(max=300)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class EventActionsForm(FlaskForm):
    actions = CheckboxListField(
        _l("Actions this event serves"),
        choices=[],
        coerce=int,
        validate_choice=True,
        description=_l("Its attendees count for each action in the reports."),
    )
