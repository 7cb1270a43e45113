"""The password policy of organiser and administrator accounts.

A password must be at least ``MIN_PASSWORD_LENGTH`` characters long and not easy to
guess: ``zxcvbn`` (Dropbox's strength estimator, maintained on PyPI as ``zxcvbn``) rates
it against lists of common passwords, words, names, keyboard patterns, dates and the
account's own address and name; anything rated below ``MIN_STRENGTH`` (of 0–4) is
refused. The same rule applies to the set-password link, the password change and the
``create-user`` command.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
# zxcvbn scores 0 (top-100 password) to 4 (very unguessable); 3 means "safely
# unguessable: moderate protection from offline slow-hash scenario".
MIN_STRENGTH = 3
# Words anyone would try first against this site's accounts.
SITE_WORDS = ("inter", "ventures", "interventures", "events", "organiser", "partner")


def password_problem(password: str, *, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` is refused (a message for the person choosing it), or ``None``."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password must be at most %(n)d characters long.", n=MAX_PASSWORD_LENGTH)
    words = [*SITE_WORDS]
    for value in user_inputs:
        value = (value or "").strip().lower()
        if value:
            words.append(value)
            words.extend(part for part in value.replace("@", " ").replace(".", " ").split() if part)
    # zxcvbn looks at the first 72 characters; longer passwords are rated on those.
    if zxcvbn(password, user_inputs=words)["score"] < MIN_STRENGTH:
        return _(
            "This password is too easy to guess: it is a common password or is made of "
            "common words, names, dates, keyboard patterns or your own address. Use a "
            "longer phrase of unrelated words."
        )
    return None
