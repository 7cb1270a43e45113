"""The application factory and configuration precedence."""

import pytest

from webapp import create_app
from webapp.config import (
    ENVIRONMENT_KEYS,
    ConfigurationError,
    from_environment,
    normalise_database_url,
)

PRODUCTION_SECRET = "a" * 24 + "production-secret"


@pytest.fixture
def instance_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name in ENVIRONMENT_KEYS:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def production_env(instance_dir, monkeypatch):
    """The settings a production start needs (tests change one at a time)."""
    monkeypatch.setenv("SECRET_KEY", PRODUCTION_SECRET)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://events.example.org")
    return instance_dir


def test_refuses_to_start_without_secret_key(instance_dir):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_testing_and_debug_may_run_without_secret_key(instance_dir):
    assert create_app({"TESTING": True}).testing
    assert create_app({"DEBUG": True}).debug


def test_default_database_is_sqlite_in_instance_folder(production_env):
    instance_dir = production_env
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance_dir / 'app.sqlite'}"


def test_precedence_defaults_instance_environment_then_argument(instance_dir, monkeypatch):
    (instance_dir / "config.py").write_text(
        f"SECRET_KEY = 'from-instance-{'x' * 32}'\nMAIL_BACKEND = 'smtp'\n"
        "PUBLIC_BASE_URL = 'https://instance'\n"
    )
    app = create_app()
    assert app.config["SECRET_KEY"] == f"from-instance-{'x' * 32}"
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_PORT"] == 25  # default untouched

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://environment")
    monkeypatch.setenv("MAIL_PORT", "2525")
    app = create_app()
    assert app.config["PUBLIC_BASE_URL"] == "https://environment"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SECRET_KEY"] == f"from-instance-{'x' * 32}"

    app = create_app({"PUBLIC_BASE_URL": "https://argument"})
    assert app.config["PUBLIC_BASE_URL"] == "https://argument"


def test_invalid_environment_value_names_the_variable():
    with pytest.raises(ConfigurationError, match="MAIL_PORT"):
        from_environment({"MAIL_PORT": "twenty-five"})


def test_boolean_environment_values():
    assert from_environment({"MAIL_USE_TLS": "true", "RATELIMIT_ENABLED": "0"}) == {
        "MAIL_USE_TLS": True,
        "RATELIMIT_ENABLED": False,
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.sqlite", "sqlite:///x.sqlite"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_database_url_from_environment(production_env, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/other.sqlite"


def test_session_cookie_is_http_only_and_same_site(instance_dir):
    app = create_app({"TESTING": True})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
