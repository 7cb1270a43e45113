"""Language codes from browsers, forms and rows read one way."""

from __future__ import annotations

import pytest

from webapp.config import LANGUAGES
from webapp.language_codes import base_language, supported_language


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en-GB", "en"), ("hu_HU", "hu"), ("LT", "lt"), ("es", "es"), ("", ""), (None, "")],
)
def test_base_language(code, expected):
    assert base_language(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("it-IT", "it"), ("PL", "pl"), ("pt-BR", None), ("", None), (None, None), ("de", None)],
)
def test_supported_language(code, expected):
    assert supported_language(code, LANGUAGES) == expected
