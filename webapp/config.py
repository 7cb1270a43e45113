"""The application's settings: one typed object, built once at start-up.

Every setting is a field of ``Settings`` below, with its type, its default and what it
means; README's settings table is written from these fields (``python -m webapp.config
--readme README.md``) and a test fails when the two disagree.

Precedence (lowest first): the defaults here, ``instance/config.py``, the environment,
then the mapping passed to ``create_app`` (tests). A value that does not fit its type
stops the start with a ``ConfigurationError`` naming the setting. Values that are
well-typed but unsafe (no ``SECRET_KEY``, no ``PUBLIC_BASE_URL``…) are found by
``configuration_problems``: outside debug and tests the app refuses to start with them,
and ``flask check-config`` lists them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import ip_network
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from webapp.timezones import parse_working_hours

# Languages whose catalogs ship with the application; English is the source language.
LANGUAGES = ("en", "hu", "it", "pl", "es", "lt")

# Flask and extension keys the product fixes: they describe the code (its catalogs, its
# cookie policy), not a deployment, so they are not settings. instance/config.py may
# still set them, as any Flask key.
FIXED_KEYS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "RATELIMIT_HEADERS_ENABLED": True,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "LANGUAGES": LANGUAGES,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Tokens are bound to the session; a form left open stays usable.
    "WTF_CSRF_TIME_LIMIT": None,
}


def setting(default: Any, meaning: str, shown: str | None = None) -> Any:
    """A settings field: its default, what it means and, when the default needs words,
    how README shows it."""
    extra: dict[str, Any] | None = {"shown_default": shown} if shown is not None else None
    return Field(default, description=meaning, json_schema_extra=extra)


def _working_hours(value: Any) -> Any:
    return parse_working_hours(value) if isinstance(value, str) else value


WorkingHours = Annotated[tuple[int, int], BeforeValidator(_working_hours)]


def _seconds(value: Any) -> Any:
    return timedelta(seconds=int(value)) if isinstance(value, str) and value.isdigit() else value


# A duration given in seconds ("28800"), or as an ISO 8601 duration ("PT8H").
Duration = Annotated[timedelta, BeforeValidator(_seconds)]


class Settings(BaseModel):
    """Every setting of the application; the environment sets each under its own name.

    Pydantic converts and checks the values (``"2525"`` from the environment becomes the
    port 2525, ``"twenty-five"`` is refused naming ``MAIL_PORT``).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    SECRET_KEY: str | None = setting(
        None,
        "signs sessions and CSRF tokens: at least 32 random characters "
        "(`python -c 'import secrets; print(secrets.token_hex(32))'`)",
    )
    DATABASE_URL: str | None = setting(
        None,
        "SQLAlchemy URL. PostgreSQL: `postgresql+psycopg://user:pass@host/db` "
        "(`postgres://` is accepted)",
        shown="`sqlite:///instance/app.sqlite`",
    )
    PUBLIC_BASE_URL: str | None = setting(
        None,
        "the site's public address, e.g. `https://events.inter-ventures.eu`: every absolute "
        "link (e-mails, QR codes, calendar feeds and UIDs, API) is built from it, never from "
        "the request's `Host` or `X-Forwarded-Host`",
    )
    MAIL_BACKEND: str = setting(
        "file",
        "`file` writes each message as `.eml` into `MAIL_FILE_DIRECTORY`; `smtp` sends "
        "through `MAIL_SERVER`",
    )
    MAIL_FILE_DIRECTORY: str | None = setting(
        None, "where the `file` backend writes", shown="`instance/outbox/`"
    )
    MAIL_SERVER: str = setting("localhost", "SMTP server")
    MAIL_PORT: int = setting(25, "SMTP port (587 for STARTTLS, 465 for implicit TLS)")
    MAIL_USERNAME: str | None = setting(
        None, "SMTP login, if the server needs one (logs in when it is set)"
    )
    MAIL_PASSWORD: str | None = setting(None, "password of the SMTP login")
    MAIL_USE_TLS: bool = setting(False, "STARTTLS after connecting")
    MAIL_USE_SSL: bool = setting(False, "implicit TLS from the first byte")
    MAIL_TIMEOUT: int = setting(10, "seconds to wait for the SMTP server")
    MAIL_DEFAULT_SENDER: str = setting(
        "Inter Ventures Events <events@inter-ventures.eu>",
        "the address every message is sent from (and bounces return to); the display name "
        "is the host partner's, replies go to `Partner.email` when set",
    )
    MAIL_CLAIM_SECONDS: int = setting(
        600,
        "how long an outbox worker holds the messages it claimed; a worker that dies leaves "
        "them to the others after this",
    )
    MAIL_MAX_ATTEMPTS: int = setting(
        12,
        "delivery attempts before a message is marked failed (waits 1, 2, 4… minutes, at "
        "most 6 hours apart: about a day in all)",
    )
    MAIL_RETRY_BASE_SECONDS: int = setting(
        60, "wait after the first failed delivery; each further failure doubles it"
    )
    MAIL_RETRY_MAX_SECONDS: int = setting(
        6 * 3600, "the longest wait between two delivery attempts"
    )
    PERSONAL_DATA_RETENTION_DAYS: int = setting(
        730,
        "`purge-personal-data` anonymises registrations of events that ended longer ago",
    )
    RATELIMIT_STORAGE_URI: str = setting(
        "memory://",
        "Flask-Limiter storage; `redis://host:6379/0` whenever more than one web process "
        "runs (refused otherwise)",
    )
    RATELIMIT_KEY_PREFIX: str = setting(
        "ive",
        "prefix of the rate-limit keys in that storage (several sites may share one Redis)",
    )
    RATELIMIT_ENABLED: bool = setting(True, "turn rate limits off (tests)")
    REGISTRATION_RATELIMIT: str = setting(
        "10 per minute",
        "registration, cancel, erase and confirm POSTs per client address",
    )
    LOGIN_RATELIMIT: str = setting(
        "5 per minute;30 per hour", "login attempts per client address (every POST)"
    )
    LOGIN_ACCOUNT_RATELIMIT: str = setting(
        "10 per 15 minutes;50 per day",
        'refused login attempts per account (see "Account security")',
    )
    TWO_FACTOR_RATELIMIT: str = setting(
        "5 per minute;15 per hour", "second-factor code attempts per pending login"
    )
    EMAIL_CONFIRMATION_HOLD_MINUTES: int = setting(
        60,
        "on events that ask for a confirmed address, how long an unconfirmed registration "
        "holds its seat",
    )
    MESSAGE_MAX_RECIPIENTS: int = setting(
        500,
        "the most registrants one message from the organisers' composer may go to (send "
        "larger groups in parts, by status or region)",
    )
    HSTS_MAX_AGE: int = setting(
        365 * 24 * 3600,
        "`Strict-Transport-Security` max-age sent on HTTPS responses; `0` sends none",
    )
    SESSION_COOKIE_SECURE: bool = setting(
        False,
        "force the `Secure` flag on the session cookie. Without it the cookie is `Secure` "
        "whenever the request arrived over HTTPS (behind a proxy: see `TRUSTED_PROXIES`)",
    )
    PERMANENT_SESSION_LIFETIME: Duration = setting(
        timedelta(hours=8),
        "idle timeout of an organiser's session, in seconds (re-signed on every request)",
    )
    TRUSTED_PROXIES: int = setting(
        0,
        "number of reverse proxies in front of the app whose `X-Forwarded-For/-Proto/-Host` "
        "headers are believed (Werkzeug `ProxyFix`); set to `1` behind one TLS-terminating "
        "proxy, so HTTPS is recognised and rate limits see the client's address",
    )
    WEB_CONCURRENCY: int = setting(
        1,
        "web processes serving the app; `webapp/gunicorn_conf.py` takes its worker count "
        "from it and tells each worker the real count",
        shown="`1` (gunicorn configuration: `2`)",
    )
    LOG_LEVEL: str = setting("INFO", "`DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`")
    LOG_FORMAT: str = setting("text", '`json` for JSON lines (see "Logs")')
    METRICS_TOKEN: str | None = setting(
        None, "bearer token (16+ characters) that may read `/metrics`"
    )
    METRICS_ALLOWED_NETWORKS: str | None = setting(
        None,
        "comma-separated networks (`10.0.0.0/8, 127.0.0.1/32`) that may read `/metrics`; "
        "with neither setting `/metrics` answers 404, with both both must match",
    )
    POLL_WORKING_HOURS: WorkingHours = setting(
        (9 * 60, 17 * 60),
        "the local working day a new poll proposes; times outside it are flagged in every "
        "region (each poll keeps its own)",
        shown="`09:00-17:00`",
    )
    MATERIALS_STORAGE_PATH: str | None = setting(
        None,
        "folder where uploaded material files (slides, minutes, photos) are kept; back it "
        "up with the database. Each worker host needs the same folder (a shared volume)",
        shown="`instance/materials/`",
    )
    MATERIAL_MAX_BYTES: int = setting(
        20 * 1024 * 1024,
        "largest material file accepted; other forms keep `MAX_CONTENT_LENGTH`",
    )
    MAX_CONTENT_LENGTH: int = setting(
        5 * 1024 * 1024, "largest request body (bytes) of every other form"
    )
    PROGRAMME_LOGO: str | None = setting(
        None,
        "image file (PNG, JPEG or SVG, at most 2 MB) printed at the top of evidence packs "
        "and certificates; a missing or unreadable file is left out and logged",
    )
    EU_EMBLEM: str | None = setting(
        None, "image file of the EU emblem, printed like `PROGRAMME_LOGO`"
    )
    EU_FUNDING_LINE: str | None = setting(
        None,
        "the text printed beside the EU emblem",
        shown='"Co-funded by the European Union" (translated)',
    )
    PARTNER_LOGO_DIR: str | None = setting(
        None,
        "a directory of partner logos named after the partner's short name "
        "(`PANNON.svg`, `SODEBUR.png`…); the host partner's logo is printed when there is one",
    )
    EVENTS_PER_PAGE: int = setting(12, "events on one page of the catalogue")
    PRIVACY_NOTICE_PATH: str | None = setting(
        None,
        "folder of the privacy notice shown at `/privacy`: one plain-text file per language "
        "(`en.txt`, `hu.txt`, `it.txt`, `pl.txt`, `es.txt`, `lt.txt`), paragraphs separated "
        "by an empty line. A language without its file shows `en.txt`; with no files at all "
        "the built-in notice is shown, translated",
        shown="`instance/privacy/`",
    )
    PRIVACY_NOTICE_VERSION: str = setting(
        "2026-01",
        "version of the notice, stored with each registration's consent; raise it when the "
        "text changes",
    )
    PAGE_CACHE_SECONDS: int = setting(
        300,
        "longest an anonymous catalogue, event or region page is kept in a web process (a "
        'change is a miss at once anyway, see "Page and feed caches"); `0` turns the page '
        "cache off",
    )
    PAGE_CACHE_MAX_BYTES: int = setting(
        8 * 1024 * 1024,
        "pages kept per web process, least recently used first out",
        shown="`8388608` (8 MB)",
    )
    FEED_PAST_DAYS: int = setting(90, "feeds show events that ended up to this many days ago")
    FEED_CACHE_SECONDS: int = setting(900, "a built feed is kept in the process at most this long")
    FEED_CACHE_MAX_BYTES: int = setting(
        16 * 1024 * 1024,
        "built feeds kept per web process (plain and gzip), least recently used first out",
        shown="`16777216` (16 MB)",
    )
    FEED_HTTP_MAX_AGE: int = setting(300, "`Cache-Control` max-age of `.ics` responses")
    FEED_REFRESH_SECONDS: int = setting(
        6 * 3600, "`REFRESH-INTERVAL` / `X-PUBLISHED-TTL` asked of calendar apps"
    )
    API_CACHE_SECONDS: int = setting(60, "`Cache-Control` max-age of `/api/v1` responses")

    def flask_config(self) -> dict[str, Any]:
        """The settings as Flask config keys."""
        return self.model_dump()


