"""Reading participant reports of online meeting platforms.

Supported layouts:

- **Zoom** "Participants" report (comma-separated; optionally preceded by a meeting
  summary section; ``Name (Original Name), User Email, Join Time, Leave Time,
  Duration (Minutes)``), and the webinar attendee report with its header sections.
- **Microsoft Teams** attendance report: UTF-16, tab-separated, with numbered sections
  (``1. Summary``, ``2. Participants``, ``3. In-Meeting Activities``). The per-session
  section is preferred; otherwise the participant summary's total duration is used. The
  older ``Full Name / User Action / Timestamp`` layout is read too.
- **Generic** CSV: a header row naming a name (or first and last name) and/or e-mail
  column, and join and leave times or a duration.

The encoding (byte-order marks, UTF-8, UTF-16, Windows-1252), the delimiter (``,``,
``;``, tab, ``|``) and the date format are detected. Nothing here touches the database:
the result is a list of rows for :mod:`webapp.attendance.services` to match.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache

from flask_babel import lazy_gettext as _l

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000

LAYOUT_LABELS = {
    "zoom": _l("Zoom participants report"),
    "teams": _l("Microsoft Teams attendance report"),
    "teams_actions": _l("Microsoft Teams attendance list (joined/left actions)"),
    "generic": _l("CSV file"),
}


class ImportFileError(ValueError):
    """The file cannot be read as a participant report; ``message`` says why, for people."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ParticipantRow:
    """One row of a participant report: one join of one person, or their total."""

    line: int
    name: str
    email: str
    joined_at: datetime | None = None
    left_at: datetime | None = None
    minutes: float | None = None

    @property
    def has_interval(self) -> bool:
        return self.joined_at is not None and self.left_at is not None


@dataclass
class ParsedReport:
    layout: str
    encoding: str
    delimiter: str
    rows: list[ParticipantRow] = field(default_factory=list)
    duplicate_rows: int = 0
    skipped: list[tuple[int, object]] = field(default_factory=list)
    warnings: list[object] = field(default_factory=list)

    @property
    def layout_label(self) -> object:
        return LAYOUT_LABELS[self.layout]


# --- column names ------------------------------------------------------------------------

# Header cells are compared after ``_header_key`` (lower case, single spaces).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name (original name)",
        "user name (original name)",
        "name",
        "full name",
        "display name",
        "participant",
        "participant name",
        "attendee",
        "attendee name",
        "user name",
        "nome",
        "nombre",
        "név",
        "imię i nazwisko",
        "vardas pavardė",
    ),
    "first_name": ("first name", "given name", "firstname"),
    "last_name": ("last name", "surname", "family name", "lastname"),
    "email": (
        "user email",
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "attendee email",
    ),
    "upn": ("participant id (upn)", "upn"),
    "join": ("join time", "joined", "join", "joined at", "entered", "start time", "start"),
    "leave": ("leave time", "left", "leave", "left at", "exited", "end time", "end"),
    "first_join": ("first join", "first join time"),
    "last_leave": ("last leave", "last leave time"),
    "duration": (
        "duration (minutes)",
        "duration (min)",
        "duration",
        "minutes",
        "time in session (minutes)",
        "time in session",
        "in-meeting duration",
        "attendance duration",
        "minutes online",
    ),
    "action": ("user action",),
    "timestamp": ("timestamp",),
}
_ALIAS_LOOKUP = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
PERSON_COLUMNS = {"name", "first_name", "last_name", "email"}
ZOOM_MARKERS = {"name (original name)", "user name (original name)", "duration (minutes)", "guest"}
TEAMS_MARKERS = {"in-meeting duration", "participant id (upn)", "first join", "last leave"}
DELIMITERS = (",", ";", "\t", "|")
# Cells of a meeting's own summary row (Zoom "Meeting ID, Topic, ...") — not participants.
META_MARKERS = {"meeting id", "topic", "webinar id", "meeting title"}


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split())


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Recognised columns of a header row: column name → index (first occurrence)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _ALIAS_LOOKUP.get(_header_key(cell))
        if column and column not in found:
            found[column] = index
    return found


