"""Configuration defaults and the environment variables that override them.

Precedence (lowest first): ``DefaultConfig``, ``instance/config.py``, the
environment, then the mapping passed to ``create_app`` (tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import ip_network
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from webapp.timezones import parse_working_hours

# Languages whose catalogs ship with the application; English is the source language.
LANGUAGES = ("en", "hu", "it", "pl", "es", "lt")


class DefaultConfig:
    SECRET_KEY: str | None = None
    # SQLALCHEMY_DATABASE_URI defaults to sqlite:///<instance>/app.sqlite (set in create_app).
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    PUBLIC_BASE_URL: str | None = None

    MAIL_BACKEND = "file"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "Inter Ventures Events <events@inter-ventures.eu>"
    MAIL_TIMEOUT = 10
    # Where the ``file`` backend writes .eml files; None means <instance>/outbox.
    MAIL_FILE_DIRECTORY: str | None = None
    # Delivery retries: the n-th failed attempt waits BASE * 2**(n-1) seconds (at most MAX),
    # and a message still undelivered after MAIL_MAX_ATTEMPTS attempts is marked failed.
    MAIL_MAX_ATTEMPTS = 12
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_RETRY_MAX_SECONDS = 6 * 3600
    # How long a worker may hold claimed messages before another worker may take them over.
    MAIL_CLAIM_SECONDS = 600
    # Registrations of events that ended longer ago than this are anonymised.
    PERSONAL_DATA_RETENTION_DAYS = 730

    RATELIMIT_STORAGE_URI = "memory://"
    # Prefix of the rate-limit keys, so several sites can share one Redis database.
    RATELIMIT_KEY_PREFIX = "ive"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    REGISTRATION_RATELIMIT = "10 per minute"
    # Events with "confirm your e-mail address": how long an unconfirmed registration
    # holds its seat before ``flask registrations release-expired`` gives it to others.
    EMAIL_CONFIRMATION_HOLD_MINUTES = 60

    # Login attempts per client address (every POST), and refused attempts per account
    # (the typed address) and per pending second-factor login.
    LOGIN_RATELIMIT = "5 per minute;30 per hour"
    LOGIN_ACCOUNT_RATELIMIT = "10 per 15 minutes;50 per day"
    TWO_FACTOR_RATELIMIT = "5 per minute;15 per hour"

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = LANGUAGES

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Idle timeout of an organiser's session (re-signed on every request).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # Force Secure cookies; otherwise they are Secure whenever the request came over HTTPS.
    SESSION_COOKIE_SECURE = False
    # Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
    TRUSTED_PROXIES = 0
    # Strict-Transport-Security on HTTPS responses (seconds; 0 sends none).
    HSTS_MAX_AGE = 365 * 24 * 3600

    WTF_CSRF_TIME_LIMIT = None  # tokens are bound to the session; a form left open stays usable
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    # Material files: where the local-disk storage keeps them (None: <instance>/materials)
    # and the largest file accepted.
    MATERIALS_STORAGE_PATH: str | None = None
    MATERIAL_MAX_BYTES = 20 * 1024 * 1024

    EVENTS_PER_PAGE = 12
    PRIVACY_NOTICE_VERSION = "2026-01"
    # Folder of the privacy notice's text, one <language>.txt each (None: instance/privacy)
    PRIVACY_NOTICE_PATH: str | None = None
    FEED_PAST_DAYS = 90  # feeds show events that ended up to this many days ago
    FEED_CACHE_SECONDS = 900  # a built feed is kept in the process at most this long
    FEED_HTTP_MAX_AGE = 300  # Cache-Control max-age of .ics responses
    FEED_REFRESH_SECONDS = 6 * 3600  # REFRESH-INTERVAL / X-PUBLISHED-TTL asked of clients
    API_CACHE_SECONDS = 60  # Cache-Control max-age of /api/v1 responses
    # Anonymous catalogue, event and region pages are kept per process under the data
    # version (any change is a miss at once, on every host); at most this long, and in
    # at most this many bytes per process. 0 seconds turns the page cache off.
    PAGE_CACHE_SECONDS = 300
    PAGE_CACHE_MAX_BYTES = 8 * 1024 * 1024
    # Working hours a new poll proposes for flagging times in every region (minutes
    # after local midnight); the environment gives them as "09:00-17:00".
    POLL_WORKING_HOURS = (9 * 60, 17 * 60)

    # Logging (webapp/logs.py): level name and ``text`` or ``json`` lines on standard error.
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"
    # Web server processes serving this app (gunicorn's worker count: gunicorn_conf.py
    # sets it in every worker). Per-process rate-limit counters are refused above one.
    WEB_CONCURRENCY = 1
    # /metrics is served only when a bearer token or client networks are configured.
    METRICS_TOKEN: str | None = None
    METRICS_ALLOWED_NETWORKS: str | None = None  # e.g. "127.0.0.1/32, 10.0.0.0/8"

    # Printed documents (evidence packs, certificates): logo files of the deployment
    # (PNG, JPEG or SVG); a missing file is left out of the document.
    PROGRAMME_LOGO: str | None = None
    EU_EMBLEM: str | None = None
    EU_FUNDING_LINE: str | None = None  # None: "Co-funded by the European Union", translated
    PARTNER_LOGO_DIR: str | None = None  # holds <partner short name>.svg|png|jpg


# Environment variable → (config key, converter)
def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT_KEYS: dict[str, Any] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "PUBLIC_BASE_URL": str,
    "MAIL_BACKEND": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": _bool,
    "MAIL_USE_SSL": _bool,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_FILE_DIRECTORY": str,
    "MAIL_TIMEOUT": int,
    "MAIL_MAX_ATTEMPTS": int,
    "MAIL_CLAIM_SECONDS": int,
    "PERSONAL_DATA_RETENTION_DAYS": int,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": _bool,
    "RATELIMIT_KEY_PREFIX": str,
    "REGISTRATION_RATELIMIT": str,
    "LOGIN_RATELIMIT": str,
    "LOGIN_ACCOUNT_RATELIMIT": str,
    "TWO_FACTOR_RATELIMIT": str,
    "SESSION_COOKIE_SECURE": _bool,
    "TRUSTED_PROXIES": int,
    "LOG_LEVEL": str,
    "LOG_FORMAT": str,
    "WEB_CONCURRENCY": int,
    "METRICS_TOKEN": str,
    "METRICS_ALLOWED_NETWORKS": str,
    "POLL_WORKING_HOURS": parse_working_hours,
    "MATERIALS_STORAGE_PATH": str,
    "PRIVACY_NOTICE_PATH": str,
    "PRIVACY_NOTICE_VERSION": str,
    "MATERIAL_MAX_BYTES": int,
    "PAGE_CACHE_SECONDS": int,
    "PAGE_CACHE_MAX_BYTES": int,
    "EMAIL_CONFIRMATION_HOLD_MINUTES": int,
    "HSTS_MAX_AGE": int,
    "PROGRAMME_LOGO": str,
    "EU_EMBLEM": str,
    "EU_FUNDING_LINE": str,
    "PARTNER_LOGO_DIR": str,
}


class ConfigurationError(RuntimeError):
    """The configuration cannot run the application (say which setting and why)."""


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read the recognised environment variables, converted to their types."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, convert in ENVIRONMENT_KEYS.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = convert(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{name}={raw!r} is not valid: {exc}") from exc
    return values


def load(config: Any, instance_path: str, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill a ``flask.Config``: defaults, ``instance/config.py``, environment, ``overrides``.

    The one place settings are read, for ``create_app`` and for ``flask check-config``
    (which must work even when the settings would stop the app).
    """
    config.from_object(DefaultConfig)
    config.from_pyfile(os.path.join(instance_path, "config.py"), silent=True)
    config.update(from_environment())
    if overrides:
        config.update(overrides)
    database_url = config.get("DATABASE_URL") or config.get("SQLALCHEMY_DATABASE_URI")
    if not database_url:
        database_url = "sqlite:///" + os.path.join(instance_path, "app.sqlite")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)


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
