"""Password guessing: attempts are limited per client address and per account, and every
lockout is logged as ``auth.lockout``."""

from __future__ import annotations

import logging
import uuid

import pytest

PASSWORD = "correct horse battery"


def attempt(client, email, password, address):
    return client.post(
        "/organiser/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATELIMIT": "100 per minute",
        "LOGIN_ACCOUNT_RATELIMIT": "3 per 15 minutes",
    }


def auth_events(caplog) -> list[str]:
    return [getattr(r, "event", "") for r in caplog.records if r.name == "webapp.events"]


def test_guesses_from_many_addresses_lock_the_account(client, make_user, caplog):
    caplog.set_level(logging.INFO, logger="webapp.events")
    user = make_user(password=PASSWORD)
    for n in range(3):
        response = attempt(client, user.email, f"guess number {n}", f"198.51.100.{n}")
        assert response.status_code == 200
    locked = attempt(client, user.email.upper(), PASSWORD, "198.51.100.77")
    assert locked.status_code == 429
    assert "Too many requests" in locked.get_data(as_text=True)
    assert auth_events(caplog).count("auth.login_failed") == 3
    lockouts = [r for r in caplog.records if getattr(r, "event", "") == "auth.lockout"]
    assert lockouts and lockouts[0].levelno == logging.WARNING
    assert lockouts[0].event_fields["scope"] == "account"
    assert lockouts[0].event_fields["email"] == user.email
    assert "auth.lockout" in lockouts[0].getMessage()


def test_the_account_lock_leaves_other_accounts_alone(client, make_user):
    user, colleague = make_user(password=PASSWORD), make_user(password=PASSWORD)
    for n in range(3):
        attempt(client, user.email, f"guess number {n}", "198.51.100.1")
    response = attempt(client, colleague.email, PASSWORD, "198.51.100.1")
    assert response.headers["Location"] == "/organiser/"


def test_successful_logins_do_not_count_against_the_account(app, make_user, caplog):
    caplog.set_level(logging.INFO, logger="webapp.events")
    user = make_user(password=PASSWORD)
    for _ in range(4):
        browser = app.test_client()
        assert attempt(browser, user.email, PASSWORD, "198.51.100.5").status_code == 302
    assert auth_events(caplog).count("auth.login") == 4


class TestPerAddress:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATELIMIT": "2 per minute",
            "LOGIN_ACCOUNT_RATELIMIT": "100 per minute",
        }

    def test_one_address_trying_many_accounts_is_locked_and_logged(self, client, make_user, caplog):
        caplog.set_level(logging.INFO, logger="webapp.events")
        users = [make_user(password=PASSWORD) for _ in range(3)]
        assert attempt(client, users[0].email, "wrong one", "192.0.2.1").status_code == 200
        assert attempt(client, users[1].email, "wrong two", "192.0.2.1").status_code == 200
        assert attempt(client, users[2].email, PASSWORD, "192.0.2.1").status_code == 429
        assert attempt(client, users[2].email, PASSWORD, "192.0.2.2").status_code == 302
        lockout = next(r for r in caplog.records if getattr(r, "event", "") == "auth.lockout")
        assert (
            lockout.event_fields["scope"] == "address"
            and lockout.event_fields["address"] == "192.0.2.1"
        )


def test_typed_control_characters_cannot_forge_log_lines(client, caplog):
    caplog.set_level(logging.INFO, logger="webapp.events")
    attempt(client, "x@example.org\nauth.login user_id=1", "whatever password", "192.0.2.7")
    failed = next(r for r in caplog.records if getattr(r, "event", "") == "auth.login_failed")
    assert "\n" not in failed.getMessage()


REDIS_URL = "redis://127.0.0.1:6379/2"


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return connection


class TestSharedStorage:
    """With ``RATELIMIT_STORAGE_URI`` pointing at Redis the counters live there, so every
    worker (and host) counts the same attempts."""

    @pytest.fixture
    def app_config(self):
        prefix = f"ive-test-{uuid.uuid4().hex}"
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
            "LOGIN_RATELIMIT": "100 per minute",
            "LOGIN_ACCOUNT_RATELIMIT": "2 per 15 minutes",
        }

    def test_account_attempts_are_counted_in_redis(self, app, client, make_user, app_config):
        connection = _redis_or_skip()
        # Flask-Limiter keeps the key prefix of the first app it was bound to in this
        # process, so the keys are told apart by the account's address instead.
        user = make_user(password=PASSWORD)
        pattern = f"*{user.email}*"
        for key in connection.scan_iter(pattern):  # left by an earlier run
            connection.delete(key)
        try:
            attempt(client, user.email, "first guess here", "198.51.100.1")
            keys = [k.decode() for k in connection.scan_iter(pattern)]
            assert any(user.email in key for key in keys), keys
            attempt(client, user.email, "second guess here", "198.51.100.2")
            assert (
                attempt(app.test_client(), user.email, PASSWORD, "198.51.100.3").status_code == 429
            )
        finally:
            for key in connection.scan_iter(pattern):
                connection.delete(key)
