"""Administration of organiser accounts (``organiser.users.*``): administrators only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Partner, User
from webapp.organiser import accounts, two_factor
from webapp.organiser.access import require_admin
from webapp.organiser.auth_log import log_auth_event
from webapp.organiser.forms import EmptyForm, InviteUserForm, SecurityPolicyForm, choices
from webapp.urls import external_url

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.before_request
def admins_only():
    if current_user.is_authenticated:
        require_admin()


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/", endpoint="list")
def user_list():
    users = list(
        db.session.scalars(
            db.select(User)
            .options(joinedload(User.partner).joinedload(Partner.region))
            .order_by(User.is_active.desc(), User.email)
        )
    )
    policy_form = SecurityPolicyForm(two_factor_required=two_factor.two_factor_required())
    return render_template(
        "organiser/users.html", users=users, action_form=EmptyForm(), policy_form=policy_form
    )


@bp.post("/security-policy")
def security_policy():
    form = SecurityPolicyForm()
    if not form.validate_on_submit():
        abort(400)
    required = bool(form.two_factor_required.data)
    two_factor.set_two_factor_required(required, actor=current_user)
    db.session.commit()
    if required:
        flash(
            _(
                "Every account now needs a second factor. Users without one set it up at "
                "their next login."
            ),
            "success",
        )
    else:
        flash(_("A second factor is now optional."), "success")
    return redirect(url_for("organiser.users.list"))


@bp.post("/<int:user_id>/reset-two-factor")
def reset_two_factor(user_id: int):
    user = _user_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        two_factor.reset_two_factor(user, actor=current_user)
    except two_factor.TwoFactorError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        log_auth_event("auth.second_factor_reset", user_id=user.id, by=current_user.id)
        flash(
            _(
                "The second factor of %(email)s is removed and their sessions have ended. "
                "They can log in with their password and set it up again.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("organiser.users.list"))


def _link_page(user: User, token: str, *, invited: bool):
    return render_template(
        "organiser/user_link.html",
        user=user,
        link=external_url("organiser.set_password", token=token),
        invited=invited,
        hours=accounts.SET_PASSWORD_LINK_HOURS,
    )


@bp.route("/new", methods=["GET", "POST"])
def invite():
    form = InviteUserForm()
    partners = list(db.session.scalars(db.select(Partner).order_by(Partner.name)))
    form.partner.choices = choices(
        [("", _("None (administrators only)"))] + [(p.short_name, p.name) for p in partners]
    )
    if form.validate_on_submit():
        partner = next((p for p in partners if p.short_name == form.partner.data), None)
        try:
            user, token = accounts.invite_user(
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                partner=partner,
                actor=current_user,
            )
        except accounts.AccountError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, str(error)]
            else:
                form.form_errors.append(str(error))
        else:
            db.session.commit()
            # Shown once: the link is not stored anywhere the screen could show it again.
            return _link_page(user, token, invited=True)
    return render_template("organiser/invite.html", form=form)


@bp.post("/<int:user_id>/reset-password")
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = accounts.reset_password(user, actor=current_user)
    db.session.commit()
    return _link_page(user, token, invited=False)


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_active(user, active, actor=current_user)
    except accounts.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if active:
            flash(_("%(email)s can log in again.", email=user.email), "success")
        else:
            flash(_("%(email)s can no longer log in.", email=user.email), "success")
    return redirect(url_for("organiser.users.list"))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/activate")
def activate(user_id: int):
    return _set_active(user_id, True)
