"""Messages organisers write to an event's registrants: who gets them, placeholders,
each recipient's copy in their language, and sending through the outbox.

Plain functions with explicit arguments: they never read the request and never commit.
Texts are Python format strings restricted to a few named placeholders (``{name}``,
``{personal_link}``, ``{event_time}``), checked before anything is sent; a literal brace
is written twice (``{{``), as in Python.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import joinedload

from webapp.audit import record_audit
from webapp.extensions import db
from webapp.mail.queue import queue_mail
from webapp.mail.rendering import (
    SUBJECT_MAX_LENGTH as MAIL_SUBJECT_MAX_LENGTH,
)
from webapp.mail.rendering import (
    RenderedMail,
    mail_language,
    message_placeholder_values,
    render_organiser_message,
)
from webapp.models import (
    MESSAGE_AUDIENCES,
    Attendance,
    Event,
    Message,
    OutboxMessage,
    Region,
    Registration,
    User,
)
from webapp.timezones import utcnow

# The longest subject and body (in characters) one message may have.
SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
# What the placeholders stand for, in each recipient's copy.
PLACEHOLDERS = ("name", "personal_link", "event_time")
MAIL_KIND = "organiser_message"
TEST_MAIL_KIND = "organiser_message_test"


class MessageError(ValueError):
    """A message that cannot be sent as written; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class MessageDraft:
    """A message as the organiser wrote it, before it is sent."""

    audiences: list[str]
    subject: str
    body: str
    region_codes: list[str] = field(default_factory=list)
    language: str = "en"
    # {"hu": {"subject": ..., "body": ...}}: only languages with both texts filled in.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def placeholder_problems(text: str) -> list[str]:
    """Why ``text`` cannot be filled in (unknown placeholder, stray brace), or nothing."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [
            _(
                "A brace { or } is not closed. Write placeholders as {name}; to show a "
                "brace itself, write it twice: {{ or }}."
            )
        ]
    problems: list[str] = []
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            problems.append(
                _(
                    "There is no placeholder %(placeholder)s. You can use %(known)s.",
                    placeholder=shown,
                    known=known,
                )
            )
    return problems


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its (checked) placeholders replaced by ``values``."""
    return string.Formatter().vformat(text, (), dict(values))


def check_draft(draft: MessageDraft) -> None:
    """Raise ``MessageError`` for the first field that cannot be sent as written."""
    if not draft.audiences or not set(draft.audiences) <= set(MESSAGE_AUDIENCES):
        raise MessageError(_("Choose whom the message is for."), "audiences")
    texts = [("subject", draft.subject), ("body", draft.body)]
    for code, translation in draft.translations.items():
        texts += [
            (f"translations-{code}-subject", translation["subject"]),
            (f"translations-{code}-body", translation["body"]),
        ]
    for name, text in texts:
        limit = SUBJECT_MAX_LENGTH if name.endswith("subject") else BODY_MAX_LENGTH
        if len(text) > limit:
            raise MessageError(
                _("At most %(max)d characters, please.", max=limit),
                name,
            )
        problems = placeholder_problems(text)
        if problems:
            raise MessageError(problems[0], name)


def find_recipients(
    event: Event,
    audiences: Iterable[str],
    region_codes: Iterable[str] = (),
    *,
    now: datetime | None = None,
) -> list[Registration]:
    """The registrations of ``event`` in any of ``audiences``, from one of ``region_codes``
    (every region when empty), in registration order. Cancelled and turned-down people
    are never recipients; nor are the anonymised ones."""
    now = now or utcnow()
    audiences = set(audiences)
    present = exists().where(
        Attendance.registration_id == Registration.id, Attendance.status == "present"
    )
    excused = exists().where(
        Attendance.registration_id == Registration.id, Attendance.status == "excused"
    )
    conditions: list[ColumnElement[bool]] = []
    statuses = [s for s in ("confirmed", "waitlisted", "pending") if s in audiences]
    if statuses:
        conditions.append(Registration.status.in_(statuses))
    if "attended" in audiences:
        conditions.append(present)
    if "no_show" in audiences and event.ends_at <= now:
        conditions.append((Registration.status == "confirmed") & ~present & ~excused)
    if not conditions:
        return []
    query = db.select(Registration).where(
        Registration.event_id == event.id,
        Registration.status.not_in(("cancelled", "rejected")),
        Registration.erased_at.is_(None),
        db.or_(*conditions),
    )
    codes = sorted(set(region_codes))
    if codes:
        query = query.join(Region, Region.id == Registration.region_id).where(
            Region.code.in_(codes)
        )
    return list(db.session.scalars(query.order_by(Registration.id)))


