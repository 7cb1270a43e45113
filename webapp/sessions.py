"""Signed-cookie sessions of logged-in organisers.

- Idle timeout: the login makes the session permanent, so Flask re-signs the cookie on
  every request and refuses one whose signature is older than
  ``PERMANENT_SESSION_LIFETIME`` (checked on the server, not only by the browser).
- ``Secure`` cookies: when ``SESSION_COOKIE_SECURE`` is set, or for any request that
  arrived over HTTPS. Behind a TLS-terminating proxy set ``TRUSTED_PROXIES`` to the
  number of proxies so ``X-Forwarded-Proto``/``-For`` are believed (Werkzeug ProxyFix).
- A new password ends older sessions: the session holds ``<id>.<password fingerprint>``.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

from webapp.extensions import db
from webapp.models import User
from webapp.models.users import password_fingerprint


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return has_request_context() and request.is_secure


def load_session_user(session_id: str) -> User | None:
    """The active user a session id names, if their password has not changed since."""
    user_id, _, fingerprint = (session_id or "").partition(".")
    if not user_id.isdigit() or len(user_id) > 12:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if password_fingerprint(user.password_hash) != fingerprint:
        return None
    return user


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
