"""Language codes: the one place that reads a code a browser, a form or a row gives.

``en-GB``, ``en_GB`` and ``EN`` all mean the site's ``en``. Pure functions, no Flask:
models, rules, mail and views all use them.
"""

from __future__ import annotations

from collections.abc import Iterable


def base_language(code: str | None) -> str:
    """The primary language of ``code`` in lower case (``"pt-BR"`` → ``"pt"``; ``""`` if none)."""
    return (code or "").replace("-", "_").split("_")[0].lower()


def supported_language(code: str | None, supported: Iterable[str]) -> str | None:
    """``code``'s language when the site speaks it (one of ``supported``), else ``None``."""
    language = base_language(code)
    return language if language and language in tuple(supported) else None
