"""Models and the constraints the database enforces."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from webapp.extensions import db
from webapp.models import Attendance, Event, Registration


def test_times_round_trip_as_aware_utc(make_event):
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    event = make_event(start=start)
    db.session.expire_all()
    loaded = db.session.get(Event, event.id)
    assert loaded.starts_at == start
    assert loaded.starts_at.tzinfo is not None
    assert loaded.local_starts_at.hour == 10  # Budapest in winter


def test_naive_time_is_refused(make_event):
    event = make_event()
    event.starts_at = datetime(2026, 1, 1, 10, 0)
    with pytest.raises(StatementError, match="naive"):
        db.session.commit()
    db.session.rollback()


def test_slug_is_unique(make_event):
    make_event(slug="digital-export")
    with pytest.raises(IntegrityError):
        make_event(slug="digital-export")
    db.session.rollback()


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "party"},
        {"format": "telepathy"},
        {"status": "archived"},
        {"visibility": "secret"},
        {"capacity": -1},
        {"sequence": -1},
    ],
)
def test_check_constraints_refuse_invalid_values(make_event, fields):
    with pytest.raises(IntegrityError):
        make_event(**fields)
    db.session.rollback()


def test_end_before_start_is_refused(make_event):
    with pytest.raises(IntegrityError):
        make_event(duration=timedelta(hours=-1))
    db.session.rollback()


def test_one_active_registration_per_address(make_event, make_registration):
    event = make_event()
    make_registration(event, email="same@example.org")
    with pytest.raises(IntegrityError):
        make_registration(event, email="same@example.org", status="waitlisted")
    db.session.rollback()


def test_cancelled_registration_does_not_block_a_new_one(make_event, make_registration):
    event = make_event()
    make_registration(event, email="same@example.org", status="cancelled")
    again = make_registration(event, email="same@example.org")
    assert again.status == "confirmed"


def test_registration_tokens_are_distinct_and_long(make_event, make_registration):
    event = make_event()
    a = make_registration(event)
    b = make_registration(event)
    tokens = {a.token, a.feed_token, a.checkin_token, b.token, b.feed_token, b.checkin_token}
    assert len(tokens) == 6
    assert all(len(t) >= 22 for t in tokens)  # ≥128 bits in URL-safe base64


def test_invalid_registration_status_is_refused(make_event, make_registration):
    with pytest.raises(IntegrityError):
        make_registration(make_event(), status="maybe")
    db.session.rollback()


def test_attendance_once_per_day(make_event, make_registration):
    registration = make_registration(make_event())
    db.session.add(Attendance(registration=registration, day=date(2026, 12, 2)))
    db.session.commit()
    db.session.add(Attendance(registration=registration, day=date(2026, 12, 2)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_event_days_of_multi_day_visit(make_event):
    start = datetime(2026, 5, 11, 7, 0, tzinfo=UTC)  # 09:00 in Budapest
    event = make_event(start=start, duration=timedelta(days=2, hours=8))
    assert event.days == [date(2026, 5, 11), date(2026, 5, 12), date(2026, 5, 13)]


def test_event_ending_at_midnight_does_not_gain_a_day(make_event):
    start = datetime(2026, 5, 10, 22, 0, tzinfo=UTC)  # 00:00 on 11 May in Budapest
    event = make_event(start=start, duration=timedelta(days=1), all_day=True)
    assert event.days == [date(2026, 5, 11)]


def test_predicates(make_event, make_registration):
    event = make_event(status="cancelled")
    assert event.is_cancelled and event.is_public and not event.is_published
    assert make_event(status="draft").is_public is False
    assert make_event(visibility="partners").is_public is False
    past = make_event(start=timedelta(days=-2))
    assert past.is_over()
    registration = make_registration(event, status="waitlisted")
    assert registration.is_active and not registration.is_confirmed
    assert isinstance(registration, Registration)
