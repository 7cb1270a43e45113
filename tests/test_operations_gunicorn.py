"""gunicorn with the package's configuration module, as real processes on loopback:
masked access logs in JSON, request ids, metrics added up across workers, and the refusal
of per-process rate limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from tests.support.gunicorn import PROJECT_ROOT, free_port, wait_until_healthy
from tests.test_operations_monitoring import sample
from webapp import create_app
from webapp.config import ENVIRONMENT_KEYS
from webapp.extensions import db

SECRET = "gunicorn-conf-test-secret-0123456789abcdef"
METRICS_TOKEN = "metrics-token-0123456789abcdef"


def server_environment(instance: Path, port: int, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_KEYS}
    env.update(
        INSTANCE_PATH=str(instance),
        DATABASE_URL=f"sqlite:///{instance / 'app.sqlite'}",
        SECRET_KEY=SECRET,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(values)
    return env


def start(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as stderr:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def migrated_instance(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "PUBLIC_BASE_URL": "https://events.example.org",
        }
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return tmp_path


def test_two_workers_json_logs_masked_tokens_and_summed_metrics(migrated_instance, tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = server_environment(
        migrated_instance,
        port,
        WEB_CONCURRENCY="2",
        RATELIMIT_ENABLED="false",
        LOG_FORMAT="json",
        METRICS_TOKEN=METRICS_TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    log = tmp_path / "gunicorn.log"
    process = start(env, log)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    try:
        wait_until_healthy(base, process, 30)
        assert get(f"{base}/readyz")[0] == 200
        token_status, token_headers, _ = get(f"{base}/registrations/SeCrEtToKeN123")
        feed_status, _, _ = get(f"{base}/feeds/FeEdToKeN456.ics")
        assert (token_status, feed_status) == (404, 404)

        _, _, before = get(f"{base}/metrics", auth)
        healthz_before = sample(before, "ive_http_requests_total", endpoint="public.healthz")
        for _ in range(20):  # spread over both workers by the kernel
            assert get(f"{base}/healthz")[0] == 200
        _, _, after = get(f"{base}/metrics", auth)
        assert get(f"{base}/metrics")[0] == 403
    finally:
        stop(process)

    # Counted in both workers, added up in whichever answered the scrape.
    assert sample(after, "ive_http_requests_total", endpoint="public.healthz") == (
        healthz_before + 20
    )
    assert sample(after, "ive_outbox_queue_depth", state="due") == 0
    assert list(metrics_dir.glob("*.db")), "the workers wrote to the multiprocess folder"

    text = log.read_text()
    assert "SeCrEtToKeN123" not in text and "FeEdToKeN456" not in text
    records = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    [registration_line] = [r for r in access if "/registrations/" in r["message"]]
    assert '"GET /registrations/*** HTTP/1.1" 404' in registration_line["message"]
    assert f"request_id={token_headers['X-Request-ID']}" in registration_line["message"]
    assert any('"GET /feeds/***.ics HTTP/1.1" 404' in r["message"] for r in access)
    assert any(
        r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in records
    )


def test_per_process_rate_limits_with_two_workers_stop_the_server(migrated_instance, tmp_path):
    port = free_port()
    env = server_environment(
        migrated_instance, port, WEB_CONCURRENCY="2", RATELIMIT_STORAGE_URI="memory://"
    )
    log = tmp_path / "gunicorn.log"
    process = start(env, log)
    try:
        returncode = process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        stop(process)
        pytest.fail("gunicorn kept running with in-memory rate limits and two workers")
    assert returncode != 0
    text = log.read_text()
    assert "RATELIMIT_STORAGE_URI: is in-memory while 2 web processes serve the app" in text
