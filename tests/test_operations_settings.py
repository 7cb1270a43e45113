"""Settings that cannot be left unsafe, ``flask check-config``, and links that never come
from the request's Host header."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.support.gunicorn import PROJECT_ROOT
from tests.support.outbox import render_queued
from webapp import create_app
from webapp.cli import check_config
from webapp.config import ENVIRONMENT_KEYS, ConfigurationError
from webapp.extensions import db
from webapp.models import OutboxMessage, Registration

GOOD_SECRET = "5f0c1e6a9b7d4c2e8a1f3b5d7c9e0a2b4c6d8e0f"  # 40 characters


@pytest.fixture
def clean_environment(tmp_path, monkeypatch):
    """No setting from the machine's environment; an empty instance folder."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name in (*ENVIRONMENT_KEYS, "FLASK_DEBUG", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def production(**overrides: object) -> dict[str, object]:
    """A configuration a production start accepts; each test breaks one setting."""
    values: dict[str, object] = {
        "SECRET_KEY": GOOD_SECRET,
        "PUBLIC_BASE_URL": "https://events.example.org",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_a_production_configuration_starts(clean_environment):
    app = create_app(production())
    assert not app.debug and not app.testing


@pytest.mark.parametrize(
    ("overrides", "setting", "reason"),
    [
        ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL", "not set"),
        ({"PUBLIC_BASE_URL": "events.example.org"}, "PUBLIC_BASE_URL", "absolute"),
        ({"PUBLIC_BASE_URL": "ftp://events.example.org"}, "PUBLIC_BASE_URL", "absolute"),
        ({"SECRET_KEY": None}, "SECRET_KEY", "not set"),
        ({"SECRET_KEY": "change-me-to-a-long-random-string"}, "SECRET_KEY", "example value"),
        ({"SECRET_KEY": "x" * 31}, "SECRET_KEY", "at least 32"),
        (
            {"WEB_CONCURRENCY": 4, "RATELIMIT_STORAGE_URI": "memory://"},
            "RATELIMIT_STORAGE_URI",
            "4 web processes",
        ),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT", "text, json"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN", "at least 16"),
        ({"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8, intranet"}, "METRICS_ALLOWED_NETWORKS", ""),
    ],
)
def test_unsafe_settings_stop_the_app_naming_the_setting(
    clean_environment, overrides, setting, reason
):
    with pytest.raises(ConfigurationError) as raised:
        create_app(production(**overrides))
    message = str(raised.value)
    assert f"{setting}: " in message
    assert reason in message


def test_every_problem_is_named_at_once(clean_environment):
    with pytest.raises(ConfigurationError) as raised:
        create_app({"SECRET_KEY": "short"})
    assert "SECRET_KEY: " in str(raised.value)
    assert "PUBLIC_BASE_URL: " in str(raised.value)


def test_example_secret_from_instance_config_is_refused(clean_environment):
    # What someone gets by copying instance/config.example.py as it is.
    example = (PROJECT_ROOT / "instance" / "config.example.py").read_text()
    (clean_environment / "config.py").write_text(example)
    with pytest.raises(ConfigurationError, match="SECRET_KEY: is the example value"):
        create_app({"PUBLIC_BASE_URL": "https://events.example.org"})


def test_a_32_character_secret_is_enough(clean_environment):
    assert create_app(production(SECRET_KEY="k" * 32)).config["SECRET_KEY"] == "k" * 32


