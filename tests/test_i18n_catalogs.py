"""The translation catalogs are complete, current and safe to format.

A stakeholder must never meet an English sentence in a Hungarian page, a fuzzy guess, or
a 500 because a translated message names a placeholder its code does not pass.
"""

from __future__ import annotations

import re
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from webapp.config import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "webapp" / "translations"
TRANSLATED = [code for code in LANGUAGES if code != "en"]

# Numbers whose plural category differs in at least one language: one, few, many (Polish
# 5, 22 vs 25; Lithuanian 11–19, 21; Italian and Spanish whole millions, CLDR 46 and later).
PLURAL_SAMPLES = [*range(0, 130), 1000, 1001, 1_000_000, 2_000_000, 2_000_001]
# The same keywords `make translations` passes to pybabel extract.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def load(code: str):
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalog for {code}: run `make translations`"
    with path.open("rb") as source:
        return read_po(source, locale=code)


def placeholders(text: str) -> list[tuple[str | None, str]]:
    return sorted(
        (name, "s" if kind in "rs" else kind)
        for name, kind in PLACEHOLDER.findall(text)
        if kind != "%"
    )


def source_messages() -> set[tuple[str | None, str | tuple[str, ...]]]:
    with (TRANSLATIONS / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for directory in ("webapp", "templates"):
        for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT / directory), method_map, options_map, keywords=KEYWORDS
        ):
            if isinstance(message, tuple):
                message = tuple(m for m in message if m)
                message = message[0] if len(message) == 1 else message
            if message:
                found.add((context, message))
    return found


@pytest.fixture(scope="module")
def extracted():
    return source_messages()


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_has_the_language_plural_forms(code):
    """The catalog's Plural-Forms header picks the same form as the installed CLDR data."""
    catalog = load(code)
    rule = get_plural(code)
    assert catalog.num_plurals == rule.num_plurals
    ours, cldr = c2py(catalog.plural_expr), c2py(rule.plural_expr)
    wrong = [n for n in PLURAL_SAMPLES if ours(n) != cldr(n)]
    assert not wrong, f"{code}: Plural-Forms picks another form than CLDR for {wrong[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    catalog = load(code)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if message.pluralizable else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(
                f"{len(strings)} plural forms, not {catalog.num_plurals}: {message.id!r}"
            )
        elif not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{code}: " + "\n".join(problems)


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_use_exactly_the_placeholders_of_the_source(code):
    catalog = load(code)
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        expected = placeholders(ids[-1])
        # Jinja formats every template string, so a lone "%" must match the source too.
        for text in strings:
            if text and placeholders(text) != expected:
                problems.append(f"{message.id!r}: {text!r}")
    assert not problems, f"{code}: broken placeholders\n" + "\n".join(problems)


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_covers_every_string_in_the_code(code, extracted):
    catalog = load(code)
    missing = sorted(
        repr(message)
        for context, message in extracted
        if catalog.get(message if isinstance(message, str) else message[0], context=context) is None
    )
    assert not missing, (
        f"{code}: {len(missing)} strings are not in the catalog; run `make translations` "
        "and translate them:\n" + "\n".join(missing[:50])
    )


def test_the_placeholder_check_catches_renamed_retyped_and_dropped_placeholders():
    source = placeholders("Registration opens on %(when)s for %(n)d people.")
    assert placeholders("A regisztráció kezdete: %(when)s, %(n)d fő.") == source
    assert placeholders("A regisztráció kezdete: %(mikor)s, %(n)d fő.") != source
    assert placeholders("A regisztráció kezdete: %(when)s, %(n)s fő.") != source
    assert placeholders("A regisztráció kezdete: %(when)s.") != source
    assert placeholders("100%% biztos") == placeholders("100%% sure")
