"""Attendance rules: marking per day, undo, walk-ins, QR check-in and platform imports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from webapp.attendance import services
from webapp.attendance.imports import read_report
from webapp.extensions import db
from webapp.models import Attendance, Registration
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
        threshold = services.default_threshold_minutes(event)
    return services.preview_import(event, report, threshold)


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
    assert services.day_counts(webinar, day).as_dict() == {
        "registered": 7,
        "present": 1,
        "absent": 0,
        "excused": 0,
        "unmarked": 6,
    }
    record = services.mark_attendance(webinar, anna, day, "excused", recorded_by=organiser)
    db.session.commit()
    assert (record.status, record.checked_in_at, record.recorded_by) == ("excused", None, organiser)
    assert services.day_counts(webinar, day).excused == 1
    assert services.clear_attendance(webinar, anna, day) is True
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0
    assert services.clear_attendance(webinar, anna, day) is False


def test_marking_refuses_other_days_cancelled_people_and_other_events(
    webinar, people, make_event, make_registration
):
    with pytest.raises(services.AttendanceError, match="does not run on that day"):
        services.mark_attendance(
            webinar, people["anna"], date(2026, 3, 11), "present", recorded_by=None
        )
    cancelled = make_registration(webinar, status="cancelled")
    with pytest.raises(services.AttendanceError, match="no longer active"):
        services.mark_attendance(webinar, cancelled, webinar.days[0], "present", recorded_by=None)
    other = make_registration(make_event())
    with pytest.raises(services.AttendanceError, match="another event"):
        services.mark_attendance(webinar, other, webinar.days[0], "present", recorded_by=None)
    with pytest.raises(services.AttendanceError):
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
    assert services.day_counts(visit, date(2026, 5, 4)).present == 1
    assert services.day_counts(visit, date(2026, 5, 5)).unmarked == 1
    assert services.day_counts(visit, date(2026, 5, 6)).absent == 1
    assert services.default_threshold_minutes(visit) == 240  # half of 9:00–17:00


def test_default_day_is_today_during_the_event_else_the_nearest_end(webinar):
    assert services.default_day(webinar, WEBINAR_START - timedelta(days=3)) == date(2026, 3, 10)
    assert services.default_day(webinar, WEBINAR_START + timedelta(days=30)) == date(2026, 3, 10)
    assert services.parse_day(webinar, "") == date(2026, 3, 10)
    for bad in ("2026-03-11", "yesterday", "2026-13-01"):
        with pytest.raises(services.AttendanceError):
            services.parse_day(webinar, bad)


def test_sheet_search_by_name_email_or_organisation(webinar, people, make_registration):
    make_registration(
        webinar, name="Jonas 100%", organisation="Klaipeda ID", email="jonas@kid.example"
    )
    day = webinar.days[0]
    assert [r.registration.name for r in services.sheet_rows(webinar, day, "maria")] == [
        "Maria Santos"
    ] * 2
    assert [r.registration.name for r in services.sheet_rows(webinar, day, "klaipeda")] == [
        "Jonas 100%",
        "Žydrūnas Petrauskas",
    ]
    assert [r.registration.name for r in services.sheet_rows(webinar, day, "100%")] == [
        "Jonas 100%"
    ]
    assert services.sheet_rows(webinar, day, "_") == []  # wildcards are literal


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
    with pytest.raises(services.AttendanceError, match=message):
        services.add_walk_in(webinar, region=None, day=webinar.days[0], recorded_by=None, **values)


def test_qr_check_in_is_idempotent_and_explains_refusals(webinar, people, make_registration):
    during = WEBINAR_START + timedelta(minutes=5)
    anna = people["anna"]
    first = services.check_in_by_token(anna.checkin_token, recorded_by=None, now=during)
    db.session.commit()
    assert first.outcome == "checked_in" and first.attendance.source == "qr"
    again = services.check_in_by_token(
        anna.checkin_token, recorded_by=None, now=during + timedelta(minutes=30)
    )
    assert again.outcome == "already" and again.attendance.checked_in_at == during
    assert (
        services.check_in_by_token("no-such-code", recorded_by=None, now=during).outcome
        == "unknown"
    )
    assert services.check_in_by_token("", recorded_by=None, now=during).outcome == "unknown"
    cancelled = make_registration(webinar, status="cancelled")
    assert (
        services.check_in_by_token(cancelled.checkin_token, recorded_by=None, now=during).outcome
        == "cancelled"
    )
    tomorrow = services.check_in_by_token(
        people["marco"].checkin_token, recorded_by=None, now=during + timedelta(days=1)
    )
    assert tomorrow.outcome == "not_today"
    pending = make_registration(webinar, status="pending")
    assert (
        services.check_in_by_token(pending.checkin_token, recorded_by=None, now=during).outcome
        == "not_confirmed"
    )
    assert pending.attendances == []
    admitted = services.check_in_by_token(
        pending.checkin_token, recorded_by=None, now=during, confirm=True
    )
    assert admitted.outcome == "checked_in" and pending.status == "confirmed"


# --- imports ------------------------------------------------------------------------------


def test_default_threshold_is_half_the_event(webinar):
    assert services.default_threshold_minutes(webinar) == 60


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
    assert sorted(p.name for p in result.unmatched) == ["Guest 4471, iPhone", "PANNON host"]
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
    with pytest.raises(services.AttendanceError):
        services.preview_import(webinar, strict.report, -1)


def test_import_stores_minutes_and_reimport_changes_nothing(webinar, people, make_user):
    organiser = make_user()
    first = preview(webinar, "zoom_participants.csv")
    result = services.apply_import(webinar, first.records(), first.threshold, recorded_by=organiser)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    stored = records_of(webinar)
    day = date(2026, 3, 10)
    assert stored[("anna.kovacs@pannon.example", day)] == ("present", 118, "import")
    assert stored[("marco.rossi@unioncamere.example", day)] == ("absent", 50, "import")
    updated_at = {a.id: a.updated_at for a in db.session.scalars(db.select(Attendance))}

    second = preview(webinar, "zoom_participants.csv")
    assert not second.has_changes and second.changes["unchanged"] == 4
    again = services.apply_import(
        webinar, second.records(), second.threshold, recorded_by=organiser
    )
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.changed) == (0, 0, 4, 0)
    assert records_of(webinar) == stored
    assert {a.id: a.updated_at for a in db.session.scalars(db.select(Attendance))} == updated_at


def test_a_different_file_updates_imported_records_but_keeps_hand_made_marks(webinar, people):
    services.mark_attendance(webinar, people["lucia"], webinar.days[0], "excused", recorded_by=None)
    zoom = preview(webinar, "zoom_participants.csv")
    services.apply_import(webinar, zoom.records(), zoom.threshold, recorded_by=None)
    db.session.commit()
    # The generic export of the same meeting also lists Lucía (29 minutes).
    generic = preview(webinar, "generic_semicolon_bom.csv", threshold=45)
    assert generic.changes == {"create": 0, "update": 1, "unchanged": 3, "kept": 1}
    services.apply_import(webinar, generic.records(), generic.threshold, recorded_by=None)
    db.session.commit()
    stored = records_of(webinar)
    day = date(2026, 3, 10)
    assert stored[("marco.rossi@unioncamere.example", day)] == ("present", 50, "import")
    assert stored[("lucia.garcia@sodebur.example", day)] == ("excused", 29, "manual")


def test_minutes_across_midnight_go_to_each_day(make_event, make_registration):
    from webapp.attendance.imports import ParticipantRow

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
    assert services.minutes_per_day(rows, visit.days, tz) == {
        date(2026, 6, 1): 40,
        date(2026, 6, 2): 45,
    }


def test_apply_import_ignores_foreign_or_cancelled_registrations(
    webinar, people, make_event, make_registration
):
    other = make_registration(make_event())
    people["lucia"].status = "cancelled"
    db.session.commit()
    result = services.apply_import(
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
