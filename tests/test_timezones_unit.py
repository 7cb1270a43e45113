"""Time-zone helpers, across the March and October daylight-saving changes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from tests.conftest import REGION_ROWS
from webapp.timezones import (
    InvalidLocalTime,
    UTCDateTime,
    is_valid_timezone,
    is_within_hours,
    local_to_utc,
    selectable_timezones,
    times_in_regions,
    utc_to_local,
)


class R:
    def __init__(self, code, name, tz):
        self.code, self.name, self.timezone = code, name, tz


REGIONS = [R(code, name, tz) for code, name, _c, tz, _l in REGION_ROWS]


def test_webinar_at_ten_in_budapest_is_eleven_in_klaipeda():
    start = local_to_utc(datetime(2026, 12, 2, 10, 0), "Europe/Budapest")
    assert start == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    local = {t.code: t.local.strftime("%H:%M") for t in times_in_regions(start, REGIONS)}
    assert local == {"HU": "10:00", "IT": "10:00", "PL": "10:00", "ES": "10:00", "LT": "11:00"}


def test_summer_offsets():
    start = local_to_utc(datetime(2026, 7, 1, 10, 0), "Europe/Vilnius")
    assert start == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    offsets = {t.code: t.utc_offset_hours for t in times_in_regions(start, REGIONS)}
    assert offsets == {"HU": 2, "IT": 2, "PL": 2, "ES": 2, "LT": 3}


def test_spring_change_skips_an_hour():
    # 29 March 2026: clocks go from 02:00 to 03:00 in Central Europe.
    with pytest.raises(InvalidLocalTime):
        local_to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Rome")
    before = local_to_utc(datetime(2026, 3, 29, 1, 30), "Europe/Rome")
    after = local_to_utc(datetime(2026, 3, 29, 3, 30), "Europe/Rome")
    assert after - before == timedelta(hours=1)
    # Vilnius changes at 03:00 local time (01:00 UTC), the same instant.
    with pytest.raises(InvalidLocalTime):
        local_to_utc(datetime(2026, 3, 29, 3, 30), "Europe/Vilnius")


def test_autumn_change_repeats_an_hour():
    # 25 October 2026: 02:30 happens twice in Warsaw; the first is summer time.
    first = local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Warsaw")
    second = local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Warsaw", fold=1)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_same_wall_time_across_the_change_moves_in_utc():
    saturday = local_to_utc(datetime(2026, 10, 24, 10, 0), "Europe/Madrid")
    monday = local_to_utc(datetime(2026, 10, 26, 10, 0), "Europe/Madrid")
    assert saturday.hour == 8 and monday.hour == 9
    assert utc_to_local(monday, "Europe/Madrid").hour == 10


def test_week_between_march_changes_of_europe_and_none():
    # All five regions change on the same instants, so Vilnius is always one hour ahead.
    for month, day in [(3, 28), (3, 30), (10, 24), (10, 26), (1, 15), (7, 15)]:
        instant = datetime(2026, month, day, 9, 0, tzinfo=UTC)
        times = {t.code: t.local for t in times_in_regions(instant, REGIONS)}
        assert times["LT"].utcoffset() - times["HU"].utcoffset() == timedelta(hours=1)


def test_local_to_utc_refuses_aware_input_and_unknown_zone():
    with pytest.raises(ValueError):
        local_to_utc(datetime(2026, 1, 1, tzinfo=UTC), "Europe/Rome")
    with pytest.raises(ValueError):
        local_to_utc(datetime(2026, 1, 1), "Europe/Atlantis")


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Europe/Vilnius", True),
        ("UTC", True),
        ("Europe/Atlantis", False),
        ("", False),
        (None, False),
        ("../../etc/passwd", False),
        ("x" * 200, False),
    ],
)
def test_is_valid_timezone(name, valid):
    assert is_valid_timezone(name) is valid


def test_selectable_timezones_start_with_europe():
    zones = selectable_timezones()
    assert zones[0].startswith("Europe/")
    assert "Europe/Vilnius" in zones and "America/New_York" in zones


def test_working_hours():
    assert is_within_hours(datetime(2026, 1, 1, 8, 0))
    assert is_within_hours(datetime(2026, 1, 1, 18, 0))
    assert not is_within_hours(datetime(2026, 1, 1, 18, 1))
    assert not is_within_hours(datetime(2026, 1, 1, 7, 59))


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_utc_type_converts_and_restores(dialect):
    column = UTCDateTime()
    cet = timezone(timedelta(hours=1))
    bound = column.process_bind_param(datetime(2026, 12, 2, 10, 0, tzinfo=cet), dialect)
    assert bound.replace(tzinfo=None) == datetime(2026, 12, 2, 9, 0)
    if dialect.name == "sqlite":
        assert bound.tzinfo is None
    restored = column.process_result_value(bound, dialect)
    assert restored == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert restored.tzinfo is not None


def test_utc_type_refuses_naive_values():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), sqlite.dialect())
