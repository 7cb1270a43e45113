"""Independent parsers read our calendars at the right instants.

Mozilla's ical.js (Thunderbird) under Node and libical (Evolution, KDE) each resolve
every ``TZID`` through the file's own ``VTIMEZONE``: events in all five partnership
zones, in winter and summer and around the March and October changes, must come out
at the instant the organiser scheduled.
"""

from __future__ import annotations

import os

import pytest

from tests.support import ical_check
from tests.support.calendar_cases import PARTNERSHIP_ZONES, cases, expected, read_back
from webapp.calendar import build_calendar

IN_CI = os.environ.get("CI", "").lower() == "true"

PARSERS = {
    "ical.js": (ical_check.icaljs_missing, ical_check.icaljs_times),
    "libical": (ical_check.libical_missing, ical_check.libical_times),
}


@pytest.fixture(params=sorted(PARSERS))
def parse(request):
    missing, parse = PARSERS[request.param]
    problem = missing()
    if problem:
        if IN_CI:  # .ci/run installs both; a skip there would hide a broken check
            pytest.fail(f"{request.param} is needed under CI: {problem}")
        pytest.skip(f"{request.param} not available: {problem}")
    return parse


def test_every_event_is_read_at_the_scheduled_instant(parse):
    events = cases()
    parsed = parse(build_calendar(events, name="Inter Ventures events"))
    assert parsed["zones"] == sorted(PARTNERSHIP_ZONES)
    assert read_back(parsed) == expected(events)


def test_the_parser_uses_the_files_own_vtimezone(parse):
    # Shift the zone's offsets in the file only: a parser that used its own database
    # instead of our VTIMEZONE would not move the event.
    events = [e for e in cases() if e.timezone == "Europe/Budapest" and not e.all_day]
    summer = next(e for e in events if e.uid.endswith("-2026-summer@test"))
    ics = build_calendar([summer], name="x")
    tampered = ics.replace(b"TZOFFSETTO:+0200", b"TZOFFSETTO:+0500").replace(
        b"TZOFFSETFROM:+0200", b"TZOFFSETFROM:+0500"
    )
    assert tampered != ics
    honest = read_back(parse(ics))[summer.uid]["start"]
    shifted = read_back(parse(tampered))[summer.uid]["start"]
    assert honest == "2026-07-15T08:00:00Z"
    assert shifted == "2026-07-15T05:00:00Z"


def test_sequence_status_and_text_survive(parse):
    events = cases()[:3]
    parsed = parse(build_calendar(events, name="x"))
    for event in events:
        read = parsed["events"][event.uid]
        assert read["sequence"] == event.sequence
        assert read["status"] == "CONFIRMED"
        assert read["summary"] == event.summary
