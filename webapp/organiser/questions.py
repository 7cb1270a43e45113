"""An event's custom registration questions, changed without losing anyone's answers."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from webapp.models import Event, Question, User
from webapp.organiser.event_data import QuestionData, SchedulingError
from webapp.organiser.queries import answer_counts


def apply_questions(
    event: Event, wanted: list[QuestionData], actor: User | None
) -> list[dict[str, Any]]:
    """Make ``event.questions`` match ``wanted`` (order = list order); refuse risky edits."""
    existing = {q.id: q for q in event.questions}
    answered = answer_counts(event) if existing else {}
    kept_ids = {q.id for q in wanted if q.id is not None}
    unknown = kept_ids - set(existing)
    if unknown:
        raise SchedulingError(_("A question does not belong to this event."), "questions")
    changes: list[dict[str, Any]] = []
    for question in existing.values():
        if question.id not in kept_ids and answered.get(question.id):
            raise SchedulingError(
                _(
                    "“%(label)s” already has answers, so it cannot be removed.",
                    label=question.label,
                ),
                "questions",
            )
    for position, data in enumerate(wanted):
        if data.id is None:
            question = Question(
                label=data.label,
                kind=data.kind,
                required=data.required,
                options=data.options,
                help_text=data.help_text,
                translations=data.translations,
            )
            question.position = position
            event.questions.append(question)
            changes.append({"question": data.label, "change": "added"})
            continue
        question = existing[data.id]
        if answered.get(question.id):
            if data.kind != question.kind:
                raise SchedulingError(
                    _(
                        "“%(label)s” already has answers, so its kind cannot change. "
                        "Add a new question instead.",
                        label=question.label,
                    ),
                    "questions",
                )
            old_options = list(question.options or [])
            if data.options[: len(old_options)] != old_options:
                raise SchedulingError(
                    _(
                        "“%(label)s” already has answers, so its existing options cannot be "
                        "removed, renamed or reordered; you may add options at the end.",
                        label=question.label,
                    ),
                    "questions",
                )
        before = (
            question.label,
            question.kind,
            question.required,
            list(question.options or []),
            question.help_text or "",
            question.translations or {},
        )
        after = (
            data.label,
            data.kind,
            data.required,
            data.options,
            data.help_text,
            data.translations,
        )
        if before != after:
            changes.append({"question": data.label, "change": "changed"})
        question.label, question.kind = data.label, data.kind
        question.required, question.options = data.required, data.options
        question.help_text, question.translations = data.help_text, data.translations
        question.position = position
    for question in list(event.questions):
        if question.id is not None and question.id not in kept_ids:
            changes.append({"question": question.label, "change": "removed"})
            event.questions.remove(question)
    return changes
