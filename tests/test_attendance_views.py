"""Check-in sheet, QR check-in and platform import as an organiser uses them."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from webapp.extensions import db
from webapp.models import Attendance, Registration

DATA = Path(__file__).parent / "data"


@pytest.fixture
def app_config():
    # A small import limit keeps the "too large" upload in memory.
    return {"ATTENDANCE_IMPORT_MAX_BYTES": 16 * 1024}


@pytest.fixture
def event(make_event):
    # Running now: the sheet opens on today and QR codes check in.
    return make_event(start=timedelta(minutes=-30), duration=timedelta(hours=2))


@pytest.fixture
def organiser(make_user, login):
    return login(make_user())


@pytest.fixture
def anna(event, make_registration):
    return make_registration(
        event, name="Anna Kovács", email="anna.kovacs@pannon.example", organisation="PANNON EGTC"
    )


def sheet_url(event, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/organiser/events/{event.id}/attendance" + (f"?{query}" if query else "")


def count_records() -> int:
    return db.session.scalar(db.select(db.func.count(Attendance.id)))


def test_sheet_needs_login(client, event):
    response = client.get(sheet_url(event))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organiser/login")


def test_sheet_lists_people_and_counts(client, organiser, event, anna, make_registration):
    make_registration(event, name="Marco Rossi")
    make_registration(event, name="Gone", status="cancelled")
    response = client.get(sheet_url(event))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Anna Kovács" in page and "Marco Rossi" in page and "Gone" not in page
    assert '<dd data-count="registered">2</dd>' in page
    assert '<dd data-count="unmarked">2</dd>' in page
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(sheet_url(event, day="2020-01-01")).status_code == 400
    found = client.get(sheet_url(event, q="pannon")).get_data(as_text=True)
    assert "Anna Kovács" in found and "Marco Rossi" not in found


def test_sheet_of_another_region_is_forbidden_to_see_participants(
    client, make_user, login, event, anna, make_partner
):
    login(make_user(partner=make_partner("IT")))
    assert client.get(sheet_url(event)).status_code == 403
    assert client.get("/organiser/events/999999/attendance").status_code == 404


def test_one_tap_mark_redirects_back_to_the_person(client, organiser, event, anna):
    day = event.days[0].isoformat()
    response = client.post(
        f"/organiser/events/{event.id}/attendance/{anna.id}",
        data={"action": "present", "day": day, "q": "anna"},
    )
    assert response.status_code == 302
    assert (
        response.headers["Location"]
        == f"/organiser/events/{event.id}/attendance?day={day}&q=anna#person-{anna.id}"
    )
    record = db.session.scalar(db.select(Attendance))
    assert (record.status, record.source, record.recorded_by_id) == (
        "present",
        "manual",
        organiser.id,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anna Kovács is marked present." in page
    assert '<dd data-count="present">1</dd>' in page


def test_mark_answers_json_for_the_script(client, organiser, event, anna):
    url = f"/organiser/events/{event.id}/attendance/{anna.id}"
    headers = {"Accept": "application/json"}
    response = client.post(url, data={"action": "excused"}, headers=headers)
    assert response.json["status"] == "excused"
    assert response.json["counts"] == {
        "registered": 1,
        "present": 0,
        "absent": 0,
        "excused": 1,
        "unmarked": 0,
    }
    undone = client.post(url, data={"action": "undo"}, headers=headers)
    assert undone.json["status"] is None and undone.json["counts"]["unmarked"] == 1
    assert count_records() == 0


@pytest.mark.parametrize(
    "data", [{"action": "late"}, {"action": ""}, {"action": "present", "day": "2001-01-01"}]
)
def test_bad_marks_are_refused_and_store_nothing(client, organiser, event, anna, data):
    response = client.post(f"/organiser/events/{event.id}/attendance/{anna.id}", data=data)
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)
    assert count_records() == 0


def test_marks_need_edit_rights_and_the_right_event(
    client, make_user, login, event, anna, make_partner, make_event, make_registration
):
    other = make_registration(make_event())
    login(make_user())
    assert (
        client.post(
            f"/organiser/events/{event.id}/attendance/{other.id}", data={"action": "present"}
        ).status_code
        == 404
    )
    login(make_user(partner=make_partner("PL")))
    assert (
        client.post(
            f"/organiser/events/{event.id}/attendance/{anna.id}", data={"action": "present"}
        ).status_code
        == 403
    )
    assert count_records() == 0


def test_cancelled_registration_cannot_be_marked(client, organiser, event, make_registration):
    gone = make_registration(event, status="cancelled", name="Gone Person")
    response = client.post(
        f"/organiser/events/{event.id}/attendance/{gone.id}", data={"action": "present"}
    )
    assert response.status_code == 302
    assert "no longer active" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert count_records() == 0


def test_walk_in_form(client, organiser, event, regions):
    url = f"/organiser/events/{event.id}/attendance/walk-in"
    bad = client.post(
        url,
        data={
            "walkin-name": "Jonas",
            "walkin-email": "nope",
            "walkin-stakeholder_type": "sme",
            "walkin-region": "LT",
        },
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Ask the person and tick the box." in page and 'aria-invalid="true"' in page
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    good = client.post(
        url,
        data={
            "walkin-name": "Jonas Jonaitis",
            "walkin-email": "Jonas@Klaipeda.example",
            "walkin-organisation": "Klaipeda ID",
            "walkin-stakeholder_type": "business_support",
            "walkin-region": "LT",
            "walkin-consent": "y",
            "walkin-day": event.days[0].isoformat(),
        },
    )
    registration = db.session.scalar(db.select(Registration))
    assert good.headers["Location"].endswith(f"#person-{registration.id}")
    assert (registration.email, registration.region.code, registration.status) == (
        "jonas@klaipeda.example",
        "LT",
        "confirmed",
    )
    assert registration.attendances[0].status == "present"


# --- QR check-in ----------------------------------------------------------------------------


def test_qr_scan_checks_in_once(client, organiser, event, anna):
    url = f"/organiser/check-in/{anna.checkin_token}"
    first = client.get(url)
    assert first.status_code == 200
    assert "Anna Kovács is checked in." in first.get_data(as_text=True)
    second = client.get(url)
    assert "Anna Kovács was already checked in." in second.get_data(as_text=True)
    assert count_records() == 1
    assert db.session.scalar(db.select(Attendance)).source == "qr"


def test_qr_scan_needs_an_organiser_login(client, event, anna):
    response = client.get(f"/organiser/check-in/{anna.checkin_token}")
    assert response.headers["Location"].startswith("/organiser/login")
    assert count_records() == 0


def test_qr_scan_of_unknown_or_cancelled_registration_says_so(
    client, organiser, event, make_registration
):
    unknown = client.get("/organiser/check-in/not-a-real-code")
    assert unknown.status_code == 404 and "Unknown check-in code." in unknown.get_data(as_text=True)
    gone = make_registration(event, status="cancelled", name="Gone Person")
    response = client.get(f"/organiser/check-in/{gone.checkin_token}")
    assert response.status_code == 409
    assert "The registration of Gone Person was cancelled." in response.get_data(as_text=True)
    assert count_records() == 0


def test_qr_scan_of_waiting_list_asks_before_admitting(client, organiser, event, make_registration):
    waiting = make_registration(event, status="waitlisted", name="Wait Ing")
    url = f"/organiser/check-in/{waiting.checkin_token}"
    response = client.get(url)
    assert response.status_code == 409 and "Confirm and check in" in response.get_data(as_text=True)
    assert count_records() == 0
    admitted = client.post(url, data={"action": "present"})
    assert "Wait Ing is checked in." in admitted.get_data(as_text=True)
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"


def test_qr_code_svg_points_at_the_check_in_url(app, anna):
    from webapp.attendance.qr import checkin_qr_png, checkin_qr_svg, checkin_url

    with app.test_request_context():
        svg = str(checkin_qr_svg(anna))
        assert (
            checkin_url(anna)
            == f"https://events.example.org/organiser/check-in/{anna.checkin_token}"
        )
    assert svg.startswith("<svg ") and 'role="img"' in svg
    assert "<title>QR code to show at the entrance to check in Anna Kovács</title>" in svg
    assert checkin_qr_png(anna).startswith(b"\x89PNG")


# --- import ---------------------------------------------------------------------------------


@pytest.fixture
def webinar(make_event):
    return make_event(start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC), duration=timedelta(hours=2))


@pytest.fixture
def registrants(webinar, make_registration):
    return [
        make_registration(webinar, name="Anna Kovács", email="anna.kovacs@pannon.example"),
        make_registration(webinar, name="Marco Rossi", email="marco.rossi@unioncamere.example"),
        make_registration(webinar, name="Łukasz Nowak", email="l.nowak@rarr.example"),
    ]


def upload(
    client,
    event,
    data: bytes,
    filename="report.csv",
    threshold="60",
    unit="minutes",
    timezone="Europe/Budapest",
):
    return client.post(
        f"/organiser/events/{event.id}/attendance/import",
        data={
            "report": (io.BytesIO(data), filename),
            "threshold": threshold,
            "threshold_unit": unit,
            "timezone": timezone,
        },
        content_type="multipart/form-data",
    )


def hidden_value(page: str, name: str) -> str:
    marker = f'name="{name}" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def preview_of(client, response) -> tuple[str, str]:
    """(preview URL, its page) after an upload."""
    location = response.headers["Location"]
    page = client.get(location)
    assert page.status_code == 200
    return location, page.get_data(as_text=True)


def person_ref(page: str, name: str) -> str:
    """The reference the preview's forms use for the person called ``name``."""
    start = page.index(f">{name}</h4>")
    marker = 'name="person" value="'
    start = page.index(marker, start) + len(marker)
    return page[start : page.index('"', start)]