# --- bytes to text -----------------------------------------------------------------------


def decode_report(data: bytes) -> tuple[str, str, list[object]]:
    """The text of ``data``, the encoding used and any warnings about it."""
    warnings: list[object] = []
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _l(
                "This is a spreadsheet workbook (for example .xlsx), not a CSV file. "
                "Open it and save or export it as CSV, then upload that file."
            )
        )
    if data.startswith(b"%PDF"):
        raise ImportFileError(
            _l("This is a PDF document, not a CSV file. Download the report as CSV.")
        )
    boms = (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    encoding = next((name for bom, name in boms if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:4096]:
        sample = data[:4096]
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        if odd_zeros > len(sample) // 4 and even_zeros < odd_zeros // 8:
            encoding = "utf-16-le"
        elif even_zeros > len(sample) // 4 and odd_zeros < even_zeros // 8:
            encoding = "utf-16-be"
        else:
            raise _not_text()
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _l(
                    "The file says it is in %(encoding)s but is not valid %(encoding)s. "
                    "Export the report again, or save it as UTF-8 CSV.",
                    encoding=encoding.upper().replace("-SIG", ""),
                )
            ) from exc
    else:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    _l(
                        "The file is not in a text encoding we can read (UTF-8, UTF-16 or "
                        "Windows-1252). Save it as “CSV UTF-8” and upload it again."
                    )
                ) from exc
            encoding = "cp1252"
            warnings.append(
                _l(
                    "The file is not UTF-8; it was read as Windows-1252. Check that names "
                    "with accents look right below; if not, save the file as “CSV UTF-8”."
                )
            )
    text = text.lstrip("\ufeff")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in text or controls > max(5, len(text[:20000]) // 200):
        raise _not_text()
    return text, encoding, warnings


def _not_text() -> ImportFileError:
    return ImportFileError(
        _l(
            "This does not look like a CSV or text file. Upload the participant report "
            "exactly as the meeting platform exported it."
        )
    )


# --- times and durations -----------------------------------------------------------------

TIMESTAMP_FORMATS = (
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
)


_DOT_SPACE = re.compile(r"(\d)\.\s+(?=\d)")
_DOT_END = re.compile(r"(\d)\.(?=\s)")


@lru_cache(maxsize=8192)
def _clean_timestamp(value: str) -> str:
    value = value.replace("\u202f", " ").replace("\xa0", " ").replace(",", " ")
    # "2026. 03. 10. 9:58:12" (Hungarian) → "2026.03.10 9:58:12"
    value = _DOT_SPACE.sub(r"\1.", value)
    value = _DOT_END.sub(r"\1", value)
    return " ".join(value.split()).upper().replace("A.M.", "AM").replace("P.M.", "PM")


# Reports repeat the same instants (a meeting's start, its end): parse each once.
@lru_cache(maxsize=65536)
def _parse_with(value: str, fmt: str | None) -> datetime | None:
    try:
        if fmt is None:
            return datetime.fromisoformat(value)
        return datetime.strptime(value, fmt)
    except ValueError:
        return None


def choose_timestamp_format(values: Iterable[str], near: Sequence[date] = ()) -> str | None:
    """The format that reads the most of ``values`` (ISO 8601 is ``None``).

    Day-first and month-first formats read many dates alike ("03/10/2026"); among the
    formats that read as many values, the one putting them nearest ``near`` (the event's
    days) wins.
    """
    cleaned = [v for v in (_clean_timestamp(x) for x in values) if v]
    if not cleaned:
        return None
    if len(cleaned) > 200:
        # A spread-out sample usually decides as well as every value, far faster; the
        # choice stands if it reads every value.
        step = len(cleaned) / 200
        chosen = _best_format([cleaned[int(i * step)] for i in range(200)], near)
        if all(_parse_with(v, chosen) is not None for v in cleaned):
            return chosen
    return _best_format(cleaned, near)


def _best_format(cleaned: list[str], near: Sequence[date]) -> str | None:
    best: tuple[int, int, int] | None = None
    best_format: str | None = None
    candidates: list[str | None] = [None, *TIMESTAMP_FORMATS]
    for position, fmt in enumerate(candidates):
        parsed = [p for p in (_parse_with(v, fmt) for v in cleaned) if p is not None]
        if not parsed:
            continue
        near_hits = sum(1 for p in parsed if any(abs((p.date() - d).days) <= 1 for d in near))
        score = (len(parsed), near_hits, -position)
        if best is None or score > best:
            best, best_format = score, fmt
    return best_format


def parse_timestamp(value: str, fmt: str | None, tz: tzinfo) -> datetime | None:
    """An aware instant; naive times are read on the wall clock of ``tz``."""
    cleaned = _clean_timestamp(value)
    if not cleaned:
        return None
    parsed = _parse_with(cleaned, fmt)
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
    if not text:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    if re.fullmatch(r"\d+:\d{2}(?::\d{2})?", text):
        parts = [int(p) for p in text.split(":")]
        hours, minutes, seconds = (parts + [0])[:3]
        return hours * 60 + minutes + seconds / 60
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        return None
    total = 0.0
    for number, unit in parts:
        amount = float(number.replace(",", "."))
        if unit.startswith("h"):
            total += amount * 60
        elif unit.startswith("s"):
            total += amount / 60
        else:
            total += amount
    return total


# --- the layouts -------------------------------------------------------------------------


@dataclass
class _Section:
    header: list[str]
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]]
    title: str


