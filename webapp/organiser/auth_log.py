"""Log lines about logins, for whoever watches the logs for attacks.

Every line goes to the ``webapp.auth`` logger; its message starts with the event name
and the record carries it as ``record.event`` (its values as ``record.event_fields``), so a log configuration can route or count
them. Events:

- ``auth.login`` (info): a login completed (``method``: password, totp, recovery).
- ``auth.login_failed`` (warning): a wrong address or password.
- ``auth.second_factor_failed`` (warning): a wrong or replayed code.
- ``auth.lockout`` (warning): a rate limit refused further attempts (``scope``: address,
  account or second_factor).
- ``auth.logout`` (info), ``auth.sessions_ended`` (info): sessions ended.

Values typed by the visitor are logged with ``repr`` so control characters cannot forge
log lines.
"""

from __future__ import annotations

import logging

from flask import request

logger = logging.getLogger("webapp.auth")


def log_auth_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log ``event`` with ``fields`` and the client address of the current request."""
    fields.setdefault("address", request.remote_addr or "-")
    details = " ".join(f"{name}={value!r}" for name, value in fields.items())
    logger.log(level, "%s %s", event, details, extra={"event": event, "event_fields": fields})
