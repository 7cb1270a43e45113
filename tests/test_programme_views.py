"""Programme items and speakers: the organiser screens, the event page, the printable page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from webapp.extensions import db
from webapp.models import AuditEntry, Event, ProgrammeItem, Speaker
from webapp.timezones import local_to_utc

# A study visit across the spring change: Europe moves its clocks on Sunday 28 March
# 2027, the United States two weeks earlier, Japan not at all.
VISIT_START = local_to_utc(datetime(2027, 3, 27, 8, 0), "Europe/Budapest")
VISIT_END = local_to_utc(datetime(2027, 3, 29, 18, 0), "Europe/Budapest")


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


@pytest.fixture
def visit(make_event, regions):
    return make_event(
        start=VISIT_START,
        duration=VISIT_END - VISIT_START,
        kind="study_visit",
        format="onsite",
        venue="Pécs Expo Centre",
        online_url="",
        title="Study visit: agri-food exporters",
        region_codes=("HU", "LT", "ES"),
        meeting_point="Hotel Palatinus lobby, 07:45",
        travel_notes="Fly to Budapest; the bus to Pécs leaves at 06:00.",
    )


def add_item(event, start, end, title="Visit", place="", tz="Europe/Budapest", **fields):
    item = ProgrammeItem(
        event=event,
        starts_at=local_to_utc(start, tz),
        ends_at=local_to_utc(end, tz),
        title=title,
        place=place,
        kind=fields.pop("kind", "site_visit"),
        **fields,
    )
    db.session.add(item)
    db.session.commit()
    return item


def item_form(**overrides) -> dict:
    data = {
        "kind": "site_visit",
        "title": "Visit to the Zsolnay quarter",
        "description": "Guided tour.",
        "starts_local": "2027-03-27T09:00",
        "ends_local": "2027-03-27T11:00",
        "place": "Zsolnay Cultural Quarter",
        "address": "Zsolnay Vilmos u. 37, Pécs",
        "map_url": "",
    }
    data.update(overrides)
    return data


def test_an_organiser_adds_an_item_in_the_event_zone_stored_in_utc(client, organiser, visit):
    response = client.post(f"/organiser/events/{visit.id}/programme/new", data=item_form())
    assert response.headers["Location"].startswith(f"/organiser/events/{visit.id}/programme")
    item = db.session.scalar(db.select(ProgrammeItem))
    # 09:00 in Budapest on 27 March 2027 (CET, UTC+1) is 08:00 UTC.
    assert item.starts_at == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    assert item.ends_at == datetime(2027, 3, 27, 10, 0, tzinfo=UTC)
    assert item.map_link.startswith("https://www.openstreetmap.org/search?query=Zsolnay")
    assert db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "programme.item_added")
    )
    page = client.get(f"/organiser/events/{visit.id}/programme").get_data(as_text=True)
    assert "Visit to the Zsolnay quarter" in page and "09:00" in page


@pytest.mark.parametrize(
    ("start", "end", "field_message"),
    [
        ("2027-03-26T09:00", "2027-03-26T10:00", "The event runs from 2027-03-27 to 2027-03-29"),
        ("2027-03-29T17:00", "2027-03-30T10:00", "The event ends on 2027-03-29"),
        ("2027-03-27T11:00", "2027-03-27T10:00", "The end must be after the start."),
        ("2027-03-28T02:30", "2027-03-28T03:30", "does not exist in Europe/Budapest"),
    ],
)
def test_items_outside_the_event_or_impossible_times_are_refused(
    client, organiser, visit, start, end, field_message
):
    response = client.post(
        f"/organiser/events/{visit.id}/programme/new",
        data=item_form(starts_local=start, ends_local=end),
    )
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgrammeItem)) == 0


def test_overlapping_items_in_one_place_are_kept_with_a_warning(client, organiser, visit):
    add_item(visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 11), "Tour", "Hall A")
    response = client.post(
        f"/organiser/events/{visit.id}/programme/new",
        data=item_form(
            title="Workshop",
            place="hall  a",
            starts_local="2027-03-27T10:30",
            ends_local="2027-03-27T12:00",
        ),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "“Workshop” overlaps “Tour” (09:00–11:00) in hall  a." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgrammeItem)) == 2
    # Another place at the same time is no problem.
    client.post(
        f"/organiser/events/{visit.id}/programme/new",
        data=item_form(title="Lunch", place="Restaurant", starts_local="2027-03-27T10:30"),
    )
    overlaps = client.get(f"/organiser/events/{visit.id}/programme").get_data(as_text=True)
    assert overlaps.count("⚠") == 2  # Tour and Workshop, not Lunch


@pytest.mark.parametrize(
    ("tz", "first_day", "last_day"),
    [
        # Budapest: the clock reads 09:00 both days, the UTC instants differ by an hour.
        ("Europe/Budapest", "09:00", "09:00"),
        ("Europe/Vilnius", "10:00", "10:00"),
        ("Europe/Lisbon", "08:00", "08:00"),
        # New York moved its clocks on 14 March: the hour gap with Europe closes.
        ("America/New_York", "04:00", "03:00"),
        ("Asia/Tokyo", "17:00", "16:00"),
    ],
)
def test_the_programme_in_several_zones_across_the_spring_change(
    client, visit, tz, first_day, last_day
):
    add_item(visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 10), "Opening")
    add_item(visit, datetime(2027, 3, 29, 9), datetime(2027, 3, 29, 10), "Closing")
    page = client.get(f"/events/{visit.slug}?tz={tz}").get_data(as_text=True)
    opening = page.index("Opening")
    closing = page.index("Closing")
    assert f">{first_day}</time>" in page[page.rindex("programme-time", 0, opening) : opening]
    assert f">{last_day}</time>" in page[page.rindex("programme-time", 0, closing) : closing]
    assert f'value="{tz}" selected' in page


def test_the_programme_is_shown_by_day_in_the_event_zone_with_a_zone_switch(client, visit):
    add_item(visit, datetime(2027, 3, 29, 9), datetime(2027, 3, 29, 10), "Closing")
    add_item(visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 10), "Opening")
    page = client.get(f"/events/{visit.slug}").get_data(as_text=True)
    assert page.index("Saturday, 27 March 2027") < page.index("Opening")
    assert page.index("Opening") < page.index("Monday, 29 March 2027") < page.index("Closing")
    # A GET form works without JavaScript: the event's zone and each region's.
    assert '<select id="programme-tz" name="tz"' in page
    for zone in ("Europe/Budapest", "Europe/Vilnius", "Europe/Madrid"):
        assert f'value="{zone}"' in page
    assert "Hotel Palatinus lobby, 07:45" in page  # practical information
    assert f'href="/events/{visit.slug}/programme"' in page


def test_an_unknown_zone_falls_back_to_the_event_zone_with_a_notice(client, visit):
    add_item(visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 10), "Opening")
    response = client.get(f"/events/{visit.slug}?tz=Mars/Olympus_Mons")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That time zone is not known" in page
    assert 'value="Europe/Budapest" selected' in page


def test_item_titles_and_descriptions_translate_like_event_texts(client, organiser, visit):
    data = item_form(
        **{
            "translations-hu-title": "Látogatás a Zsolnay negyedben",
            "translations-hu-description": "Vezetett túra.",
            "translations-lt-title": "",
        }
    )
    client.post(f"/organiser/events/{visit.id}/programme/new", data=data)
    item = db.session.scalar(db.select(ProgrammeItem))
    assert item.translations == {
        "hu": {"title": "Látogatás a Zsolnay negyedben", "description": "Vezetett túra."}
    }
    hungarian = client.get(f"/events/{visit.slug}", headers={"Accept-Language": "hu"})
    assert "Látogatás a Zsolnay negyedben" in hungarian.get_data(as_text=True)
    polish = client.get(f"/events/{visit.slug}", headers={"Accept-Language": "pl"})
    # No Polish translation: the original, marked with its language.
    assert '<p class="programme-title" lang="en">Visit to the Zsolnay quarter</p>' in (
        polish.get_data(as_text=True)
    )


def test_the_printable_programme(client, visit):
    add_item(visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 10), "Opening")
    response = client.get(f"/events/{visit.slug}/programme?tz=Europe/Vilnius")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Opening" in page and ">10:00</time>" in page
    assert "Fly to Budapest" in page
    assert "js/programme.js" in page and "<script>" not in page
    assert client.get("/events/no-such-event/programme").status_code == 404


def test_a_draft_has_no_public_programme(client, make_event):
    draft = make_event(status="draft")
    assert client.get(f"/events/{draft.slug}/programme").status_code == 404


def test_speakers_are_reused_across_events_and_shown(client, organiser, visit, make_event):
    response = client.post(
        "/organiser/speakers/new",
        data={"name": "Dr. Ana Ruiz", "organisation": "CEEI-Burgos", "bio": "Export coach."},
    )
    assert response.headers["Location"] == "/organiser/speakers"
    speaker = db.session.scalar(db.select(Speaker))
    webinar = make_event(start=VISIT_START, title="Webinar")
    for event, start in ((visit, "2027-03-27T09:00"), (webinar, "2027-03-27T08:00")):
        client.post(
            f"/organiser/events/{event.id}/programme/new",
            data=item_form(
                kind="talk",
                starts_local=start,
                ends_local=start[:-5] + "11:00",
                speakers=[str(speaker.id)],
            ),
        )
    assert len(speaker.items) == 2
    page = client.get(f"/events/{webinar.slug}").get_data(as_text=True)
    assert "Dr. Ana Ruiz" in page and "Export coach." in page and "CEEI-Burgos" in page
    # A speaker still in a programme cannot be removed.
    response = client.post(f"/organiser/speakers/{speaker.id}/delete", follow_redirects=True)
    assert "speaks in 2 programme items" in response.get_data(as_text=True)
    assert db.session.get(Speaker, speaker.id) is not None


def test_a_speaker_needs_a_name_and_a_real_link(client, organiser):
    response = client.post("/organiser/speakers/new", data={"name": "", "url": "javascript:x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a full link starting with https://" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Speaker)) == 0


def test_an_unknown_speaker_is_refused(client, organiser, visit):
    response = client.post(
        f"/organiser/events/{visit.id}/programme/new", data=item_form(speakers=["9999"])
    )
    assert response.status_code == 400
    assert "Choose speakers from the list." in response.get_data(as_text=True)


def test_organisers_of_another_region_cannot_change_the_programme(
    client, make_user, login, make_partner, visit
):
    login(make_user("organiser", partner=make_partner("LT")))
    response = client.post(f"/organiser/events/{visit.id}/programme/new", data=item_form())
    assert response.status_code == 403
    assert client.get(f"/organiser/events/{visit.id}/programme").status_code == 200


def test_removing_an_item(client, organiser, visit):
    item = add_item(visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 10), "Opening")
    response = client.post(f"/organiser/events/{visit.id}/programme/{item.id}/delete")
    assert response.headers["Location"] == f"/organiser/events/{visit.id}/programme"
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgrammeItem)) == 0


def test_the_event_calendar_file_carries_a_short_programme_with_a_link(client, visit):
    for n in range(10):
        add_item(
            visit,
            datetime(2027, 3, 27, 9) + timedelta(minutes=30 * n),
            datetime(2027, 3, 27, 9, 25) + timedelta(minutes=30 * n),
            f"Item {n}",
            place="Hall A",
        )
    calendar = Calendar.from_ical(client.get(f"/events/{visit.slug}.ics").data)
    description = str(next(iter(calendar.walk("VEVENT")))["DESCRIPTION"])
    assert "Programme (Europe/Budapest):" in description
    assert "27.03. 09:00–09:25 Item 0 (Hall A)" in description
    assert "Item 7" in description and "Item 8" not in description
    assert f"… and more: https://events.example.org/events/{visit.slug}/programme" in description


def test_moving_the_event_flags_items_left_outside_its_days(client, organiser, visit):
    add_item(visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 10), "Opening")
    visit.starts_at += timedelta(days=7)
    visit.ends_at += timedelta(days=7)
    db.session.commit()
    page = client.get(f"/organiser/events/{visit.id}/programme").get_data(as_text=True)
    assert "the programme must stay within those days" in page


def test_the_json_api_gives_one_event_its_programme(client, visit):
    speaker = Speaker(name="Ana Ruiz", organisation="CEEI-Burgos")
    add_item(
        visit,
        datetime(2027, 3, 29, 9),
        datetime(2027, 3, 29, 10),
        "Closing",
        place="Hall A",
        address="Rákóczi út 1, Pécs",
        speakers=[speaker],
        translations={"hu": {"title": "Zárás"}},
    )
    data = client.get(f"/api/v1/events/{visit.slug}").get_json()["event"]
    assert data["programme_url"] == f"https://events.example.org/events/{visit.slug}/programme"
    (item,) = data["programme"]
    assert item["starts_at"] == "2027-03-29T07:00:00Z"  # 09:00 CEST
    assert item["translations"] == {"hu": {"title": "Zárás"}}
    assert item["speakers"] == [{"name": "Ana Ruiz", "organisation": "CEEI-Burgos", "url": ""}]
    assert item["map_url"].startswith("https://www.openstreetmap.org/search?query=")
    listing = client.get("/api/v1/events?when=past").get_json()
    assert all("programme" not in e for e in listing.get("events", []))


def test_moving_the_event_to_other_days_moves_its_programme_keeping_clock_times(client, organiser):
    from tests.test_organiser_events_views import form_data

    data = form_data(
        kind="study_visit",
        timezone="Europe/Budapest",
        starts_local="2027-03-20T09:00",
        ends_local="2027-03-22T17:00",
        format="onsite",
        venue="Pécs",
    )
    client.post("/organiser/events/new", data=data)
    event = db.session.scalar(db.select(Event))
    add_item(event, datetime(2027, 3, 22, 9), datetime(2027, 3, 22, 10), "Closing")
    # A later start on the same day moves nothing.
    client.post(
        f"/organiser/events/{event.id}/edit", data={**data, "starts_local": "2027-03-20T10:00"}
    )
    db.session.expire_all()
    item = db.session.scalar(db.select(ProgrammeItem))
    assert item.starts_at == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
    # A week later, after the spring change: still 09:00 on the Budapest clock.
    response = client.post(
        f"/organiser/events/{event.id}/edit",
        data={**data, "starts_local": "2027-03-27T09:00", "ends_local": "2027-03-29T17:00"},
    )
    assert response.headers["Location"] == f"/organiser/events/{event.id}"
    db.session.expire_all()
    item = db.session.scalar(db.select(ProgrammeItem))
    assert item.starts_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert item.ends_at == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)


def test_a_duplicate_copies_the_programme_not_the_materials(client, organiser, visit):
    from webapp.models import Material

    speaker = Speaker(name="Ana Ruiz")
    add_item(
        visit, datetime(2027, 3, 27, 9), datetime(2027, 3, 27, 10), "Opening", speakers=[speaker]
    )
    db.session.add(Material(event=visit, title="Slides", audience="everyone", url="https://x.org"))
    db.session.commit()
    response = client.post(f"/organiser/events/{visit.id}/duplicate")
    copy_id = int(response.headers["Location"].split("/")[-2])
    copy = db.session.get(Event, copy_id)
    assert [(i.title, [s.name for s in i.speakers]) for i in copy.programme] == [
        ("Opening", ["Ana Ruiz"])
    ]
    assert copy.materials == []
    assert len(visit.programme) == 1