def test_several_processes_are_fine_with_shared_or_no_rate_limit_storage(clean_environment):
    create_app(production(WEB_CONCURRENCY=4, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/1"))
    create_app(production(WEB_CONCURRENCY=4, RATELIMIT_ENABLED=False))
    create_app(production(WEB_CONCURRENCY=1, RATELIMIT_STORAGE_URI="memory://"))


def test_worker_count_comes_from_the_environment(clean_environment, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI: .*3 web processes"):
        create_app(production())


def test_debug_and_tests_start_with_unsafe_settings(clean_environment):
    assert create_app({"DEBUG": True, "SECRET_KEY": "dev"}).debug
    assert create_app({"TESTING": True}).testing


# --- flask check-config -------------------------------------------------------------------


def test_check_config_prints_settings_masked_and_every_problem(clean_environment, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "too-short-secret")
    monkeypatch.setenv("MAIL_PASSWORD", "smtp-password-value")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.setenv("DATABASE_URL", "postgresql://events:db-password-value@127.0.0.1:1/events")
    result = CliRunner().invoke(check_config, ["--offline"])
    assert result.exit_code == 1
    out = result.output
    assert "too-short-secret" not in out
    assert "smtp-password-value" not in out
    assert "db-password-value" not in out
    assert "SECRET_KEY = (set, 16 characters)" in out
    assert "SQLALCHEMY_DATABASE_URI = postgresql+psycopg://events:***@127.0.0.1:1/events" in out
    assert "WEB_CONCURRENCY = 4" in out
    assert "3 problems:" in out
    for setting in ("SECRET_KEY: ", "PUBLIC_BASE_URL: ", "RATELIMIT_STORAGE_URI: "):
        assert f"  - {setting}" in out


def test_check_config_is_quiet_about_a_good_configuration(clean_environment, monkeypatch):
    for name, value in production().items():
        monkeypatch.setenv(name, str(value))
    result = CliRunner().invoke(check_config, ["--offline"])
    assert result.exit_code == 0, result.output
    assert "PUBLIC_BASE_URL = 'https://events.example.org'" in result.output
    assert result.output.rstrip().endswith("No problems found.")


def test_check_config_reports_an_unmigrated_database_and_a_silent_redis(
    clean_environment, monkeypatch
):
    for name, value in production().items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{clean_environment / 'empty.sqlite'}")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0")  # nothing listens
    result = CliRunner().invoke(check_config, [])
    assert result.exit_code == 1
    assert "SQLALCHEMY_DATABASE_URI: the schema is not at the latest migration" in result.output
    assert "RATELIMIT_STORAGE_URI: the storage does not answer" in result.output


def test_check_config_runs_when_the_app_would_refuse_to_start(clean_environment):
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_KEYS}
    env.update(INSTANCE_PATH=str(clean_environment), SECRET_KEY="change-me-to-a-long-random-string")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "check-config", "--offline"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "SECRET_KEY: is the example value" in result.stdout
    assert "PUBLIC_BASE_URL: is not set" in result.stdout
    assert "Traceback" not in result.stderr


# --- external links come from PUBLIC_BASE_URL only ----------------------------------------------


def _register(client, slug: str, email: str, **environ: str):
    return client.post(
        f"/events/{slug}/register",
        data={
            "name": "Giulia Rossi",
            "email": email,
            "organisation": "Rossi S.r.l.",
            "stakeholder_type": "sme",
            "region": "IT",
            "consent": "y",
        },
        environ_base=environ,
    )


def _links_in(message: OutboxMessage) -> str:
    attachments = " ".join(
        str(a.get("content", "")) + " " + str(a.get("qr_code", "")) for a in message.attachments
    )
    return " ".join([message.body_text, message.body_html or "", attachments])


@pytest.fixture
def onsite_visit(make_event):
    return make_event(slug="study-visit", format="onsite", venue="Fiera", address="Milano")


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
@pytest.mark.parametrize(
    "environ",
    [
        {"HTTP_HOST": "evil.example"},
        {"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "http"},
    ],
    ids=["host", "x-forwarded-host"],
)
def test_a_forged_host_never_reaches_mails_qr_codes_or_calendar_files(
    app, client, onsite_visit, environ
):
    # Register once, then again from the "attacker's" request: the existing link is
    # mailed again, and must still point at PUBLIC_BASE_URL.
    _register(client, "study-visit", "victim@example.org")
    _register(client, "study-visit", "victim@example.org", **environ)
    messages = render_queued()  # written by the outbox worker, far from any request
    registration = db.session.scalar(db.select(Registration))
    assert messages, "a confirmation is queued"
    for message in messages:
        text = _links_in(message)
        assert "evil.example" not in text
        assert f"https://events.example.org/registrations/{registration.token}" in text
    [first] = messages[:1]
    kinds = {a["content_type"].split(";")[0]: a for a in first.attachments}
    assert "UID:event-" in kinds["text/calendar"]["content"]
    assert "@events.example.org" in kinds["text/calendar"]["content"]
    assert kinds["image/png"]["qr_code"].startswith(
        "https://events.example.org/organiser/check-in/"
    )

    page = client.get(f"/registrations/{registration.token}", environ_base=environ)
    assert "evil.example" not in page.get_data(as_text=True)
    feed = client.get(f"/events/{onsite_visit.slug}.ics", environ_base=environ)
    assert "evil.example" not in feed.get_data(as_text=True)
    assert "@events.example.org" in feed.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PUBLIC_BASE_URL": None}])
def test_without_public_base_url_tests_use_the_development_address_not_the_host(
    app, client, onsite_visit
):
    _register(client, "study-visit", "someone@example.org", HTTP_HOST="evil.example")
    [message] = render_queued()
    assert "evil.example" not in _links_in(message)
    assert "http://127.0.0.1:5000/registrations/" in message.body_text


# --- make run's development settings ----------------------------------------------------------


def test_make_run_settings_start_the_app_and_an_older_config_gets_public_base_url(
    clean_environment, monkeypatch
):
    folder = clean_environment / "checkout"
    (folder / "instance").mkdir(parents=True)
    config = folder / "instance" / "config.py"
    # What `make run` wrote before PUBLIC_BASE_URL was required.
    config.write_text(f"SECRET_KEY = {GOOD_SECRET!r}\n")
    for _ in range(2):  # a second run adds nothing
        subprocess.run(
            [
                "make",
                "--no-print-directory",
                "-f",
                str(PROJECT_ROOT / "Makefile"),
                "dev-config",
                "PORT=5000",
            ],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=60,
        )
    assert config.read_text() == (
        f"SECRET_KEY = {GOOD_SECRET!r}\nPUBLIC_BASE_URL = 'http://127.0.0.1:5000'\n"
    )
    monkeypatch.setenv("INSTANCE_PATH", str(folder / "instance"))
    app = create_app()  # neither debug nor testing, as under `make run`
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