def test_import_form_offers_the_default_threshold(client, organiser, webinar):
    page = client.get(f"/organiser/events/{webinar.id}/attendance/import").get_data(as_text=True)
    assert 'value="50"' in page and 'selected value="percent"' in page
    assert "Default: 50 % of the scheduled time of a day (60 minutes)." in page
    assert "BigBlueButton" in page and "Webex" in page


def test_import_preview_then_confirm_then_reimport(client, organiser, webinar, registrants):
    data = (DATA / "teams_attendance.csv").read_bytes()
    response = upload(client, webinar, data, "attendance.csv")
    assert response.status_code == 303
    location, page = preview_of(client, response)
    assert "Recognised as: Microsoft Teams attendance report." in page
    assert "Preview: nothing is stored until you confirm" in page
    assert "Present from 60 minutes online per day." in page
    assert count_records() == 0
    confirmed = client.post(location + "/confirm", data={"digest": hidden_value(page, "digest")})
    assert confirmed.headers["Location"] == f"/organiser/events/{webinar.id}/attendance"
    assert "Attendance imported: 3 new records" in client.get(
        confirmed.headers["Location"]
    ).get_data(as_text=True)
    stored = {
        a.registration.name: (a.status, a.minutes_online)
        for a in db.session.scalars(db.select(Attendance))
    }
    assert stored == {
        "Anna Kovács": ("present", 118),
        "Marco Rossi": ("absent", 50),
        "Łukasz Nowak": ("present", 108),
    }
    # The upload is gone once confirmed.
    assert client.get(location).headers["Location"].endswith("/attendance/import")

    location, again = preview_of(client, upload(client, webinar, data))
    assert "This file has already been imported: confirming changes nothing." in again
    client.post(location + "/confirm", data={"digest": hidden_value(again, "digest")})
    assert count_records() == 3


