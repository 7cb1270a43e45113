"""The invitee's answer form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from webapp.input_hygiene import FlaskForm
from webapp.invitations.services import COMMENT_MAX_LENGTH

ANSWER_LABELS = {
    "attend": _l("I will attend"),
    "maybe": _l("Maybe"),
    "decline": _l("I cannot attend"),
}


class AnswerForm(FlaskForm):
    answer = RadioField(
        _l("Your answer"),
        choices=[SelectChoice(value, label) for value, label in ANSWER_LABELS.items()],
        validators=[InputRequired(_l("Choose whether you will attend."))],
        invalid_choice_message=_l("Choose whether you will attend."),
    )
    comment = TextAreaField(
        _l("Comment for the organisers"),
        description=_l("Optional, e.g. who replaces you or which item you want to discuss."),
        validators=[
            Length(
                max=COMMENT_MAX_LENGTH,
                message=_l("A comment has at most %(max)d characters."),
            )
        ],
    )
