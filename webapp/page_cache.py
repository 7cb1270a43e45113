"""Whole anonymous pages kept per process under the data version.

A page is served from the cache only to a visitor with an empty session (no login, no
flashed message, no CSRF token that a form on the page would carry), and stored only
when rendering it left the session empty. The key is the data version read for this
request (:mod:`webapp.data_version`), the full URL and the language: a change committed
through any worker on any host raises the version, so the next request everywhere is a
miss. What time alone changes (an event ending, registration opening) is handled by
the view, which names the next such moment in ``g.page_fresh_until``; entries also
expire after ``PAGE_CACHE_SECONDS``. Each process keeps at most
``PAGE_CACHE_MAX_BYTES`` of pages, least recently used first out.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale

from webapp.data_version import current_data_version
from webapp.timezones import utcnow

# Headers a view sets that belong to the page (the app's after_request hooks add theirs
# to every response, cached or not).
_KEPT_HEADERS = ("Content-Type", "X-Robots-Tag", "Content-Language", "Link")


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    expires_at: datetime


class PageCache:
    """A per-process LRU of pages of one data version, bounded in bytes."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._version: int | None = None
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, version: int, key: tuple, now: datetime) -> CachedPage | None:
        with self._lock:
            if version != self._version:
                return None
            page = self._entries.get(key)
            if page is None:
                return None
            if now >= page.expires_at:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return page

    def put(self, version: int, key: tuple, page: CachedPage, max_bytes: int) -> None:
        size = len(page.body)
        if size > max_bytes:
            return
        with self._lock:
            if self._version is not None and version < self._version:
                return  # read before a newer change this process has already seen
            if version != self._version:
                self._entries.clear()
                self._bytes = 0
                self._version = version
            if key in self._entries:
                self._drop(key)
            self._entries[key] = page
            self._bytes += size
            while self._bytes > max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._version = None

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: tuple) -> None:
        page = self._entries.pop(key)
        self._bytes -= len(page.body)


def page_cache() -> PageCache:
    """This application's page cache (one per app, so one per process under gunicorn)."""
    cache = current_app.extensions.get("page_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("page_cache", PageCache())
    return cache


def fresh_until(instants: Iterable[datetime | None], now: datetime | None = None) -> None:
    """Note that this page changes by itself at the first of ``instants`` still ahead."""
    now = now or utcnow()
    ahead = [instant for instant in instants if instant is not None and instant > now]
    if ahead:
        soonest = min(ahead)
        current = g.get("page_fresh_until")
        g.page_fresh_until = soonest if current is None else min(current, soonest)


def _cacheable_request() -> bool:
    return request.method == "GET" and not session and current_app.config["PAGE_CACHE_SECONDS"] > 0


def cached_page(view: Callable) -> Callable:
    """Serve ``view``'s page from the page cache to anonymous visitors (see module doc)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable_request():
            return view(*args, **kwargs)
        version = current_data_version()
        if version is None:
            return view(*args, **kwargs)
        key = (view.__name__, request.url, str(get_locale() or ""))
        now = utcnow()
        page = page_cache().get(version, key, now)
        if page is not None:
            return Response(page.body, status=page.status, headers=list(page.headers))
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not session and not response.is_streamed:
            expires_at = now + timedelta(seconds=current_app.config["PAGE_CACHE_SECONDS"])
            if g.get("page_fresh_until") is not None:
                expires_at = min(expires_at, g.page_fresh_until)
            headers = tuple(
                (name, value) for name, value in response.headers if name in _KEPT_HEADERS
            )
            page_cache().put(
                version,
                key,
                CachedPage(response.get_data(), 200, headers, expires_at),
                current_app.config["PAGE_CACHE_MAX_BYTES"],
            )
        return response

    return wrapper
