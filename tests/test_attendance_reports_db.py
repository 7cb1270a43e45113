"""Report figures against numbers worked out by hand on a small, varied dataset."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest

from webapp.attendance.reports import ReportFilters, build_report
from webapp.extensions import db
from webapp.models import ActionPlan, Attendance, PlanAction


@pytest.fixture
def dataset(make_event, make_registration, regions):
    """Three reported events and two that must not count (draft, cancelled).

    webinar (60 days ago, serves HU+IT):
      Anna (HU, SME) present 118 min · Marco (IT) absent 50 min · Lucía (ES) excused ·
      Piotr (PL) unmarked · Wait (HU) on the waiting list · Gone (HU) cancelled
    study visit (30 days ago, three days, serves ES):
      Anna again, same address (HU, SME) present days 1+2, absent day 3 ·
      Jonas (LT, public authority) present day 2 · María (ES, research) excused day 1,
      present day 3 · Nora (no region, other) unmarked
    partner meeting (in 10 days, serves PL): Tomasz and Ewa confirmed, unmarked
    """
    now = datetime.now(UTC)
    webinar = make_event(
        start=now - timedelta(days=60),
        region_codes=("HU", "IT"),
        kind="webinar",
        title="E-commerce webinar",
    )
    visit = make_event(
        start=now - timedelta(days=30),
        duration=timedelta(days=2, hours=8),
        region_codes=("ES",),
        kind="study_visit",
        title="Burgos study visit",
    )
    meeting = make_event(
        start=now + timedelta(days=10),
        region_codes=("PL",),
        kind="partner_meeting",
        title="=Partner meeting",
    )
    draft = make_event(start=now - timedelta(days=20), status="draft")
    cancelled = make_event(start=now - timedelta(days=20), status="cancelled")

    def person(event, name, email, region, kind="sme", status="confirmed", marks=()):
        registration = make_registration(
            event,
            name=name,
            email=email,
            region=regions[region] if region else None,
            stakeholder_type=kind,
            status=status,
        )
        for day_index, mark, minutes in marks:
            db.session.add(
                Attendance(
                    registration=registration,
                    day=event.days[day_index],
                    status=mark,
                    minutes_online=minutes,
                    source="manual",
                )
            )
        db.session.commit()
        return registration

    person(webinar, "Anna Kovács", "anna@pannon.example", "HU", marks=[(0, "present", 118)])
    person(
        webinar,
        "Marco Rossi",
        "marco@lombardia.example",
        "IT",
        "business_support",
        marks=[(0, "absent", 50)],
    )
    person(
        webinar, "Lucía García", "lucia@sodebur.example", "ES", "ngo", marks=[(0, "excused", None)]
    )
    person(webinar, "Piotr Wiśniewski", "piotr@rarr.example", "PL")
    person(webinar, "Wait Ing", "wait@example.org", "HU", status="waitlisted")
    person(webinar, "Gone", "gone@example.org", "HU", status="cancelled")
    person(
        visit,
        "Anna Kovács",
        "ANNA@pannon.example",
        "HU",
        marks=[(0, "present", None), (1, "present", None), (2, "absent", None)],
    )
    person(
        visit,
        "Jonas Jonaitis",
        "jonas@klaipeda.example",
        "LT",
        "public_authority",
        marks=[(1, "present", None)],
    )
    person(
        visit,
        "María López",
        "maria@ceei.example",
        "ES",
        "research",
        marks=[(0, "excused", None), (2, "present", None)],
    )
    person(visit, "Nora", "nora@example.org", None, "other")
    person(meeting, "Tomasz", "tomasz@rzeszow.example", "PL")
    person(meeting, "Ewa", "ewa@rzeszow.example", "PL")
    person(draft, "Draft Person", "d@example.org", "HU", marks=[(0, "present", 30)])
    person(cancelled, "Cancelled Person", "c@example.org", "HU", marks=[(0, "present", 30)])
    return {"webinar": webinar, "visit": visit, "meeting": meeting}


def groups(rows):
    return {g.key: (g.attendances, g.people) for g in rows}


def test_per_event_figures(dataset):
    report = build_report(ReportFilters(include_upcoming=True))
    figures = {
        e.title: (
            e.registered,
            e.confirmed,
            e.attended,
            e.excused,
            e.no_shows,
            e.attendance_rate,
            e.minutes_online,
        )
        for e in report.events
    }
    assert figures == {
        "E-commerce webinar": (5, 4, 1, 1, 2, 0.25, 168),
        "Burgos study visit": (4, 4, 3, 0, 1, 0.75, 0),
        # Not over: no no-shows and no rate yet (it is not "0 % attended").
        "=Partner meeting": (2, 2, 0, 0, None, None, 0),
    }
    assert [e.title for e in report.events] == [
        "E-commerce webinar",
        "Burgos study visit",
        "=Partner meeting",
    ]
    assert report.totals == {
        "registered": 11,
        "confirmed": 10,
        "attended": 4,
        "excused": 1,
        "no_shows": 3,
        "minutes_online": 168,
    }
    # The rate across events leaves the meeting to come out: 4 of 8, not 4 of 10.
    assert report.attendance_rate == 0.5


def test_reports_cover_past_events_by_default(dataset):
    report = build_report(ReportFilters())
    assert [e.title for e in report.events] == ["E-commerce webinar", "Burgos study visit"]
    assert report.totals["confirmed"] == 8 and report.attendance_rate == 0.5
    assert groups(report.by_served_region)["PL"] == (0, 0)
    assert report.events_by_region_and_kind == {
        "HU": {"webinar": 1},
        "IT": {"webinar": 1},
        "ES": {"study_visit": 1},
    }


def test_figures_across_events(dataset):
    report = build_report(ReportFilters(include_upcoming=True))
    assert (report.attendances, report.unique_people, report.person_days) == (4, 3, 5)
    assert groups(report.by_attendee_region) == {
        "ES": (1, 1),
        "HU": (2, 1),
        "IT": (0, 0),
        "LT": (1, 1),
        "PL": (0, 0),
        None: (0, 0),  # Nora gave no region: registered, not present
    }
    # The webinar serves HU and IT: Anna counts in both; the visit serves ES.
    assert groups(report.by_served_region) == {
        "ES": (3, 3),
        "HU": (1, 1),
        "IT": (1, 1),
        "LT": (0, 0),
        "PL": (0, 0),
    }
    assert groups(report.by_stakeholder_type) == {
        "sme": (2, 1),
        "business_support": (0, 0),
        "public_authority": (1, 1),
        "research": (1, 1),
        "ngo": (0, 0),
        "other": (0, 0),
    }
    assert groups(report.by_kind) == {
        "partner_meeting": (0, 0),
        "study_visit": (3, 3),
        "webinar": (1, 1),
    }


def test_region_figures_count_registrations_no_shows_rates_and_organisations(dataset):
    report = build_report(ReportFilters(include_upcoming=True))
    served = {g.key: g for g in report.by_served_region}
    # Webinar (serves HU, IT): 5 registered, 4 confirmed, Anna present, 2 no-shows.
    assert (served["HU"].registered, served["HU"].confirmed, served["HU"].no_shows) == (5, 4, 2)
    assert served["HU"].attendance_rate == 0.25 and served["HU"].organisations == 1
    # The meeting to come is counted as registrations but has no rate and no no-shows.
    assert (served["PL"].registered, served["PL"].no_shows, served["PL"].attendance_rate) == (
        2,
        0,
        None,
    )
    origin = {g.key: g for g in report.by_attendee_region}
    assert origin["ES"].registered == 2 and origin["ES"].no_shows == 0
    assert origin[None].registered == 1 and origin[None].no_shows == 1
    assert report.people_by_region_and_type == {
        "HU": {"sme": 1},
        "LT": {"public_authority": 1},
        "ES": {"research": 1},
    }


def test_distinct_organisations_ignore_case_and_spaces(make_event, make_registration, regions, app):
    event = make_event(start=timedelta(days=-3))
    for organisation in ("Klaipeda ID", " klaipeda id", "KLAIPEDA ID ", "Sodebur", ""):
        registration = make_registration(event, organisation=organisation)
        db.session.add(Attendance(registration=registration, day=event.days[0], status="present"))
    absent = make_registration(event, organisation="Absent Org")
    db.session.add(Attendance(registration=absent, day=event.days[0], status="absent"))
    db.session.commit()
    report = build_report(ReportFilters())
    assert (report.unique_people, report.unique_organisations) == (5, 2)


def test_filters(dataset):
    visits = build_report(ReportFilters(kind="study_visit"))
    assert [e.title for e in visits.events] == ["Burgos study visit"]
    assert (visits.attendances, visits.unique_people, visits.person_days) == (3, 3, 4)
    hungary = build_report(ReportFilters(region="HU"))
    assert [e.title for e in hungary.events] == ["E-commerce webinar"]
    assert groups(hungary.by_attendee_region)["HU"] == (1, 1)
    start = dataset["meeting"].starts_at.date()
    assert build_report(ReportFilters(date_from=start, date_to=start)).events == []
    upcoming = build_report(ReportFilters(date_from=start, date_to=start, include_upcoming=True))
    assert [e.title for e in upcoming.events] == ["=Partner meeting"] and upcoming.attendances == 0
    last_40_days = build_report(
        ReportFilters(date_from=date.today() - timedelta(days=40), date_to=date.today())
    )
    assert [e.title for e in last_40_days.events] == ["Burgos study visit"]


def test_report_takes_a_fixed_number_of_queries(
    dataset, make_event, make_registration, regions, count_queries
):
    plan = ActionPlan(region=regions["HU"], title="Plan", policy_instrument="PI")
    plan.actions = [PlanAction(position=1, title="One"), PlanAction(position=2, title="Two")]
    db.session.add(plan)
    db.session.commit()
    with count_queries() as before:
        build_report(ReportFilters(include_upcoming=True))
    for n in range(10):
        event = make_event(start=timedelta(days=-5 - n))
        event.actions = list(plan.actions)
        for _ in range(5):
            registration = make_registration(event)
            db.session.add(
                Attendance(registration=registration, day=event.days[0], status="present")
            )
        db.session.add(ActionPlan(region=regions["LT"], title=f"Plan {n}"))
        db.session.commit()
    with count_queries() as after:
        report = build_report(ReportFilters(include_upcoming=True))
    assert report.attendances == 4 + 50 and len(report.by_action) == 2
    assert len(after) == len(before) <= 6


# --- pages and downloads ---------------------------------------------------------------------


@pytest.fixture
def organiser(make_user, login):
    return login(make_user())


def test_reports_page_shows_tables_and_accessible_charts(client, organiser, dataset):
    response = client.get("/organiser/reports")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E-commerce webinar" in page and "25 %" in page and "75 %" in page
    assert page.count('role="img"') == 4
    assert (
        '<title id="chart-attendee-regions-title">Attendees by the region they come from</title>'
        in page
    )
    assert "Hungary: Attendances 2, Unique people 1" in page  # the chart's text alternative
    assert "Draft Person" not in page


def test_reports_page_refuses_bad_filters(client, organiser, dataset):
    response = client.get("/organiser/reports?date_from=2026-13-40")
    assert response.status_code == 400
    assert 'id="date_from-error"' in response.get_data(as_text=True)
    reversed_range = client.get("/organiser/reports?date_from=2026-05-01&date_to=2026-04-01")
    assert "The end date is before the start date." in reversed_range.get_data(as_text=True)
    assert client.get("/organiser/reports?kind=party").status_code == 400
    assert client.get("/organiser/reports/everything.csv").status_code == 404
    assert client.get("/organiser/reports/events.csv?region=XX").status_code == 400


def test_csv_and_xlsx_exports_match_and_are_formula_safe(client, organiser, dataset):
    from openpyxl import load_workbook

    response = client.get("/organiser/reports/events.csv?kind=partner_meeting&when=all")
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Event,Kind,Starts,Registered,Confirmed,Attended")
    assert lines[1].startswith("'=Partner meeting,")
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="report-events.csv"'
    )
    regions_csv = (
        client.get("/organiser/reports/attendee-regions.csv").get_data().decode("utf-8-sig")
    )
    # Region, registered, confirmed, attended, rate, no-shows, people, organisations.
    assert "Hungary,3,2,2,1.0,0,1,1" in regions_csv.splitlines()
    workbook = load_workbook(io.BytesIO(client.get("/organiser/reports/summary.xlsx").get_data()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert ("Unique people (by e-mail)", 3) in rows and ("Attendances", 4) in rows
    assert ("Organisations", 1) in rows  # everyone is from "Example Ltd"
    cross = client.get("/organiser/reports/events-by-region.csv").get_data().decode("utf-8-sig")
    assert cross.splitlines()[0] == (
        "Region served,Partner meeting,Thematic study visit,Stakeholder webinar,Total"
    )
    assert {"Burgos,0,1,0,1", "Hungary,0,0,1,1", "Podkarpackie,0,0,0,0"} <= set(cross.splitlines())


def test_reports_need_login(client):
    assert client.get("/organiser/reports").headers["Location"].startswith("/organiser/login")


def test_reports_refuse_absurd_dates_and_ranges(client, organiser, dataset):
    for query in ("date_from=1066-10-14", "date_to=9999-12-31", "date_from=2026-13-40"):
        response = client.get(f"/organiser/reports?{query}")
        assert response.status_code == 400, query
        assert 'class="field-error"' in response.get_data(as_text=True)
    page = client.get("/organiser/reports?date_from=1066-10-14").get_data(as_text=True)
    assert "Enter a date between the years 2000 and 2100." in page
    assert client.get("/organiser/reports/summary.csv?date_to=9999-01-01").status_code == 400


def test_reports_open_on_the_current_period_and_periods_fill_dates(client, organiser, dataset, app):
    from webapp.models import ReportingPeriod

    today = date.today()
    current = ReportingPeriod(
        name="Current", starts_on=today - timedelta(days=45), ends_on=today + timedelta(days=30)
    )
    earlier = ReportingPeriod(
        name="Earlier", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=46)
    )
    db.session.add_all([current, earlier])
    db.session.commit()
    page = client.get("/organiser/reports").get_data(as_text=True)
    assert f'<option selected value="{current.id}">Current</option>' in page
    # Only the visit started inside the current period (the webinar was 60 days ago).
    assert "Burgos study visit" in page and "E-commerce webinar" not in page
    page = client.get(f"/organiser/reports?period={earlier.id}").get_data(as_text=True)
    assert "E-commerce webinar" in page and "Burgos study visit" not in page
    # A date typed in wins over the period's own.
    page = client.get(
        f"/organiser/reports?period={earlier.id}&date_to={today.isoformat()}"
    ).get_data(as_text=True)
    assert "E-commerce webinar" in page and "Burgos study visit" in page
    # The period's dates and a typed end before them: an error, not an empty report.
    response = client.get(
        f"/organiser/reports?period={current.id}&date_to={(today - timedelta(days=60)).isoformat()}"
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.get_data(as_text=True)
    assert client.get("/organiser/reports?period=999999").status_code == 400
    # Explicitly no period: every date.
    page = client.get("/organiser/reports?period=").get_data(as_text=True)
    assert "E-commerce webinar" in page and "Burgos study visit" in page
    assert "=Partner meeting" not in page  # still to come
    page = client.get("/organiser/reports?period=&when=all").get_data(as_text=True)
    assert "=Partner meeting" in page


def test_the_page_lists_at_most_so_many_events_and_the_download_all(
    client, organiser, make_event, monkeypatch
):
    from webapp.attendance import report_views as views

    monkeypatch.setattr(views, "REPORT_EVENTS_SHOWN", 2)
    for n in range(3):
        make_event(start=timedelta(days=-3 - n), title=f"Listed {n}")
    page = client.get("/organiser/reports?period=").get_data(as_text=True)
    assert page.count("Listed ") == 2
    assert "The table shows the first 2 of 3 events" in page
    csv_text = client.get("/organiser/reports/events.csv?period=").get_data().decode("utf-8-sig")
    assert csv_text.count("Listed ") == 3
