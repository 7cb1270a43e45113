"""Administration of organiser accounts (``organiser.users.*``): administrators only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Partner, User
from webapp.organiser import accounts
from webapp.organiser.access import require_admin
from webapp.organiser.forms import EmptyForm, InviteUserForm, choices
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
    return render_template("organiser/users.html", users=users, action_form=EmptyForm())


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
