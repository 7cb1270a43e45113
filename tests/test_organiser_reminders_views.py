"""An event saved without a reminder keeps none: ``reminders send`` leaves its people alone.

The organiser form proposes 24 hours for a new event; an emptied field means "no
reminder", which must survive saving, editing and copying the event.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.extensions import db
from webapp.models import Event, OutboxMessage

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
VILNIUS = ZoneInfo("Europe/Vilnius")


def event_form(title: str, reminder_hours: str, *, starts_in: timedelta) -> dict[str, object]:
    start = (datetime.now(UTC) + starts_in).astimezone(VILNIUS).replace(second=0, microsecond=0)
    return {
        "kind": "study_visit",
        "title": title,
        "summary": "Blue economy start-ups at the port of Klaipėda.",
        "language": "en",
        "timezone": "Europe/Vilnius",
        "starts_local": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_local": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "format": "onsite",
        "venue": "Klaipėda Science and Technology Park",
        "address": "Sausio 15-osios g. 2, Klaipėda",
        "visibility": "public",
        "status": "published",
        "regions": ["LT"],
        "host_partner": "PANNON",
        "reminder_hours": reminder_hours,
        "save": "1",
    }


def saved_event(title: str) -> Event:
    db.session.expire_all()
    return db.session.scalar(db.select(Event).where(Event.title == title))


def reminder_field_value(page: str) -> str | None:
    """The ``value`` of the reminder input of the event form (None when it has none)."""
    tag = re.search(r"<input[^>]*\bname=\"reminder_hours\"[^>]*>", page)
    assert tag, "the form has no reminder field"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def reminder_recipients() -> list[str]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage.to_address).where(OutboxMessage.kind == "reminder")
        )
    )


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def test_a_new_event_form_proposes_a_reminder_of_24_hours(client, organiser):
    page = client.get("/organiser/events/new").get_data(as_text=True)
    assert reminder_field_value(page) == "24"


def test_an_event_saved_without_a_reminder_gets_none_from_reminders_send(
    client, organiser, runner, make_registration
):
    for title, hours in (("Port visit without reminder", ""), ("Port visit with reminder", "24")):
        response = client.post(
            "/organiser/events/new", data=event_form(title, hours, starts_in=timedelta(hours=5))
        )
        event = saved_event(title)
        assert event is not None, response.get_data(as_text=True)
        assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    quiet = saved_event("Port visit without reminder")
    reminded = saved_event("Port visit with reminder")
    assert (quiet.reminder_hours, reminded.reminder_hours) == (None, 24)
    make_registration(quiet, email="aiste@quiet.example", created_at=LONG_AGO)
    make_registration(reminded, email="tomas@reminded.example", created_at=LONG_AGO)

    result = runner.invoke(args=["reminders", "send"])

    assert result.exit_code == 0, result.output
    assert result.output == "Queued 1 reminder.\n"
    assert reminder_recipients() == ["tomas@reminded.example"]
    # The edit form shows the field empty, not the 24 hours a new event starts with.
    page = client.get(f"/organiser/events/{quiet.id}/edit").get_data(as_text=True)
    assert reminder_field_value(page) in (None, "")


def test_emptying_the_reminder_of_an_existing_event_removes_it(
    client, organiser, runner, make_event, make_registration
):
    event = make_event(start=timedelta(hours=5), format="onsite", venue="Unioncamere Lombardia")
    assert event.reminder_hours == 24
    make_registration(event, created_at=LONG_AGO)
    data = event_form(event.title, "", starts_in=timedelta(hours=5))
    local_start = event.starts_at.astimezone(VILNIUS)
    data.update(
        starts_local=local_start.strftime("%Y-%m-%dT%H:%M"),
        ends_local=(local_start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        regions=event.region_codes,
    )

    response = client.post(f"/organiser/events/{event.id}/edit", data=data)

    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    db.session.expire_all()
    assert db.session.get(Event, event.id).reminder_hours is None
    assert runner.invoke(args=["reminders", "send"]).output == "Queued 0 reminders.\n"


def test_a_copy_of_an_event_without_a_reminder_has_none_either(client, organiser, make_event):
    event = make_event(reminder_hours=None)
    db.session.expire_all()
    assert db.session.get(Event, event.id).reminder_hours is None

    response = client.post(f"/organiser/events/{event.id}/duplicate")

    copy = db.session.scalar(db.select(Event).where(Event.id != event.id))
    assert copy is not None, response.get_data(as_text=True)
    assert copy.reminder_hours is None
