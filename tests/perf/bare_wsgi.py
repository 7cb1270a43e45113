"""A WSGI app with no framework and no database: the machine's ceiling for a large answer.

``/body`` answers ``BARE_WSGI_BODY_BYTES`` bytes (from the environment) held in memory,
the size of the feed the stack benchmark measures; every other path (``/livez``,
``/healthz``) answers ``ok``. Served by gunicorn beside the real app, it shows how many
such answers per second this machine can move through loopback to the load generator at
all, whatever the app does.
"""

from __future__ import annotations

import os

_SIZE = int(os.environ.get("BARE_WSGI_BODY_BYTES", "1000000"))
_LINE = b"DESCRIPTION:Cross-border cooperation\\, export readiness and matchmaking.\r\n"
BODY = (_LINE * (_SIZE // len(_LINE) + 1))[:_SIZE]


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/body":
        start_response(
            "200 OK",
            [("Content-Type", "text/calendar; charset=utf-8"), ("Content-Length", str(_SIZE))],
        )
        return [BODY]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
