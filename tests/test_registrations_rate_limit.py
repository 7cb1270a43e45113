"""The registration rate limit is one limit for every worker when it is kept in Redis.

Two application instances stand for two gunicorn workers (or two hosts): with
``RATELIMIT_STORAGE_URI`` pointing at Redis they share one count, kept in Redis (the
default ``memory://`` keeps it inside each process). Uses Redis database 3 on 127.0.0.1 (skipped when
no Redis server answers there).
"""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import base_config
from webapp import create_app
from webapp.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/3"


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    return client


def _worker(database_url, tmp_path, **config):
    return create_app(
        {
            **base_config(database_url, tmp_path),
            "RATELIMIT_ENABLED": True,
            "REGISTRATION_RATELIMIT": "3 per minute",
            **config,
        }
    )


def _post(worker, slug: str, client_address: str):
    return worker.test_client().post(
        f"/events/{slug}/register", data={}, environ_base={"REMOTE_ADDR": client_address}
    )


def test_workers_sharing_redis_share_the_registration_limit(
    app, database_url, tmp_path, make_event
):
    redis_client = _redis_or_skip()
    # A client address of its own: the count starts at zero and is found in Redis.
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    event = make_event(slug="rate-limited")
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL}
    first, second = (
        _worker(database_url, tmp_path, **shared),
        _worker(database_url, tmp_path, **shared),
    )
    try:
        for worker in (first, second, first):
            assert _post(worker, event.slug, address).status_code == 400  # empty form, counted
        assert _post(second, event.slug, address).status_code == 429
        assert _post(first, event.slug, address).status_code == 429
        # The count lives in Redis, where every worker on every host reads it.
        assert list(redis_client.scan_iter(f"*{address}*"))
    finally:
        for key in redis_client.scan_iter(f"*{address}*"):
            redis_client.delete(key)
        for worker in (first, second):  # close their database connections
            with worker.app_context():
                db.engine.dispose()
