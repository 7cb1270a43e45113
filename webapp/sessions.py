"""Logged-in sessions of organisers: a signed cookie tied to a row on the server.

- Every login creates a ``UserSession`` row and puts a random key in the signed cookie;
  the database keeps only the key's digest. A request is logged in only while that row
  exists, so deleting it ends the session in every copy of the cookie, whichever
  browser or address it is sent from. Logout deletes the row of this browser; a new
  password, "log out everywhere", deactivation, a password reset and a reset of the
  second factor delete all rows of the user (``accounts.end_sessions``), and a
  reactivated account starts without any.
- Idle timeout: a session unused for ``PERMANENT_SESSION_LIFETIME`` ends, checked on the
  server from the row's ``last_seen_at`` (refreshed at most every few minutes) as well as
  from the cookie's signature age (the session is permanent, so Flask re-signs it).
- ``Secure`` cookies: when ``SESSION_COOKIE_SECURE`` is set, or for any request that
  arrived over HTTPS. Behind a TLS-terminating proxy set ``TRUSTED_PROXIES`` to the
  number of proxies so ``X-Forwarded-Proto``/``-For`` are believed (Werkzeug ProxyFix).
- A new password also changes the user id kept in the session
  (``<id>.<password fingerprint>``), as a second lock on the same door.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, current_app, g, has_request_context, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.extensions import db
from webapp.models import User, UserSession
from webapp.models.users import password_fingerprint, secret_digest
from webapp.organiser.two_factor import two_factor_required
from webapp.timezones import utcnow

# The cookie's key naming its server-side session row.
SESSION_KEY = "_sk"
# ``last_seen_at`` is written at most this often (one UPDATE per user every few minutes).
TOUCH_INTERVAL = timedelta(minutes=5)
# Endpoints a user who must still set up a second factor may reach.
ENROLMENT_ENDPOINTS = {
    "organiser.account.two_factor_setup",
    "organiser.account.security",
    "organiser.account.log_out_everywhere",
    "organiser.account.end_other_session",
    "organiser.logout",
    "organiser.login",
    "organiser.login_code",
    "organiser.set_password",
}


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return has_request_context() and request.is_secure


def _session_lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def load_session_user(session_id: str) -> User | None:
    """The user of this browser's live session row, if it names this active user."""
    user_id, _, fingerprint = (session_id or "").partition(".")
    if not user_id.isdigit() or len(user_id) > 12:
        return None
    key = session.get(SESSION_KEY)
    if not isinstance(key, str) or not key or len(key) > 100:
        return None
    row = db.session.scalar(
        db.select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.key_digest == secret_digest(key))
    )
    if row is None or row.user_id != int(user_id):
        return None
    user = row.user
    if not user.is_active or password_fingerprint(user.password_hash) != fingerprint:
        return None
    if row.last_seen_at < utcnow() - _session_lifetime():
        return None
    g.login_session = row
    return user


def begin(user: User) -> UserSession:
    """Log ``user`` in in this browser: a new cookie session and its row (caller commits).

    Whatever the cookie held before (a half-finished login, another user) is dropped,
    so a session id planted before the login is worth nothing after it.
    """
    key = secrets.token_urlsafe(32)
    row = UserSession(
        user=user,
        key_digest=secret_digest(key),
        user_agent=(request.user_agent.string or "")[:200],
    )
    db.session.add(row)
    # Sessions idle for longer than the lifetime are dead already; drop their rows.
    db.session.execute(
        db.delete(UserSession).where(UserSession.last_seen_at < utcnow() - _session_lifetime())
    )
    db.session.flush()
    session.clear()
    session[SESSION_KEY] = key
    login_user(user)
    session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME
    g.login_session = row
    return row


def current() -> UserSession | None:
    """The session row of this request's logged-in browser."""
    if not current_user.is_authenticated:
        return None
    return g.get("login_session")


def end() -> None:
    """Log this browser out: its session row goes, so every copy of the cookie stops
    working (caller commits)."""
    key = session.get(SESSION_KEY)
    if isinstance(key, str) and key:
        db.session.execute(
            db.delete(UserSession).where(UserSession.key_digest == secret_digest(key))
        )
    logout_user()
    session.clear()


def refresh_login_session():
    """Before each request of a logged-in browser: note the activity (for the idle
    timeout and the account security page) and send a user who must set up a second
    factor to its setup page."""
    if request.endpoint == "static" or SESSION_KEY not in session:
        return None
    if not current_user.is_authenticated:
        return None
    row = g.get("login_session")
    if row is not None and utcnow() - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = utcnow()
        db.session.commit()  # nothing else has happened in this request yet
    if _in_workspace() and request.endpoint not in ENROLMENT_ENDPOINTS:
        if not current_user.has_two_factor and two_factor_required():
            return redirect(url_for("organiser.account.two_factor_setup"))
    return None


def _in_workspace() -> bool:
    blueprint = request.blueprint or ""
    return blueprint in {"organiser", "attendance"} or blueprint.startswith("organiser.")


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(refresh_login_session)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Flask's documented way to add WSGI middleware.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
