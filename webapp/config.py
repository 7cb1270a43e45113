"""Configuration defaults and the environment variables that override them.

Precedence (lowest first): ``DefaultConfig``, ``instance/config.py``, the
environment, then the mapping passed to ``create_app`` (tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

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
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    REGISTRATION_RATELIMIT = "10 per minute"
    LOGIN_RATELIMIT = "5 per minute;30 per hour"

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

    WTF_CSRF_TIME_LIMIT = None  # tokens are bound to the session; a form left open stays usable
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    EVENTS_PER_PAGE = 12
    PRIVACY_NOTICE_VERSION = "2026-01"
    FEED_PAST_DAYS = 90  # feeds show events that ended up to this many days ago
    FEED_CACHE_SECONDS = 900  # a built feed is kept in the process at most this long
    FEED_HTTP_MAX_AGE = 300  # Cache-Control max-age of .ics responses
    FEED_REFRESH_SECONDS = 6 * 3600  # REFRESH-INTERVAL / X-PUBLISHED-TTL asked of clients
    API_CACHE_SECONDS = 60  # Cache-Control max-age of /api/v1 responses

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
    "PERSONAL_DATA_RETENTION_DAYS": int,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": _bool,
    "SESSION_COOKIE_SECURE": _bool,
    "TRUSTED_PROXIES": int,
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


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the short way (``postgres://``)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
