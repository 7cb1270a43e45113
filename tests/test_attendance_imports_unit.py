"""Reading participant reports: layouts, encodings, delimiters, times and bad files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from webapp.attendance.importing import (
    LAYOUTS,
    Directory,
    ImportFileError,
    ParticipantRow,
    choose_timestamp_format,
    group_people,
    merge,
    name_keys,
    normalise_name,
    parse_duration_minutes,
    read_report,
)
from webapp.attendance.importing.reading import MAX_IMPORT_ROWS
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
    assert report.layout.key == "zoom_meeting"
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
    assert (report.layout.key, report.encoding, report.delimiter) == ("teams", "utf-16", "\t")
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
    assert report.layout.key == "teams_participants"
    anna = next(r for r in report.rows if r.name == "Anna Kovács")
    assert anna.minutes == 118 and anna.left_at is None  # first join → last leave spans a gap


def test_generic_semicolon_file_with_bom_and_day_first_dates(read):
    report = read("generic_semicolon_bom.csv")
    assert (report.layout.key, report.encoding, report.delimiter) == ("generic", "utf-8-sig", ";")
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
    assert report.layout.key == "teams_actions"
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


# --- every layout, from the sample files -------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "layout", "encoding", "delimiter"),
    [
        ("zoom_meeting_participants.csv", "zoom_meeting", "utf-8", ","),
        ("zoom_participants.csv", "zoom_meeting", "utf-8", ","),
        ("zoom_meeting_unique_users.csv", "zoom_unique_users", "utf-8", ","),
        ("zoom_meeting_legacy.csv", "zoom_legacy", "utf-8", ","),
        ("zoom_webinar_attendees.csv", "zoom_webinar", "utf-8", ","),
        ("teams_attendance.csv", "teams", "utf-16", "\t"),
        ("teams_legacy_actions.csv", "teams_actions", "utf-16", "\t"),
        ("webex_attendees.csv", "webex", "utf-16", "\t"),
        ("bbb_learning_dashboard.csv", "bigbluebutton", "utf-8", ","),
        ("generic_semicolon_bom.csv", "generic", "utf-8-sig", ";"),
        ("generic_tab.tsv", "generic", "utf-8", "\t"),
        ("generic_windows1252.csv", "generic", "cp1252", ","),
        ("generic_cp1250.csv", "generic", "cp1250", ";"),
        ("generic_cp1257.csv", "generic", "cp1257", ","),
    ],
)
def test_each_sample_is_recognised_as_its_layout(read, filename, layout, encoding, delimiter):
    report = read(filename)
    assert (report.layout.key, report.encoding, report.delimiter) == (layout, encoding, delimiter)
    assert str(report.layout_label)  # the preview names it


def test_every_declared_layout_has_a_sample_file(read):
    samples = [
        "zoom_meeting_participants.csv",
        "zoom_meeting_unique_users.csv",
        "zoom_meeting_legacy.csv",
        "zoom_webinar_attendees.csv",
        "teams_attendance.csv",
        "teams_legacy_actions.csv",
        "webex_attendees.csv",
        "bbb_learning_dashboard.csv",
        "generic_tab.tsv",
    ]
    recognised = {read(name).layout.key for name in samples}
    text = (DATA / "teams_attendance.csv").read_bytes().decode("utf-16")
    recognised.add(read(text.split("3. In-Meeting Activities")[0].encode("utf-16")).layout.key)
    assert recognised == {layout.key for layout in LAYOUTS}


def test_zoom_waiting_room_rows_are_not_time_in_the_meeting(read):
    report = read("zoom_meeting_participants.csv")
    assert report.waiting_room_rows == 1
    lucia = [r for r in report.rows if r.email == "lucia.garcia@sodebur.example"]
    # Waited 10:00–10:55 (Budapest), admitted 10:55–11:30: only the second stay is read.
    assert [(r.joined_at, r.left_at) for r in lucia] == [(utc(9, 55), utc(10, 30))]


def test_zoom_meeting_summary_names_the_host(read):
    report = read("zoom_meeting_participants.csv")
    assert report.host_emails == {"host@pannon.example"}
    roles = {r.name: r.role for r in report.rows}
    assert roles["PANNON Host"] == "host" and roles["Anna Kovács"] == "attendee"


def test_zoom_unique_users_layout_reads_total_durations(read):
    report = read("zoom_meeting_unique_users.csv")
    assert [(r.name, r.minutes, r.joined_at) for r in report.rows][:4] == [
        ("PANNON Host", 130, None),
        ("Anna Kovács", 118, None),
        ("Marco Rossi", 50, None),
        ("Žydrūnas Petrauskas", 60, None),
    ]


def test_zoom_webinar_reads_every_section_with_its_role(read):
    report = read("zoom_webinar_attendees.csv")
    by_name = {}
    for row in report.rows:
        by_name.setdefault(row.name, []).append(row)
    assert by_name["PANNON Host"][0].role == "host"
    assert by_name["Giulia Bianchi"][0].role == "panelist"
    assert len(by_name["Anna Kovács"]) == 2 and by_name["Anna Kovács"][0].role == "attendee"
    # "Other Attended" has a header of its own and is read too.
    assert by_name["Žydrūnas Petrauskas"][0].joined_at == utc(9, 5)
    assert by_name["Łukasz Nowak"][0].email == ""
    # Lucía registered through Zoom but never came: not a participant, not an error.
    assert "Lucía García" not in by_name and report.not_attended_rows == 1
    assert report.skipped == []


def test_bigbluebutton_uses_its_online_time_not_first_join_to_last_leave(read):
    report = read("bbb_learning_dashboard.csv")
    marco = next(r for r in report.rows if r.name == "Marco Rossi")
    # Joined 10:00, last left 11:40, but online 50 minutes: the gap is not counted.
    assert (marco.joined_at, marco.left_at, marco.minutes) == (utc(9, 0), None, 50)
    assert next(r for r in report.rows if r.name == "PANNON Host").role == "host"
    assert [line for line, _ in report.skipped] == [6]  # the anonymous poll answers


def test_webex_utf16_report_with_roles(read):
    report = read("webex_attendees.csv")
    roles = {r.name: r.role for r in report.rows}
    assert roles == {
        "PANNON Host": "host",
        "Giulia Bianchi": "cohost",
        "Anna Kovács": "attendee",
        "Marco Rossi": "attendee",
        "Lucía García": "attendee",
    }
    lucia = next(r for r in report.rows if r.name == "Lucía García")
    assert (lucia.joined_at, lucia.left_at, lucia.minutes) == (utc(9, 0), utc(10, 15), 75)


@pytest.mark.parametrize(
    ("filename", "names"),
    [
        (
            "generic_cp1250.csv",
            ["Kovács Anna", "Szőke Gábor", "Łukasz Nowak", "Źdźisław Żółkiewski"],
        ),
        ("generic_cp1257.csv", ["Žydrūnas Petrauskas", "Aušra Šimkienė", "Giedrė Čiurlionytė"]),
        ("generic_windows1252.csv", ["Lucía García", "Marco Rossi"]),
    ],
)
def test_spreadsheet_code_pages_keep_the_accents(read, filename, names):
    report = read(filename)
    assert [r.name for r in report.rows] == names
    assert "not UTF-8" in str(report.warnings[0])


def test_single_byte_files_in_each_language_are_read_in_their_code_page(read):
    samples = {
        "cp1250": "Név;Időtartam\nSzőke Gábor;75\nBűvös Árpád;30\nWójcik Małgorzata;40\n",
        "cp1257": "Vardas;Trukmė\nAušra Šimkienė;95\nŽydrūnas Petrauskas;60\n",
        "cp1252": "Nombre;Duración\nJosé Muñoz;30\nNiccolò Bianchi;45\n",
    }
    for encoding, text in samples.items():
        report = read(
            text.replace("Név", "Name")
            .replace("Vardas", "Name")
            .replace("Nombre", "Name")
            .encode(encoding)
        )
        assert report.encoding == encoding
        assert [r.name for r in report.rows] == [
            line.split(";")[0] for line in text.splitlines()[1:]
        ]


def test_zoom_webinar_timestamps_with_month_names(read):
    report = read(
        b'Name,Join Time,Leave Time\nAnna,"Dec 02, 2026 09:59:40","Dec 02, 2026 11:00:00"\n',
        near=[date(2026, 12, 2)],
    )
    assert report.rows[0].joined_at == datetime(2026, 12, 2, 8, 59, 40, tzinfo=UTC)


def test_too_many_rows_are_refused(read):
    data = b"Name,Duration\n" + b"Someone,5\n" * (MAX_IMPORT_ROWS + 60)
    with pytest.raises(ImportFileError, match="more than"):
        read(data, max_bytes=len(data) + 1)


# --- people and their minutes ----------------------------------------------------------


def test_union_of_stays_merges_rejoins_and_second_devices():
    stays = [(utc(9, 0), utc(9, 30)), (utc(9, 20), utc(9, 50)), (utc(10, 0), utc(10, 10))]
    assert merge(stays + stays) == [(utc(9, 0), utc(9, 50)), (utc(10, 0), utc(10, 10))]


@pytest.mark.parametrize(
    ("in_file", "registered"),
    [
        ("Kovács Anna", "Anna Kovacs"),  # Hungarian order, accents
        ("ANNA KOVÁCS (Guest)", "Anna Kovács"),
        ("Anna Kovács (External)", "Anna Kovács"),
        ("Anna Kovács (PANNON EGTC)", "Anna Kovács"),
        ("Anna Kovács | PANNON EGTC", "Anna Kovács"),
        ("anna k (Anna Kovács)", "Anna Kovács"),  # Zoom: renamed (original name)
        ("Nowak, Łukasz", "Lukasz Nowak"),
    ],
)
def test_names_match_across_order_accents_capitals_and_suffixes(in_file, registered):
    assert normalise_name(registered) in name_keys(in_file)


class _Registrant:
    def __init__(self, id, name, email):
        self.id, self.name, self.email = id, name, email


def _person(name, email="", line=1):
    return group_people([ParticipantRow(line, name, email, utc(9, 0), utc(10, 0))])[0]


def test_directory_never_decides_an_ambiguous_or_uncertain_name():
    directory = Directory(
        [
            _Registrant(1, "Maria Santos", "maria.santos@ceei.example"),
            _Registrant(2, "María Santos", "m.santos@burgos.example"),
            _Registrant(3, "Anna Kovács", "anna.kovacs@pannon.example"),
            _Registrant(4, "Giulia Bianchi", "giulia@unioncamere.example"),
        ]
    )
    ambiguous = directory.match(_person("Maria Santos (Guest)"))
    assert ambiguous.kind == "ambiguous" and ambiguous.registrant is None
    assert {r.id for r in ambiguous.candidates} == {1, 2}
    assert directory.match(_person("Kovács Anna")).registrant.id == 3
    # An initial or a typo is only a suggestion.
    initial = directory.match(_person("Anna K."))
    assert initial.kind == "unmatched" and [r.id for r in initial.suggestions] == [3]
    typo = directory.match(_person("Giulia Bianci"))
    assert typo.kind == "unmatched" and [r.id for r in typo.suggestions] == [4]
    assert directory.match(_person("Someone Else")).suggestions == []


def test_rows_are_grouped_per_address_and_a_signed_out_device_joins_its_owner():
    rows = [
        ParticipantRow(1, "Anna Kovács", "anna@pannon.example", utc(9, 0), utc(10, 0)),
        ParticipantRow(2, "Kovács Anna", "", utc(9, 30), utc(10, 30)),  # her phone
        ParticipantRow(3, "Marco Rossi", "", utc(9, 0), utc(9, 10)),
        ParticipantRow(4, "Marco Rossi (Guest)", "", utc(9, 20), utc(9, 30)),
    ]
    people = group_people(rows)
    assert [(p.name, [r.line for r in p.rows]) for p in people] == [
        ("Anna Kovács", [1, 2]),
        ("Marco Rossi", [3, 4]),
    ]


def test_zoom_current_layout_without_a_waiting_room_column(read):
    report = read(
        b"Name (original name),Email,Join time,Leave time,Duration (minutes),Guest\n"
        b"Anna,anna@pannon.example,03/10/2026 09:58:00 AM,03/10/2026 10:40:00 AM,42,No\n"
    )
    assert report.layout.key == "zoom_meeting" and report.rows[0].email == "anna@pannon.example"
