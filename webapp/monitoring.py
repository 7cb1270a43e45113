"""Liveness without the database, readiness and Prometheus metrics.

- ``/livez`` answers a constant ``ok`` with no database work: the process and its
  middleware answer. It is the yardstick of ``make bench`` (every other request is
  measured as a share of it) and a liveness probe that does not restart a worker for a
  database outage.
- ``/healthz`` (in ``public``) is liveness: the process answers and reaches its database.
- ``/readyz`` is readiness: the database answers *and* its schema is at the latest
  migration, so a load balancer sends no traffic to a host started before
  ``flask db upgrade`` (or to new code against an old schema).
- ``/metrics`` is the Prometheus exposition: request count and latency by endpoint
  (counted in every web process; under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` so the
  processes' counts are added up, see ``webapp/gunicorn_conf.py``), and, read from the
  database at scrape time, the outbox queue depth, failed messages and registrations per
  status. It answers 404 unless ``METRICS_TOKEN`` (``Authorization: Bearer <token>``)
  or ``METRICS_ALLOWED_NETWORKS`` (client address, after ``TRUSTED_PROXIES``) is set;
  when both are set both must match.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from functools import cache
from ipaddress import ip_address, ip_network
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.mail.outbox import outbox_counts
from webapp.models import Registration

MIGRATIONS_DIRECTORY = Path(__file__).parent / "migrations"
UNMATCHED_ENDPOINT = "unmatched"  # 404s share one label: no label per invented URL

bp = Blueprint("monitoring", __name__)

REQUESTS = Counter(
    "ive_http_requests_total",
    "HTTP requests answered, by endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "ive_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def count_request(response: Response) -> Response:
        started = g.pop("request_started", None)
        endpoint = request.endpoint or UNMATCHED_ENDPOINT
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        if started is not None:
            REQUEST_SECONDS.labels(endpoint, request.method).observe(time.perf_counter() - started)
        return response


# --- readiness -----------------------------------------------------------------------------


@cache
def migration_heads() -> frozenset[str]:
    """The latest revision(s) of the migrations shipped with this code."""

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_revisions() -> frozenset[str]:
    """The revision(s) the database is at (empty when it was never migrated).

    Read straight from Alembic's table: a probe every few seconds stays quiet and cheap.
    """
    try:
        return frozenset(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:  # no alembic_version table: never migrated
        db.session.rollback()
        return frozenset()


@bp.get("/livez")
def livez():
    return Response("ok\n", content_type="text/plain; charset=utf-8")


@bp.get("/readyz")
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    current = database_revisions()
    db.session.rollback()
    expected = migration_heads()
    if current != expected:
        return (
            jsonify(
                status="unavailable",
                database="ok",
                schema="not at the latest migration: run flask db upgrade",
                current=sorted(current),
                expected=sorted(expected),
            ),
            503,
        )
    return jsonify(status="ready", database="ok", schema=sorted(current))


# --- metrics -------------------------------------------------------------------------------


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes (the same in every process)."""

    def collect(self) -> Iterator[Metric]:

        counts = outbox_counts()
        queue = GaugeMetricFamily(
            "ive_outbox_queue_depth",
            "E-mails waiting to be sent: due now, or waiting to be retried.",
            labels=["state"],
        )
        queue.add_metric(["due"], counts["due"])
        queue.add_metric(["retrying"], counts["retrying"])
        yield queue
        yield GaugeMetricFamily(
            "ive_outbox_failed_messages",
            "E-mails that could not be delivered for good.",
            value=counts["failed"],
        )
        registrations = GaugeMetricFamily(
            "ive_registrations", "Registrations by status.", labels=["status"]
        )
        rows = db.session.execute(
            db.select(Registration.status, func.count()).group_by(Registration.status)
        )
        for status, count in rows:
            registrations.add_metric([status], count)
        yield registrations


class _ProcessCollector:
    """This process's own metrics, when not running in multiprocess mode."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _allowed() -> bool:
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    networks = config.get("METRICS_ALLOWED_NETWORKS")
    if not token and not networks:
        abort(404)  # metrics are off until an operator says who may read them
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), str(token).encode()
        ):
            return False
    if networks:
        try:
            client = ip_address(request.remote_addr or "")
        except ValueError:
            return False
        allowed = [ip_network(n.strip(), strict=False) for n in str(networks).split(",")]
        if not any(client in network for network in allowed):
            return False
    return True


@bp.get("/metrics")
def metrics():
    if not _allowed():
        return Response(
            "Forbidden\n",
            403,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain"},
        )
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollector())
    registry.register(DatabaseCollector())
    return Response(
        generate_latest(registry),
        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
    )
