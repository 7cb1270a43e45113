"""Browser security headers on every response.

One ``after_request`` hook rather than Flask-Talisman: Talisman also redirects to HTTPS
and rewrites the session-cookie settings (both handled in ``webapp.sessions`` and by the
TLS proxy), and its per-view options do not cover the referrer policy of pages reached
by a secret link. What is sent:

- ``Content-Security-Policy``: scripts, styles, fonts and images from this site only —
  no inline script or ``style`` attribute anywhere (JavaScript lives in
  ``static/js/``), no plugins, no ``<base>``, forms post to this site, and no other
  site may frame a page (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for
  older browsers). A view that must be embeddable (a future registration widget)
  opts out with ``@embeddable()``; only its own response changes.
- ``Referrer-Policy: strict-origin-when-cross-origin``, and ``no-referrer`` on every page
  whose URL holds a secret (any URL rule with a ``<token>`` variable:
  ``/registrations/<token>``, ``/feeds/<token>.ics``, ``/check-in/<token>``, and so
  ``/invitations/<token>`` or ``/polls/<token>`` when they come), so the link never
  leaves in a Referer header.
- ``X-Content-Type-Options: nosniff``, ``Cross-Origin-Opener-Policy: same-origin``, a
  ``Permissions-Policy`` that turns off camera, microphone, location, payment and the
  like, and ``Strict-Transport-Security`` on responses served over HTTPS
  (``HSTS_MAX_AGE``; behind a proxy HTTPS is recognised through ``TRUSTED_PROXIES``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
REFERRER_POLICY = "strict-origin-when-cross-origin"
# URL variables that carry a secret: their pages never send a Referer.
SECRET_URL_VARIABLES = frozenset({"token"})

View = TypeVar("View", bound=Callable)


def embeddable(ancestors: str = "*") -> Callable[[View], View]:
    """Let other sites frame this view: ``frame-ancestors`` becomes ``ancestors``.

    ``ancestors`` is a CSP source list (``"*"``, or ``"https://partner.example"``...).
    """

    def mark(view: View) -> View:
        view.frame_ancestors = ancestors  # type: ignore[attr-defined]
        return view

    return mark


def content_security_policy(frame_ancestors: str | None = None) -> str:
    directives = dict(CONTENT_SECURITY_POLICY)
    if frame_ancestors is not None:
        directives["frame-ancestors"] = frame_ancestors
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _frame_ancestors_of_view() -> str | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "frame_ancestors", None)


def _url_holds_a_secret() -> bool:
    rule = request.url_rule
    return rule is not None and bool(SECRET_URL_VARIABLES & rule.arguments)


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    frame_ancestors = _frame_ancestors_of_view()
    # A view that set a stricter policy of its own (material downloads: a sandbox) keeps it.
    headers.setdefault("Content-Security-Policy", content_security_policy(frame_ancestors))
    if frame_ancestors is None:
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if _url_holds_a_secret():
        headers["Referrer-Policy"] = "no-referrer"
    else:
        headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    max_age = int(current_app.config.get("HSTS_MAX_AGE") or 0)
    if request.is_secure and max_age > 0:
        headers["Strict-Transport-Security"] = f"max-age={max_age}"
    return response


def register(app: Flask) -> None:
    app.after_request(set_security_headers)
