"""Secret links: one shape for their tokens and one way to look a row up by its token.

Registrations, personal feeds, partner contacts' feeds, invitations and poll invitees
are all found the same way: a malformed token is refused before any query, and the
stored token is compared in constant time. Every miss is ``None``, whatever the cause,
so a page cannot tell an unknown token from a malformed one.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from webapp.extensions import db

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def is_well_formed_token(token: str | None) -> bool:
    return bool(TOKEN_RE.match(token or ""))


def lookup_by_token(
    column: InstrumentedAttribute[Any], token: str | None, *, options: Sequence[Any] = ()
) -> Any | None:
    """The row whose ``column`` (e.g. ``Registration.feed_token``) is ``token``, or ``None``."""
    if token is None or not is_well_formed_token(token):
        return None
    row = db.session.scalar(db.select(column.class_).where(column == token).options(*options))
    if row is None:
        return None
    stored = getattr(row, column.key) or ""
    if not hmac.compare_digest(stored.encode(), token.encode()):
        return None
    return row
