"""Attendance rules: marking per day, undo, walk-ins, QR check-in and platform imports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from webapp.attendance import (
    days,
    import_drafts,
    importing,
    platform_import,
    queries,
    services,
    thresholds,
)
from webapp.attendance.errors import AttendanceError
from webapp.attendance.importing import ImportFileError, read_report
from webapp.extensions import db
from webapp.models import Attendance, Registration
from webapp.registrations import checkin
from webapp.timezones import zone

DATA = Path(__file__).parent / "data"
# 10 March 2026, 10:00–12:00 in Budapest (09:00–11:00 UTC): threshold 60 minutes.
WEBINAR_START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def webinar(make_event):
    return make_event(start=WEBINAR_START, duration=timedelta(hours=2), kind="webinar")


@pytest.fixture
def people(webinar, make_registration, regions):
    """The registrants the sample reports are about."""
    rows = {
        "anna": ("Anna Kovács", "anna.kovacs@pannon.example", "HU"),
        "marco": ("Marco Rossi", "marco.rossi@unioncamere.example", "IT"),
        "lukasz": ("Łukasz Nowak", "l.nowak@rarr.example", "PL"),
        "zydrunas": ("Žydrūnas Petrauskas", "zydrunas@klaipeda.example", "LT"),
        "lucia": ("Lucía García", "lucia.garcia@sodebur.example", "ES"),
        "maria1": ("Maria Santos", "maria.santos@ceei.example", "ES"),
        "maria2": ("Maria Santos", "m.santos@burgos.example", "ES"),
    }
    return {
        key: make_registration(webinar, name=name, email=email, region=regions[code])
        for key, (name, email, code) in rows.items()
    }


def preview(event, filename, threshold=None):
    report = read_report((DATA / filename).read_bytes(), tz=zone(event.timezone), near=event.days)
    if threshold is None:
        threshold = thresholds.default_threshold_minutes(event)
    return platform_import.preview_import(event, report, threshold)


def records_of(event):
    return {
        (a.registration.email, a.day): (a.status, a.minutes_online, a.source)
        for a in db.session.scalars(db.select(Attendance))
        if a.registration.event_id == event.id
    }


# --- marking ------------------------------------------------------------------------------


def test_mark_replace_and_undo_one_day(webinar, people, make_user):
    organiser = make_user()
    anna = people["anna"]
    day = webinar.days[0]
    services.mark_attendance(webinar, anna, day, "present", recorded_by=organiser)
    db.session.commit()
    assert queries.day_counts(webinar, day).as_dict() == {
        "registered": 7,
        "present": 1,
        "absent": 0,
        "excused": 0,
        "unmarked": 6,
    }
    record = services.mark_attendance(webinar, anna, day, "excused", recorded_by=organiser)
    db.session.commit()
    assert (record.status, record.checked_in_at, record.recorded_by) == ("excused", None, organiser)
    assert queries.day_counts(webinar, day).excused == 1
    assert services.clear_attendance(webinar, anna, day) is True
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0
    assert services.clear_attendance(webinar, anna, day) is False


def test_marking_refuses_other_days_cancelled_people_and_other_events(
    webinar, people, make_event, make_registration
):
    with pytest.raises(AttendanceError, match="does not run on that day"):
        services.mark_attendance(
            webinar, people["anna"], date(2026, 3, 11), "present", recorded_by=None
        )
    cancelled = make_registration(webinar, status="cancelled")
    with pytest.raises(AttendanceError, match="no longer active"):
        services.mark_attendance(webinar, cancelled, webinar.days[0], "present", recorded_by=None)
    other = make_registration(make_event())
    with pytest.raises(AttendanceError, match="another event"):
        services.mark_attendance(webinar, other, webinar.days[0], "present", recorded_by=None)
    with pytest.raises(AttendanceError):
        services.mark_attendance(webinar, people["anna"], webinar.days[0], "late", recorded_by=None)


def test_study_visit_takes_attendance_per_day(make_event, make_registration):
    # Three days in Burgos, 9:00 on Monday to 17:00 on Wednesday.
    visit = make_event(
        start=datetime(2026, 5, 4, 7, 0, tzinfo=UTC),
        duration=timedelta(days=2, hours=8),
        kind="study_visit",
        timezone="Europe/Madrid",
    )
    assert visit.days == [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)]
    person = make_registration(visit)
    services.mark_attendance(visit, person, date(2026, 5, 4), "present", recorded_by=None)
    services.mark_attendance(visit, person, date(2026, 5, 6), "absent", recorded_by=None)
    db.session.commit()
    assert queries.day_counts(visit, date(2026, 5, 4)).present == 1
    assert queries.day_counts(visit, date(2026, 5, 5)).unmarked == 1
    assert queries.day_counts(visit, date(2026, 5, 6)).absent == 1
    assert thresholds.default_threshold_minutes(visit) == 240  # half of 9:00–17:00


def test_default_day_is_today_during_the_event_else_the_nearest_end(webinar):
    assert days.default_day(webinar, WEBINAR_START - timedelta(days=3)) == date(2026, 3, 10)
    assert days.default_day(webinar, WEBINAR_START + timedelta(days=30)) == date(2026, 3, 10)
    assert days.parse_day(webinar, "") == date(2026, 3, 10)
    for bad in ("2026-03-11", "yesterday", "2026-13-01"):
        with pytest.raises(AttendanceError):
            days.parse_day(webinar, bad)


def test_sheet_search_by_name_email_or_organisation(webinar, people, make_registration):
    make_registration(
        webinar, name="Jonas 100%", organisation="Klaipeda ID", email="jonas@kid.example"
    )
    day = webinar.days[0]
    assert [r.registration.name for r in queries.sheet_rows(webinar, day, "maria")] == [
        "Maria Santos"
    ] * 2
    assert [r.registration.name for r in queries.sheet_rows(webinar, day, "klaipeda")] == [
        "Jonas 100%",
        "Žydrūnas Petrauskas",
    ]
    assert [r.registration.name for r in queries.sheet_rows(webinar, day, "100%")] == ["Jonas 100%"]
    assert queries.sheet_rows(webinar, day, "_") == []  # wildcards are literal


# --- walk-ins and QR codes ------------------------------------------------------------------


def test_walk_in_is_registered_confirmed_and_present_even_when_full(webinar, people, make_user):
    webinar.capacity = 7  # full
    db.session.commit()
    organiser = make_user()
    outcome = services.add_walk_in(
        webinar,
        name="  Jurgita   Kazlauskienė ",
        email="Jurgita@Klaipeda.example",
        organisation="Klaipėda City Municipality",
        stakeholder_type="public_authority",
        region=None,
        day=webinar.days[0],
        recorded_by=organiser,
    )
    db.session.commit()
    walk_in = outcome.registration
    assert outcome.created
    assert (walk_in.name, walk_in.email, walk_in.status) == (
        "Jurgita Kazlauskienė",
        "jurgita@klaipeda.example",
        "confirmed",
    )
    assert walk_in.attendances[0].status == "present" and walk_in.consent_at is not None


def test_walk_in_with_a_registered_address_confirms_that_registration(
    webinar, people, make_registration
):
    waiting = make_registration(webinar, status="waitlisted", email="waiting@example.org")
    outcome = services.add_walk_in(
        webinar,
        name="W",
        email="WAITING@example.org",
        organisation="",
        stakeholder_type="sme",
        region=None,
        day=webinar.days[0],
        recorded_by=None,
    )
    db.session.commit()
    assert not outcome.created and outcome.registration.id == waiting.id
    assert waiting.status == "confirmed" and waiting.attendances[0].status == "present"
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 8


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "name"),
        ({"email": "not-an-address"}, "valid e-mail"),
        ({"stakeholder_type": "alien"}, "kind"),
    ],
)
def test_walk_in_refuses_bad_data(webinar, fields, message):
    values = {"name": "A", "email": "a@example.org", "organisation": "", "stakeholder_type": "sme"}
    values.update(fields)
    with pytest.raises(AttendanceError, match=message):
        services.add_walk_in(webinar, region=None, day=webinar.days[0], recorded_by=None, **values)


def test_qr_check_in_is_idempotent_and_explains_refusals(webinar, people, make_registration):
    during = WEBINAR_START + timedelta(minutes=5)
    anna = people["anna"]
    first = checkin.check_in_by_token(anna.checkin_token, recorded_by=None, now=during)
    db.session.commit()
    assert first.outcome == "checked_in" and first.attendance.source == "qr"
    again = checkin.check_in_by_token(
        anna.checkin_token, recorded_by=None, now=during + timedelta(minutes=30)
    )
    assert again.outcome == "already" and again.attendance.checked_in_at == during
    assert (
        checkin.check_in_by_token("no-such-code", recorded_by=None, now=during).outcome == "unknown"
    )
    assert checkin.check_in_by_token("", recorded_by=None, now=during).outcome == "unknown"
    cancelled = make_registration(webinar, status="cancelled")
    assert (
        checkin.check_in_by_token(cancelled.checkin_token, recorded_by=None, now=during).outcome
        == "cancelled"
    )
    tomorrow = checkin.check_in_by_token(
        people["marco"].checkin_token, recorded_by=None, now=during + timedelta(days=1)
    )
    assert tomorrow.outcome == "not_today"
    pending = make_registration(webinar, status="pending")
    assert (
        checkin.check_in_by_token(pending.checkin_token, recorded_by=None, now=during).outcome
        == "not_confirmed"
    )
    assert pending.attendances == []
    admitted = checkin.check_in_by_token(
        pending.checkin_token, recorded_by=None, now=during, confirm=True
    )
    assert admitted.outcome == "checked_in" and pending.status == "confirmed"


# --- imports ------------------------------------------------------------------------------


def test_default_threshold_is_half_the_event(webinar):
    assert thresholds.default_threshold_minutes(webinar) == 60


def test_threshold_in_minutes_or_percent_of_the_scheduled_time(webinar, make_event):
    assert thresholds.threshold_minutes(webinar, "minutes", 45) == 45
    assert thresholds.threshold_minutes(webinar, "percent", 75) == 90  # of 120 minutes
    assert thresholds.threshold_minutes(webinar, "percent", 1) == 2  # rounded up
    assert thresholds.threshold_minutes(webinar, "percent", 0) == 0
    visit = make_event(
        start=datetime(2026, 5, 4, 7, 0, tzinfo=UTC), duration=timedelta(days=2, hours=8)
    )
    assert thresholds.threshold_minutes(visit, "percent", 25) == 120  # of 9:00–17:00
    for unit, value in (("percent", 101), ("minutes", -1), ("minutes", 1441), ("hours", 2)):
        with pytest.raises(AttendanceError):
            thresholds.threshold_minutes(webinar, unit, value)


def test_event_threshold_is_kept_per_event(webinar, make_event):
    other = make_event()
    assert thresholds.event_threshold(webinar) == ("percent", 50)
    thresholds.set_event_threshold(webinar, "minutes", 45)
    db.session.commit()
    assert thresholds.event_threshold(webinar) == ("minutes", 45)
    assert thresholds.event_threshold(other) == ("percent", 50)
    thresholds.set_event_threshold(webinar, "percent", 80)
    db.session.commit()
    assert thresholds.event_threshold(webinar) == ("percent", 80)
    with pytest.raises(AttendanceError):
        thresholds.set_event_threshold(webinar, "percent", 120)


# Every sample report of the same webinar (10:00–12:00 Budapest, 60 minutes to count):
# minutes and status of each registrant it names, and who is shown apart.
P, A = "present", "absent"
EXPECTED = {
    "zoom_meeting_participants.csv": (
        {"anna": (118, P), "marco": (50, A), "lucia": (35, A), "lukasz": (108, P)},
        ["PANNON Host"],
        ["Ilona Szabó (Guest)"],
    ),
    "zoom_meeting_unique_users.csv": (
        # Durations only: Anna's 118 minutes and her signed-out 12 add up.
        {"anna": (130, P), "marco": (50, A), "zydrunas": (60, P)},
        ["PANNON Host"],
        [],
    ),
    "zoom_meeting_legacy.csv": ({"anna": (118, P), "marco": (50, A)}, [], ["PANNON Host"]),
    "zoom_webinar_attendees.csv": (
        {"anna": (118, P), "marco": (50, A), "zydrunas": (60, P), "lukasz": (108, P)},
        ["Giulia Bianchi", "PANNON Host"],
        [],
    ),
    "teams_attendance.csv": (
        {"anna": (118, P), "marco": (50, A), "lukasz": (108, P), "zydrunas": (60, P)},
        ["PANNON Host"],
        ["Maria Santos (Guest)"],
    ),
    "teams_legacy_actions.csv": ({"anna": (118, P), "marco": (50, A)}, [], []),
    "webex_attendees.csv": (
        {"anna": (118, P), "marco": (50, A), "lucia": (75, P)},
        ["Giulia Bianchi", "PANNON Host"],
        [],
    ),
    "bbb_learning_dashboard.csv": (
        {"anna": (118, P), "marco": (50, A), "zydrunas": (60, P)},
        ["PANNON Host"],
        [],
    ),
    "generic_semicolon_bom.csv": (
        {
            "anna": (118, P),
            "marco": (50, A),
            "lukasz": (108, P),
            "zydrunas": (60, P),
            "lucia": (29, A),
        },
        [],
        [],
    ),
    "generic_tab.tsv": ({"anna": (118, P), "marco": (50, A)}, [], []),
    "generic_windows1252.csv": ({"lucia": (45, A), "marco": (90, P)}, [], []),
    "generic_duration_duplicates.csv": (
        {"anna": (118, P), "marco": (50, A), "lucia": (45, A)},
        [],
        [],
    ),
    "generic_cp1250.csv": (
        {"anna": (118, P), "lukasz": (108, P)},
        [],
        ["Szőke Gábor", "Źdźisław Żółkiewski"],
    ),
    "generic_cp1257.csv": (
        {"zydrunas": (60, P)},
        [],
        ["Aušra Šimkienė", "Giedrė Čiurlionytė"],
    ),
}


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_every_sample_report_gives_minutes_and_statuses(webinar, people, filename):
    expected, team, unmatched = EXPECTED[filename]
    result = preview(webinar, filename)
    day = date(2026, 3, 10)
    emails = {key: registration.email for key, registration in people.items()}
    got = {p.registration.email: (p.total_minutes, p.plan[day][0]) for p in result.matched}
    assert got == {emails[key]: value for key, value in expected.items()}
    assert sorted(p.name for p in result.team) == team
    assert sorted(p.name for p in result.undecided) == unmatched
    # Everyone in the preview has minutes and the status they would get.
    for person in result.people:
        assert person.status_by_day[day] == ("present" if person.total_minutes >= 60 else "absent")


def test_the_organisers_own_staff_are_shown_apart(webinar, people, make_user):
    make_user(email="host@pannon.example")
    result = preview(webinar, "zoom_meeting_legacy.csv")
    assert [(p.name, p.staff) for p in result.team] == [("PANNON Host", True)]
    assert result.unmatched == []


def test_zoom_import_matches_by_email_then_name_and_adds_up_rejoins(webinar, people):
    result = preview(webinar, "zoom_participants.csv")
    matched = {p.registration.email: (p.match, p.total_minutes, p.plan) for p in result.matched}
    day = date(2026, 3, 10)
    assert matched == {
        # Two joins (09:58–10:40, 10:45–12:01): 42 + 76 minutes.
        "anna.kovacs@pannon.example": ("email", 118, {day: ("present", "create")}),
        # Two devices overlapping (10:00–10:30, 10:20–10:50) count once: 50 < 60.
        "marco.rossi@unioncamere.example": ("email", 50, {day: ("absent", "create")}),
        "l.nowak@rarr.example": ("name", 108, {day: ("present", "create")}),
        # Exactly at the threshold counts as present; "Zydrunas" matches "Žydrūnas".
        "zydrunas@klaipeda.example": ("name", 60, {day: ("present", "create")}),
    }
    assert [(p.name, len(p.candidates)) for p in result.ambiguous] == [("Maria Santos", 2)]
    assert [p.name for p in result.unmatched] == ["Guest 4471, iPhone"]
    # The meeting summary names the host: shown apart, not stored.
    assert [(p.name, p.role) for p in result.team] == [("PANNON host", "host")]
    assert result.changes == {"create": 4, "update": 0, "unchanged": 0, "kept": 0}
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0  # nothing stored


@pytest.mark.parametrize(
    "filename",
    [
        "zoom_participants.csv",
        "teams_attendance.csv",
        "generic_semicolon_bom.csv",
        "teams_legacy_actions.csv",
    ],
)
def test_every_layout_gives_the_same_minutes(webinar, people, filename):
    result = preview(webinar, filename)
    minutes = {p.registration.email: p.total_minutes for p in result.matched}
    assert minutes["anna.kovacs@pannon.example"] == 118
    assert minutes["marco.rossi@unioncamere.example"] == 50


def test_threshold_decides_present_or_absent(webinar, people):
    strict = preview(webinar, "zoom_participants.csv", threshold=110)
    statuses = {p.registration.email: p.plan[date(2026, 3, 10)][0] for p in strict.matched}
    assert [e for e, s in statuses.items() if s == "present"] == ["anna.kovacs@pannon.example"]
    lenient = preview(webinar, "zoom_participants.csv", threshold=0)
    assert all(p.attends for p in lenient.matched)
    with pytest.raises(AttendanceError):
        platform_import.preview_import(webinar, strict.report, -1)


def test_import_stores_minutes_and_reimport_changes_nothing(webinar, people, make_user):
    organiser = make_user()
    first = preview(webinar, "zoom_participants.csv")
    result = platform_import.apply_import(
        webinar, first.records(), first.threshold, recorded_by=organiser
    )
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    stored = records_of(webinar)
    day = date(2026, 3, 10)
    assert stored[("anna.kovacs@pannon.example", day)] == ("present", 118, "import")
    assert stored[("marco.rossi@unioncamere.example", day)] == ("absent", 50, "import")
    updated_at = {a.id: a.updated_at for a in db.session.scalars(db.select(Attendance))}

    second = preview(webinar, "zoom_participants.csv")
    assert not second.has_changes and second.changes["unchanged"] == 4
    again = platform_import.apply_import(
        webinar, second.records(), second.threshold, recorded_by=organiser
    )
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.changed) == (0, 0, 4, 0)
    assert records_of(webinar) == stored
    assert {a.id: a.updated_at for a in db.session.scalars(db.select(Attendance))} == updated_at


def test_a_different_file_updates_imported_records_but_keeps_hand_made_marks(webinar, people):
    services.mark_attendance(webinar, people["lucia"], webinar.days[0], "excused", recorded_by=None)
    zoom = preview(webinar, "zoom_participants.csv")
    platform_import.apply_import(webinar, zoom.records(), zoom.threshold, recorded_by=None)
    db.session.commit()
    # The generic export of the same meeting also lists Lucía (29 minutes).
    generic = preview(webinar, "generic_semicolon_bom.csv", threshold=45)
    assert generic.changes == {"create": 0, "update": 1, "unchanged": 3, "kept": 1}
    platform_import.apply_import(webinar, generic.records(), generic.threshold, recorded_by=None)
    db.session.commit()
    stored = records_of(webinar)
    day = date(2026, 3, 10)
    assert stored[("marco.rossi@unioncamere.example", day)] == ("present", 50, "import")
    assert stored[("lucia.garcia@sodebur.example", day)] == ("excused", 29, "manual")


def test_minutes_across_midnight_go_to_each_day(make_event, make_registration):
    from webapp.attendance.importing import ParticipantRow

    tz = zone("Europe/Vilnius")
    visit = make_event(
        start=datetime(2026, 6, 1, 18, 0, tzinfo=tz),
        duration=timedelta(days=1, hours=2),
        timezone="Europe/Vilnius",
    )
    rows = [
        ParticipantRow(
            1,
            "A",
            "",
            datetime(2026, 6, 1, 23, 30, tzinfo=tz),
            datetime(2026, 6, 2, 0, 45, tzinfo=tz),
        ),
        ParticipantRow(
            2,
            "A",
            "",
            datetime(2026, 6, 1, 23, 40, tzinfo=tz),
            datetime(2026, 6, 1, 23, 50, tzinfo=tz),
        ),
        ParticipantRow(3, "A", "", None, None, 10),
    ]
    assert importing.minutes_per_day(rows, visit.days, tz) == {
        date(2026, 6, 1): 40,
        date(2026, 6, 2): 45,
    }


def test_apply_import_ignores_foreign_or_cancelled_registrations(
    webinar, people, make_event, make_registration
):
    other = make_registration(make_event())
    people["lucia"].status = "cancelled"
    db.session.commit()
    result = platform_import.apply_import(
        webinar,
        [
            (other.id, "2026-03-10", 90),
            (people["lucia"].id, "2026-03-10", 90),
            (people["anna"].id, "2026-03-11", 90),
        ],
        60,
        recorded_by=None,
    )
    assert result.changed == 0 and db.session.scalar(db.select(db.func.count(Attendance.id))) == 0


# --- an uploaded report between preview and confirmation ---------------------------------


def start(event, filename, unit="percent", value=50, now=None):
    return import_drafts.start_import(
        event,
        (DATA / filename).read_bytes(),
        filename=filename,
        timezone=event.timezone,
        threshold_unit=unit,
        threshold_value=value,
        created_by=None,
        max_bytes=2 * 1024 * 1024,
        now=now,
    )


def person_named(preview, name):
    return next(p for p in preview.people if p.name == name)


def test_organiser_matches_an_unmatched_and_an_ambiguous_person(webinar, people):
    draft = start(webinar, "teams_attendance.csv")
    before = import_drafts.preview_draft(webinar, draft)
    maria = person_named(before, "Maria Santos (Guest)")
    assert maria.group == "ambiguous" and len(maria.candidates) == 2
    import_drafts.match_import_person(webinar, draft, maria.ref, people["maria2"])
    db.session.commit()
    after = import_drafts.preview_draft(webinar, draft)
    chosen = next(p for p in after.matched if p.registration == people["maria2"])
    assert (chosen.match, chosen.total_minutes, chosen.plan[date(2026, 3, 10)][0]) == (
        "chosen",
        120,
        "present",
    )
    assert after.ambiguous == []
    assert import_drafts.unmatch_import_person(webinar, draft, maria.ref)
    assert [p.name for p in import_drafts.preview_draft(webinar, draft).ambiguous] == [
        "Maria Santos (Guest)"
    ]


def test_a_host_is_stored_only_when_the_organiser_matches_them(webinar, people, make_registration):
    host = make_registration(webinar, name="PANNON Host", email="host@pannon.example")
    draft = start(webinar, "zoom_meeting_participants.csv")
    preview = import_drafts.preview_draft(webinar, draft)
    team = person_named(preview, "PANNON Host")
    assert team.group == "team" and team.registration == host
    assert host.id not in {r for r, _, _ in preview.records()}
    import_drafts.match_import_person(webinar, draft, team.ref, host)
    assert (host.id, "2026-03-10", 130) in import_drafts.preview_draft(webinar, draft).records()


def test_match_refuses_a_registrant_of_another_event_or_an_unknown_person(
    webinar, people, make_event, make_registration
):
    draft = start(webinar, "zoom_meeting_participants.csv")
    ilona = person_named(import_drafts.preview_draft(webinar, draft), "Ilona Szabó (Guest)")
    stranger = make_registration(make_event())
    with pytest.raises(AttendanceError):
        import_drafts.match_import_person(webinar, draft, ilona.ref, stranger)
    with pytest.raises(AttendanceError):
        import_drafts.match_import_person(webinar, draft, "0" * 16, people["anna"])
    assert draft.decisions.get("match", {}) == {}


def test_walk_in_from_the_report_gets_its_minutes_and_status(webinar, people, regions, make_user):
    organiser = make_user()
    draft = start(webinar, "zoom_meeting_participants.csv")
    ilona = person_named(import_drafts.preview_draft(webinar, draft), "Ilona Szabó (Guest)")
    outcome = import_drafts.add_import_walk_in(
        webinar,
        draft,
        ilona.ref,
        name=platform_import.display_name(ilona.name),
        email="ilona.szabo@pecs.example",
        organisation="",
        stakeholder_type="sme",
        region=regions["HU"],
        recorded_by=organiser,
    )
    db.session.commit()
    registration = outcome.registration
    assert (registration.name, registration.status) == ("Ilona Szabó", "confirmed")
    assert records_of(webinar)[("ilona.szabo@pecs.example", date(2026, 3, 10))] == (
        "present",
        95,
        "import",
    )
    after = import_drafts.preview_draft(webinar, draft)
    assert person_named(after, "Ilona Szabó").match == "chosen"
    assert after.unmatched == []


def test_walk_in_below_the_threshold_is_stored_absent(webinar, people, regions):
    draft = start(webinar, "zoom_participants.csv", unit="minutes", value=30)
    guest = person_named(import_drafts.preview_draft(webinar, draft), "Guest 4471, iPhone")
    import_drafts.add_import_walk_in(
        webinar,
        draft,
        guest.ref,
        name="Paolo Verdi",
        email="paolo.verdi@lombardia.example",
        organisation="",
        stakeholder_type="sme",
        region=None,
        recorded_by=None,
    )
    assert records_of(webinar)[("paolo.verdi@lombardia.example", date(2026, 3, 10))] == (
        "absent",
        10,
        "import",
    )


def test_confirm_stores_the_preview_keeps_the_threshold_and_forgets_the_file(webinar, people):
    from webapp.models import AttendanceImport

    draft = start(webinar, "zoom_meeting_participants.csv", unit="minutes", value=40)
    preview = import_drafts.preview_draft(webinar, draft)
    assert preview.threshold == 40
    result = import_drafts.confirm_import(webinar, draft, preview.digest(), recorded_by=None)
    db.session.commit()
    assert result.created == 4
    assert records_of(webinar)[("lucia.garcia@sodebur.example", date(2026, 3, 10))] == (
        "absent",
        35,
        "import",
    )
    assert thresholds.event_threshold(webinar) == ("minutes", 40)
    assert db.session.scalar(db.select(db.func.count(AttendanceImport.id))) == 0


def test_confirm_refuses_a_preview_that_went_stale(webinar, people):
    draft = start(webinar, "zoom_meeting_participants.csv")
    digest = import_drafts.preview_draft(webinar, draft).digest()
    people["anna"].status = "cancelled"  # cancelled meanwhile: the preview shown is stale
    db.session.commit()
    with pytest.raises(AttendanceError, match="changed since the preview"):
        import_drafts.confirm_import(webinar, draft, digest, recorded_by=None)
    assert records_of(webinar) == {}


def test_uploads_expire_and_bad_files_are_not_kept(webinar, people, make_event):
    from webapp.models import AttendanceImport

    old = start(webinar, "zoom_participants.csv", now=datetime(2026, 3, 10, 8, tzinfo=UTC))
    db.session.commit()
    assert (
        import_drafts.import_draft(webinar, old.id, now=datetime(2026, 3, 10, 9, tzinfo=UTC)) == old
    )
    assert import_drafts.import_draft(make_event(), old.id) is None  # another event's upload
    later = datetime(2026, 3, 10, 15, tzinfo=UTC)
    assert import_drafts.import_draft(webinar, old.id, now=later) is None
    new = start(webinar, "zoom_participants.csv", now=later)  # a new upload purges the old one
    assert db.session.scalars(db.select(AttendanceImport)).all() == [new]
    assert new.created_at == later
    with pytest.raises(ImportFileError):
        start(webinar, "unknown_layout.csv")
    with pytest.raises(AttendanceError):
        start(webinar, "zoom_participants.csv", unit="percent", value=150)
    assert db.session.scalar(db.select(db.func.count(AttendanceImport.id))) == 1


def test_purge_personal_data_deletes_forgotten_uploads(app, webinar, people):
    from webapp.models import AttendanceImport

    start(webinar, "zoom_participants.csv", now=datetime(2026, 1, 1, tzinfo=UTC))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-personal-data"])
    assert "Deleted 1 uploaded participant reports that were never confirmed." in result.output
    assert db.session.scalar(db.select(db.func.count(AttendanceImport.id))) == 0


def test_two_addresses_of_one_registrant_are_one_person_counted_once(webinar, people):
    data = (
        "Name,Email,Join time,Leave time\n"
        "Anna Kovács,anna.kovacs@pannon.example,10.03.2026 10:00,10.03.2026 11:00\n"
        # Her private address on a second device, overlapping: matched by name.
        "Anna Kovács,anna.home@mail.example,10.03.2026 10:30,10.03.2026 11:30\n"
    ).encode()
    report = read_report(data, tz=zone(webinar.timezone), near=webinar.days)
    result = platform_import.preview_import(webinar, report, 60)
    assert [(p.registration, p.match, p.total_minutes) for p in result.matched] == [
        (people["anna"], "email", 90)
    ]