def test_preview_shows_hosts_apart_and_unmatched_people_with_their_status(
    client, organiser, webinar, registrants
):
    _, page = preview_of(
        client, upload(client, webinar, (DATA / "zoom_meeting_participants.csv").read_bytes())
    )
    assert "Recognised as: Zoom meeting participants report." in page
    assert "1 row of time in the waiting room left out." in page
    team = page[page.index('id="team-list"') :]
    assert "PANNON Host" in team and "Host" in team
    undecided = page[page.index('id="undecided-list"') : page.index('id="team-list"')]
    assert "Ilona Szabó (Guest)" in undecided and "95 minutes" in undecided
    assert "Add as walk-in" in undecided and "Match to this registrant" in undecided
    assert (
        "Ilona Szabó"
        not in page[page.index('id="matched-table"') : page.index('id="undecided-list"')]
    )


def test_match_an_unmatched_person_in_one_step(
    client, organiser, webinar, registrants, make_registration
):
    ilona = make_registration(webinar, name="Szabó Ilona Mária", email="ilona@pecs.example")
    response = upload(client, webinar, (DATA / "zoom_meeting_participants.csv").read_bytes())
    location, page = preview_of(client, response)
    ref = person_ref(page, "Ilona Szabó (Guest)")
    matched = client.post(location + "/match", data={"person": ref, "registration": str(ilona.id)})
    assert matched.headers["Location"].startswith(location)
    page = client.get(location).get_data(as_text=True)
    assert "Matched to Szabó Ilona Mária." in page
    table = page[
        page.index('id="matched-table"') : page.index("</table>", page.index('id="matched-table"'))
    ]
    assert "Szabó Ilona Mária" in table and "Your choice" in table
    # By e-mail too, from the shared list of registrants.
    host_ref = person_ref(page, "PANNON Host")
    response = client.post(
        location + "/match",
        data={"person": host_ref, "registrant": "Anna <anna.kovacs@pannon.example>"},
    )
    assert response.status_code == 303
    # An address nobody registered with is explained next to the person, not a 500.
    response = client.post(
        location + "/match", data={"person": host_ref, "registrant": "nobody@nowhere.example"}
    )
    assert response.status_code == 400
    assert "No active registrant of this event has that e-mail address." in response.get_data(
        as_text=True
    )
    assert count_records() == 0


