"""Forms of polls: the organiser's poll and invitee forms, the invitee's answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    EmailField,
    FieldList,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.formatting import KIND_LABELS
from webapp.input_hygiene import FlaskForm
from webapp.organiser.forms import LOCAL_TIME_FORMATS, CheckboxListField, choices

MIN_SLOT_ROWS = 3
MAX_SLOT_ROWS = 30

ANSWER_LABELS = {
    "yes": _l("Yes"),
    "if_need_be": _l("If need be"),
    "no": _l("No"),
}


class PollForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind of event"), choices=choices(KIND_LABELS.items()), default="partner_meeting"
    )
    description = TextAreaField(
        _l("Message to the invitees"),
        description=_l("Optional: the agenda or why the meeting is needed."),
        validators=[Optional(), Length(max=5000)],
    )
    partner = SelectField(_l("Organised by"), validate_choice=False)
    event = SelectField(
        _l("Event to move"),
        description=_l(
            "Optional: an existing event is moved to the chosen time; "
            "otherwise a new online event is created."
        ),
        validate_choice=False,
    )
    timezone = SelectField(
        _l("Time zone of the times below"),
        description=_l("Each time is shown to every region on its own clock."),
        validate_choice=False,
    )
    duration_minutes = IntegerField(
        _l("Length of the meeting (minutes)"),
        default=60,
        validators=[InputRequired(), NumberRange(min=15, max=1440)],
    )
    slots = FieldList(
        DateTimeLocalField(_l("Start"), format=LOCAL_TIME_FORMATS, validators=[Optional()]),
        label=_l("Proposed times"),
        min_entries=MIN_SLOT_ROWS,
        max_entries=MAX_SLOT_ROWS,
    )
    add_slot = SubmitField(_l("Add another time"))
    check_times = SubmitField(_l("Show the times in every region"))
    working_hours_start = TimeField(_l("Working day starts"), validators=[InputRequired()])
    working_hours_end = TimeField(_l("Working day ends"), validators=[InputRequired()])
    deadline_local = DateTimeLocalField(
        _l("Answers close"),
        description=_l("In the time zone above; before the first proposed time."),
        format=LOCAL_TIME_FORMATS,
        validators=[InputRequired()],
    )
    remind_local = DateTimeLocalField(
        _l("Remind those who have not answered"),
        description=_l("Optional: one reminder, at this time, before answers close."),
        format=LOCAL_TIME_FORMATS,
        validators=[Optional()],
    )


class InviteeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    locale = SelectField(_l("Language of the e-mails"), validate_choice=False)
    partner = SelectField(
        _l("Partner"),
        description=_l("Gives the person's region; leave empty for someone from outside."),
        validate_choice=False,
    )


class PartnerOrganisersForm(FlaskForm):
    partner = SelectField(_l("Partner"), validate_choice=False)


class PartnerContactsForm(FlaskForm):
    """Partner contacts to invite: every active contact of the ticked partners, or the
    ticked people."""

    partners = CheckboxListField(
        _l("Every contact of these partners"), coerce=str, validate_choice=False
    )
    contacts = CheckboxListField(_l("These people"), coerce=str, validate_choice=False)


class AnswersForm(FlaskForm):
    """The invitee's answers: ``slot-<id>`` (yes / if_need_be / no) and ``comment-<id>``."""


class TimezoneForm(FlaskForm):
    timezone = SelectField(_l("Show the times in"), validate_choice=False)
