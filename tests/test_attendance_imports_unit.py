"""Reading participant reports: layouts, encodings, delimiters, times and bad files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from webapp.attendance.imports import (
    ImportFileError,
    choose_timestamp_format,
    name_keys,
    normalise_name,
    parse_duration_minutes,
    read_report,
)
from webapp.timezones import zone

DATA = Path(__file__).parent / "data"
BUDAPEST = zone("Europe/Budapest")
EVENT_DAY = date(2026, 3, 10)


@pytest.fixture
def read(app):
    def reader(name_or_bytes, **kwargs):
        data = (
            name_or_bytes
            if isinstance(name_or_bytes, bytes)
            else (DATA / name_or_bytes).read_bytes()
        )
        kwargs.setdefault("tz", BUDAPEST)
        kwargs.setdefault("near", [EVENT_DAY])
        return read_report(data, **kwargs)

    return reader


def utc(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC)


def test_zoom_report_skips_the_meeting_summary_and_reads_local_times(read):
    report = read("zoom_participants.csv")
    assert report.layout == "zoom"
    assert [r.name for r in report.rows][:2] == ["PANNON host", "Anna K (Anna Kovács)"]
    anna = report.rows[1]
    assert anna.email == "anna.kovacs@pannon.example"  # lower-cased
    # 09:58 on the Budapest clock (UTC+1 in March) is 08:58 UTC.
    assert (anna.joined_at, anna.left_at) == (utc(8, 58), utc(9, 40))
    assert anna.minutes == 42
    guest = report.rows[-1]
    assert guest.name == "Guest 4471, iPhone" and guest.email == ""


def test_teams_report_is_utf16_tab_separated_and_uses_the_per_join_section(read):
    report = read("teams_attendance.csv")
    assert (report.layout, report.encoding, report.delimiter) == ("teams", "utf-16", "\t")
    annas = [r for r in report.rows if r.name == "Anna Kovács"]
    # Section 3 has one row per join: two for Anna, not the summary's first-join/last-leave.
    assert [(r.joined_at, r.left_at) for r in annas] == [
        (utc(8, 58), utc(9, 40)),
        (utc(9, 45), utc(11, 1)),
    ]
    assert any(r.name == "Nowak Łukasz (External)" and r.email == "" for r in report.rows)


def test_teams_participant_summary_alone_uses_the_duration(read):
    text = (DATA / "teams_attendance.csv").read_bytes().decode("utf-16")
    summary_only = text.split("3. In-Meeting Activities")[0].encode("utf-16")
    report = read(summary_only)
    anna = next(r for r in report.rows if r.name == "Anna Kovács")
    assert anna.minutes == 118 and anna.left_at is None  # first join → last leave spans a gap


def test_generic_semicolon_file_with_bom_and_day_first_dates(read):
    report = read("generic_semicolon_bom.csv")
    assert (report.layout, report.encoding, report.delimiter) == ("generic", "utf-8-sig", ";")
    assert report.rows[0].name == "Anna Kovács"  # no BOM left in the first header or cell
    assert report.rows[0].joined_at == utc(8, 58)
    assert report.rows[3].email == ""  # missing e-mail is allowed


def test_generic_file_with_first_and_last_name_durations_and_a_duplicate(read):
    report = read("generic_duration_duplicates.csv")
    assert report.duplicate_rows == 1
    assert [(r.name, r.minutes) for r in report.rows] == [
        ("Anna Kovács", 118),
        ("Marco Rossi", 50),
        ("Lucía García", 45),
    ]


def test_teams_joined_and_left_actions_are_paired(read):
    report = read("teams_legacy_actions.csv")
    assert report.layout == "teams_actions"
    assert [(r.name, r.joined_at, r.left_at) for r in report.rows] == [
        ("Anna Kovács", utc(8, 58), utc(9, 40)),
        ("Anna Kovács", utc(9, 45), utc(11, 1)),
        ("Marco Rossi", utc(9, 0), utc(9, 50)),
    ]


def test_windows_1252_file_is_read_with_a_warning(read):
    report = read("generic_windows1252.csv")
    assert report.encoding == "cp1252"
    assert report.rows[0].name == "Lucía García"
    assert "not UTF-8" in str(report.warnings[0])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("not_csv.bin", "does not look like a CSV"),
        ("unknown_layout.csv", "could not recognise this layout"),
        ("missing_columns.csv", "no column with the time spent"),
    ],
)
def test_bad_files_are_refused_with_a_reason(read, name, message):
    with pytest.raises(ImportFileError) as caught:
        read(name)
    assert message in str(caught.value.message)


def test_workbooks_pdfs_and_huge_files_are_refused(read):
    with pytest.raises(ImportFileError, match="spreadsheet workbook"):
        read(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ImportFileError, match="PDF"):
        read(b"%PDF-1.7\n...")
    with pytest.raises(ImportFileError, match="too large"):
        read(b"Name,Duration\n" + b"Someone,5\n" * 100, max_bytes=500)
    with pytest.raises(ImportFileError, match="not valid UTF-16"):
        read(b"\xff\xfeN\x00a\x00\x00\xd8")  # BOM, then a lone surrogate


def test_header_without_rows_and_rows_without_time_are_explained(read):
    with pytest.raises(ImportFileError, match="no participant rows"):
        read(b"Name,Email,Duration\n")
    report = read(
        b"Name,Email,Join time,Leave time\nAnna,a@x.eu,10/03/2026 10:00,10/03/2026 09:00\nBen,b@x.eu,10/03/2026 10:00,10/03/2026 11:00\n"
    )
    assert [r.name for r in report.rows] == ["Ben"]
    assert report.skipped[0][0] == 2 and "leaves before joining" in str(report.skipped[0][1])


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("62", 62),
        ("62,5", 62.5),
        ("1h 2m 30s", 62.5),
        ("01:02:30", 62.5),
        ("1:30", 90),
        ("45m", 45),
        ("37s", 37 / 60),
        ("", None),
        ("soon", None),
    ],
)
def test_durations(text, minutes):
    assert parse_duration_minutes(text) == minutes


def test_day_and_month_order_is_chosen_by_the_event_date():
    # 03/10/2026 is 10 March (US) or 3 October: the event on 10 March decides.
    assert (
        choose_timestamp_format(["03/10/2026 10:00:00 AM"], [date(2026, 3, 10)])
        == "%m/%d/%Y %I:%M:%S %p"
    )
    assert choose_timestamp_format(["03/10/2026 10:00"], [date(2026, 10, 3)]) == "%d/%m/%Y %H:%M"
    # 25/03 can only be day-first, whatever the event date.
    assert choose_timestamp_format(["25/03/2026 10:00", "03/10/2026 10:00"], []) == "%d/%m/%Y %H:%M"


def test_names_match_without_accents_case_or_word_order():
    assert normalise_name("Kovács Anna") == normalise_name("anna KOVACS") == "anna kovacs"
    assert normalise_name("Łukasz Nowak") == normalise_name("Nowak, Lukasz")
    assert normalise_name("Žydrūnas Petrauskas") == normalise_name("Zydrunas Petrauskas")
    assert name_keys("Anna K (Anna Kovács)")[:2] == ["anna k", "anna kovacs"]