# The environment variables the settings are read from (each setting's own name).
ENVIRONMENT_KEYS: tuple[str, ...] = tuple(Settings.model_fields)


class ConfigurationError(RuntimeError):
    """The configuration cannot run the application (say which setting and why)."""


def _validation_problem(error: ValidationError, where: str) -> ConfigurationError:
    lines = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"])
        lines.append(f"{name}={item['input']!r} {where}is not valid: {item['msg']}")
    return ConfigurationError("\n".join(lines))


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings given in the environment (empty values ignored), converted."""
    environ = os.environ if environ is None else environ
    given = {name: environ[name] for name in ENVIRONMENT_KEYS if environ.get(name)}
    try:
        checked = Settings.model_validate(given)
    except ValidationError as exc:
        raise _validation_problem(exc, "in the environment ") from exc
    return {name: getattr(checked, name) for name in given}


def build(
    instance: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings: defaults, then ``instance`` values, the environment, ``overrides``.

    Only setting names are taken from ``instance`` and ``overrides``; other keys (Flask's
    own) are the caller's business.
    """
    values = {k: v for k, v in (instance or {}).items() if k in Settings.model_fields}
    values.update(from_environment(environ))
    values.update({k: v for k, v in (overrides or {}).items() if k in Settings.model_fields})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise _validation_problem(exc, "") from exc


