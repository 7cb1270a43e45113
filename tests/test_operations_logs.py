"""Logs an operator can use: one line per event, request ids, named events, no forged lines,
no secret tokens."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from flask import abort

from webapp.extensions import db
from webapp.logs import (
    EVENT_LOGGER,
    EVENTS,
    JsonFormatter,
    RequestContextFilter,
    TextFormatter,
    escape_control_characters,
    log_event,
    mask_secret_paths,
)


@pytest.fixture
def log_lines():
    """Capture what the root logger writes, in the given format, as a list of lines."""
    handlers: list[logging.Handler] = []
    root = logging.getLogger()
    previous_level = root.level

    def capture(fmt: str = "text"):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
        handler.addFilter(RequestContextFilter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        handlers.append(handler)
        return lambda: stream.getvalue().splitlines()

    yield capture
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(previous_level)


def events_in(caplog, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == name]


# --- escaping and masking ------------------------------------------------------------------


def test_control_characters_are_escaped():
    assert escape_control_characters("a\nb\rc\x1b]0;title\x07d\u2028e\\f") == (
        "a\\nb\\rc\\x1b]0;title\\x07d\\u2028e\\\\f"
    )


def test_terminal_colour_codes_are_dropped():
    assert escape_control_characters("\x1b[31m\x1b[1mWARNING\x1b[0m") == "WARNING"


def test_a_forged_line_stays_on_its_event_line(log_lines):
    lines = log_lines("text")
    forged = "x@example.org\n2026-01-01 00:00:00,000 INFO webapp.events [-] auth.login user_id=1"
    log_event("auth.login_failed", email=forged)
    logging.getLogger("webapp.test").warning("name was %s", "Eve\r\nINFO forged")
    [event_line, warning_line] = lines()
    assert "auth.login_failed email='x@example.org\\n2026-01-01" in event_line
    assert event_line.endswith("auth.login user_id=1'")
    assert warning_line.endswith("name was Eve\\r\\nINFO forged")


def test_json_lines_carry_the_event_and_its_fields(log_lines):
    lines = log_lines("json")
    log_event("outbox.retry", level=logging.WARNING, message_id=7, error="450 try\nlater")
    [line] = lines()
    record = json.loads(line)
    assert record["event"] == "outbox.retry"
    assert record["message_id"] == 7
    assert record["error"] == "450 try\nlater"  # JSON escapes the newline itself
    assert record["level"] == "WARNING"
    assert record["logger"] == EVENT_LOGGER
    assert record["request_id"] == "-"
    assert "time" in record


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        ("GET /registrations/AbC-123_x HTTP/1.1", "GET /registrations/*** HTTP/1.1"),
        ("/registrations/AbC/cancel", "/registrations/***/cancel"),
        ("/feeds/tok3n.ics?x=1", "/feeds/***.ics?x=1"),
        ("/feeds/partners/tok3n.ics", "/feeds/partners/***.ics"),
        ("/invitations/tok3n", "/invitations/***"),
        ("/polls/tok3n", "/polls/***"),
        ("/organiser/set-password/tok3n", "/organiser/set-password/***"),
        ("/organiser/check-in/tok3n", "/organiser/check-in/***"),
        ("/events/open-day/register", "/events/open-day/register"),
        ("/regions/HU/calendar.ics", "/regions/HU/calendar.ics"),
    ],
)
def test_secret_path_segments_are_masked(path, masked):
    assert mask_secret_paths(path) == masked


def test_every_named_event_in_use_is_listed():
    for name in (
        "auth.login",
        "auth.login_failed",
        "auth.permission_denied",
        "outbox.retry",
        "outbox.failed",
        "attendance.import",
        "retention.purge",
    ):
        assert name in EVENTS


# --- request ids ---------------------------------------------------------------------------


def test_every_response_has_a_request_id(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_an_incoming_request_id_is_ignored_without_a_trusted_proxy(client):
    assert client.get("/", headers={"X-Request-ID": "lb-1234"}).headers["X-Request-ID"] != (
        "lb-1234"
    )


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_a_trusted_proxy_request_id_is_kept_unless_it_is_unsafe(client):
    assert client.get("/", headers={"X-Request-ID": "lb-1234"}).headers["X-Request-ID"] == (
        "lb-1234"
    )
    unsafe = client.get("/", headers={"X-Request-ID": "a b\x1bc"}).headers["X-Request-ID"]
    assert unsafe != "a b\x1bc" and len(unsafe) == 32
    assert len(client.get("/", headers={"X-Request-ID": "x" * 500}).headers["X-Request-ID"]) == 32


def test_a_500_logs_its_traceback_with_the_request_id_on_one_line(app, client, log_lines):
    def broken():
        raise ZeroDivisionError("the failure")

    app.add_url_rule("/broken", "broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    lines = log_lines("text")
    response = client.get("/broken")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    [traceback_line] = [line for line in lines() if "Traceback" in line]
    assert f"[{request_id}]" in traceback_line
    assert "ZeroDivisionError: the failure" in traceback_line
    [event_line] = [line for line in lines() if "http.server_error" in line]
    assert f"[{request_id}]" in event_line


# --- named events --------------------------------------------------------------------------


def test_logins_and_failed_logins_are_events(client, make_user, caplog):
    user = make_user(email="ana@partner.example", password="correct horse battery")
    caplog.set_level(logging.INFO, logger=EVENT_LOGGER)
    bad = client.post(
        "/organiser/login", data={"email": "ana@partner.example", "password": "wrong guess"}
    )
    [failed] = events_in(caplog, "auth.login_failed")
    assert failed.event_fields["email"] == "ana@partner.example"
    assert failed.request_id == bad.headers["X-Request-ID"]
    client.post(
        "/organiser/login",
        data={"email": "ana@partner.example", "password": "correct horse battery"},
    )
    [login] = events_in(caplog, "auth.login")
    assert login.event_fields["user_id"] == user.id


def test_a_permission_refusal_is_an_event(
    client, login, make_user, make_event, make_partner, caplog
):
    organiser = login(make_user())
    other_region = make_event(region_codes=("LT",), host_partner=make_partner("LT"))
    caplog.set_level(logging.INFO, logger=EVENT_LOGGER)
    response = client.get(f"/organiser/events/{other_region.id}/attendance")
    assert response.status_code == 403
    [refusal] = events_in(caplog, "auth.permission_denied")
    assert refusal.event_fields["user_id"] == organiser.id
    assert refusal.levelno == logging.WARNING


def test_outbox_retries_and_permanent_failures_are_events(app, smtp_server, caplog):
    from webapp.mail.commands import send
    from webapp.mail.queue import queue_mail

    smtp_server.refused.add("gone@example.org")
    queue_mail(kind="test", to_address="gone@example.org", subject="s", body_text="b")
    db.session.commit()
    caplog.set_level(logging.INFO, logger=EVENT_LOGGER)
    app.test_cli_runner().invoke(send, [])
    [failed] = events_in(caplog, "outbox.failed")
    assert failed.event_fields["to"] == "gone@example.org"
    assert failed.event_fields["permanent"] is True

    smtp_server.stop()
    queue_mail(kind="test", to_address="later@example.org", subject="s", body_text="b")
    db.session.commit()
    app.test_cli_runner().invoke(send, [])
    [retry] = events_in(caplog, "outbox.retry")
    assert retry.event_fields["attempts"] == 1


def test_a_purge_is_an_event(app, make_event, make_registration, caplog):
    old = make_event(start=timedelta(days=-800))
    make_registration(old)
    caplog.set_level(logging.INFO, logger=EVENT_LOGGER)
    result = app.test_cli_runner().invoke(args=["purge-personal-data"])
    assert result.exit_code == 0, result.output
    [purge] = events_in(caplog, "retention.purge")
    assert purge.event_fields["anonymised"] == 1


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATELIMIT": "1 per minute"}]
)
def test_a_rate_limited_login_is_a_lockout_event(client, caplog):
    caplog.set_level(logging.INFO, logger=EVENT_LOGGER)
    for _ in range(2):
        response = client.post("/organiser/login", data={"email": "a@b.example"})
    assert response.status_code == 429
    assert events_in(caplog, "auth.lockout")


def test_abort_403_anywhere_is_logged(app, client, caplog):
    app.add_url_rule("/forbidden", "forbidden", lambda: abort(403))
    caplog.set_level(logging.INFO, logger=EVENT_LOGGER)
    client.get("/forbidden")
    [refusal] = events_in(caplog, "auth.permission_denied")
    assert refusal.event_fields["path"] == "/forbidden"


def test_an_attendance_import_is_an_event(
    client, login, make_user, make_event, make_registration, caplog
):
    from datetime import UTC, datetime

    from tests.test_attendance_views import DATA, hidden_value, preview_of, upload

    organiser = login(make_user())
    webinar = make_event(start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC), duration=timedelta(hours=2))
    for name, email in [
        ("Anna Kovács", "anna.kovacs@pannon.example"),
        ("Marco Rossi", "marco.rossi@unioncamere.example"),
        ("Łukasz Nowak", "l.nowak@rarr.example"),
    ]:
        make_registration(webinar, name=name, email=email)
    response = upload(client, webinar, (DATA / "teams_attendance.csv").read_bytes())
    location, page = preview_of(client, response)
    caplog.set_level(logging.INFO, logger=EVENT_LOGGER)
    client.post(location + "/confirm", data={"digest": hidden_value(page, "digest")})
    [imported] = events_in(caplog, "attendance.import")
    assert imported.event_fields["event_id"] == webinar.id
    assert imported.event_fields["user_id"] == organiser.id
    assert imported.event_fields["created"] == 3
