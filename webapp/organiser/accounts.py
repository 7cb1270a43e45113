"""Organiser accounts: invitations, set-password links, deactivation and password resets.

Plain functions with explicit arguments; they never read the request and never commit.

A set-password link carries the user's id and a fingerprint of their current password
hash, signed with ``SECRET_KEY``; it expires after ``SET_PASSWORD_LINK_HOURS`` and dies
as soon as the password changes, so it works once. Setting a password, a reset and a
deactivation end every session of the user (``end_sessions``; see ``webapp.sessions``).
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.audit import record_audit
from webapp.extensions import db, rows_changed
from webapp.mail.queue import queue_mail
from webapp.models import Partner, User, UserSession
from webapp.models.users import password_fingerprint
from webapp.organiser.passwords import password_problem
from webapp.urls import external_url
from webapp.user_errors import UserError

SET_PASSWORD_SALT = "organiser-set-password"
SET_PASSWORD_LINK_HOURS = 72


class AccountError(UserError):
    """A refused account change; ``str(error)`` is a message for the administrator."""


def authenticate(email: str, password: str) -> User | None:
    """The active user with this address and password; ``None`` for any mismatch.

    An unknown address costs the same password check as a wrong password, so the
    answer time does not tell which addresses have accounts.
    """
    address = (email or "").strip().lower()
    user = db.session.scalar(db.select(User).where(User.email == address)) if address else None
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.is_active:
        return None
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SET_PASSWORD_SALT)


def set_password_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "h": password_fingerprint(user.password_hash)})


def user_for_set_password_token(token: str) -> User | None:
    """The user a valid, unused, unexpired link is for; ``None`` otherwise."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token, max_age=SET_PASSWORD_LINK_HOURS * 3600)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active:
        return None
    if password_fingerprint(user.password_hash) != data.get("h"):
        return None
    return user


def _unusable_password_hash() -> str:
    # Not a Werkzeug hash, so no password ever matches it.
    return "!unset$" + secrets.token_hex(16)


def invite_user(
    *, email: str, name: str, role: str, partner: Partner | None, actor: User
) -> tuple[User, str]:
    """Create an account without a password; returns it and its set-password token."""

    email = email.strip().lower()
    if db.session.scalar(db.select(User.id).where(User.email == email)):
        raise AccountError(_("An account with this address already exists."), "email")
    if role == "organiser" and partner is None:
        raise AccountError(_("An organiser belongs to a partner; choose one."), "partner")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        partner=partner,
        password_hash=_unusable_password_hash(),
    )
    db.session.add(user)
    db.session.flush()
    token = set_password_token(user)
    link = external_url("organiser.set_password", token=token)
    queue_mail(
        kind="account_invitation",
        to_address=user.email,
        subject=_("Your Inter Ventures Events organiser account"),
        body_text=_(
            "Hello %(name)s,\n\n%(admin)s has created an organiser account for you on "
            "Inter Ventures Events.\n\nChoose your password here (the link works once, "
            "for %(hours)d hours):\n%(link)s\n",
            name=user.name,
            admin=actor.name,
            hours=SET_PASSWORD_LINK_HOURS,
            link=link,
        ),
    )
    record_audit(
        actor, "user.invited", details={"user_id": user.id, "email": user.email, "role": role}
    )
    return user, token


def reset_password(user: User, *, actor: User) -> str:
    """Disable ``user``'s password and sessions; returns a new set-password token."""

    user.password_hash = _unusable_password_hash()
    end_sessions(user)
    db.session.flush()
    token = set_password_token(user)
    queue_mail(
        kind="password_reset",
        to_address=user.email,
        subject=_("Choose a new password for Inter Ventures Events"),
        body_text=_(
            "Hello %(name)s,\n\nAn administrator has reset your password. Choose a new one "
            "here (the link works once, for %(hours)d hours):\n%(link)s\n",
            name=user.name,
            hours=SET_PASSWORD_LINK_HOURS,
            link=external_url("organiser.set_password", token=token),
        ),
    )
    record_audit(actor, "user.password_reset", details={"user_id": user.id, "email": user.email})
    return token


def end_sessions(user: User) -> int:
    """End every logged-in session of ``user`` (all browsers, all copies of a cookie);
    returns how many there were."""
    return rows_changed(
        db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))
    )


def end_session(user: User, session_id: int) -> bool:
    """End one session of ``user`` (another browser); ``False`` if it is not theirs or gone."""
    return bool(
        rows_changed(
            db.session.execute(
                db.delete(UserSession).where(
                    UserSession.id == session_id, UserSession.user_id == user.id
                )
            )
        )
    )


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password: ends all their sessions and any open links."""
    problem = password_problem(password, user_inputs=(user.email, user.name))
    if problem:
        raise AccountError(problem, "password")
    user.set_password(password)
    end_sessions(user)
    record_audit(user, "user.password_set", details={"user_id": user.id})


def change_password(user: User, *, current: str, new: str) -> None:
    """``user`` replaces their own password, proving they know the current one.

    Ends every session of ``user`` and any open set-password link; the caller logs the
    user in again (a new session) in the browser that made the change.
    """
    if not user.check_password(current or ""):
        raise AccountError(_("The current password is not right."), "current_password")
    if user.check_password(new or ""):
        raise AccountError(_("Choose a password different from the current one."), "password")
    set_password(user, new or "")


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (every session ends) or reactivate an account (it starts with none)."""
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    if not active and user.is_admin and user.is_active:
        other_admins = db.session.scalar(
            db.select(db.func.count()).where(
                User.role == "admin", User.is_active.is_(True), User.id != user.id
            )
        )
        if not other_admins:
            raise AccountError(_("The last active administrator cannot be deactivated."))
    user.is_active = active
    if not active:
        end_sessions(user)
    record_audit(
        actor,
        "user.activated" if active else "user.deactivated",
        details={"user_id": user.id, "email": user.email},
    )
