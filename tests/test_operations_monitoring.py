"""Readiness (/readyz) and the Prometheus metrics (/metrics)."""

from __future__ import annotations

import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import event as sa_event

from webapp import create_app
from webapp.extensions import db
from webapp.mail.queue import queue_mail
from webapp.monitoring import migration_heads

TOKEN = "metrics-token-0123456789abcdef"


def sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the exposition ``body`` (None when absent)."""
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


# --- readiness -----------------------------------------------------------------------------


def test_healthz_stays_liveness_only(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_livez_answers_without_touching_the_database(app, client):
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/livez")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert response.data == b"ok\n"
    assert statements == []
    # Same middleware as every page: the security headers are there.
    assert "Content-Security-Policy" in response.headers


def test_readyz_refuses_a_schema_never_migrated(client):
    # The test database is built from the models, without Alembic's version table.
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["current"] == []
    assert body["expected"] == sorted(migration_heads())
    assert "flask db upgrade" in body["schema"]


def test_readyz_is_ready_at_the_latest_migration_and_not_behind_it(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}",
            "PUBLIC_BASE_URL": "https://events.example.org",
        }
    )
    with app.app_context():
        upgrade()
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["schema"] == sorted(migration_heads())

    with app.app_context():
        db.session.execute(db.text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["current"] == ["older"]
    with app.app_context():
        db.engine.dispose()


def test_readyz_says_when_the_database_is_unreachable():
    app = create_app(
        {
            "TESTING": True,
            # Nothing listens on port 1: the connection is refused at once.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "PUBLIC_BASE_URL": "https://events.example.org",
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


# --- metrics -------------------------------------------------------------------------------


def test_metrics_are_off_until_an_operator_allows_someone(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": TOKEN}])
def test_metrics_need_the_bearer_token(client):
    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    basic = client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 403
    right = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert right.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("app_config", [{"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8, ::1/128"}])
def test_metrics_for_allowed_networks_only(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403


@pytest.mark.parametrize(
    "app_config", [{"METRICS_TOKEN": TOKEN, "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8"}]
)
def test_with_token_and_networks_both_must_match(client):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    inside = {"REMOTE_ADDR": "10.0.0.9"}
    assert client.get("/metrics", headers=auth, environ_base=inside).status_code == 200
    assert client.get("/metrics", environ_base=inside).status_code == 403
    outside = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/metrics", headers=auth, environ_base=outside).status_code == 403


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": TOKEN}])
def test_metrics_count_requests_and_read_the_outbox_and_registrations(
    client, make_event, make_registration, smtp_server
):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/metrics", headers=auth).get_data(as_text=True)
    requests_before = (
        sample(before, "ive_http_requests_total", endpoint="public.catalogue", status="200") or 0
    )
    for _ in range(3):
        client.get("/")
    client.get("/no-such-page")

    event = make_event()
    make_registration(event, status="confirmed")
    make_registration(event, status="confirmed")
    make_registration(event, status="waitlisted")
    queue_mail(kind="test", to_address="a@example.org", subject="s", body_text="b")
    queue_mail(kind="test", to_address="b@example.org", subject="s", body_text="b")
    smtp_server.refused.add("gone@example.org")
    queue_mail(kind="test", to_address="gone@example.org", subject="s", body_text="b")
    db.session.commit()
    from webapp.mail.delivery import backend_from_config
    from webapp.mail.outbox import deliver_due_messages

    # Deliver only the refused one: claim it alone by moving the others into the future.
    from webapp.models import OutboxMessage

    for message in db.session.scalars(db.select(OutboxMessage)):
        if message.to_address != "gone@example.org":
            message.next_attempt_at = message.next_attempt_at.replace(year=2100)
    db.session.commit()
    deliver_due_messages(
        backend_from_config(client.application.config, client.application.instance_path),
        client.application.config,
        domain="events.example.org",
    )
    for message in db.session.scalars(db.select(OutboxMessage)):
        if message.to_address != "gone@example.org":
            message.next_attempt_at = message.created_at
    db.session.commit()

    body = client.get("/metrics", headers=auth).get_data(as_text=True)
    assert (
        sample(body, "ive_http_requests_total", endpoint="public.catalogue", status="200")
        == requests_before + 3
    )
    assert sample(body, "ive_http_requests_total", endpoint="unmatched", status="404") >= 1
    assert sample(body, "ive_http_request_duration_seconds_count", endpoint="public.catalogue") >= 3
    assert sample(body, "ive_outbox_queue_depth", state="due") == 2
    assert sample(body, "ive_outbox_queue_depth", state="retrying") == 0
    assert sample(body, "ive_outbox_failed_messages") == 1
    assert sample(body, "ive_registrations", status="confirmed") == 2
    assert sample(body, "ive_registrations", status="waitlisted") == 1
