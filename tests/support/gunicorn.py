"""Run the application under gunicorn in real processes, for concurrency tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(
    database_url: str,
    *,
    workers: int = 4,
    environment: Mapping[str, str] | None = None,
    startup_timeout: float = 120.0,
    config_module: bool = False,
) -> Iterator[str]:
    """Serve ``wsgi:app`` with ``workers`` processes on a free loopback port.

    With ``config_module``, gunicorn runs as in production, with
    ``-c python:webapp.gunicorn_conf`` (its logging, metrics hooks, worker count check).
    Yields the base URL. The server is stopped (TERM, then KILL) on exit.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="ive-gunicorn-") as instance:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "gunicorn-test-secret-" + "x" * 32,
            "RATELIMIT_ENABLED": "false",
            "MAIL_BACKEND": "file",
            "INSTANCE_PATH": instance,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            **(environment or {}),
        }
        configuration = ["-c", "python:webapp.gunicorn_conf"] if config_module else []
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *configuration,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],
            cwd=PROJECT_ROOT,
            env=env,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base_url, process, startup_timeout)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy within {timeout:.0f} s")
