"""Second factor of organiser and administrator accounts.

- TOTP (RFC 6238, ``pyotp``): 6 digits, 30-second steps, the step before and after
  accepted for clock drift. A code is accepted only for a step later than the last one
  used, so a code seen over someone's shoulder (or replayed) does not work again.
- Recovery codes: ``RECOVERY_CODE_COUNT`` random one-time codes of about 80 bits, shown once
  and stored as SHA-256 digests; each works once; generating new ones voids the old.
- Administrators may require a second factor of every account (``SecurityPolicy``);
  users without one are sent to set it up right after their password login.
- An administrator's reset of someone's second factor is written to the audit trail
  and ends that user's sessions.

Plain functions with explicit arguments; they never read the request and never commit.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.audit import record_audit
from webapp.extensions import db, rows_changed
from webapp.models import RecoveryCode, SecurityPolicy, User
from webapp.models.users import secret_digest
from webapp.organiser.accounts import end_sessions
from webapp.timezones import utcnow
from webapp.user_errors import UserError

ISSUER = "Inter Ventures Events"
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without the look-alikes 0/o, 1/l/i: 31 symbols, so 16 of
# them make about 79 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 16
DRIFT_STEPS = 1


class TwoFactorError(UserError):
    """A refused change of the second factor; ``str(error)`` is a message for the user."""


# --- policy ------------------------------------------------------------------------------


def security_policy() -> SecurityPolicy | None:
    return db.session.scalar(db.select(SecurityPolicy).order_by(SecurityPolicy.id).limit(1))


def two_factor_required() -> bool:
    """Whether administrators require a second factor of every account."""
    policy = security_policy()
    return bool(policy and policy.two_factor_required)


def set_two_factor_required(required: bool, *, actor: User) -> None:
    policy = security_policy()
    if policy is None:
        policy = SecurityPolicy(two_factor_required=False)
        db.session.add(policy)
    if policy.two_factor_required == required:
        return
    policy.two_factor_required = required
    policy.updated_by_id = actor.id
    record_audit(
        actor,
        "security.two_factor_required" if required else "security.two_factor_optional",
        details={},
    )


# --- TOTP --------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits) for an enrolment."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, label: str) -> Markup:
    """Inline SVG of a QR code of ``uri``, an image labelled ``label``."""
    svg = segno.make(uri, error="m", micro=False).svg_inline(
        scale=4, border=2, dark="#000", light="#fff", omitsize=False
    )
    opening_end = svg.index(">") + 1
    return Markup(
        svg[:opening_end].replace(
            "<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1
        )
        + f"<title>{escape(label)}</title>"
        + svg[opening_end:]
    )


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def totp_step(secret: str, code: str, *, now: datetime, after: int | None) -> int | None:
    """The time step ``code`` is valid for, if it is later than ``after``; else ``None``."""
    code = _normalise_code(code)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable_two_factor(user: User, *, secret: str, code: str, now: datetime) -> list[str]:
    """Turn the second factor on once ``code`` proves the app holds ``secret``.

    Returns the new recovery codes (shown once).
    """
    step = totp_step(secret, code, now=now, after=None)
    if step is None:
        raise TwoFactorError(
            _("That code is not right. Check the time on your phone and try the newest code."),
            "code",
        )
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    record_audit(user, "user.two_factor_enabled", details={"user_id": user.id})
    return replace_recovery_codes(user, now=now)


def disable_two_factor(user: User, *, password: str) -> None:
    """The user turns their own second factor off (needs their password)."""
    if not user.check_password(password or ""):
        raise TwoFactorError(_("The password is not right."), "password")
    if two_factor_required():
        raise TwoFactorError(
            _("The administrators require a second factor for every account; it stays on.")
        )
    _remove_two_factor(user)
    record_audit(user, "user.two_factor_disabled", details={"user_id": user.id})


def reset_two_factor(user: User, *, actor: User) -> None:
    """An administrator removes ``user``'s second factor (lost phone): audited, and every
    session of ``user`` ends; their next login asks them to set it up again if required."""
    if not user.has_two_factor:
        raise TwoFactorError(_("This account has no second factor to reset."))
    _remove_two_factor(user)
    end_sessions(user)
    record_audit(actor, "user.two_factor_reset", details={"user_id": user.id, "email": user.email})


def _remove_two_factor(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- recovery codes ----------------------------------------------------------------------


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def replace_recovery_codes(user: User, *, now: datetime | None = None) -> list[str]:
    """New recovery codes for ``user`` (the old ones stop working); returns them."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    created = now or utcnow()
    for code in codes:
        db.session.add(
            RecoveryCode(
                user_id=user.id,
                code_digest=secret_digest(_normalise_code(code)),
                created_at=created,
            )
        )
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User, *, password: str) -> list[str]:
    if not user.check_password(password or ""):
        raise TwoFactorError(_("The password is not right."), "password")
    if not user.has_two_factor:
        raise TwoFactorError(_("Set up the authenticator app first."))
    codes = replace_recovery_codes(user)
    record_audit(user, "user.recovery_codes_replaced", details={"user_id": user.id})
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# --- login -------------------------------------------------------------------------------


def verify_second_factor(user: User, code: str, *, now: datetime) -> str | None:
    """Check the code given at login: ``"totp"`` or ``"recovery"`` when accepted (the
    code is then used up), ``None`` when refused."""
    if not user.has_two_factor or user.totp_secret is None:
        return None
    step = totp_step(user.totp_secret, code, now=now, after=user.totp_last_step)
    if step is not None:
        # Conditional update: of two requests racing with the same code, one wins.
        claimed = rows_changed(
            db.session.execute(
                db.update(User)
                .where(
                    User.id == user.id,
                    db.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
        )
        if claimed:
            user.totp_last_step = step
            return "totp"
        return None
    normalised = _normalise_code(code)
    if len(normalised) != RECOVERY_CODE_LENGTH:
        return None
    used = rows_changed(
        db.session.execute(
            db.update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_digest == secret_digest(normalised),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    return "recovery" if used else None
