"""Jinja filters that show instants, numbers and labels to people, in their locale."""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    get_timezone_name,
)
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from webapp.i18n import formatting_locale
from webapp.timezones import zone

KIND_LABELS = {
    "partner_meeting": _l("Partner meeting"),
    "study_visit": _l("Thematic study visit"),
    "webinar": _l("Stakeholder webinar"),
}
FORMAT_LABELS = {
    "online": _l("Online"),
    "onsite": _l("On site"),
    "hybrid": _l("Hybrid (on site and online)"),
}
STAKEHOLDER_LABELS = {
    "sme": _l("SME"),
    "business_support": _l("Business-support organisation"),
    "public_authority": _l("Public authority"),
    "research": _l("Research or education"),
    "ngo": _l("NGO"),
    "other": _l("Other"),
}
REGISTRATION_STATUS_LABELS = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "pending": _l("Awaiting approval"),
    "cancelled": _l("Cancelled"),
    "rejected": _l("Not accepted"),
}

# Study-visit questions are worded by the site, so each registrant reads them in their
# language whatever language the organiser writes in (``Question.is_logistics``).
LOGISTICS_QUESTION_LABELS = {
    "arrival_date": _l("When do you arrive?"),
    "departure_date": _l("When do you leave?"),
    "dietary_needs": _l("Dietary needs or allergies"),
    "accommodation": _l("Accommodation"),
}
ACCOMMODATION_LABELS = {
    "book_for_me": _l("Please book a room for me"),
    "own": _l("I arrange my own accommodation"),
    "none": _l("I need no accommodation"),
}
PROGRAMME_KIND_LABELS = {
    "session": _l("Session"),
    "talk": _l("Talk"),
    "break": _l("Break"),
    "site_visit": _l("Site visit"),
    "travel": _l("Travel"),
    "meal": _l("Meal"),
}
MATERIAL_AUDIENCE_LABELS = {
    "everyone": _l("Everyone"),
    "registrants": _l("Registered participants"),
    "attendees": _l("People who attended"),
    "organisers": _l("Organisers only"),
}


def question_label(question) -> str:
    """The label a reader sees, in the current language where the organisers translated
    it (else as written); the site's own wording for the study-visit questions."""
    label = LOGISTICS_QUESTION_LABELS.get(question.kind)
    if label is not None:
        return str(label)
    localized = getattr(question, "localized_label", None)
    return localized(_language()) if localized is not None else question.label


def question_help(question) -> str:
    """The question's help text in the current language, else as written ("" for none)."""
    localized = getattr(question, "localized_help", None)
    return localized(_language()) if localized is not None else ""


def answer_label(question, value):
    """A stored answer as a reader sees it: accommodation codes and option keys become
    words (an option in the current language where translated)."""
    if question.kind == "accommodation" and value in ACCOMMODATION_LABELS:
        return str(ACCOMMODATION_LABELS[value])
    if question.kind in ("single_choice", "multiple_choice") and value is not None:
        text = question.option_text(value, _language())
        if text is not None:
            return text
    return value


def _language() -> str:
    return str(get_locale() or "en")


def answer_text(question, value) -> str:
    """A stored answer as one line of text for a reader ("" when unanswered)."""
    if value in (None, "", []):
        return ""
    if question.kind == "yes_no" and value in (True, False, "yes", "no"):
        return str(_l("Yes") if value in (True, "yes") else _l("No"))
    if isinstance(value, list):
        return ", ".join(str(answer_label(question, item)) for item in value)
    return str(answer_label(question, value))


def answer_items(questions, answers) -> list[dict[str, str]]:
    """The questions with their answers (label and text), in the questions' order."""
    answers = answers or {}
    return [
        {"label": question_label(q), "value": answer_text(q, answers.get(str(q.id)))}
        for q in questions
    ]


def _locale() -> str:
    return formatting_locale(str(get_locale() or "en"))


# How a date and a time are joined where CLDR's pattern differs from what readers expect:
# Hungarian writes a comma after a full date followed by a time ("2026. december 2., 10:00").
DATE_TIME_GLUE = {"hu": "{1}, {0}"}


