"""The application factory and configuration precedence."""

import pytest

from webapp import create_app
from webapp.config import ConfigurationError, from_environment, normalise_database_url


@pytest.fixture
def instance_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name in ("SECRET_KEY", "DATABASE_URL", "MAIL_BACKEND", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_refuses_to_start_without_secret_key(instance_dir):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_testing_and_debug_may_run_without_secret_key(instance_dir):
    assert create_app({"TESTING": True}).testing
    assert create_app({"DEBUG": True}).debug


def test_default_database_is_sqlite_in_instance_folder(instance_dir, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance_dir / 'app.sqlite'}"


def test_precedence_defaults_instance_environment_then_argument(instance_dir, monkeypatch):
    (instance_dir / "config.py").write_text(
        "SECRET_KEY = 'from-instance'\nMAIL_BACKEND = 'smtp'\nPUBLIC_BASE_URL = 'https://instance'\n"
    )
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance"
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_PORT"] == 25  # default untouched

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://environment")
    monkeypatch.setenv("MAIL_PORT", "2525")
    app = create_app()
    assert app.config["PUBLIC_BASE_URL"] == "https://environment"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SECRET_KEY"] == "from-instance"

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


def test_database_url_from_environment(instance_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/other.sqlite"


def test_session_cookie_is_http_only_and_same_site(instance_dir):
    app = create_app({"TESTING": True})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
