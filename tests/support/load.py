"""A small HTTP load generator for loopback benchmarks (bounded in time and count)."""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# (method, path, headers, body) for the n-th request of one worker
RequestFactory = Callable[[int, int], tuple[str, str, dict[str, str], bytes | None]]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_load(
    base_url: str,
    make_request: RequestFactory,
    *,
    concurrency: int = 8,
    duration: float = 5.0,
    max_requests: int = 100_000,
) -> LoadResult:
    """Send requests from ``concurrency`` keep-alive connections for ``duration`` seconds."""
    target = urlsplit(base_url)
    lock = threading.Lock()
    result = LoadResult(requests=0, seconds=0.0)
    deadline = time.monotonic() + duration

    def worker(worker_id: int) -> None:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if result.requests + result.errors >= max_requests:
                    break
            method, path, headers, body = make_request(worker_id, n)
            n += 1
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                with lock:
                    result.requests += 1
                    result.statuses[response.status] += 1
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection(
                        target.hostname, target.port, timeout=30
                    )
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                with lock:
                    result.errors += 1
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def get(path: str, headers: dict[str, str] | None = None) -> RequestFactory:
    """A factory that sends the same GET every time."""
    return lambda worker_id, n: ("GET", path, dict(headers or {}), None)
