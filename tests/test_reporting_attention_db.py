"""The dashboard's "needs attention" panel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.models import Attendance, OutboxMessage, PlatformReport
from webapp.reporting.attention import needs_attention


@pytest.fixture
def situation(make_event, make_registration, make_partner, regions):
    """One case of each kind in HU, and the same in LT (another region)."""
    now = datetime.now(UTC)
    lt_partner = make_partner("LT", short_name="KID", name="Klaipeda ID")
    found = {}
    for code, host in (("HU", None), ("LT", lt_partner)):
        extra = {"host_partner": host, "region_codes": ("LT",)} if host else {}
        approval = make_event(
            start=timedelta(days=20), requires_approval=True, title=f"Approval {code}", **extra
        )
        for _ in range(2):
            make_registration(approval, status="pending")
        unmarked = make_event(start=timedelta(days=-3), title=f"Unmarked {code}", **extra)
        make_registration(unmarked)
        marked = make_event(start=timedelta(days=-4), title=f"Marked {code}", **extra)
        db.session.add(
            Attendance(registration=make_registration(marked), day=marked.days[0], status="absent")
        )
        old = make_event(start=timedelta(days=-200), title=f"Old {code}", **extra)
        make_registration(old)
        soon = make_event(start=timedelta(days=3), title=f"Soon {code}", capacity=40, **extra)
        for _ in range(6):
            make_registration(soon)  # 6 of 40: fewer than a quarter
        full_enough = make_event(start=timedelta(days=4), title=f"Busy {code}", **extra)
        for _ in range(5):
            make_registration(full_enough)
        db.session.add(
            OutboxMessage(
                kind="confirmed",
                to_address=f"lost-{code}@example.org",
                from_address="events@example.org",
                subject=f"Failed {code}",
                body_text="…",
                event_id=unmarked.id,
                attempts=8,
                last_error="550 mailbox unavailable",
                failed_at=now - timedelta(days=1),
            )
        )
        db.session.add(
            PlatformReport(
                event_id=marked.id,
                filename=f"zoom-{code}.csv",
                content=b"x",
                matched_rows=3,
                unmatched_rows=2,
                applied_at=now,
            )
        )
        # A preview never confirmed is not an import to look at.
        db.session.add(
            PlatformReport(
                event_id=marked.id, filename="preview.csv", content=b"x", unmatched_rows=9
            )
        )
        found[code] = unmarked
    db.session.add(
        OutboxMessage(
            kind="password",
            to_address="admin-only@example.org",
            from_address="events@example.org",
            subject="Set your password",
            body_text="…",
            attempts=8,
            failed_at=now - timedelta(hours=2),
        )
    )
    db.session.commit()
    return {"regions": regions, **found}


def test_organiser_sees_what_needs_attention_in_their_region(situation):
    hu = situation["regions"]["HU"]
    attention = needs_attention(hu.id)
    assert [(i.title, i.count) for i in attention.pending] == [("Approval HU", 2)]
    assert [(i.title, i.count) for i in attention.without_attendance] == [("Unmarked HU", 1)]
    assert [m.subject for m in attention.failed_messages] == ["Failed HU"]
    assert [(i.filename, i.unmatched) for i in attention.imports] == [("zoom-HU.csv", 2)]
    assert [(i.title, i.count) for i in attention.few_registrations] == [("Soon HU", 6)]
    assert attention.total == 5


def test_administrator_sees_every_region_and_account_mail(situation):
    attention = needs_attention(None)
    assert {i.title for i in attention.pending} == {"Approval HU", "Approval LT"}
    assert {m.subject for m in attention.failed_messages} == {
        "Failed HU",
        "Failed LT",
        "Set your password",
    }
    assert {i.title for i in attention.few_registrations} == {"Soon HU", "Soon LT"}


def test_attention_costs_a_fixed_number_of_queries(situation, count_queries, make_event):
    with count_queries() as before:
        needs_attention(None)
    for n in range(5):
        make_event(start=timedelta(days=1 + n), title=f"Extra {n}")
    with count_queries() as after:
        attention = needs_attention(None)
    assert len(attention.few_registrations) == 7
    assert len(after) == len(before) <= 5


def test_dashboard_shows_the_panel(client, situation, make_user, login):
    login(make_user())
    page = client.get("/organiser/").get_data(as_text=True)
    assert "Needs attention" in page
    assert "Approval HU" in page and "2 people wait for approval" in page
    assert "Unmarked HU" in page and "Failed HU" in page and "zoom-HU.csv" in page
    assert "Approval LT" not in page and "Set your password" not in page


def test_dashboard_says_when_nothing_needs_attention(client, make_user, login, regions):
    login(make_user())
    assert "Nothing needs your attention." in client.get("/organiser/").get_data(as_text=True)
