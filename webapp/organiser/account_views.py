"""The logged-in user's own account (``organiser.account.*``): any organiser or admin."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from webapp.extensions import db, limiter
from webapp.organiser.accounts import AccountError, change_password
from webapp.organiser.forms import ChangePasswordForm

bp = Blueprint("account", __name__, url_prefix="/account")


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
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, str(error)]
            else:
                form.form_errors.append(str(error))
        else:
            db.session.commit()
            # The session id holds a fingerprint of the password: log in again with the
            # new one so this browser stays in while every other session ends.
            login_user(user)
            session.permanent = True
            flash(
                _("Your password has been changed. Other browsers have been logged out."),
                "success",
            )
            return redirect(url_for("organiser.dashboard"))
    return render_template("organiser/change_password.html", form=form, user=user)
