"""The iCalendar builder on its own: structure, time zones, text, determinism."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from tests.support.calendar_cases import PARTNERSHIP_ZONES, cases, expected, read_back
from tests.support.ical_check import python_times
from webapp.calendar import CalendarEvent, build_calendar, vtimezone

START = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


def make(uid: str = "event-1@events.example.org", **fields) -> CalendarEvent:
    values = {
        "uid": uid,
        "sequence": 0,
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "timezone": "Europe/Budapest",
        "summary": "Kick-off meeting",
    }
    values.update(fields)
    return CalendarEvent(**values)


def lines(ics: bytes) -> list[str]:
    """Unfolded content lines."""
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_calendar_properties_are_written_the_way_clients_read_them():
    ics = build_calendar(
        [make()], name="Inter Ventures, all; events", description="Partner meetings, webinars"
    )
    text = lines(ics)
    assert text[:4] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Inter Ventures//Inter Ventures Events//EN",
        "CALSCALE:GREGORIAN",
    ]
    assert "METHOD:PUBLISH" in text
    assert r"NAME:Inter Ventures\, all\; events" in text
    assert r"X-WR-CALNAME:Inter Ventures\, all\; events" in text
    assert r"X-WR-CALDESC:Partner meetings\, webinars" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in text
    assert "X-PUBLISHED-TTL:PT6H" in text


def test_event_properties():
    event = make(
        sequence=4,
        description="Agenda\nDay one",
        location="Hall A, Pécs",
        url="https://events.example.org/events/kick-off",
        categories=("Partner meeting", "Hungary"),
        created=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        last_modified=datetime(2026, 2, 1, 12, 30, tzinfo=UTC),
    )
    vevent = icalendar.Calendar.from_ical(build_calendar([event], name="x")).walk("VEVENT")[0]
    assert str(vevent["UID"]) == "event-1@events.example.org"
    assert int(vevent["SEQUENCE"]) == 4
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent["DTSTAMP"].dt == datetime(2026, 2, 1, 12, 30, tzinfo=UTC)
    assert vevent["CREATED"].dt == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert vevent["LAST-MODIFIED"].dt == datetime(2026, 2, 1, 12, 30, tzinfo=UTC)
    assert str(vevent["DESCRIPTION"]) == "Agenda\nDay one"
    assert str(vevent["LOCATION"]) == "Hall A, Pécs"
    assert str(vevent["URL"]) == "https://events.example.org/events/kick-off"
    assert list(vevent["CATEGORIES"].cats) == ["Partner meeting", "Hungary"]
    assert vevent["DTSTART"].params["TZID"] == "Europe/Budapest"
    assert vevent["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 6, 10, 10, 0)
    for absent in ("ORGANIZER", "ATTENDEE", "CONFERENCE"):
        assert absent not in vevent
    assert not vevent.walk("VALARM")


def test_cancelled_event_and_conference_link():
    ics = build_calendar(
        [
            make("a@x", status="CANCELLED"),
            make("b@x", conference_url="https://meet.example/r", conference_label="Join online"),
        ],
        name="x",
    )
    text = lines(ics)
    assert "STATUS:CANCELLED" in text
    assert (
        "CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Join online:https://meet.example/r" in text
    )


def test_text_is_escaped_and_comes_back_unchanged():
    tricky = 'Budget; costs, "travel" \\ back-slash\nsecond line'
    vevent = icalendar.Calendar.from_ical(
        build_calendar([make(summary=tricky, description=tricky, location=tricky)], name="x")
    ).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == tricky
    assert str(vevent["DESCRIPTION"]) == tricky
    assert r"SUMMARY:Budget\; costs\, \"travel\" \\ back-slash\nsecond line" not in lines(
        build_calendar([make(summary=tricky)], name="x")
    )  # quotes are not escaped in TEXT
    assert r"SUMMARY:Budget\; costs\, " in build_calendar([make(summary=tricky)], name="x").decode()


def test_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_characters():
    long_text = "Klaipėdos ūkio plėtros ąžuolų šventė – " * 12
    ics = build_calendar(
        [make(summary=long_text, description=long_text, location="ąčęėįšųūž" * 20)], name="x"
    )
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    physical = ics.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)
    for line in physical:
        line.decode("utf-8")  # a folded line never ends inside a character
    assert str(icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["SUMMARY"]) == long_text


def test_all_day_events_are_dates_with_exclusive_end():
    local_midnight = datetime(2026, 5, 10, 22, 0, tzinfo=UTC)  # 11 May 00:00 in Budapest
    event = make(starts_at=local_midnight, ends_at=local_midnight + timedelta(days=2), all_day=True)
    text = lines(build_calendar([event], name="x"))
    assert "DTSTART;VALUE=DATE:20260511" in text
    assert "DTEND;VALUE=DATE:20260513" in text
    assert not any(line.startswith("BEGIN:VTIMEZONE") for line in text)


def test_output_is_byte_identical_for_the_same_events_in_any_order():
    def on_day(n: int) -> dict:
        return {
            "starts_at": START + timedelta(days=n),
            "ends_at": START + timedelta(days=n, hours=1),
        }

    events = [make(f"e{n}@x", **on_day(5 - n)) for n in range(6)]
    events[2] = make("e2@x", timezone="Europe/Vilnius", **on_day(0))
    first = build_calendar(events, name="x")
    assert first == build_calendar(list(reversed(events)), name="x")
    assert first == build_calendar(events[3:] + events[:3], name="x")
    # events in time order, so a diff of two versions of a feed stays readable
    assert re.findall(rb"UID:(\S+)", first) == [
        b"e2@x",
        b"e5@x",
        b"e4@x",
        b"e3@x",
        b"e1@x",
        b"e0@x",
    ]


@pytest.mark.parametrize("zone", PARTNERSHIP_ZONES)
def test_vtimezone_has_one_standard_and_one_daylight_rule(zone):
    component = icalendar.Timezone.from_ical(vtimezone(zone, 2025, 2028).to_ical())
    standard = component.walk("STANDARD")
    daylight = component.walk("DAYLIGHT")
    assert len(standard) == 1 and len(daylight) == 1
    for observance, month in ((daylight[0], 3), (standard[0], 10)):
        rule = observance["RRULE"]
        assert rule["FREQ"] == ["YEARLY"]
        assert rule["BYMONTH"] == [month]
        assert rule["BYDAY"] == ["-1SU"]
        assert "UNTIL" not in rule
        assert "RDATE" not in observance
    winter = 2 if zone == "Europe/Vilnius" else 1
    assert standard[0]["TZOFFSETTO"].td == timedelta(hours=winter)
    assert daylight[0]["TZOFFSETTO"].td == timedelta(hours=winter + 1)


def test_every_zone_used_gets_one_vtimezone_and_utc_none():
    events = [
        make("a@x", timezone="Europe/Rome"),
        make("b@x", timezone="Europe/Rome"),
        make("c@x", timezone="Europe/Madrid"),
        make("d@x", timezone="UTC"),
    ]
    text = lines(build_calendar(events, name="x"))
    assert [line for line in text if line.startswith("TZID:")] == [
        "TZID:Europe/Madrid",
        "TZID:Europe/Rome",
    ]
    assert "DTSTART:20260610T080000Z" in text


def test_times_resolve_through_the_feeds_own_vtimezone_in_every_season():
    events = cases()
    parsed = python_times(build_calendar(events, name="x"))
    assert parsed["zones"] == sorted(PARTNERSHIP_ZONES)
    assert read_back(parsed) == expected(events)


def test_a_wall_time_repeated_in_october_is_written_in_utc():
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST in Budapest
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET: the same wall time
    text = lines(
        build_calendar(
            [
                make("a@x", starts_at=first, ends_at=first + timedelta(hours=3)),
                make("b@x", starts_at=second, ends_at=second + timedelta(hours=3)),
            ],
            name="x",
        )
    )
    assert "DTSTART:20261025T003000Z" in text
    assert "DTSTART:20261025T013000Z" in text
    assert "DTEND;TZID=Europe/Budapest:20261025T043000" in text


def test_a_zone_whose_rules_changed_is_still_read_correctly():
    # Brazil stopped daylight saving time in 2019: the VTIMEZONE must bound the old rule.
    events = [
        make(
            f"sp-{year}-{month}@x",
            starts_at=datetime(year, month, 15, 15, 0, tzinfo=UTC),
            ends_at=datetime(year, month, 15, 16, 0, tzinfo=UTC),
            timezone="America/Sao_Paulo",
        )
        for year in (2017, 2018, 2020)
        for month in (1, 7, 12)
    ]
    ics = build_calendar(events, name="x")
    assert b"UNTIL=" in ics
    assert read_back(python_times(ics)) == expected(events)


def test_a_zone_without_daylight_saving_time():
    event = make(timezone="Asia/Tokyo")
    ics = build_calendar([event], name="x")
    component = icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")[0]
    assert len(component.walk("STANDARD")) == 1 and not component.walk("DAYLIGHT")
    assert read_back(python_times(ics)) == expected([event])


def test_invalid_events_are_refused():
    with pytest.raises(ValueError, match="naive"):
        make(starts_at=datetime(2026, 6, 10, 8, 0))
    with pytest.raises(ValueError, match="ends before"):
        make(ends_at=START - timedelta(hours=1))
    with pytest.raises(ValueError, match="status"):
        make(status="MAYBE")
    with pytest.raises(ValueError, match="METHOD"):
        build_calendar([make()], name="x", method="PUBLISHED")


def test_scheduling_methods_carry_an_organizer_and_published_feeds_do_not():
    request = lines(
        build_calendar([make()], name="x", method="REQUEST", organizer="mailto:e@example.org")
    )
    assert "ORGANIZER:mailto:e@example.org" in request
    assert "METHOD:REQUEST" in request
    published = lines(build_calendar([make()], name="x", organizer="mailto:e@example.org"))
    assert not any(line.startswith("ORGANIZER") for line in published)


def test_events_written_one_by_one_give_the_bytes_of_the_calendar_written_whole():
    events = [
        *cases(),
        make(uid="cancelled@events.example.org", status="CANCELLED", description="Moved"),
        make(uid="online@events.example.org", conference_url="https://meet.example.org/x"),
    ]
    streamed = build_calendar(events, name="Inter Ventures", description="All events")

    # icalendar reads it back and writes the whole calendar, events included, unchanged.
    parsed = icalendar.Calendar.from_ical(streamed)
    assert [c.name for c in parsed.subcomponents].count("VEVENT") == len(events)
    assert streamed == parsed.to_ical(sorted=False)
    assert streamed.count(b"BEGIN:VEVENT") == len(events)
    assert streamed.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")