def _split_sections(records: list[list[str]]) -> list[_Section]:
    """Every table in the file: a recognised header row and the rows under it."""
    sections: list[_Section] = []
    title = ""
    index = 0
    while index < len(records):
        record = records[index]
        columns = _columns(record)
        is_meeting_summary = any(_header_key(c) in META_MARKERS for c in record)
        if PERSON_COLUMNS & columns.keys() and len(columns) >= 2 and not is_meeting_summary:
            rows: list[tuple[int, list[str]]] = []
            index += 1
            while index < len(records) and any(c.strip() for c in records[index]):
                if len(_columns(records[index])) >= 2:
                    break
                rows.append((index + 1, records[index]))
                index += 1
            sections.append(_Section(record, columns, rows, title))
            continue
        if any(c.strip() for c in record):
            title = " ".join(c.strip() for c in record if c.strip()).lower()
        index += 1
    return sections


def _read_records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > MAX_IMPORT_ROWS + 50:
                raise ImportFileError(
                    _l(
                        "The file has more than %(limit)s rows. Split it, or export only "
                        "this event's participants.",
                        limit=MAX_IMPORT_ROWS,
                    )
                )
    except csv.Error as exc:
        raise ImportFileError(
            _l("The file is not valid CSV near line %(line)s.", line=reader.line_num)
        ) from exc
    return records


def _best_layout(text: str) -> tuple[str, list[list[str]], list[_Section]]:
    best: tuple[int, str, list[list[str]], list[_Section]] | None = None
    for delimiter in DELIMITERS:
        if delimiter not in text:
            continue
        try:
            records = _read_records(text, delimiter)
        except ImportFileError:
            if delimiter == DELIMITERS[0]:
                raise
            continue
        sections = _split_sections(records)
        score = max((len(s.columns) for s in sections), default=0)
        if best is None or score > best[0]:
            best = (score, delimiter, records, sections)
    if best is None:
        # No delimiter at all: a single column at most.
        records = _read_records(text, ",")
        return ",", records, _split_sections(records)
    return best[1], best[2], best[3]


