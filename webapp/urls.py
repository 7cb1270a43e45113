"""Absolute URLs for links that leave the site (e-mails, calendar feeds, QR codes)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
MAX_NEXT_LENGTH = 2000


def public_base_url() -> str:
    """``PUBLIC_BASE_URL``, else (only in debug and tests) the development address.

    Never the request's ``Host`` or ``X-Forwarded-Host``: anyone can send those, and a
    link mailed to a registrant must not point at a host an attacker chose. Outside debug
    and tests the app does not start without ``PUBLIC_BASE_URL``.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/")
    return DEVELOPMENT_BASE_URL


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of ``endpoint``, inside a request or not (CLI, outbox workers)."""
    return external_url_builder()(endpoint, **values)


def external_url_builder() -> Callable[..., str]:
    """``external_url`` for many addresses in a row (a sitemap): the URL map is bound once."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )

    def build(endpoint: str, **values: object) -> str:
        return adapter.build(endpoint, values, force_external=True)

    return build


def site_domain() -> str:
    """The host name of the public site (used in calendar UIDs and Message-IDs)."""
    return urlsplit(public_base_url()).hostname or "localhost"


def safe_next(target: str | None, default: str | None = "/") -> str | None:
    """``target`` if it is a path on this site, else ``default``: the one check of every
    "go back to" address a request carries (no open redirect, no header injection).

    Refused: another host or scheme (``//evil.example``, ``https:…``), a relative path, a
    backslash (browsers read it as a slash), any control character (line breaks and tabs
    included) and anything longer than ``MAX_NEXT_LENGTH``.
    """
    if not target or len(target) > MAX_NEXT_LENGTH or "\\" in target:
        return default
    if any(unicodedata.category(ch) == "Cc" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
