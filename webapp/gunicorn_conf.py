"""gunicorn settings for production: ``gunicorn -c python:webapp.gunicorn_conf wsgi:app``.

Read from the environment (the same file systemd gives the app):

- ``GUNICORN_BIND`` (``127.0.0.1:8000``) and ``WEB_CONCURRENCY`` (worker processes, 2):
  every worker learns the real count, so in-memory rate limits with several workers are
  refused at start (``RATELIMIT_STORAGE_URI`` must then be Redis).
- ``LOG_LEVEL``/``LOG_FORMAT`` as for the app (``instance/config.py`` is read too): the
  access log and gunicorn's own lines go through ``webapp.logs``, one line per request,
  with the request id, and with secret tokens in paths (``/registrations/<token>``,
  ``/feeds/<token>.ics``…, see ``webapp.logs.SECRET_PATH_PATTERNS``) shown as ``***``.
  ``GUNICORN_ACCESS_LOG=off`` leaves requests out.
- ``PROMETHEUS_MULTIPROC_DIR``: when set, the workers' metrics are added up in that
  folder (emptied at start, a dead worker's files marked) and ``/metrics`` shows the sum.

Command-line options still win over these (``--workers 8``).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Config
from gunicorn.glogging import Logger

from webapp import PROJECT_ROOT
from webapp import config as settings
from webapp.logs import logging_config, mask_secret_paths

_instance_path = os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
_app_settings = Config(_instance_path)
settings.load(_app_settings, _instance_path)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
timeout = 30
graceful_timeout = 20
keepalive = 5
# The app is built in each worker (after post_fork), where it checks its settings.
preload_app = False
# gunicorn's control socket lives at one path per user: several servers on one host would
# share it. Process control goes through systemd (signals) instead.
control_socket_disable = True

_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "on").lower() not in {"off", "0", "false"}
accesslog = "-"
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)
_logging = logging_config(str(_app_settings["LOG_LEVEL"]), str(_app_settings["LOG_FORMAT"]))
if not _access_log:
    _logging["loggers"]["gunicorn.access"]["level"] = "WARNING"
logconfig_dict = _logging


class AccessLogger(Logger):
    """gunicorn's logger with secret path segments masked in every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_secret_paths(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


logger_class = AccessLogger


def on_starting(server) -> None:
    """Empty the metrics folder: counts of an earlier run must not be added again."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def post_fork(server, worker) -> None:
    # Before the worker builds the app: it refuses per-process rate limits when > 1.
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