def _instance_file(instance_path: str) -> dict[str, Any]:
    """The upper-case names ``instance/config.py`` sets (none when there is no file)."""
    from flask import Config

    values = Config(instance_path)
    values.from_pyfile(os.path.join(instance_path, "config.py"), silent=True)
    return dict(values)


def load(config: Any, instance_path: str, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Build the settings and fill a ``flask.Config`` with them; return the settings.

    The one place settings are read, for ``create_app``, gunicorn's configuration and
    ``flask check-config`` (which must work even when the settings would stop the app).
    Keys that are not settings (Flask's own, such as ``TESTING`` or ``SERVER_NAME``) pass
    from ``instance/config.py`` and ``overrides`` to the Flask config unchanged.
    """
    instance = _instance_file(instance_path)
    settings = build(instance, overrides)
    config.update(FIXED_KEYS)
    config.update({k: v for k, v in instance.items() if k not in Settings.model_fields})
    config.update(settings.flask_config())
    if overrides:
        config.update({k: v for k, v in overrides.items() if k not in Settings.model_fields})
    database_url = settings.DATABASE_URL or config.get("SQLALCHEMY_DATABASE_URI")
    if not database_url:
        database_url = "sqlite:///" + os.path.join(instance_path, "app.sqlite")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)
    return settings


# --- README's settings table, written from the fields ----------------------------------

README_TABLE_START = (
    "<!-- settings table: written by `python -m webapp.config --readme README.md` -->"
)
README_TABLE_END = "<!-- end of settings table -->"


def _shown_default(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "shown_default" in extra:
        return str(extra["shown_default"])
    value = field.default
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, timedelta):
        return f"`{int(value.total_seconds())}`"
    return f"`{value}`"


def settings_table() -> str:
    """README's table of settings (name, default, meaning), one row per field."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{name}` | {_shown_default(field)} | {field.description} |")
    return "\n".join(rows)


def readme_with_settings_table(readme: str) -> str:
    """``readme`` with the text between the table's markers replaced by the table."""
    head, found, rest = readme.partition(README_TABLE_START)
    _, found_end, tail = rest.partition(README_TABLE_END)
    if not (found and found_end):
        raise ValueError(f"README has no {README_TABLE_START!r} … {README_TABLE_END!r}")
    return f"{head}{README_TABLE_START}\n{settings_table()}\n{README_TABLE_END}{tail}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the short way (``postgres://``)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# --- settings that must not be left unsafe ---------------------------------------------

# The value in instance/config.example.py: copying the example is not choosing a secret.
EXAMPLE_SECRET_KEYS = frozenset({"change-me-to-a-long-random-string"})
SECRET_KEY_MIN_LENGTH = 32
METRICS_TOKEN_MIN_LENGTH = 16
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Problem:
    """A setting the application refuses to run with outside debug and tests."""

    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


def configuration_problems(config: Mapping[str, Any]) -> list[Problem]:
    """Every unsafe or unusable setting in ``config``, each naming the setting."""
    problems: list[Problem] = []
    secret = config.get("SECRET_KEY")
    if not secret:
        problems.append(
            Problem(
                "SECRET_KEY",
                "is not set. Set the SECRET_KEY environment variable or put SECRET_KEY = '...' "
                "in instance/config.py (`make run` writes one for development); generate one "
                "with: python -c 'import secrets; print(secrets.token_hex(32))'",
            )
        )
    elif str(secret) in EXAMPLE_SECRET_KEYS:
        problems.append(
            Problem("SECRET_KEY", "is the example value; generate a random one of your own")
        )
    elif len(str(secret)) < SECRET_KEY_MIN_LENGTH:
        problems.append(
            Problem(
                "SECRET_KEY",
                f"is {len(str(secret))} characters long; use at least {SECRET_KEY_MIN_LENGTH} "
                "random characters",
            )
        )

    base = config.get("PUBLIC_BASE_URL")
    if not base:
        problems.append(
            Problem(
                "PUBLIC_BASE_URL",
                "is not set. Links in e-mails, QR codes and calendar feeds are built from it, "
                "never from the request's Host header: set it to the site's public address, "
                "e.g. https://events.inter-ventures.eu",
            )
        )
    else:
        reason = public_base_url_problem(str(base))
        if reason:
            problems.append(Problem("PUBLIC_BASE_URL", reason))

    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    processes = int(config.get("WEB_CONCURRENCY") or 1)
    if config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory") and processes > 1:
        problems.append(
            Problem(
                "RATELIMIT_STORAGE_URI",
                f"is in-memory while {processes} web processes serve the app: each would count "
                "on its own. Use shared storage such as redis://host:6379/0",
            )
        )

    level = str(config.get("LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        problems.append(Problem("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}"))
    if str(config.get("LOG_FORMAT") or "text").lower() not in LOG_FORMATS:
        problems.append(Problem("LOG_FORMAT", f"must be one of {', '.join(LOG_FORMATS)}"))

    token = config.get("METRICS_TOKEN")
    if token and len(str(token)) < METRICS_TOKEN_MIN_LENGTH:
        problems.append(
            Problem("METRICS_TOKEN", f"must be at least {METRICS_TOKEN_MIN_LENGTH} characters")
        )
    networks = config.get("METRICS_ALLOWED_NETWORKS")
    if networks:
        for item in str(networks).split(","):
            try:
                ip_network(item.strip(), strict=False)
            except ValueError:
                problems.append(
                    Problem("METRICS_ALLOWED_NETWORKS", f"{item.strip()!r} is not a network")
                )
    return problems


def public_base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the base of absolute links, or None when it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return f"{url!r} is not a URL"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return f"{url!r} must be an absolute http:// or https:// address"
    if parts.query or parts.fragment or parts.username or parts.password:
        return f"{url!r} must have no user, query or fragment"
    return None


def refuse_unsafe(config: Mapping[str, Any]) -> None:
    """Raise ConfigurationError naming every problem (the app must not start)."""
    problems = configuration_problems(config)
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise ConfigurationError(f"The configuration is not safe to run with:\n{lines}")


# --- showing the effective settings (flask check-config) --------------------------------

SECRET_SETTINGS = frozenset({"SECRET_KEY", "MAIL_PASSWORD", "METRICS_TOKEN"})
URL_SETTINGS = frozenset({"SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI"})


def masked(name: str, value: Any) -> str:
    """``value`` as an operator may see it: secrets hidden, passwords in URLs starred."""
    if value is None or value == "":
        return "(not set)"
    if name in SECRET_SETTINGS:
        return f"(set, {len(str(value))} characters)"
    if name in URL_SETTINGS:
        return mask_url_password(str(value))
    return repr(value) if isinstance(value, str) else str(value)


def mask_url_password(url: str) -> str:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "(not a URL)"
    if not password:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0] + ":***"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{netloc[1]}"))


if __name__ == "__main__":
    # python -m webapp.config                    prints the settings table
    # python -m webapp.config --readme README.md  writes it into README
    if sys.argv[1:2] == ["--readme"] and len(sys.argv) == 3:
        with open(sys.argv[2], encoding="utf-8") as file:
            text = readme_with_settings_table(file.read())
        with open(sys.argv[2], "w", encoding="utf-8") as file:
            file.write(text)
    else:
        print(settings_table())
