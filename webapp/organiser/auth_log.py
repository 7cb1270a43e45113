"""Log lines about logins, for whoever watches the logs for attacks.

Every line is a named event of ``webapp.logs`` (the ``webapp.events`` logger, with the
request id): the record carries the name as ``record.event`` and its values as
``record.event_fields``, so a log configuration can route or count them. Events:

- ``auth.login`` (info): a login completed (``method``: password, totp, recovery).
- ``auth.login_failed`` (warning): a wrong address or password.
- ``auth.second_factor_failed`` (warning): a wrong or replayed code.
- ``auth.lockout`` (warning): a rate limit refused further attempts (``scope``: address,
  account or second_factor).
- ``auth.logout`` (info), ``auth.sessions_ended`` (info): sessions ended.

The log formatters escape control characters in values typed by the visitor, so they
cannot forge log lines.
"""

from __future__ import annotations

import logging

from flask import request

from webapp.logs import log_event


def log_auth_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log ``event`` with ``fields`` and the client address of the current request."""
    fields.setdefault("address", request.remote_addr or "-")
    log_event(event, level=level, **fields)
