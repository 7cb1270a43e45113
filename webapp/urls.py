"""Absolute URLs for links that leave the site (e-mails, calendar feeds, QR codes)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


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
