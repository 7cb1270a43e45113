"""Logging in and out, with the second factor, and setting a password from a link."""

from __future__ import annotations

import logging

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, logout_user

from webapp import sessions
from webapp.extensions import db, limiter
from webapp.models import User
from webapp.models.users import password_fingerprint
from webapp.organiser.accounts import (
    AccountError,
    authenticate,
    set_password,
    user_for_set_password_token,
)
from webapp.organiser.auth_log import log_auth_event
from webapp.organiser.blueprint import bp
from webapp.organiser.forms import (
    EmptyForm,
    LoginForm,
    SetPasswordForm,
    TwoFactorCodeForm,
)
from webapp.organiser.two_factor import recovery_codes_left, verify_second_factor
from webapp.timezones import (
    utcnow,
)
from webapp.urls import safe_next

# A password accepted, the second factor still to come: kept in the signed cookie for
# this long, naming the user and their password (a new password voids it).
PENDING_LOGIN_SECONDS = 300
PENDING_LOGIN_KEY = "_pending_login"


def _login_account_key() -> str:
    """Rate-limit key of the account a login attempt is for (the typed address)."""
    address = (request.form.get("email") or "").strip().lower()[:254]
    return f"account:{address}"


def _pending_login_key() -> str:
    pending = session.get(PENDING_LOGIN_KEY)
    user_id = pending.get("u") if isinstance(pending, dict) else None
    return f"second-factor:{user_id}"


def _attempt_failed(response) -> bool:
    """Only refused attempts count against an account (a success redirects)."""
    return response.status_code != 302


def _log_lockout(scope: str):
    def on_breach(limit) -> None:
        fields: dict[str, object] = {"scope": scope, "limit": str(limit.limit)}
        if scope == "account":
            fields["email"] = _login_account_key().partition(":")[2]
        elif scope == "second_factor":
            fields["user_id"] = _pending_login_key().partition(":")[2]
        log_auth_event("auth.lockout", logging.WARNING, **fields)

    return on_breach


def _finish_login(user: User, *, method: str, next_url: str | None):
    sessions.begin(user)
    db.session.commit()
    log_auth_event("auth.login", user_id=user.id, method=method)
    return redirect(safe_next(next_url, None) or url_for("organiser.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATELIMIT"],
    methods=["POST"],
    on_breach=_log_lockout("address"),
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATELIMIT"],
    methods=["POST"],
    key_func=_login_account_key,
    scope="login-account",
    deduct_when=_attempt_failed,
    on_breach=_log_lockout("account"),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("organiser.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and user.has_two_factor:
            session.clear()
            session[PENDING_LOGIN_KEY] = {
                "u": user.id,
                "h": password_fingerprint(user.password_hash),
                "t": int(utcnow().timestamp()),
                "next": safe_next(request.args.get("next"), None),
            }
            return redirect(url_for("organiser.login_code"))
        if user is not None:
            return _finish_login(user, method="password", next_url=request.args.get("next"))
        log_auth_event("auth.login_failed", logging.WARNING, email=(form.email.data or "")[:254])
        # The same answer whether the address is unknown or the password wrong.
        form.form_errors.append(_("The e-mail address or the password is not right."))
    return render_template("organiser/login.html", form=form)


def _pending_login_user() -> User | None:
    """The user whose password was accepted in this browser moments ago, if still valid."""
    pending = session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("u"), int):
        return None
    started = pending.get("t")
    if not isinstance(started, int) or utcnow().timestamp() - started > PENDING_LOGIN_SECONDS:
        return None
    user = db.session.get(User, pending["u"])
    if user is None or not user.is_active or not user.has_two_factor:
        return None
    if password_fingerprint(user.password_hash) != pending.get("h"):
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"], endpoint="login_code")
@limiter.limit(
    lambda: current_app.config["LOGIN_RATELIMIT"],
    methods=["POST"],
    on_breach=_log_lockout("address"),
)
@limiter.limit(
    lambda: current_app.config["TWO_FACTOR_RATELIMIT"],
    methods=["POST"],
    key_func=_pending_login_key,
    scope="login-second-factor",
    deduct_when=_attempt_failed,
    on_breach=_log_lockout("second_factor"),
)
def login_code():
    """Second step of a login: a code from the authenticator app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("organiser.dashboard"))
    user = _pending_login_user()
    if user is None:
        session.pop(PENDING_LOGIN_KEY, None)
        flash(_("Your login took too long or was interrupted. Please log in again."), "error")
        return redirect(url_for("organiser.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        method = verify_second_factor(user, form.code.data, now=utcnow())
        if method is not None:
            response = _finish_login(
                user, method=method, next_url=session[PENDING_LOGIN_KEY].get("next")
            )
            if method == "recovery":
                left = recovery_codes_left(user)
                flash(
                    ngettext(
                        "You used a recovery code; %(num)d is left. Each works only once.",
                        "You used a recovery code; %(num)d are left. Each works only once.",
                        left,
                    ),
                    "success" if left > 2 else "error",
                )
            return response
        db.session.rollback()
        log_auth_event("auth.second_factor_failed", logging.WARNING, user_id=user.id)
        form.code.errors = [
            *form.code.errors,
            _("That code is not right, or it has been used already. Try the newest code."),
        ]
    return render_template("organiser/login_code.html", form=form)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    user_id = current_user.id if current_user.is_authenticated else None
    sessions.end()
    db.session.commit()
    if user_id is not None:
        log_auth_event("auth.logout", user_id=user_id)
    flash(_("You have been logged out."), "success")
    return redirect(url_for("organiser.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"], endpoint="set_password")
def set_password_view(token: str):
    user = user_for_set_password_token(token)
    if user is None:
        return render_template("organiser/set_password_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except AccountError as error:
            form.password.errors = [*form.password.errors, str(error)]
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for("organiser.login"))
    return render_template("organiser/set_password.html", form=form, user=user)