def test_add_an_unmatched_person_as_walk_in(client, organiser, webinar, registrants, regions):
    location, page = preview_of(
        client, upload(client, webinar, (DATA / "zoom_meeting_participants.csv").read_bytes())
    )
    ref = person_ref(page, "Ilona Szabó (Guest)")
    form = client.get(location + f"/walk-in?person={ref}")
    assert form.status_code == 200
    form_page = form.get_data(as_text=True)
    assert 'value="Ilona Szabó"' in form_page  # the platform's "(Guest)" is left out
    missing = client.post(
        location + "/walk-in", data={"walkin-person": ref, "walkin-name": "Ilona Szabó"}
    )
    assert missing.status_code == 400 and count_records() == 0
    added = client.post(
        location + "/walk-in",
        data={
            "walkin-person": ref,
            "walkin-name": "Ilona Szabó",
            "walkin-email": "ilona.szabo@pecs.example",
            "walkin-stakeholder_type": "sme",
            "walkin-region": "HU",
            "walkin-consent": "y",
        },
    )
    assert added.headers["Location"].startswith(location)
    ilona = db.session.scalar(db.select(Registration).filter_by(email="ilona.szabo@pecs.example"))
    assert ilona.status == "confirmed"
    record = db.session.scalar(db.select(Attendance).filter_by(registration_id=ilona.id))
    assert (record.status, record.minutes_online, record.source) == ("present", 95, "import")
    assert client.get(location + "/walk-in?person=nonsense").status_code == 404


