"""Reporting periods, action plans and the actions an event serves (organiser pages)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from webapp.extensions import db
from webapp.models import ActionPlan, Event, PlanAction, ReportingPeriod


@pytest.fixture
def admin(make_user, login):
    return login(make_user(role="admin"))


@pytest.fixture
def organiser(make_user, login):
    return login(make_user())  # a partner of region HU


def test_admin_adds_edits_and_deletes_a_period(client, admin):
    response = client.post(
        "/organiser/reports/periods/new",
        data={"name": "  Semester   3 ", "starts_on": "2023-01-01", "ends_on": "2023-06-30"},
    )
    assert response.status_code == 302
    period = db.session.scalar(db.select(ReportingPeriod))
    assert (period.name, period.starts_on, period.ends_on) == (
        "Semester 3",
        date(2023, 1, 1),
        date(2023, 6, 30),
    )
    page = client.get("/organiser/reports/periods").get_data(as_text=True)
    assert "Semester 3" in page
    client.post(
        f"/organiser/reports/periods/{period.id}",
        data={"name": "Semester 3 (2023)", "starts_on": "2023-01-01", "ends_on": "2023-07-31"},
    )
    db.session.refresh(period)
    assert (period.name, period.ends_on) == ("Semester 3 (2023)", date(2023, 7, 31))
    assert client.post(f"/organiser/reports/periods/{period.id}/delete").status_code == 302
    assert db.session.scalar(db.select(ReportingPeriod)) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "P", "starts_on": "2023-06-30", "ends_on": "2023-01-01"}, "before the start"),
        ({"name": "P", "starts_on": "1023-01-01", "ends_on": "2023-01-01"}, "between 2000"),
        ({"name": "P", "starts_on": "2023-02-30", "ends_on": "2023-03-01"}, "Not a valid date"),
        ({"name": "", "starts_on": "2023-01-01", "ends_on": "2023-03-01"}, "Enter a name."),
        ({"name": "Taken", "starts_on": "2023-01-01", "ends_on": "2023-03-01"}, "already"),
    ],
)
def test_period_form_refuses_bad_input_and_stores_nothing(client, admin, data, message):
    db.session.add(
        ReportingPeriod(name="Taken", starts_on=date(2022, 1, 1), ends_on=date(2022, 2, 1))
    )
    db.session.commit()
    response = client.post("/organiser/reports/periods/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'class="error-summary' in page
    assert db.session.scalar(db.select(db.func.count(ReportingPeriod.id))) == 1


def test_periods_are_for_administrators(client, organiser):
    assert client.get("/organiser/reports/periods").status_code == 403
    assert client.get("/organiser/reports/periods/new").status_code == 403
    assert client.get("/organiser/reports/periods/12345").status_code == 403


def test_organiser_keeps_the_action_plan_of_their_region(client, organiser, regions):
    response = client.post(
        "/organiser/action-plans/new",
        data={"region": "HU", "title": "Action plan of PANNON", "policy_instrument": "TOP Plusz"},
    )
    assert response.status_code == 302
    plan = db.session.scalar(db.select(ActionPlan))
    assert (plan.region.code, plan.policy_instrument) == ("HU", "TOP Plusz")
    for title in ("Cross-border support scheme", "Preparedness test"):
        client.post(
            f"/organiser/action-plans/{plan.id}/actions/new",
            data={"title": title, "description": ""},
        )
    db.session.refresh(plan)
    assert [(a.position, a.title) for a in plan.actions] == [
        (1, "Cross-border support scheme"),
        (2, "Preparedness test"),
    ]
    client.post(f"/organiser/action-plans/{plan.id}/actions/{plan.actions[0].id}/delete")
    db.session.expire_all()
    assert [(a.position, a.title) for a in plan.actions] == [(1, "Preparedness test")]
    page = client.get("/organiser/action-plans").get_data(as_text=True)
    assert "TOP Plusz" in page and "Preparedness test" in page
    # Another region's plan is not theirs to change.
    assert (
        client.post(
            "/organiser/action-plans/new", data={"region": "LT", "title": "Klaipėda plan"}
        ).status_code
        == 400
    )
    lithuanian = ActionPlan(region=regions["LT"], title="Klaipėda plan")
    db.session.add(lithuanian)
    db.session.commit()
    assert client.get(f"/organiser/action-plans/{lithuanian.id}").status_code == 403
    assert client.post(f"/organiser/action-plans/{lithuanian.id}/delete").status_code == 403
    assert client.get("/organiser/action-plans/999999").status_code == 404


def test_event_is_tagged_with_actions_and_bad_ids_are_refused(
    client, organiser, regions, make_event
):
    plan = ActionPlan(region=regions["HU"], title="Plan")
    plan.actions = [PlanAction(position=1, title="One"), PlanAction(position=2, title="Two")]
    db.session.add(plan)
    event = make_event(start=timedelta(days=-3))
    one, two = plan.actions
    page = client.get(f"/organiser/events/{event.id}/actions").get_data(as_text=True)
    assert "HU · 1. One" in page
    response = client.post(f"/organiser/events/{event.id}/actions", data={"actions": [two.id]})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.actions == [two]
    assert "HU · 2. Two" in client.get(f"/organiser/events/{event.id}").get_data(as_text=True)
    response = client.post(
        f"/organiser/events/{event.id}/actions", data={"actions": [one.id, 987654]}
    )
    assert response.status_code == 400
    response = client.post(f"/organiser/events/{event.id}/actions", data={"actions": ["x"]})
    assert response.status_code == 400
    db.session.refresh(event)
    assert event.actions == [two]


def test_seed_demo_loads_the_partners_action_plans_and_periods(runner, client, make_user, login):
    from webapp.reporting.demo import ACTION_PLANS, EVENT_ACTIONS

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "5 action plans and 3 reporting periods added" in result.output
    plans = list(db.session.scalars(db.select(ActionPlan)))
    assert (
        {p.region.code for p in plans}
        == {"HU", "IT", "PL", "ES", "LT"}
        == {code for code, _, _ in ACTION_PLANS}
    )
    burgos = next(p for p in plans if p.region.code == "ES")
    assert [a.position for a in burgos.actions] == [1, 2]
    podkarpackie = next(p for p in plans if p.region.code == "PL")
    assert [a.title for a in podkarpackie.actions] == ["Young people working on their own"]
    tagged = db.session.scalars(db.select(Event).where(Event.slug.in_(list(EVENT_ACTIONS))))
    assert all(e.actions for e in tagged)
    again = runner.invoke(args=["seed-demo"])
    assert "0 action plans and 0 reporting periods added" in again.output
    assert db.session.scalar(db.select(db.func.count(ActionPlan.id))) == 5
    # The report counts stakeholders per action from the demo's attendance.
    login(make_user(role="admin"))
    page = client.get("/organiser/reports?period=&when=all").get_data(as_text=True)
    assert "Young people working on their own" in page
    csv_text = client.get("/organiser/reports/actions.csv?period=").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == 6 and any(int(row["Unique people"]) > 0 for row in rows)