def date_and_time(local: datetime) -> str:
    """A wall-clock instant as long date and short time: ``2 December 2026, 10:00``."""
    locale = _locale()
    glue = DATE_TIME_GLUE.get(locale) or str(Locale.parse(locale).datetime_formats["long"])
    return glue.replace("{1}", format_date(local.date(), "long", locale=locale)).replace(
        "{0}", format_time(local, "short", locale=locale)
    )


def local_date_and_time(instant: datetime, tz_name: str) -> str:
    """``instant`` on the wall clock of ``tz_name`` as long date and short time."""
    return date_and_time(instant.astimezone(zone(tz_name)))


def local_datetime(instant: datetime, tz_name: str, format: str = "medium") -> str:
    """``instant`` on the wall clock of ``tz_name``, e.g. ``2 Dec 2026, 10:00``."""
    return format_datetime(instant, format, tzinfo=zone(tz_name), locale=_locale())


def local_short_datetime(instant: datetime, tz_name: str) -> str:
    """Weekday, day, month and time on the wall clock of ``tz_name``: ``Wed 2 Dec 11:00``.

    Short enough for a table of the five regions' local times, where the year is known.
    """
    local = instant.astimezone(zone(tz_name))
    locale = _locale()
    return f"{format_skeleton('MMMEd', local, locale=locale)} {format_time(local, 'short', locale=locale)}"


def local_date(instant: datetime, tz_name: str, format: str = "full") -> str:
    return format_date(instant.astimezone(zone(tz_name)).date(), format, locale=_locale())


def local_time(instant: datetime, tz_name: str, format: str = "short") -> str:
    return format_time(instant, format, tzinfo=zone(tz_name), locale=_locale())


def format_day(day) -> str:
    """A calendar day in full: ``Tuesday, 27 October 2026``."""
    return format_date(day, "full", locale=_locale())


def timezone_label(tz_name: str, instant: datetime | None = None) -> str:
    """A readable zone name with its UTC offset at ``instant`` (``CET, UTC+01:00``)."""
    tz = zone(tz_name)
    offset = ""
    if instant is not None:
        delta = instant.astimezone(tz).utcoffset()
        if delta is not None:
            minutes = int(delta.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            offset = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    name = get_timezone_name(tz, locale=_locale())
    return f"{name} ({offset})" if offset else name


def event_when(event, tz_name: str | None = None) -> str:
    """The event's dates and times in its own zone (or ``tz_name``), as one readable line.

    An all-day event keeps its own dates whatever the zone: its days are calendar days.
    """
    if tz_name and not event.all_day:
        start, end = (
            event.starts_at.astimezone(zone(tz_name)),
            event.ends_at.astimezone(zone(tz_name)),
        )
    else:
        start, end = event.local_starts_at, event.local_ends_at
    if event.all_day:
        first, last = event.days[0], event.days[-1]
        if first == last:
            return format_date(first, "full", locale=_locale())
        return f"{format_date(first, 'long', locale=_locale())} – {format_date(last, 'long', locale=_locale())}"
    if start.date() == end.date():
        return (
            f"{format_date(start.date(), 'full', locale=_locale())}, "
            f"{format_time(start, 'short', locale=_locale())}–{format_time(end, 'short', locale=_locale())}"
        )
    return f"{date_and_time(start)} – {date_and_time(end)}"


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_short_datetime=local_short_datetime,
        local_date=local_date,
        local_time=local_time,
        local_date_and_time=local_date_and_time,
        timezone_label=timezone_label,
        format_day=format_day,
    )
    app.jinja_env.globals.update(
        event_when=event_when,
        KIND_LABELS=KIND_LABELS,
        FORMAT_LABELS=FORMAT_LABELS,
        STAKEHOLDER_LABELS=STAKEHOLDER_LABELS,
        REGISTRATION_STATUS_LABELS=REGISTRATION_STATUS_LABELS,
        PROGRAMME_KIND_LABELS=PROGRAMME_KIND_LABELS,
        MATERIAL_AUDIENCE_LABELS=MATERIAL_AUDIENCE_LABELS,
        question_label=question_label,
        answer_label=answer_label,
    )
