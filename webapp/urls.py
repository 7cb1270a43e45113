"""Absolute URLs for links that leave the site (e-mails, calendar feeds, QR codes)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """``PUBLIC_BASE_URL``, else the current request's host, else the development address."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/")
    if has_request_context():
        return url_for("public.catalogue", _external=True).rstrip("/")
    return DEVELOPMENT_BASE_URL


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of ``endpoint``, inside a request or not (CLI, outbox workers)."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def site_domain() -> str:
    """The host name of the public site (used in calendar UIDs and Message-IDs)."""
    return urlsplit(public_base_url()).hostname or "localhost"
