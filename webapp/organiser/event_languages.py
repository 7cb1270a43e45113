"""The language an event's texts are written in, and their translations."""

from __future__ import annotations

from flask_babel import gettext as _

from webapp.config import LANGUAGES
from webapp.models import Event
from webapp.organiser.event_data import EventData, SchedulingError

# Any language may be an event's original (``Event.language``); the others are translations.
EVENT_LANGUAGES = LANGUAGES
TRANSLATION_LANGUAGES = LANGUAGES
TRANSLATED_FIELDS = ("title", "summary", "description")


def normalise_translations(raw: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Only known languages and fields, stripped; empty values and languages dropped."""
    clean: dict[str, dict[str, str]] = {}
    for language in TRANSLATION_LANGUAGES:
        values = raw.get(language) or {}
        kept = {f: (values.get(f) or "").strip() for f in TRANSLATED_FIELDS}
        kept = {f: v for f, v in kept.items() if v}
        if kept:
            clean[language] = kept
    return clean


def default_event_language(user_locale: str | None, region_locale: str | None) -> str:
    """The language a new event's texts are proposed in: the organiser's, else their region's.

    ``User.locale`` is English unless someone chose otherwise, so an English locale says
    little about the organiser: the region's language comes before it. An organiser who
    writes in English for a non-English region changes the select once.
    """
    for candidate in (user_locale if user_locale != "en" else None, region_locale, user_locale):
        if candidate in EVENT_LANGUAGES:
            return candidate
    return "en"


def settle_original_language(
    translations: dict[str, dict[str, str]], language: str, originals: dict[str, str]
) -> dict[str, dict[str, str]]:
    """``translations`` without a redundant entry for the original ``language``.

    An entry in the original language that repeats the original texts (each of its
    fields equal to the same original field) says nothing and is dropped. One that
    differs is kept, so that nothing the organiser wrote is lost when they change the
    original language (``shadowed_translation`` tells them visitors see the original).
    """
    entry = translations.get(language)
    if entry and all(text == (originals.get(name) or "").strip() for name, text in entry.items()):
        return {code: texts for code, texts in translations.items() if code != language}
    return translations


def check_language(data: EventData) -> None:
    if data.language not in EVENT_LANGUAGES:
        raise SchedulingError(_("Choose the language of the texts from the list."), "language")


def settle_translations(data: EventData) -> None:
    """Keep only real translations in ``data.translations`` (see settle_original_language)."""
    data.translations = settle_original_language(
        normalise_translations(data.translations),
        data.language,
        {"title": data.title, "summary": data.summary, "description": data.description},
    )


def shadowed_translation(event: Event) -> bool:
    """Whether ``event`` keeps a translation into its own original language.

    Visitors never see it (the original wins); the organiser is told, so they can copy
    what they need and empty it.
    """
    return bool((event.translations or {}).get(event.language))
