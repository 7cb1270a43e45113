"""Reading a participant report: bytes to text, text to tables, tables to rows.

The encoding (byte-order marks, UTF-8, UTF-16 as Teams and Webex write it, the
Windows code pages spreadsheets in the partner regions save with: Central European
1250, Baltic 1257, Western 1252/Latin-1) and the delimiter (``,``, ``;``, tab) are
detected; the layout is the first of :data:`.layouts.LAYOUTS` whose tables the file
holds. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from flask_babel import lazy_gettext as _l

from webapp.attendance.importing import layouts as L
from webapp.attendance.importing.report import (
    ROLE_ATTENDEE,
    ROLE_HOST,
    ImportFileError,
    ParsedReport,
    ParticipantRow,
)
from webapp.attendance.importing.timestamps import (
    choose_timestamp_format,
    parse_duration_minutes,
    parse_timestamp,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
DELIMITERS = (",", ";", "\t")

# --- bytes to text ------------------------------------------------------------------------

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "cp1250": "Windows-1250",
    "cp1257": "Windows-1257",
    "cp1252": "Windows-1252",
}
# Single-byte code pages a spreadsheet may have saved the file in, most common first
# (a tie between them goes to the earlier one).
LEGACY_ENCODINGS = ("cp1252", "cp1250", "cp1257")
# Alphabets of names in the partnership's languages and their neighbours' (Croatian at
# the Hungarian border, Czech and Slovak, German, French, Romanian). A code page that
# turns each word of the file into letters of one of these languages is the right one;
# one that gives "Szõke" for Hungarian "Szőke", "³" for Polish "ł" or "Ţydrűnas" for
# Lithuanian "Žydrūnas" (letters of two languages in one word) is not.
_ALPHABETS = tuple(
    frozenset(letters)
    for letters in (
        "áéíóöőúüű",  # Hungarian
        "ąćęłńóśźż",  # Polish
        "ąčęėįšųūž",  # Lithuanian
        "àèéìíîòóùú",  # Italian
        "áéíñóúü",  # Spanish
        "čćđšž",  # Croatian
        "áčďéěíňóřšťúůýžäĺľôŕ",  # Czech and Slovak
        "äöüß",  # German
        "àâæçéèêëîïôœùûüÿ",  # French
        "ăâîșşțţ",  # Romanian
    )
)
_WORD = re.compile(r"[^\W\d_]+")
_HARMLESS = frozenset("\xa0\u2013\u2014\u2018\u2019\u201c\u201d\u201e\u2026\u20ac°·")


def _letter_score(text: str) -> int:
    """How plausible ``text`` is as names: + per word in one alphabet, − otherwise."""
    score = 0
    for word in _WORD.findall(text):
        letters = {ch for ch in word.lower() if ord(ch) >= 128}
        if not letters:
            continue
        if any(letters <= alphabet for alphabet in _ALPHABETS):
            score += len(letters)
        else:
            score -= 2 * len(letters)
    score -= 3 * sum(
        1 for ch in text if ord(ch) >= 128 and not ch.isalpha() and ch not in _HARMLESS
    )
    return score


def _legacy_decode(data: bytes) -> tuple[str, str]:
    best: tuple[int, int, str, str] | None = None
    for position, encoding in enumerate(LEGACY_ENCODINGS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = (_letter_score(text), -position, encoding, text)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        raise ImportFileError(
            _l(
                "The file is not in a text encoding we can read (UTF-8, UTF-16 or a Windows "
                "code page). Save it as “CSV UTF-8” and upload it again."
            )
        )
    return best[3], best[2]


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
                    encoding=ENCODING_LABELS[encoding],
                )
            ) from exc
    else:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            text, encoding = _legacy_decode(data)
            warnings.append(
                _l(
                    "The file is not UTF-8; it was read as %(encoding)s. Check that names "
                    "with accents look right below; if not, save the file as “CSV UTF-8”.",
                    encoding=ENCODING_LABELS[encoding],
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


# --- text to tables -----------------------------------------------------------------------


def header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split())


_NUMBERING = re.compile(r"^\d+[.)]\s*")


def _title_key(record: Sequence[str]) -> str:
    text = " ".join(c.strip() for c in record if c.strip())
    return _NUMBERING.sub("", header_key(text))


def read_records(text: str, delimiter: str) -> list[list[str]]:
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


def header_columns(
    table: L.Table, keys: Sequence[str], keyset: frozenset[str] | set[str]
) -> dict[str, int] | None:
    """Column indexes of a row read as ``table``'s header, or None if it is not one.

    ``keys`` are the row's cells through :func:`header_key`, ``keyset`` the same as a set.
    """
    if table.refuse & keyset:
        return None
    names = table.names
    if not all(names[column] & keyset for column in table.required):
        return None
    if not all(any(names[c] & keyset for c in group) for group in table.any_of):
        return None
    found: dict[str, int] = {}
    for column, aliases in names.items():
        if aliases & keyset:
            found[column] = next(i for i, key in enumerate(keys) if key in aliases)
    return found


@dataclass
class FoundTable:
    table: L.Table
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]]


# Every header name of every layout: a row holding none of them is no table's header.
_ALL_HEADER_NAMES = frozenset(
    name
    for layout in L.LAYOUTS
    for table in layout.tables
    for names in table.names.values()
    for name in names
)


@dataclass
class _Records:
    """The rows of a file read with one delimiter, with what finding tables asks of them:
    their cells as header keys (rows that may be a header only), blank or not, and the
    text of one-cell rows (section titles)."""

    delimiter: str
    records: list[list[str]]
    keys: dict[int, list[str]]
    keysets: dict[int, frozenset[str]]
    blank: list[bool]
    titles: dict[int, str]

    @classmethod
    def read(cls, text: str, delimiter: str) -> _Records:
        records = read_records(text, delimiter)
        keys: dict[int, list[str]] = {}
        keysets: dict[int, frozenset[str]] = {}
        blank: list[bool] = []
        titles: dict[int, str] = {}
        for index, record in enumerate(records):
            filled = [c for c in record if c.strip()]
            blank.append(not filled)
            if len(filled) == 1:
                titles[index] = _title_key(filled)
            row_keys = [header_key(c) for c in record]
            row_keyset = frozenset(row_keys)
            if row_keyset & _ALL_HEADER_NAMES:
                keys[index], keysets[index] = row_keys, row_keyset
        return cls(delimiter, records, keys, keysets, blank, titles)


def find_tables(parsed: _Records, layout: L.Layout) -> list[FoundTable] | None:
    """The tables of ``layout`` in a file, or None when a required one is missing."""
    records, keys, keysets, blank = parsed.records, parsed.keys, parsed.keysets, parsed.blank
    titles = {t for table in layout.tables for t in table.titles}

    def header(index: int, table: L.Table) -> dict[str, int] | None:
        if index not in keys:
            return None
        return header_columns(table, keys[index], keysets[index])

    found: list[FoundTable] = []
    used: set[int] = set()
    title = ""
    index = 0
    while index < len(records):
        match = None
        for position, table in enumerate(layout.tables):
            if position in used or (table.titles and title not in table.titles):
                continue
            columns = header(index, table)
            if columns is not None:
                match = (position, table, columns)
                break
        if match is None:
            if not blank[index]:
                title = parsed.titles.get(index, "")
            index += 1
            continue
        position, table, columns = match
        used.add(position)
        rows: list[tuple[int, list[str]]] = []
        index += 1
        while index < len(records) and not blank[index]:
            if parsed.titles.get(index) in titles or any(
                header(index, t) is not None for t in layout.tables
            ):
                break
            rows.append((index + 1, records[index]))
            index += 1
        found.append(FoundTable(table, columns, rows))
        title = ""
    wanted = [t for t in layout.tables if not t.optional]
    if not all(any(f.table is t for f in found) for t in wanted):
        return None
    if not any(not f.table.meeting for f in found):
        return None
    return found


@dataclass
class Recognised:
    layout: L.Layout
    delimiter: str
    tables: list[FoundTable]


def recognise(text: str) -> Recognised | None:
    """The first layout (in :data:`LAYOUTS` order) any delimiter reads ``text`` as."""
    parsed: list[_Records] = []
    errors: list[ImportFileError] = []
    for delimiter in DELIMITERS:
        if delimiter not in text:
            continue
        try:
            parsed.append(_Records.read(text, delimiter))
        except ImportFileError as exc:
            errors.append(exc)
    if not parsed:
        if errors:
            raise errors[0]
        parsed.append(_Records.read(text, ","))
    for layout in L.LAYOUTS:
        best: Recognised | None = None
        for records in parsed:
            tables = find_tables(records, layout)
            if tables is None:
                continue
            width = sum(len(t.columns) for t in tables)
            if best is None or width > sum(len(t.columns) for t in best.tables):
                best = Recognised(layout, records.delimiter, tables)
        if best is not None:
            return best
    return None


def _explain_unrecognised(text: str) -> ImportFileError:
    """The most helpful refusal: a people table without times, or no table at all."""
    person = L.GENERIC.tables[0]
    for delimiter in DELIMITERS:
        if delimiter not in text and delimiter != ",":
            continue
        try:
            records = read_records(text, delimiter)
        except ImportFileError:
            continue
        for record in records:
            keys = {header_key(c) for c in record}
            names = {n for column in (L.NAME, L.EMAIL) for n in person.columns[column]}
            if keys & names and not keys & L.MEETING_SUMMARY_CELLS:
                return ImportFileError(
                    _l(
                        "The file has no column with the time spent in the meeting. It needs "
                        "“Join time” and “Leave time” columns or a “Duration” column (in minutes)."
                    )
                )
    return ImportFileError(
        _l(
            "We could not recognise this layout: no row names a participant column such "
            "as “Name” or “Email” together with join and leave times or a duration. "
            "Supported: Zoom meeting and webinar reports, Microsoft Teams attendance "
            "reports, Webex attendee reports, BigBlueButton session data, or a CSV with "
            "name, e-mail, join time and leave time (or duration)."
        )
    )


# --- tables to rows -----------------------------------------------------------------------

_YES = frozenset({"yes", "y", "true", "1", "igen", "sì", "si", "sí", "tak", "taip", "ja", "oui"})


def _cell(record: Sequence[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    if index is None or index >= len(record):
        return ""
    return record[index].strip()


def _person(record: Sequence[str], columns: dict[str, int]) -> tuple[str, str]:
    name = _cell(record, columns, L.NAME)
    if not name:
        name = " ".join(
            p
            for p in (_cell(record, columns, L.FIRST_NAME), _cell(record, columns, L.LAST_NAME))
            if p
        )
    email = _cell(record, columns, L.EMAIL)
    if not email:
        upn = _cell(record, columns, L.UPN)
        email = upn if "@" in upn else ""
    if "@" not in email:
        email = ""
    return " ".join(name.split()), email.strip().lower()


def _role(layout: L.Layout, found: FoundTable, record: Sequence[str]) -> str:
    if found.table.role is not None:
        return found.table.role
    value = _cell(record, found.columns, L.ROLE).lower()
    return layout.roles.get(value, ROLE_ATTENDEE)


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
    recognised = recognise(text)
    if recognised is None:
        raise _explain_unrecognised(text)
    layout = recognised.layout
    report = ParsedReport(
        layout=layout, encoding=encoding, delimiter=recognised.delimiter, warnings=warnings
    )
    people = [t for t in recognised.tables if not t.table.meeting]
    for found in recognised.tables:
        if found.table.meeting:
            for _line, record in found.rows:
                address = _cell(record, found.columns, L.HOST_EMAIL).lower()
                if "@" in address:
                    report.host_emails.add(address)
    if not any(found.rows for found in people):
        raise ImportFileError(_l("The file has a header but no participant rows."))
    stamp_columns = (L.TIMESTAMP,) if layout.times == L.ACTIONS else (L.JOIN, L.LEAVE)
    fmt = choose_timestamp_format(
        (
            _cell(record, found.columns, column)
            for found in people
            for _line, record in found.rows
            for column in stamp_columns
        ),
        near,
        layout.timestamp_formats,
    )
    seen: set[tuple[str, ...]] = set()
    for found in people:
        if layout.times == L.ACTIONS:
            _read_actions(report, found, fmt, tz, seen)
        else:
            _read_rows(report, found, fmt, tz, seen)
    if not report.rows:
        raise ImportFileError(
            _l("No row of the file could be read: each needs a name or e-mail and a time.")
        )
    if report.host_emails:
        report.rows = [
            replace(row, role=ROLE_HOST) if row.email in report.host_emails else row
            for row in report.rows
        ]
    return report


def _read_rows(
    report: ParsedReport,
    found: FoundTable,
    fmt: str | None,
    tz: tzinfo,
    seen: set[tuple[str, ...]],
) -> None:
    layout = report.layout
    columns = found.columns
    times = layout.times
    if times == L.AUTO:
        times = L.SESSIONS if L.JOIN in columns and L.LEAVE in columns else L.DURATIONS
    for line, record in found.rows:
        key = tuple(c.strip() for c in record)
        if key in seen:
            report.duplicate_rows += 1
            continue
        seen.add(key)
        if L.ATTENDED in columns and _cell(record, columns, L.ATTENDED).lower() == "no":
            report.not_attended_rows += 1
            continue
        if _cell(record, columns, L.WAITING_ROOM).lower() in _YES:
            report.waiting_room_rows += 1
            continue
        name, email = _person(record, columns)
        if not name and not email:
            report.skipped.append((line, _l("no name or e-mail")))
            continue
        joined_raw = _cell(record, columns, L.JOIN)
        joined = parse_timestamp(joined_raw, fmt, tz) if joined_raw else None
        left_raw = _cell(record, columns, L.LEAVE)
        left = parse_timestamp(left_raw, fmt, tz) if left_raw else None
        minutes = parse_duration_minutes(_cell(record, columns, L.DURATION))
        if minutes is not None and minutes < 0:
            report.skipped.append((line, _l("negative duration")))
            continue
        role = _role(layout, found, record)
        if times == L.SESSIONS and joined is not None and left is not None:
            if left < joined:
                report.skipped.append((line, _l("leaves before joining")))
                continue
            if left - joined > timedelta(days=2):
                report.skipped.append((line, _l("a single stay longer than two days")))
                continue
            report.rows.append(ParticipantRow(line, name, email, joined, left, minutes, role))
            continue
        if minutes is None:
            report.skipped.append((line, _l("no readable join and leave time or duration")))
            continue
        # Only the platform's measure of time online counts; Join (when there is one)
        # says which day it was.
        report.rows.append(ParticipantRow(line, name, email, joined, None, minutes, role))


def _read_actions(
    report: ParsedReport,
    found: FoundTable,
    fmt: str | None,
    tz: tzinfo,
    seen: set[tuple[str, ...]],
) -> None:
    """One row per "Joined" or "Left" action, paired per person into stays."""
    columns = found.columns
    open_joins: dict[tuple[str, str], tuple[int, datetime]] = {}
    for line, record in found.rows:
        key = tuple(c.strip() for c in record)
        if key in seen:
            report.duplicate_rows += 1
            continue
        seen.add(key)
        name, email = _person(record, columns)
        action = _cell(record, columns, L.ACTION).lower()
        stamp = parse_timestamp(_cell(record, columns, L.TIMESTAMP), fmt, tz)
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
