"""Several hosts against one PostgreSQL and one Redis, as real processes on loopback.

Two web servers (gunicorn with the package's configuration module, two workers each)
take registrations; the form of one server is posted to the other, as a load balancer
without sticky sessions does. Rate limits are counted in Redis across all four web
processes. Two ``flask outbox send --loop`` workers, each with its own mail relay (an
aiosmtpd server, as each host has its local MTA), deliver the confirmations; one is
killed with SIGKILL while the relay has not yet answered a message in the middle of its
batch. Every registrant gets exactly one confirmation: the killed worker's unfinished
messages are taken over by the other once their claim runs out.

Needs ``TEST_DATABASE_URL`` (PostgreSQL) and ``TEST_REDIS_URL``; skips with the reason
otherwise (under CI, a set but unreachable Redis is an error). Bounded: every wait has a
deadline, every process is stopped on the way out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.gunicorn import PROJECT_ROOT, gunicorn_server
from tests.support.smtp import Hold, SMTPServer
from tests.test_registrations_concurrency import Browser, registration_form
from webapp.extensions import db
from webapp.models import OutboxMessage, Registration

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"

REGISTRANTS = 20  # exactly the registration limit below: the next one is refused
SECRET = "multi-host-test-secret-0123456789abcdef"
PUBLIC_BASE_URL = "https://events.example.org"
CLAIM_SECONDS = 4  # a dead worker's batch goes to another after this long
DEADLINE_SECONDS = 40  # for the mail to arrive; the whole test stays well under a minute


@pytest.fixture
def redis_url() -> str:
    if not TEST_REDIS_URL:
        pytest.skip(
            "multi-host test skipped: TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/1)"
        )
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"TEST_REDIS_URL is set but Redis does not answer under CI: {exc}")
        pytest.skip(f"multi-host test skipped: Redis does not answer at {TEST_REDIS_URL}: {exc}")
    finally:
        client.close()
    return TEST_REDIS_URL


def instance_with(path: Path, **settings: object) -> str:
    """An instance folder whose config.py holds the settings the test tunes."""
    path.mkdir()
    (path / "config.py").write_text("".join(f"{k} = {v!r}\n" for k, v in settings.items()))
    return str(path)


def start_worker(env: dict[str, str], smtp: SMTPServer, log: Path) -> subprocess.Popen:
    worker_env = {
        **env,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": str(smtp.port),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--loop"]
    with log.open("w") as output:
        return subprocess.Popen(
            [*command, "--interval", "0.2", "--batch", "4"],
            cwd=PROJECT_ROOT,
            env=worker_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def register(form_server: str, post_server: str, slug: str, n: int) -> tuple[int, str]:
    browser = Browser(form_server)
    try:
        token = browser.csrf_token(f"/events/{slug}/register")
    finally:
        browser.close()
    poster = Browser(post_server)
    poster.cookies = browser.cookies  # the same visitor, sent to the other host
    try:
        status, location, _ = poster.request(
            "POST", f"/events/{slug}/register", registration_form(n, token)
        )
    finally:
        poster.close()
    return status, location


def test_two_web_hosts_and_two_workers_share_one_database_and_redis(
    app, database_url, redis_url, make_event, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "multi-host test runs on PostgreSQL only (set TEST_DATABASE_URL): "
            "workers on several hosts claim mail with FOR UPDATE SKIP LOCKED"
        )
    event = make_event(slug="multi-host-webinar", capacity=None)
    slug = event.slug
    db.session.commit()

    environment = {
        "SECRET_KEY": SECRET,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": redis_url,
        # A fresh prefix: counts of an earlier run in the same Redis do not matter.
        "RATELIMIT_KEY_PREFIX": f"ive-test-{uuid.uuid4().hex}",
        "REGISTRATION_RATELIMIT": f"{REGISTRANTS} per hour",
        "MAIL_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "MAIL_TIMEOUT": "1",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "off",
        "INSTANCE_PATH": instance_with(tmp_path / "instance", RATELIMIT_STRATEGY="moving-window"),
    }
    hold = Hold(nth=2)  # the first worker's second message: mid-batch (batches of 4)
    relay_a = SMTPServer(hold=hold).start()
    relay_b = SMTPServer().start()
    workers: list[subprocess.Popen] = []
    with ExitStack() as stack:
        stack.callback(relay_a.stop)
        stack.callback(relay_b.stop)
        stack.callback(hold.release)

        def stop_workers() -> None:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    try:
                        worker.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                        worker.wait(timeout=5)

        stack.callback(stop_workers)
        # Both hosts boot at once (each is stopped by the stack, even if the other fails).
        with ThreadPoolExecutor(max_workers=2) as pool:
            host_a, host_b = pool.map(
                stack.enter_context,
                [
                    gunicorn_server(
                        database_url, workers=2, environment=environment, config_module=True
                    )
                    for _ in range(2)
                ],
            )

        # Registrations through both hosts, each form posted to the other host half the time.
        results = []
        for n in range(REGISTRANTS):
            first, second = (host_a, host_b) if n % 2 else (host_b, host_a)
            results.append(register(first, first if n % 4 < 2 else second, slug, n))
        assert [status for status, _ in results] == [303] * REGISTRANTS
        assert all(location.endswith("/register/check-your-inbox") for _, location in results)

        # Each host alone has seen only half the registrations, each of its two processes
        # a quarter: only a count shared in Redis refuses the next one, on either host.
        assert register(host_a, host_a, slug, REGISTRANTS)[0] == 429
        assert register(host_b, host_b, slug, REGISTRANTS + 1)[0] == 429

        env = {
            **os.environ,
            **environment,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": environment["INSTANCE_PATH"],
        }
        workers.append(start_worker(env, relay_a, tmp_path / "worker-a.log"))
        wait_for(hold.holding.is_set, 30, "the first worker to be in the middle of a batch")
        workers.append(start_worker(env, relay_b, tmp_path / "worker-b.log"))
        time.sleep(0.5)  # both workers now deliver at once
        workers[0].send_signal(signal.SIGKILL)
        assert workers[0].wait(timeout=10) == -signal.SIGKILL
        hold.release()  # the relay finds the connection gone: that message was not taken

        def delivered() -> list[str]:
            return [r.rcpt_tos[0] for r in relay_a.messages + relay_b.messages]

        wait_for(
            lambda: len(delivered()) >= REGISTRANTS,
            DEADLINE_SECONDS,
            "every confirmation to be delivered",
        )
        time.sleep(CLAIM_SECONDS / 2)  # nothing more may arrive: no second copy
        stop_workers()

    worker_b_output = (tmp_path / "worker-b.log").read_text()
    received = Counter(delivered())
    registrants = {f"stakeholder{n}@example.org" for n in range(REGISTRANTS)}
    assert set(received) == registrants
    assert set(received.values()) == {1}, {k: v for k, v in received.items() if v > 1}
    assert hold.recipients[0] in {r.rcpt_tos[0] for r in relay_b.messages}, worker_b_output
    assert len(relay_a.messages) == 1  # the killed worker delivered the first of its batch

    db.session.expire_all()
    rows = db.session.execute(
        db.select(OutboxMessage.to_address, OutboxMessage.kind, OutboxMessage.sent_at)
    ).all()
    assert len(rows) == REGISTRANTS
    assert {kind for _, kind, _ in rows} == {"confirmed"}
    assert all(sent_at is not None for *_, sent_at in rows)
    statuses = db.session.scalars(db.select(Registration.status)).all()
    assert statuses == ["confirmed"] * REGISTRANTS
