"""Times and durations as meeting platforms write them.

Platforms write the report owner's wall-clock time without an offset, in the owner's
date order: ``03/10/2026 09:58:00 AM`` (Zoom), ``Dec 02, 2026 09:59:40`` (Zoom
webinars), ``3/10/26, 9:55:02 AM`` (Teams), ``10.03.2026 09:58`` (a European
spreadsheet), ``2026. 03. 10. 9:58:12`` (Hungarian). A layout names the formats it
writes; the event's dates decide between day-first and month-first readings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache

# Every format tried when a layout's own formats do not read a file.
COMMON_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%b %d %Y %H:%M:%S",
    "%b %d %Y %I:%M:%S %p",
    "%d %b %Y %H:%M:%S",
)

_DOT_SPACE = re.compile(r"(\d)\.\s+(?=\d)")
_DOT_END = re.compile(r"(\d)\.(?=\s)")
# Cells that say "no time" rather than holding a bad one.
EMPTY_MARKS = frozenset({"", "-", "--", "—", "n/a", "na"})


@lru_cache(maxsize=8192)
def clean_timestamp(value: str) -> str:
    """``value`` with commas, odd spaces and Hungarian dotted dates made regular."""
    value = value.replace("\u202f", " ").replace("\xa0", " ").replace(",", " ")
    # "2026. 03. 10. 9:58:12" (Hungarian) → "2026.03.10 9:58:12"
    value = _DOT_SPACE.sub(r"\1.", value)
    value = _DOT_END.sub(r"\1", value)
    cleaned = " ".join(value.split()).upper().replace("A.M.", "AM").replace("P.M.", "PM")
    return "" if cleaned.lower() in EMPTY_MARKS else cleaned


# Reports repeat the same instants (a meeting's start, its end): parse each once.
@lru_cache(maxsize=65536)
def parse_with(value: str, fmt: str | None) -> datetime | None:
    try:
        if fmt is None:
            return datetime.fromisoformat(value)
        # Month names ("Dec") are English in every platform's export.
        return datetime.strptime(value.title() if "%b" in fmt else value, fmt)
    except ValueError:
        return None


def choose_timestamp_format(
    values: Iterable[str], near: Sequence[date] = (), preferred: Sequence[str] = ()
) -> str | None:
    """The format that reads the most of ``values`` (ISO 8601 is ``None``).

    Day-first and month-first formats read many dates alike ("03/10/2026"); among the
    formats that read as many values, the one putting them nearest ``near`` (the event's
    days) wins, then the layout's ``preferred`` formats, then the order above.
    """
    cleaned = [v for v in (clean_timestamp(x) for x in values) if v]
    if not cleaned:
        return None
    candidates: list[str | None] = [None, *dict.fromkeys([*preferred, *COMMON_FORMATS])]
    if len(cleaned) > 200:
        # A spread-out sample usually decides as well as every value, far faster; the
        # choice stands if it reads every value.
        step = len(cleaned) / 200
        chosen = _best_format([cleaned[int(i * step)] for i in range(200)], near, candidates)
        if all(parse_with(v, chosen) is not None for v in cleaned):
            return chosen
    return _best_format(cleaned, near, candidates)


def _best_format(
    cleaned: list[str], near: Sequence[date], candidates: list[str | None]
) -> str | None:
    best: tuple[int, int, int] | None = None
    best_format: str | None = None
    for position, fmt in enumerate(candidates):
        parsed = [p for p in (parse_with(v, fmt) for v in cleaned) if p is not None]
        if not parsed:
            continue
        near_hits = sum(1 for p in parsed if any(abs((p.date() - d).days) <= 1 for d in near))
        score = (len(parsed), near_hits, -position)
        if best is None or score > best:
            best, best_format = score, fmt
    return best_format


def parse_timestamp(value: str, fmt: str | None, tz: tzinfo) -> datetime | None:
    """An aware instant; naive times are read on the wall clock of ``tz``."""
    cleaned = clean_timestamp(value)
    if not cleaned:
        return None
    parsed = parse_with(cleaned, fmt)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


_DURATION_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\b"
)


def parse_duration_minutes(value: str) -> float | None:
    """Minutes from ``"62"``, ``"62.5"``, ``"1h 2m 30s"``, ``"01:02:30"`` or ``"1:02"`` (h:mm)."""
    text = value.strip().lower()
    if text in EMPTY_MARKS:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    if re.fullmatch(r"\d+:\d{2}(?::\d{2})?", text):
        parts = [int(p) for p in text.split(":")]
        hours, minutes, seconds = (parts + [0])[:3]
        return hours * 60 + minutes + seconds / 60
    pieces: list[tuple[str, str]] = _DURATION_PART.findall(text)
    if not pieces or _DURATION_PART.sub("", text).strip():
        return None
    total = 0.0
    for number, unit in pieces:
        amount = float(number.replace(",", "."))
        if unit.startswith("h"):
            total += amount * 60
        elif unit.startswith("s"):
            total += amount / 60
        else:
            total += amount
    return total