def render_copy(draft: MessageDraft, registration: Registration) -> RenderedMail:
    """``registration``'s copy of the message: in their language when it was translated,
    placeholders filled in, in the e-mail layout of every message."""
    language = mail_language(registration.locale)
    texts = draft.translations.get(language)
    if texts is None:
        texts = {"subject": draft.subject, "body": draft.body}
        language_of_text = draft.language
    else:
        language_of_text = language
    values = message_placeholder_values(registration)
    return render_organiser_message(
        registration,
        subject=fill_placeholders(texts["subject"], values),
        body=fill_placeholders(texts["body"], values),
        text_language=language_of_text,
    )


def send_message(event: Event, draft: MessageDraft, *, actor: User, max_recipients: int) -> Message:
    """Queue one copy per recipient and keep the message in the event's history.

    Refuses (``MessageError``) a draft with a problem, one that reaches nobody, and one
    for more than ``max_recipients`` people (narrow the filters, or send in parts).
    """
    check_draft(draft)
    recipients = find_recipients(event, draft.audiences, draft.region_codes)
    if not recipients:
        raise MessageError(_("Nobody matches these filters."), "audiences")
    if len(recipients) > max_recipients:
        raise MessageError(
            _(
                "%(n)d people match, but one message may go to at most %(max)d. Narrow the "
                "filters (by status or region) and send it in parts.",
                n=len(recipients),
                max=max_recipients,
            ),
            "audiences",
        )
    message = Message(
        event_id=event.id,
        sender_id=actor.id,
        audiences=[a for a in MESSAGE_AUDIENCES if a in draft.audiences],
        region_codes=sorted(set(draft.region_codes)),
        language=draft.language,
        subject=draft.subject,
        body=draft.body,
        translations=draft.translations,
        recipient_count=len(recipients),
    )
    db.session.add(message)
    db.session.flush()
    for registration in recipients:
        rendered = render_copy(draft, registration)
        queue_mail(
            kind=MAIL_KIND,
            to_address=registration.email,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            registration=registration,
            event=event,
            reply_to=rendered.reply_to,
            from_address=rendered.from_address,
            dedupe_key=f"message:{message.id}:{registration.id}",
        )
    record_audit(
        actor,
        "message.sent",
        event=event,
        details={"message": message.id, "recipients": len(recipients)},
    )
    return message


def send_test(
    event: Event, draft: MessageDraft, *, actor: User, as_registration: Registration
) -> OutboxMessage:
    """Queue ``as_registration``'s copy to ``actor``'s own address, marked as a test.

    Nothing is kept in the history: the test is for the organiser's eyes only.
    """
    check_draft(draft)
    rendered = render_copy(draft, as_registration)
    with force_locale(actor.locale or "en"):
        subject = _("[Test] %(subject)s", subject=rendered.subject)
    return queue_mail(
        kind=TEST_MAIL_KIND,
        to_address=actor.email,
        subject=subject[:MAIL_SUBJECT_MAX_LENGTH],
        body_text=rendered.text,
        body_html=rendered.html,
        event=event,
        from_address=rendered.from_address,
    )


def event_messages(event: Event) -> Sequence[Message]:
    """The messages sent to ``event``'s registrants, newest first, with their senders."""
    return db.session.scalars(
        db.select(Message)
        .where(Message.event_id == event.id)
        .options(joinedload(Message.sender))
        .order_by(Message.created_at.desc(), Message.id.desc())
    ).all()
