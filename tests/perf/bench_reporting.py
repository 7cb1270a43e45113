"""Programme reports over 2,000 past events and 100,000 registrations, page included.

PostgreSQL when ``BENCH_DATABASE_URL`` is set (in a schema of its own, dropped after),
else a temporary SQLite file. Reports:
- time to build every figure (``build_report``: events, regions, kinds of organisation,
  kinds of event, cross tables, actions of the action plans) and its SQL queries, for
  20 and for 2,000 events (goal: the same number of queries);
- time to render the whole ``/organiser/reports`` page for 2,000 events (goal: under
  2 s on PostgreSQL);
- time to build the "needs attention" panel of an administrator's dashboard.
Figures are printed, never asserted.
"""

from __future__ import annotations

import time

from flask_login import login_user
from sqlalchemy import distinct, func, insert, select, text, update

from tests.perf.bench_attendance import _database, _fill, _queries, _timed
from webapp import create_app
from webapp.attendance.report_views import reports as reports_view
from webapp.attendance.reports import ReportFilters, build_report
from webapp.extensions import db
from webapp.models import ActionPlan, Event, PlanAction, Region, Registration, User, event_actions
from webapp.reporting.attention import needs_attention

EVENTS = 2_000
PEOPLE_PER_EVENT = 50
ORGANISATIONS = 3_000


def _tag_with_actions() -> None:
    """Every region gets a plan of two actions; each event serves one of its actions."""
    db.session.execute(db.delete(event_actions))
    db.session.execute(db.delete(PlanAction))
    db.session.execute(db.delete(ActionPlan))
    actions = []
    for region in db.session.scalars(select(Region).order_by(Region.code)):
        plan = ActionPlan(region=region, title=f"Action plan {region.code}", policy_instrument="PI")
        plan.actions = [PlanAction(position=n, title=f"Action {n}") for n in (1, 2)]
        db.session.add(plan)
        actions += plan.actions
    db.session.flush()
    event_ids = list(db.session.scalars(select(Event.id)))
    if event_ids:
        db.session.execute(
            insert(event_actions),
            [
                {"event_id": event_id, "action_id": actions[event_id % len(actions)].id}
                for event_id in event_ids
            ],
        )
    db.session.execute(
        update(Registration).values(
            organisation=text(f"'Organisation ' || (registrations.id % {ORGANISATIONS})")
        )
    )
    db.session.commit()


def _admin() -> User:
    admin = db.session.scalar(select(User).where(User.email == "bench-admin@example.org"))
    if admin is None:
        admin = User(email="bench-admin@example.org", name="Bench", role="admin")
        admin.set_password("bench password 123")
        db.session.add(admin)
        db.session.commit()
    return admin


def run() -> None:
    url, backend, schema = _database()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        }
    )
    print(f"Database: {backend}")
    with app.app_context():
        if schema:
            db.session.execute(text(f'CREATE SCHEMA "{schema}"'))
            db.session.commit()
        db.create_all()
        try:
            filters = ReportFilters()  # events that are over, any date
            _fill(20, PEOPLE_PER_EVENT)
            _tag_with_actions()
            small_queries = _queries(lambda: build_report(filters))
            small_time, _ = _timed(lambda: build_report(filters))

            started = time.perf_counter()
            _fill(EVENTS, PEOPLE_PER_EVENT)
            _tag_with_actions()
            if backend == "PostgreSQL":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            print(f"filled {EVENTS:,} events in {time.perf_counter() - started:.0f} s")
            baseline, _ = _timed(
                lambda: db.session.execute(
                    select(func.count(Registration.id), func.count(distinct(Registration.email)))
                ).one(),
                rounds=3,
            )
            print(
                f"baseline: count and distinct addresses of {EVENTS * PEOPLE_PER_EVENT:,} "
                f"registrations in one query: {baseline * 1000:8.1f} ms (machine load shows here)"
            )
            large_queries = _queries(lambda: build_report(filters))
            large_time, report = _timed(lambda: build_report(filters), rounds=3)
            print(
                f"build_report, 20 events:    {small_time * 1000:8.1f} ms, {small_queries} queries"
            )
            print(
                f"build_report, {EVENTS:,} events: {large_time * 1000:8.1f} ms, {large_queries} "
                f"queries ({EVENTS * PEOPLE_PER_EVENT:,} registrations, "
                f"{report.attendances:,} attendances, {report.unique_people:,} unique people, "
                f"{report.unique_organisations:,} organisations, {len(report.by_action)} actions)"
            )
            print(
                f"queries {EVENTS:,} vs 20 events: {large_queries / small_queries:.2f}x (goal 1.00x)"
            )

            admin = _admin()

            def render_page():
                with app.test_request_context("/organiser/reports?period=&when=all"):
                    login_user(admin)
                    body, status = reports_view()
                    assert status == 200
                    return len(body)

            page_time, size = _timed(render_page, rounds=3)
            print(
                f"/organiser/reports page, {EVENTS:,} events: {page_time * 1000:8.1f} ms, "
                f"{size / 1024:,.0f} kB of HTML (goal < 2000 ms on PostgreSQL)"
            )
            attention_time, _ = _timed(lambda: needs_attention(None))
            print(f"dashboard 'needs attention' (administrator): {attention_time * 1000:8.1f} ms")
        finally:
            db.session.rollback()
            if schema:
                db.session.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                db.session.commit()
            else:
                db.drop_all()
            db.engine.dispose()
