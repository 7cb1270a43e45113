"""Logging, configured in one place: levels, line formats, request ids and named events.

Every process (``flask run``, gunicorn workers, ``flask outbox send --loop``, cron
commands) writes one line per event to standard error: plain text by default, JSON lines
with ``LOG_FORMAT=json`` (python-json-logger). The level comes from ``LOG_LEVEL``.

- Each line written while a request is handled carries its request id: the
  ``X-Request-ID`` a trusted proxy sent (``TRUSTED_PROXIES`` > 0, a short token of safe
  characters), else a new one; the response returns it in ``X-Request-ID``.
- Control characters in logged text are escaped (``\\n``, ``\\x1b``), so a value a
  visitor chose cannot forge a second line; a traceback stays on its event's line.
- Secret tokens in URL paths (``SECRET_PATH_PATTERNS``) are masked in every line, here
  and in gunicorn's access log (``webapp/gunicorn_conf.py``).

Named events go to the ``webapp.events`` logger with an ``event`` name and fields, so an
operator can count and alert on them (``EVENTS`` lists the names in use)::

    from webapp.logs import log_event
    log_event("auth.lockout", level=logging.WARNING, email=email, attempts=n)

    # or, equivalently, with the standard library only
    logging.getLogger("webapp.events").warning(
        "auth.lockout", extra={"event": "auth.lockout", "event_fields": {"email": email}}
    )
"""

from __future__ import annotations

import logging
import logging.config
import re
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

EVENT_LOGGER = "webapp.events"
REQUEST_ID_HEADER = "X-Request-ID"

# Named events: the ``event`` field of a line on the ``webapp.events`` logger. Add a name
# here when you log a new one, so operators find every name in one list.
EVENTS = {
    "auth.login": "an organiser or administrator logged in (user_id)",
    "auth.login_failed": "a login was refused: unknown address or wrong password (email)",
    "auth.logout": "a user logged out (user_id)",
    "auth.lockout": "too many login attempts: further ones are refused for a while (scope)",
    "auth.second_factor_failed": "a wrong or replayed second-factor code (user_id)",
    "auth.sessions_ended": "every session of a user was ended (user_id, reason)",
    "auth.second_factor_enabled": "a user turned on the second factor (user_id)",
    "auth.second_factor_disabled": "a user turned off the second factor (user_id)",
    "auth.second_factor_reset": "an administrator reset a user's second factor (user_id)",
    "auth.permission_denied": "a logged-in user was refused a page or action (403)",
    "ratelimit.exceeded": "a client went over a rate limit (429; endpoint)",
    "http.server_error": "a request ended in a 500 (the traceback is on Flask's line)",
    "outbox.retry": "an e-mail could not be delivered and will be retried",
    "outbox.failed": "an e-mail failed for good (refused, or out of attempts)",
    "attendance.import": "an organiser imported a participant report (event_id, counts)",
    "retention.purge": "registrations past the retention period were anonymised (count)",
}

# Paths whose segment after the prefix is a secret (a registrant's link, a feed, an
# invitation): that segment becomes ``***`` in every log line and access-log line.
SECRET_PATH_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        r"(?<=/registrations/)[^/?#\s\"']+",
        r"(?<=/feeds/partners/)[^/?#\s\"'.]+",
        r"(?<=/feeds/)(?!partners/)[^/?#\s\"'.]+",
        r"(?<=/invitations/)[^/?#\s\"']+",
        r"(?<=/polls/)[^/?#\s\"']+",
        r"(?<=/set-password/)[^/?#\s\"']+",
        r"(?<=/check-in/)[^/?#\s\"']+",
    )
)
MASK = "***"

# Colour codes (SGR) of terminal-minded loggers such as Werkzeug's: dropped, not escaped.
_TERMINAL_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
_NAMED_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/@-]{1,128}")


def escape_control_characters(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes."""

    def escape(match: re.Match[str]) -> str:
        character = match.group()
        if character in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[character]
        code = ord(character)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL_CHARACTERS.sub(escape, _TERMINAL_COLOURS.sub("", text))


def mask_secret_paths(text: str) -> str:
    """``text`` with the secret segment of every token URL path replaced by ``***``."""
    if "/" not in text:
        return text
    for pattern in SECRET_PATH_PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def clean(text: str) -> str:
    return escape_control_characters(mask_secret_paths(text))


def log_event(name: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log the named event ``name`` (see ``EVENTS``) with ``fields`` on ``webapp.events``."""
    extra: dict[str, Any] = {"event": name, "event_fields": fields}
    if has_request_context():
        extra["request_id"] = getattr(g, "request_id", None) or "-"
    logging.getLogger(EVENT_LOGGER).log(level, name, extra=extra, stacklevel=2)


# --- record enrichment and formats ----------------------------------------------------------


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = (
                getattr(g, "request_id", None) if has_request_context() else None
            ) or "-"
        return True


def _fields_text(fields: Mapping[str, Any]) -> str:
    parts = []
    for key, value in fields.items():
        shown = value if isinstance(value, int | float | bool) or value is None else str(value)
        parts.append(f"{key}={shown!r}" if isinstance(shown, str) else f"{key}={shown}")
    return " ".join(parts)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value…``, always on one line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        line = clean(super().format(record))
        fields = getattr(record, "event_fields", None)
        if fields:  # repr() escapes the control characters of each value
            line = f"{line} {mask_secret_paths(_fields_text(fields))}"
        return line


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time, level, logger, message, request id, event fields."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "traceback"},
            reserved_attrs=[*RESERVED_ATTRS, "event_fields"],
            timestamp="time",
        )

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.setdefault("request_id", getattr(record, "request_id", "-"))
        for key, value in (getattr(record, "event_fields", None) or {}).items():
            log_data.setdefault(key, value)
        # JSON escapes control characters itself; tokens in paths still need masking.
        for key, value in log_data.items():
            if isinstance(value, str):
                log_data[key] = mask_secret_paths(value)


def logging_config(level: str = "INFO", fmt: str = "text") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of every process (gunicorn's loggers included)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": RequestContextFilter}},
        "formatters": {
            "text": {"()": TextFormatter},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json" if fmt.lower() == "json" else "text",
                "filters": ["request_context"],
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            # gunicorn's own loggers write through the same handler and format.
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
            # Alembic announces each of its plugins at INFO whenever it starts.
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
    }


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    logging.config.dictConfig(logging_config(level, fmt))


# --- the application side ---------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Configure logging (not under tests, where pytest captures it) and request ids."""
    if not app.testing:
        configure_logging(str(app.config["LOG_LEVEL"]), str(app.config["LOG_FORMAT"]))

    trust_incoming = int(app.config.get("TRUSTED_PROXIES") or 0) > 0

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "") if trust_incoming else ""
        g.request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    @app.after_request
    def return_request_id(response):
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
