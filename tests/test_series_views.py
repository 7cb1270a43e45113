"""Event series: created at once, each date its own event; one date or all later ones edited."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from webapp.extensions import db
from webapp.models import Event, Invitation, PartnerContact
from webapp.timezones import utc_to_local

# Tuesday 2030-01-01 10:00 in Budapest (CET): the first Tuesday of January 2030.
FIRST = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def test_monthly_first_tuesday_six_dates_keep_local_time(client, make_event, make_user, login):
    login(make_user())
    template = make_event(start=FIRST, kind="partner_meeting", title="Monthly steering")
    response = client.post(
        f"/organiser/events/{template.id}/series/new",
        data={
            "mode": "rule",
            "frequency": "monthly",
            "position": "1",
            "weekday": "1",
            "count": "6",
            "interval": "1",
        },
    )
    assert response.headers["Location"].endswith(f"/organiser/events/{template.id}")
    db.session.refresh(template)
    members = db.session.scalars(
        db.select(Event).where(Event.series_id == template.series_id).order_by(Event.starts_at)
    ).all()
    local = [utc_to_local(e.starts_at, "Europe/Budapest") for e in members]
    assert [d.date().isoformat() for d in local] == [
        "2030-01-01",
        "2030-02-05",
        "2030-03-05",
        "2030-04-02",  # after the clocks change: still 10:00 local
        "2030-05-07",
        "2030-06-04",
    ]
    assert {(d.hour, d.minute) for d in local} == {(10, 0)}
    assert len({e.slug for e in members}) == 6 and all(e.sequence == 0 for e in members)
    # Each is its own VEVENT in the feeds.
    feed = icalendar.Calendar.from_ical(client.get("/calendar.ics").data)
    assert {str(v["UID"]) for v in feed.walk("VEVENT")} >= {
        f"event-{e.id}@events.example.org" for e in members
    }
    # Navigation between the dates.
    html = client.get(f"/organiser/events/{members[2].id}").get_data(as_text=True)
    assert all(f"/organiser/events/{e.id}" in html for e in members)
    assert f'href="/events/{members[1].slug}"' in client.get(f"/events/{members[0].slug}").get_data(
        as_text=True
    )


def test_list_of_dates_and_bad_input(client, make_event, make_user, login):
    login(make_user())
    template = make_event(start=FIRST)
    bad = client.post(
        f"/organiser/events/{template.id}/series/new",
        data={"mode": "dates", "dates": "2030-02-10\nnext tuesday"},
    )
    assert bad.status_code == 400
    assert "Line 2" in bad.get_data(as_text=True)
    assert db.session.get(Event, template.id).series_id is None
    client.post(
        f"/organiser/events/{template.id}/series/new",
        data={"mode": "dates", "dates": "2030-02-10\n2030-03-17"},
    )
    db.session.refresh(template)
    assert len(template.series.events) == 3


def _series(client, make_event, **fields):
    template = make_event(start=FIRST, **fields)
    client.post(
        f"/organiser/events/{template.id}/series/new",
        data={"mode": "dates", "dates": "2030-02-05\n2030-03-05"},
    )
    db.session.refresh(template)
    return template.series.events


def _edit(client, event, **changes):
    page = client.get(f"/organiser/events/{event.id}/edit")
    assert page.status_code == 200
    local = utc_to_local(event.starts_at, event.timezone)
    end = utc_to_local(event.ends_at, event.timezone)
    data = {
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "timezone": event.timezone,
        "starts_local": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_local": end.strftime("%Y-%m-%dT%H:%M"),
        "format": event.format,
        "online_url": event.online_url,
        "visibility": event.visibility,
        "status": event.status,
        "regions": event.region_codes,
        "host_partner": event.host_partner.short_name,
        "language": event.language,
        "reminder_hours": "24",
        "series_scope": "this",
        "save": "1",
    }
    data.update(changes)
    return client.post(f"/organiser/events/{event.id}/edit", data=data)


def test_editing_one_date_bumps_only_its_sequence(client, make_event, make_user, login):
    login(make_user())
    first, second, third = _series(client, make_event)
    response = _edit(client, second, starts_local="2030-02-05T11:00", ends_local="2030-02-05T13:00")
    assert response.status_code == 302
    for event in (first, second, third):
        db.session.refresh(event)
    assert (first.sequence, second.sequence, third.sequence) == (0, 1, 0)
    assert utc_to_local(second.starts_at, "Europe/Budapest").hour == 11
    assert utc_to_local(third.starts_at, "Europe/Budapest").hour == 10


def test_editing_this_and_later_dates(client, make_event, make_user, login):
    login(make_user())
    first, second, third = _series(client, make_event)
    response = _edit(
        client,
        second,
        title="Steering (new room)",
        starts_local="2030-02-05T14:00",
        ends_local="2030-02-05T16:00",
        series_scope="following",
    )
    assert response.status_code == 302
    for event in (first, second, third):
        db.session.refresh(event)
    assert [e.title for e in (first, second, third)] == [
        first.title,
        "Steering (new room)",
        "Steering (new room)",
    ]
    third_local = utc_to_local(third.starts_at, "Europe/Budapest")
    assert (third_local.date().isoformat(), third_local.hour) == ("2030-03-05", 14)
    assert (first.sequence, second.sequence, third.sequence) == (0, 1, 1)


def test_invitations_for_the_whole_series_in_one_go(client, make_event, make_user, login, partner):
    login(make_user())
    dates = _series(client, make_event, visibility="partners", kind="partner_meeting")
    contact = PartnerContact(partner=partner, name="Anna", email="anna@pannon.example")
    db.session.add(contact)
    db.session.commit()
    client.post(
        f"/organiser/events/{dates[0].id}/invitations",
        data={"contacts": [str(contact.id)], "whole_series": "y"},
    )
    invited = db.session.scalars(
        db.select(Invitation.event_id).where(Invitation.contact_id == contact.id)
    ).all()
    assert sorted(invited) == sorted(e.id for e in dates)
    token = db.session.scalar(db.select(Invitation.token).where(Invitation.event_id == dates[1].id))
    html = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert html.count("/invitations/") >= 3  # links to the other dates' invitations


def test_publishing_this_and_later_dates_publishes_the_drafts(client, make_event, make_user, login):
    login(make_user())
    first, second, third = _series(client, make_event, status="draft")
    assert {e.status for e in (first, second, third)} == {"draft"}
    _edit(client, second, status="published", series_scope="following")
    for event in (first, second, third):
        db.session.refresh(event)
    assert [e.status for e in (first, second, third)] == ["draft", "published", "published"]
