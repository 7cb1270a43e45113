"""Compile the translation catalogs before the suite runs, so a plain ``pytest`` works.

``make test`` and ``make run`` compile them with ``pybabel compile``; this does the same
for anyone running ``pytest`` directly after editing a ``.po`` file.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "webapp" / "translations"


def compile_catalogs(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile every ``.po`` newer than its ``.mo`` (fuzzy entries left out); return them."""
    compiled = []
    for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        # Written aside and renamed: several test runs may compile at the same time.
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)
        compiled.append(mo)
    return compiled
