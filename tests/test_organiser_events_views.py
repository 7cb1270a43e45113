"""Scheduling events in the organiser workspace: the form, time zones, warnings, changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.extensions import db
from webapp.models import AuditEntry, Event, OutboxMessage, Question


def future_day(days: int = 30) -> datetime:
    """A weekday-independent date far enough ahead, as a naive local date at midnight."""
    d = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(d.year, d.month, d.day)


def form_data(**overrides) -> dict:
    day = future_day()
    data = {
        "kind": "webinar",
        "title": "Export readiness webinar",
        "summary": "How SMEs prepare for new markets.",
        "description": "Part one.\n\nPart two.",
        "timezone": "Europe/Vilnius",
        "starts_local": day.replace(hour=11).strftime("%Y-%m-%dT%H:%M"),
        "ends_local": day.replace(hour=12, minute=30).strftime("%Y-%m-%dT%H:%M"),
        "format": "online",
        "venue": "",
        "address": "",
        "online_url": "https://meet.jit.si/InterVenturesTestRoom1234",
        "capacity": "",
        "registration_opens_local": "",
        "registration_closes_local": "",
        "visibility": "public",
        "status": "published",
        "regions": ["HU", "LT"],
        "host_partner": "PANNON",
        "reminder_hours": "24",
        "save": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def test_creating_an_event_stores_the_local_time_as_utc(client, organiser):
    response = client.post("/organiser/events/new", data=form_data())
    event = db.session.scalar(db.select(Event))
    assert event is not None, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    # 11:00 in Vilnius is 08:00 or 09:00 UTC depending on summer time.
    local = event.starts_at.astimezone(ZoneInfo("Europe/Vilnius"))
    assert (local.hour, local.minute) == (11, 0)
    assert event.timezone == "Europe/Vilnius"
    assert event.ends_at - event.starts_at == timedelta(hours=1, minutes=30)
    assert event.region_codes == ["HU", "LT"]
    assert event.host_partner.short_name == "PANNON"
    assert event.slug.startswith("export-readiness-webinar-")
    assert event.status == "published"
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.event_id == event.id))
    assert entry.action == "event.created" and entry.user_id == organiser.id


def test_every_field_of_the_form_is_stored(client, organiser):
    day = future_day(40)
    data = form_data(
        starts_local=day.replace(hour=9).strftime("%Y-%m-%dT%H:%M"),
        ends_local=day.replace(hour=17).strftime("%Y-%m-%dT%H:%M"),
        kind="study_visit",
        format="hybrid",
        venue="Science and Technology Park",
        address="Sausio 15-osios g. 2, Klaipėda",
        capacity="25",
        registration_opens_local=(day - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        registration_closes_local=(day - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        requires_approval="y",
        visibility="partners",
        status="draft",
        reminder_hours="48",
        notify_organisers="y",
        **{
            "translations-lt-title": "Eksporto pasirengimo vebinaras",
            "translations-lt-summary": "Kaip MVĮ ruošiasi naujoms rinkoms.",
            "translations-hu-description": "Első rész.",
            "questions-0-label": "Dietary needs",
            "questions-0-kind": "short_text",
            "questions-0-position": "2",
            "questions-1-label": "Which sector?",
            "questions-1-kind": "single_choice",
            "questions-1-options": "Manufacturing\nServices\n",
            "questions-1-required": "y",
            "questions-1-position": "1",
        },
    )
    response = client.post("/organiser/events/new", data=data)
    event = db.session.scalar(db.select(Event))
    assert event is not None, response.get_data(as_text=True)
    assert (event.kind, event.format, event.capacity) == ("study_visit", "hybrid", 25)
    assert event.venue == "Science and Technology Park"
    assert event.address.endswith("Klaipėda")
    assert event.requires_approval and event.notify_organisers
    assert (event.visibility, event.status, event.reminder_hours) == ("partners", "draft", 48)
    assert event.registration_opens_at < event.registration_closes_at < event.starts_at
    assert event.translations == {
        "hu": {"description": "Első rész."},
        "lt": {
            "title": "Eksporto pasirengimo vebinaras",
            "summary": "Kaip MVĮ ruošiasi naujoms rinkoms.",
        },
    }
    assert [(q.label, q.kind, q.required, q.options) for q in event.questions] == [
        ("Which sector?", "single_choice", True, ["Manufacturing", "Services"]),
        ("Dietary needs", "short_text", False, []),
    ]


def test_check_times_shows_the_five_regions_and_stores_nothing(client, organiser):
    day = future_day()
    data = form_data(
        starts_local=day.replace(hour=9).strftime("%Y-%m-%dT%H:%M"),
        ends_local=day.replace(hour=10).strftime("%Y-%m-%dT%H:%M"),
        regions=["ES", "LT"],
        check_times="1",
        save=None,
    )
    page = client.post("/organiser/events/new", data=data).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0
    # 09:00 in Vilnius is 08:00 in Budapest, Rome, Warsaw and Madrid (one zone apart).
    assert page.count(day.strftime("%Y-%m-%d") + " 08:00") == 4
    assert day.strftime("%Y-%m-%d") + " 09:00" in page
    for name in ("Hungary", "Lombardy", "Podkarpackie", "Burgos", "Klaipėda"):
        assert name in page


def test_warns_outside_working_hours_in_a_served_region(client, organiser):
    day = future_day()
    data = form_data(
        starts_local=day.replace(hour=8).strftime("%Y-%m-%dT%H:%M"),
        ends_local=day.replace(hour=9).strftime("%Y-%m-%dT%H:%M"),
        regions=["ES", "LT"],
        check_times="1",
        save=None,
    )
    page = client.post("/organiser/events/new", data=data).get_data(as_text=True)
    # 08:00 in Vilnius is 07:00 in Burgos.
    assert "In Burgos it runs 07:00–08:00 local time, outside working hours" in page
    assert "In Klaipėda" not in page


def test_no_hours_warning_for_regions_not_served(client, organiser):
    day = future_day()
    data = form_data(
        starts_local=day.replace(hour=8).strftime("%Y-%m-%dT%H:%M"),
        ends_local=day.replace(hour=9).strftime("%Y-%m-%dT%H:%M"),
        regions=["LT"],
        check_times="1",
        save=None,
    )
    page = client.post("/organiser/events/new", data=data).get_data(as_text=True)
    assert "outside working hours" not in page


def test_warns_about_overlapping_events_serving_the_same_regions(client, organiser, make_event):
    day = future_day()
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    make_event(start=start, title="Steering group", region_codes=("LT", "PL"))
    make_event(start=start, title="Only Spain", region_codes=("ES",))
    data = form_data(
        timezone="UTC",
        starts_local=day.replace(hour=10).strftime("%Y-%m-%dT%H:%M"),
        ends_local=day.replace(hour=11).strftime("%Y-%m-%dT%H:%M"),
        regions=["LT"],
    )
    response = client.post("/organiser/events/new", data=data)
    assert response.status_code == 302  # a warning does not block saving
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It overlaps “Steering group”" in page
    assert "Only Spain" not in page


def test_jitsi_button_fills_an_unguessable_room(client, organiser):
    page = client.post(
        "/organiser/events/new", data=form_data(online_url="", create_jitsi="1", save=None)
    ).get_data(as_text=True)
    import re

    rooms = re.findall(r'value="https://meet\.jit\.si/(InterVentures[A-Za-z0-9]{24})"', page)
    assert len(rooms) == 1
    again = client.post(
        "/organiser/events/new", data=form_data(online_url="", create_jitsi="1", save=None)
    ).get_data(as_text=True)
    assert rooms[0] not in again
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_add_question_button_adds_an_empty_question(client, organiser):
    page = client.post(
        "/organiser/events/new", data=form_data(add_question="1", save=None)
    ).get_data(as_text=True)
    assert 'name="questions-0-label"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "Choose a time zone from the list"),
        ({"regions": ["XX"]}, "Choose regions from the list"),
        ({"regions": []}, "Choose at least one region"),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters"),
        ({"starts_local": "not a time"}, "Not a valid datetime value"),
        ({"online_url": "javascript:alert(1)"}, "Enter a full link starting with https://"),
        ({"capacity": "-3"}, "Number must be between 1 and 100000"),
        ({"host_partner": "NOPE"}, "Choose a host partner from the list"),
        ({"reminder_hours": "9999"}, "Number must be between 1 and 720"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(client, organiser, overrides, message):
    response = client.post("/organiser/events/new", data=form_data(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_end_before_start_is_refused(client, organiser):
    day = future_day()
    response = client.post(
        "/organiser/events/new",
        data=form_data(
            starts_local=day.replace(hour=12).strftime("%Y-%m-%dT%H:%M"),
            ends_local=day.replace(hour=11).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert "The end must be after the start." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_a_time_skipped_by_the_spring_change_is_refused(client, organiser):
    year = datetime.now(UTC).year + 1
    # The last Sunday of March: 03:30 does not exist in Vilnius (03:00 → 04:00).
    last_sunday = max(
        datetime(year, 3, d) for d in range(25, 32) if datetime(year, 3, d).weekday() == 6
    )
    response = client.post(
        "/organiser/events/new",
        data=form_data(
            starts_local=last_sunday.replace(hour=3, minute=30).strftime("%Y-%m-%dT%H:%M"),
            ends_local=last_sunday.replace(hour=5).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert "does not exist in Europe/Vilnius" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_organiser_cannot_host_for_another_partner(client, organiser, make_partner):
    make_partner("HU", short_name="OTHERHU")
    response = client.post("/organiser/events/new", data=form_data(host_partner="OTHERHU"))
    assert "Choose a host partner from the list" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_all_day_event_covers_whole_local_days(client, organiser):
    day = future_day()
    response = client.post(
        "/organiser/events/new",
        data=form_data(
            all_day="y",
            timezone="Europe/Madrid",
            starts_local=day.replace(hour=15).strftime("%Y-%m-%dT%H:%M"),
            ends_local=(day + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            format="onsite",
            venue="CEEI-Burgos",
            online_url="",
        ),
    )
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert event.all_day
    assert [d.isoformat() for d in event.days] == [
        (day + timedelta(days=n)).date().isoformat() for n in range(3)
    ]


# --- editing -------------------------------------------------------------------------------


def edit_data(event: Event, **overrides) -> dict:
    local_start = event.local_starts_at.replace(tzinfo=None)
    local_end = event.local_ends_at.replace(tzinfo=None)
    data = form_data(
        kind=event.kind,
        title=event.title,
        summary=event.summary,
        description=event.description,
        timezone=event.timezone,
        starts_local=local_start.strftime("%Y-%m-%dT%H:%M"),
        ends_local=local_end.strftime("%Y-%m-%dT%H:%M"),
        online_url=event.online_url,
        capacity=str(event.capacity) if event.capacity else "",
        regions=event.region_codes,
        host_partner=event.host_partner.short_name,
        status=event.status,
        reminder_hours=str(event.reminder_hours or ""),
    )
    for i, q in enumerate(event.questions):
        data[f"questions-{i}-id"] = str(q.id)
        data[f"questions-{i}-label"] = q.label
        data[f"questions-{i}-kind"] = q.kind
        data[f"questions-{i}-options"] = "\n".join(q.options)
        data[f"questions-{i}-position"] = str(i + 1)
    data.update(overrides)
    return data


def test_edit_form_shows_the_stored_local_time(client, organiser, make_event):
    event = make_event(start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC), timezone="Europe/Vilnius")
    page = client.get(f"/organiser/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2031-06-02T11:00"' in page  # 08:00 UTC is 11:00 in Vilnius in summer


def test_changing_the_time_bumps_sequence_and_notifies_active_registrants(
    client, organiser, make_event, make_registration
):
    event = make_event(start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC), timezone="Europe/Vilnius")
    confirmed = make_registration(event, status="confirmed")
    waitlisted = make_registration(event, status="waitlisted")
    make_registration(event, status="cancelled")
    response = client.post(
        f"/organiser/events/{event.id}/edit",
        data=edit_data(event, starts_local="2031-06-02T12:00", ends_local="2031-06-02T13:00"),
    )
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    db.session.refresh(event)
    assert event.sequence == 1
    assert event.starts_at == datetime(2031, 6, 2, 9, 0, tzinfo=UTC)
    mails = list(
        db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "event_changed"))
    )
    assert sorted(m.registration_id for m in mails) == sorted([confirmed.id, waitlisted.id])
    audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.updated"))
    assert "starts_at" in audit.details["changes"]
    assert audit.details["notified"] == 2


def test_changes_a_calendar_does_not_show_do_not_bump_or_notify(
    client, organiser, make_event, make_registration
):
    event = make_event()
    make_registration(event)
    client.post(
        f"/organiser/events/{event.id}/edit",
        data=edit_data(event, summary="A clearer summary", reminder_hours="12"),
    )
    db.session.refresh(event)
    assert event.summary == "A clearer summary" and event.reminder_hours == 12
    assert event.sequence == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


def test_capacity_below_confirmed_is_refused_and_nothing_changes(
    client, organiser, make_event, make_registration
):
    event = make_event(capacity=5)
    for _ in range(3):
        make_registration(event)
    response = client.post(
        f"/organiser/events/{event.id}/edit",
        data=edit_data(event, capacity="2", title="Renamed"),
    )
    assert "3 people are already confirmed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (event.capacity, event.title, event.sequence) == (5, event.title, 0)
    assert event.title != "Renamed"


def test_raising_capacity_moves_people_up_from_the_waiting_list(
    client, organiser, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    first = make_registration(event, status="waitlisted")
    second = make_registration(event, status="waitlisted")
    client.post(f"/organiser/events/{event.id}/edit", data=edit_data(event, capacity="2"))
    db.session.expire_all()
    assert (first.status, second.status) == ("confirmed", "waitlisted")


def test_answered_question_cannot_change_kind_or_be_removed(
    client, organiser, make_event, make_registration
):
    event = make_event()
    question = Question(event=event, label="Sector", kind="single_choice", options=["A", "B"])
    db.session.add(question)
    db.session.commit()
    make_registration(event, answers={str(question.id): "A"})

    changed_kind = edit_data(event, **{"questions-0-kind": "short_text"})
    page = client.post(f"/organiser/events/{event.id}/edit", data=changed_kind).get_data(
        as_text=True
    )
    assert "“Sector” already has answers, so its kind cannot change" in page

    renamed_option = edit_data(event, **{"questions-0-options": "A\nC"})
    page = client.post(f"/organiser/events/{event.id}/edit", data=renamed_option).get_data(
        as_text=True
    )
    assert "its existing options cannot be removed, renamed or reordered" in page

    removed = edit_data(event, **{"questions-0-remove": "y"})
    page = client.post(f"/organiser/events/{event.id}/edit", data=removed).get_data(as_text=True)
    assert "“Sector” already has answers, so it cannot be removed." in page

    db.session.expire_all()
    assert (question.kind, question.options) == ("single_choice", ["A", "B"])

    added_option = edit_data(event, **{"questions-0-options": "A\nB\nC"})
    client.post(f"/organiser/events/{event.id}/edit", data=added_option)
    db.session.expire_all()
    assert question.options == ["A", "B", "C"]


def test_unanswered_questions_can_be_reordered_and_removed(client, organiser, make_event):
    event = make_event()
    for position, label in enumerate(["First", "Second", "Third"]):
        db.session.add(Question(event=event, label=label, position=position))
    db.session.commit()
    data = edit_data(
        event,
        **{
            "questions-0-position": "3",
            "questions-1-remove": "y",
            "questions-2-position": "1",
        },
    )
    client.post(f"/organiser/events/{event.id}/edit", data=data)
    db.session.expire_all()
    assert [q.label for q in event.questions] == ["Third", "First"]


def test_a_question_id_of_another_event_is_refused(client, organiser, make_event):
    event = make_event()
    other = make_event()
    foreign = Question(event=other, label="Theirs")
    db.session.add(foreign)
    db.session.commit()
    data = edit_data(event, **{"questions-0-id": str(foreign.id), "questions-0-label": "Mine"})
    page = client.post(f"/organiser/events/{event.id}/edit", data=data).get_data(as_text=True)
    assert "A question does not belong to this event." in page
    db.session.expire_all()
    assert foreign.label == "Theirs" and foreign.event_id == other.id


# --- cancel, duplicate, delete, publish ----------------------------------------------------


def test_cancelling_keeps_the_event_and_notifies_registrants(
    client, organiser, make_event, make_registration
):
    event = make_event()
    active = make_registration(event)
    make_registration(event, status="cancelled")
    response = client.post(f"/organiser/events/{event.id}/cancel", data={"reason": "Strike"})
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    db.session.expire_all()
    assert event.status == "cancelled" and event.sequence == 1
    mails = list(db.session.scalars(db.select(OutboxMessage)))
    assert [(m.kind, m.registration_id) for m in mails] == [("event_cancelled", active.id)]
    assert client.get(f"/events/{event.slug}").status_code == 200  # still listed, as cancelled
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.cancelled"))
    assert entry.details["reason"] == "Strike"


def test_duplicate_is_a_draft_with_a_new_slug_and_the_questions(client, organiser, make_event):
    event = make_event(title="Brainstorm", online_url="https://meet.jit.si/InterVenturesOld")
    db.session.add(Question(event=event, label="Topic"))
    db.session.commit()
    response = client.post(f"/organiser/events/{event.id}/duplicate")
    copy = db.session.scalar(db.select(Event).where(Event.id != event.id))
    assert response.headers["Location"].endswith(f"/organiser/events/{copy.id}/edit")
    assert copy.status == "draft" and copy.slug != event.slug
    assert copy.title == "Brainstorm" and [q.label for q in copy.questions] == ["Topic"]
    assert (
        copy.online_url.startswith("https://meet.jit.si/") and copy.online_url != event.online_url
    )


def test_only_drafts_without_registrations_can_be_deleted(
    client, organiser, make_event, make_registration
):
    published = make_event()
    client.post(f"/organiser/events/{published.id}/delete")
    assert db.session.get(Event, published.id) is not None

    draft_with_people = make_event(status="draft")
    make_registration(draft_with_people)
    page = client.post(f"/organiser/events/{draft_with_people.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in page.get_data(as_text=True)
    assert db.session.get(Event, draft_with_people.id) is not None

    draft = make_event(status="draft")
    draft_id = draft.id
    response = client.post(f"/organiser/events/{draft_id}/delete")
    assert response.headers["Location"].endswith("/organiser/")
    db.session.expire_all()
    assert db.session.get(Event, draft_id) is None
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.deleted"))
    assert entry.details["deleted_event_id"] == draft_id and entry.event_id is None


def test_publishing_a_draft_puts_it_in_the_catalogue(client, organiser, make_event):
    draft = make_event(status="draft", title="Fresh webinar")
    assert "Fresh webinar" not in client.get("/").get_data(as_text=True)
    client.post(f"/organiser/events/{draft.id}/publish")
    assert "Fresh webinar" in client.get("/").get_data(as_text=True)


def test_event_page_shows_the_audit_trail(client, organiser, make_event):
    event = make_event()
    client.post(f"/organiser/events/{event.id}/edit", data=edit_data(event, title="New name"))
    page = client.get(f"/organiser/events/{event.id}").get_data(as_text=True)
    assert "Changed the event" in page
    assert organiser.name in page
    assert "New name" in page


def test_dashboard_lists_my_regions_events_with_counts(
    client, organiser, make_event, make_registration, make_partner
):
    event = make_event(title="Ours", capacity=10)
    for status in ("confirmed", "confirmed", "waitlisted", "pending"):
        make_registration(event, status=status)
    spanish = make_partner("ES")
    make_event(title="Theirs", host_partner=spanish, region_codes=("ES",))
    page = client.get("/organiser/").get_data(as_text=True)
    assert "Ours" in page and "Theirs" not in page
    assert "<td>2</td>\n      <td>1</td>\n      <td>1</td>\n      <td>8</td>" in page