def test_threshold_in_percent_is_recalculated_and_kept_for_the_event(
    client, organiser, webinar, registrants
):
    response = upload(
        client,
        webinar,
        (DATA / "zoom_participants.csv").read_bytes(),
        threshold="40",
        unit="percent",
    )
    location, page = preview_of(client, response)
    assert "Present from 48 minutes online per day." in page  # 40 % of 120 minutes
    changed = client.post(
        location + "/threshold",
        data={"threshold-threshold": "25", "threshold-threshold_unit": "percent"},
    )
    assert changed.headers["Location"].startswith(location)
    page = client.get(location).get_data(as_text=True)
    assert "Present from 30 minutes online per day." in page
    bad = client.post(
        location + "/threshold",
        data={"threshold-threshold": "250", "threshold-threshold_unit": "percent"},
    )
    assert bad.status_code == 400
    assert "A percentage must be between 0 and 100." in bad.get_data(as_text=True)
    client.post(location + "/confirm", data={"digest": hidden_value(page, "digest")})
    form = client.get(f"/organiser/events/{webinar.id}/attendance/import").get_data(as_text=True)
    assert 'value="25"' in form  # the event keeps its threshold


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        ((DATA / "not_csv.bin").read_bytes(), "does not look like a CSV"),
        ((DATA / "unknown_layout.csv").read_bytes(), "could not recognise this layout"),
        ((DATA / "missing_columns.csv").read_bytes(), "no column with the time spent"),
        (b"PK\x03\x04" + bytes(100), "spreadsheet workbook"),
        (b"Name,Duration\n" + b"Someone Somebody,5\n" * 2000, "too large"),
    ],
)
def test_bad_files_get_a_message_next_to_the_field_and_store_nothing(
    client, organiser, webinar, registrants, content, message
):
    response = upload(client, webinar, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'id="report-error"' in page
    assert count_records() == 0


def test_bad_threshold_is_explained(client, organiser, webinar, registrants):
    response = upload(
        client, webinar, (DATA / "zoom_participants.csv").read_bytes(), threshold="-5"
    )
    assert response.status_code == 400
    assert 'id="threshold-error"' in response.get_data(as_text=True)


def test_stale_foreign_or_missing_previews_are_refused(
    client, organiser, webinar, registrants, make_event
):
    location, page = preview_of(
        client, upload(client, webinar, (DATA / "zoom_participants.csv").read_bytes())
    )
    digest = hidden_value(page, "digest")
    response = client.post(location + "/confirm", data={"digest": digest[:-3] + "abc"})
    assert response.headers["Location"].startswith(location)
    assert "changed since the preview" in client.get(location).get_data(as_text=True)
    other = make_event()
    foreign = location.replace(f"/events/{webinar.id}/", f"/events/{other.id}/")
    response = client.post(foreign + "/confirm", data={"digest": digest})
    assert response.headers["Location"].endswith(f"/events/{other.id}/attendance/import")
    assert client.get(location + "0000").headers["Location"].endswith("/attendance/import")
    assert client.post(location + "/match", data={}).status_code == 400
    assert count_records() == 0


def test_sheet_export_is_formula_safe(client, organiser, event, make_registration):
    make_registration(event, name='=HYPERLINK("http://x")', organisation="+Evil")
    csv_text = (
        client.get(f"/organiser/events/{event.id}/attendance.csv").get_data().decode("utf-8-sig")
    )
    assert "'=HYPERLINK" in csv_text and "'+Evil" in csv_text
    xlsx = client.get(f"/organiser/events/{event.id}/attendance.xlsx")
    assert xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")


def test_registrant_page_carries_the_check_in_code_for_on_site_events(
    client, make_event, make_registration
):
    onsite = make_event(format="onsite", venue="Klaipėda port", online_url="")
    person = make_registration(onsite, name="Anna Kovács")
    page = client.get(f"/registrations/{person.token}").get_data(as_text=True)
    assert "Your check-in code" in page
    assert (
        '<svg role="img" aria-label="QR code to show at the entrance to check in Anna Kovács"'
        in page
    )
    online = make_registration(make_event(format="online"))
    assert "Your check-in code" not in client.get(f"/registrations/{online.token}").get_data(
        as_text=True
    )
    waiting = make_registration(onsite, status="waitlisted")
    assert "Your check-in code" not in client.get(f"/registrations/{waiting.token}").get_data(
        as_text=True
    )


def test_qr_code_svg_is_drawn_once_per_check_in_address(app, anna):
    from webapp.attendance import qr

    qr._svg_for.cache_clear()
    with app.test_request_context():
        first = str(qr.checkin_qr_svg(anna))
        again = str(qr.checkin_qr_svg(anna))
    assert first == again
    assert qr._svg_for.cache_info().hits == 1 and qr._svg_for.cache_info().misses == 1


def test_an_upload_that_no_longer_reads_sends_back_to_the_form(
    client, organiser, webinar, registrants
):
    from webapp.models import AttendanceImport

    location, _ = preview_of(
        client, upload(client, webinar, (DATA / "zoom_participants.csv").read_bytes())
    )
    draft = db.session.scalars(db.select(AttendanceImport)).one()
    draft.data = b"Product,Price\nCoffee,2.50\n"
    db.session.commit()
    response = client.get(location)
    assert response.headers["Location"].endswith(f"/events/{webinar.id}/attendance/import")
    assert "could not recognise this layout" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
