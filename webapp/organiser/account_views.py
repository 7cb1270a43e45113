"""The logged-in user's own account (``organiser.account.*``): any organiser or admin.

Password, second factor (authenticator app and recovery codes) and the browsers where
the account is logged in.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp import sessions
from webapp.extensions import db, limiter
from webapp.models import UserSession
from webapp.organiser import two_factor
from webapp.organiser.accounts import AccountError, change_password, end_session, end_sessions
from webapp.organiser.auth_log import log_auth_event
from webapp.organiser.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    EmptyForm,
    TwoFactorSetupForm,
)
from webapp.timezones import utcnow
from webapp.user_errors import show_form_error

bp = Blueprint("account", __name__, url_prefix="/account")

# (token in the User-Agent, name shown), first match wins: Edge and Opera also say Chrome,
# Chrome also says Safari, Android also says Linux.
BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """A short name for the browser of a session: ``Firefox, Windows``."""
    browser = next((name for token, name in BROWSERS if token in user_agent), None)
    system = next((name for token, name in SYSTEMS if token in user_agent), None)
    if browser and system:
        return f"{browser}, {system}"
    return browser or system or _("Unknown browser")


# The secret of an enrolment in progress, until a code from the app confirms it.
PENDING_SECRET_KEY = "_totp_pending"


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATELIMIT"], methods=["POST"])
def password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(user, current=form.current_password.data, new=form.password.data)
        except AccountError as error:
            db.session.rollback()
            show_form_error(form, error.field, error)
        else:
            # Every session of the account has ended; this browser gets a new one.
            sessions.begin(user)
            db.session.commit()
            log_auth_event("auth.sessions_ended", user_id=user.id, reason="password_changed")
            flash(
                _("Your password has been changed. Other browsers have been logged out."),
                "success",
            )
            return redirect(url_for("organiser.dashboard"))
    return render_template("organiser/change_password.html", form=form, user=user)


@bp.get("/security")
def security():
    user = current_user._get_current_object()
    rows = list(
        db.session.scalars(
            db.select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )
    this_session = sessions.current()
    return render_template(
        "organiser/security.html",
        user=user,
        timezone=user.partner.region.timezone if user.partner else "UTC",
        login_sessions=[(row, describe_browser(row.user_agent)) for row in rows],
        this_session_id=this_session.id if this_session else None,
        recovery_codes_left=two_factor.recovery_codes_left(user) if user.has_two_factor else 0,
        two_factor_required=two_factor.two_factor_required(),
        action_form=EmptyForm(),
        codes_form=ConfirmPasswordForm(prefix="codes"),
        disable_form=ConfirmPasswordForm(prefix="disable"),
    )


@bp.post("/security/sessions/<int:session_id>/end")
def end_other_session(session_id: int):
    """Log out one other browser of the account (this browser logs out with "Log out")."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    this_session = sessions.current()
    if this_session is not None and this_session.id == session_id:
        abort(400)
    if not end_session(user, session_id):
        abort(404)
    db.session.commit()
    log_auth_event("auth.sessions_ended", user_id=user.id, reason="one", count=1)
    flash(_("That browser has been logged out."), "success")
    return redirect(url_for("organiser.account.security"))


@bp.post("/security/log-out-everywhere")
def log_out_everywhere():
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    ended = end_sessions(user)
    sessions.end()
    db.session.commit()
    log_auth_event("auth.sessions_ended", user_id=user.id, reason="everywhere", count=ended)
    flash(_("You have been logged out everywhere, in this browser too."), "success")
    return redirect(url_for("organiser.login"))


@bp.route("/two-factor", methods=["GET", "POST"], endpoint="two_factor_setup")
@limiter.limit(lambda: current_app.config["TWO_FACTOR_RATELIMIT"], methods=["POST"])
def two_factor_setup():
    """Set up the authenticator app: scan the code, confirm with a code from the app."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return redirect(url_for("organiser.account.security"))
    secret = session.get(PENDING_SECRET_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = two_factor.new_secret()
        session[PENDING_SECRET_KEY] = secret
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable_two_factor(
                user, secret=secret, code=form.code.data, now=utcnow()
            )
        except two_factor.TwoFactorError as error:
            db.session.rollback()
            show_form_error(form, error.field, error)
        else:
            db.session.commit()
            session.pop(PENDING_SECRET_KEY, None)
            log_auth_event("auth.second_factor_enabled", user_id=user.id)
            # Shown once: only digests are stored.
            return render_template("organiser/recovery_codes.html", codes=codes, just_enabled=True)
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "organiser/two_factor_setup.html",
        form=form,
        qr=two_factor.qr_svg(
            uri, _("QR code to add your Inter Ventures Events account to an authenticator app")
        ),
        secret=two_factor.grouped_secret(secret),
        required=two_factor.two_factor_required(),
    )


@bp.post("/two-factor/recovery-codes")
def recovery_codes():
    user = current_user._get_current_object()
    form = ConfirmPasswordForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = two_factor.regenerate_recovery_codes(user, password=form.password.data)
        except two_factor.TwoFactorError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            return render_template("organiser/recovery_codes.html", codes=codes, just_enabled=False)
    else:
        flash(_("Enter your password to make new recovery codes."), "error")
    return redirect(url_for("organiser.account.security"))


@bp.post("/two-factor/disable")
def two_factor_disable():
    user = current_user._get_current_object()
    form = ConfirmPasswordForm(prefix="disable")
    if form.validate_on_submit():
        try:
            two_factor.disable_two_factor(user, password=form.password.data)
        except two_factor.TwoFactorError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            log_auth_event("auth.second_factor_disabled", user_id=user.id)
            flash(_("The second factor is off. Your password alone now logs you in."), "success")
    else:
        flash(_("Enter your password to turn the second factor off."), "error")
    return redirect(url_for("organiser.account.security"))