def _pick_section(sections: list[_Section]) -> _Section:
    """The most detailed table: one row per join (Teams' activities) when there is one."""

    def detail(section: _Section) -> tuple[int, int, int]:
        c = section.columns
        per_session = int("join" in c and "leave" in c)
        actions = int("action" in c and "timestamp" in c)
        has_time = int(per_session or actions or "duration" in c or "first_join" in c)
        return (has_time, per_session + actions, len(c))

    return max(sections, key=detail)


def _layout_name(section: _Section, header: list[str], text: str) -> str:
    keys = {_header_key(c) for c in header}
    if "action" in section.columns and "timestamp" in section.columns:
        return "teams_actions"
    if keys & TEAMS_MARKERS or "in-meeting activities" in text[:5000].lower():
        return "teams"
    if keys & ZOOM_MARKERS:
        return "zoom"
    return "generic"


def _cell(record: list[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    if index is None or index >= len(record):
        return ""
    return record[index].strip()


def read_report(
    data: bytes,
    *,
    tz: tzinfo,
    near: Sequence[date] = (),
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ParsedReport:
    """Read a participant report; raises :class:`ImportFileError` with a reason for people.

    ``tz`` is the zone of times written without an offset (platforms write the report
    owner's local time); ``near`` are the event's days, used to tell day-first from
    month-first dates.
    """
    if len(data) > max_bytes:
        raise ImportFileError(
            _l(
                "The file is too large (%(size)s kB; at most %(limit)s kB). Export only this "
                "meeting's participants.",
                size=len(data) // 1024,
                limit=max_bytes // 1024,
            )
        )
    if not data.strip():
        raise ImportFileError(_l("The file is empty."))
    text, encoding, warnings = decode_report(data)
    if not text.strip():
        raise ImportFileError(_l("The file is empty."))

    delimiter, records, sections = _best_layout(text)
    if not sections:
        raise ImportFileError(
            _l(
                "We could not recognise this layout: no row names a participant column such "
                "as “Name” or “Email” together with join and leave times or a duration. "
                "Supported: Zoom participants report, Microsoft Teams attendance report, or "
                "a CSV with name, e-mail, join time and leave time (or duration)."
            )
        )
    section = _pick_section(sections)
    # Zoom webinar reports repeat one table per role (hosts, panelists, attendees).
    for other in sections:
        if other is not section and other.columns == section.columns:
            section.rows.extend(other.rows)
    columns = section.columns
    layout = _layout_name(section, section.header, text)
    has_time = (
        ("join" in columns and "leave" in columns)
        or "duration" in columns
        or ("action" in columns and "timestamp" in columns)
    )
    if not has_time:
        raise ImportFileError(
            _l(
                "The file has no column with the time spent in the meeting. It needs "
                "“Join time” and “Leave time” columns or a “Duration” column (in minutes)."
            )
        )
    if not section.rows:
        raise ImportFileError(_l("The file has a header but no participant rows."))

    report = ParsedReport(layout=layout, encoding=encoding, delimiter=delimiter, warnings=warnings)
    if layout == "teams_actions":
        _read_action_rows(report, section, tz, near)
    else:
        _read_session_rows(report, section, tz, near)
    if not report.rows:
        raise ImportFileError(
            _l("No row of the file could be read: each needs a name or e-mail and a time.")
        )
    return report


def _person(record: list[str], columns: dict[str, int]) -> tuple[str, str]:
    name = _cell(record, columns, "name")
    if not name:
        name = " ".join(
            p
            for p in (_cell(record, columns, "first_name"), _cell(record, columns, "last_name"))
            if p
        )
    email = _cell(record, columns, "email")
    if not email:
        upn = _cell(record, columns, "upn")
        email = upn if "@" in upn else ""
    return " ".join(name.split()), email.strip().lower()


def _read_session_rows(
    report: ParsedReport, section: _Section, tz: tzinfo, near: Sequence[date]
) -> None:
    columns = dict(section.columns)
    per_session = "join" in columns and "leave" in columns
    join_column = "join" if "join" in columns else "first_join"
    leave_column = "leave" if per_session else None
    stamps = [
        _cell(r, columns, c)
        for _, r in section.rows
        for c in (join_column, "leave")
        if c in columns
    ]
    fmt = choose_timestamp_format(stamps, near)
    seen: set[tuple[str, ...]] = set()
    for line, record in section.rows:
        key = tuple(c.strip() for c in record)
        if key in seen:
            report.duplicate_rows += 1
            continue
        seen.add(key)
        name, email = _person(record, columns)
        if not name and not email:
            report.skipped.append((line, _l("no name or e-mail")))
            continue
        joined_raw = _cell(record, columns, join_column)
        joined = parse_timestamp(joined_raw, fmt, tz) if joined_raw else None
        left = None
        if leave_column:
            left_raw = _cell(record, columns, leave_column)
            left = parse_timestamp(left_raw, fmt, tz) if left_raw else None
        minutes = parse_duration_minutes(_cell(record, columns, "duration"))
        if joined is not None and left is not None:
            if left < joined:
                report.skipped.append((line, _l("leaves before joining")))
                continue
            if left - joined > timedelta(days=2):
                report.skipped.append((line, _l("a single stay longer than two days")))
                continue
        elif minutes is None:
            report.skipped.append((line, _l("no readable join and leave time or duration")))
            continue
        if not per_session:
            left = None  # first join / last leave span gaps; the duration is what counts
        if minutes is not None and minutes < 0:
            report.skipped.append((line, _l("negative duration")))
            continue
        report.rows.append(ParticipantRow(line, name, email, joined, left, minutes))


def _read_action_rows(
    report: ParsedReport, section: _Section, tz: tzinfo, near: Sequence[date]
) -> None:
    """Teams' older list: one row per "Joined" or "Left" action, paired per person."""
    columns = section.columns
    fmt = choose_timestamp_format((_cell(r, columns, "timestamp") for _, r in section.rows), near)
    open_joins: dict[tuple[str, str], tuple[int, datetime]] = {}
    seen: set[tuple[str, ...]] = set()
    for line, record in section.rows:
        key = tuple(c.strip() for c in record)
        if key in seen:
            report.duplicate_rows += 1
            continue
        seen.add(key)
        name, email = _person(record, columns)
        action = _cell(record, columns, "action").lower()
        stamp = parse_timestamp(_cell(record, columns, "timestamp"), fmt, tz)
        if (not name and not email) or stamp is None:
            report.skipped.append((line, _l("no name or readable time")))
            continue
        person = (name, email)
        if action.startswith("join"):
            open_joins.setdefault(person, (line, stamp))
        elif action.startswith("left") or action.startswith("leave"):
            started = open_joins.pop(person, None)
            if started is None or stamp < started[1]:
                report.skipped.append((line, _l("left without joining")))
                continue
            report.rows.append(ParticipantRow(started[0], name, email, started[1], stamp))
        else:
            report.skipped.append((line, _l("unknown action")))
    for line, _joined in open_joins.values():
        report.skipped.append((line, _l("joined but never left")))


# --- people ------------------------------------------------------------------------------

_SPECIAL_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"}
)


def normalise_name(name: str) -> str:
    """A name reduced for matching: no accents, case or punctuation, words in order.

    Sorting the words makes "Kovács Anna" (Hungarian order) match "Anna Kovacs".
    """
    folded = unicodedata.normalize("NFKD", name.translate(_SPECIAL_LETTERS))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    words = re.findall(r"[^\W_]+", folded)
    return " ".join(sorted(words))


def name_keys(name: str) -> list[str]:
    """Keys a report name may match: Zoom writes renamed people as "New (Original)"."""
    keys: list[str] = []
    outer = re.sub(r"\([^)]*\)", " ", name)
    inner = re.findall(r"\(([^)]*)\)", name)
    for candidate in (outer, *inner, name):
        key = normalise_name(candidate)
        if key and key not in keys:
            keys.append(key)
    return keys
