"""Registration questions in every language; choice answers stored as option keys.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 16:40:00.000000

Answers to single- and multiple-choice questions held the option's text; they now hold
the option's key (its place in ``questions.options``, from 1), so answers given in any
language read and count the same. A stored text that matches no option is kept as it is.
"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHOICE_KINDS = ("single_choice", "multiple_choice")


def _load(value):
    if value is None or isinstance(value, dict | list):
        return value
    return json.loads(value)


def _convert(answers, questions, to_keys: bool):
    """``answers`` with each choice answer turned into keys (or back into texts)."""
    changed = False
    result = dict(answers)
    for question_id, options in questions.items():
        value = result.get(str(question_id))
        if value in (None, "", []):
            continue
        if to_keys:
            mapping = {text: str(index + 1) for index, text in enumerate(options)}
        else:
            mapping = {str(index + 1): text for index, text in enumerate(options)}
        if isinstance(value, list):
            new = [mapping.get(str(item), item) for item in value]
        else:
            new = mapping.get(str(value), value)
        if new != value:
            result[str(question_id)] = new
            changed = True
    return result if changed else None


def _rewrite_answers(to_keys: bool) -> None:
    bind = op.get_bind()
    questions_by_event: dict[int, dict[int, list[str]]] = {}
    rows = bind.execute(sa.text("SELECT id, event_id, kind, options FROM questions")).mappings()
    for row in rows:
        if row["kind"] in CHOICE_KINDS:
            options = [str(option) for option in (_load(row["options"]) or [])]
            questions_by_event.setdefault(row["event_id"], {})[row["id"]] = options
    registrations = sa.table(
        "registrations", sa.column("id", sa.Integer), sa.column("answers", sa.JSON)
    )
    for event_id, questions in questions_by_event.items():
        found = bind.execute(
            sa.text("SELECT id, answers FROM registrations WHERE event_id = :event_id"),
            {"event_id": event_id},
        ).mappings()
        for row in list(found):
            answers = _load(row["answers"]) or {}
            new = _convert(answers, questions, to_keys)
            if new is not None:
                bind.execute(
                    registrations.update()
                    .where(registrations.c.id == row["id"])
                    .values(answers=new)
                )


def upgrade():
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("help_text", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), server_default="{}", nullable=False)
        )
    _rewrite_answers(to_keys=True)


def downgrade():
    _rewrite_answers(to_keys=False)
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_column("translations")
        batch_op.drop_column("help_text")
