"""The typed settings: every one settable from the environment, checked, and documented in
README from the same fields."""

from __future__ import annotations

import typing
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from webapp import create_app
from webapp.config import (
    ENVIRONMENT_KEYS,
    ConfigurationError,
    Settings,
    readme_with_settings_table,
    settings_table,
)

README = Path(__file__).resolve().parents[1] / "README.md"

# A value of each type as the environment gives it, and what the setting becomes.
SAMPLES: dict[object, tuple[str, object]] = {
    int: ("4242", 4242),
    bool: ("yes", True),
    str: ("from-the-environment", "from-the-environment"),
    timedelta: ("5400", timedelta(minutes=90)),
    tuple: ("07:30-15:00", (450, 900)),
}
# Settings whose value must also make sense to the app being built.
NAMED_SAMPLES: dict[str, str] = {
    "DATABASE_URL": "sqlite:///:memory:",
    "MAIL_BACKEND": "smtp",
    "RATELIMIT_STORAGE_URI": "memory://?from=environment",
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "json",
    "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8",
    "PUBLIC_BASE_URL": "https://events.example.eu",
}


def _sample(name: str) -> tuple[str, object]:
    if name in NAMED_SAMPLES:
        return NAMED_SAMPLES[name], NAMED_SAMPLES[name]
    annotation = Settings.model_fields[name].annotation
    for arg in (annotation, *typing.get_args(annotation)):
        kind = typing.get_origin(arg) or arg
        if kind in SAMPLES:
            return SAMPLES[kind]
    raise AssertionError(f"no sample value for {name}: {annotation}")


@pytest.fixture
def no_settings_in_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name in ENVIRONMENT_KEYS:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize("name", ENVIRONMENT_KEYS)
def test_every_setting_is_read_from_the_environment(name, no_settings_in_environment, monkeypatch):
    given, expected = _sample(name)
    monkeypatch.setenv(name, given)
    app = create_app({"TESTING": True})
    assert getattr(app.extensions["settings"], name) == expected
    assert app.config[name] == expected


def test_settings_are_built_once_and_cannot_change(no_settings_in_environment):
    app = create_app({"TESTING": True, "MAIL_PORT": 2525})
    settings = app.extensions["settings"]
    assert settings.MAIL_PORT == 2525 == app.config["MAIL_PORT"]
    with pytest.raises(ValidationError):
        settings.MAIL_PORT = 25


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("RATELIMIT_ENABLED", "maybe", "valid boolean"),
        ("TRUSTED_PROXIES", "one", "valid integer"),
        ("POLL_WORKING_HOURS", "17:00-09:00", "end before they start"),
        ("PERMANENT_SESSION_LIFETIME", "eight hours", "valid timedelta"),
    ],
)
def test_a_value_of_the_wrong_type_stops_the_start_naming_it(
    name, value, reason, no_settings_in_environment, monkeypatch
):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"{name}='{value}' in the environment .*{reason}"):
        create_app({"TESTING": True})


def test_a_wrong_type_in_the_instance_file_names_the_setting(no_settings_in_environment):
    (no_settings_in_environment / "config.py").write_text("MAIL_PORT = 'twenty-five'\n")
    with pytest.raises(ConfigurationError, match="MAIL_PORT='twenty-five' is not valid"):
        create_app({"TESTING": True})


def test_flask_keys_of_the_instance_file_reach_the_app_untouched(no_settings_in_environment):
    (no_settings_in_environment / "config.py").write_text(
        "SESSION_COOKIE_NAME = 'events_session'\nEVENTS_PER_PAGE = 30\n"
    )
    app = create_app({"TESTING": True})
    assert app.config["SESSION_COOKIE_NAME"] == "events_session"
    assert app.extensions["settings"].EVENTS_PER_PAGE == 30


def test_every_setting_has_a_meaning():
    for name, field in Settings.model_fields.items():
        assert name.isupper()
        assert field.description and len(field.description) > 10, name


def test_readme_settings_table_is_the_one_the_settings_write():
    readme = README.read_text(encoding="utf-8")
    assert readme_with_settings_table(readme) == readme, (
        "README's settings table differs from webapp/config.py's Settings: "
        "run python -m webapp.config --readme README.md"
    )
    for name in ENVIRONMENT_KEYS:
        assert f"| `{name}` |" in settings_table()


def test_readme_without_the_table_markers_is_refused():
    with pytest.raises(ValueError, match="settings table"):
        readme_with_settings_table("# no table here\n")
