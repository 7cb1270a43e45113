"""Recording the audit trail (the ``AuditEntry`` rows organisers see on each event)."""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import AuditEntry, Event, Registration, User


def record_audit(
    actor: User | None,
    action: str,
    *,
    event: Event | None = None,
    registration: Registration | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (flushed, not committed).

    ``actor`` is the organiser who made the change (``None`` for the system);
    ``details`` must be JSON-serialisable and should name what changed, from what to
    what, so the entry still reads well after the event or registration is gone. A
    registrant is referred to by ``registration`` (its id), never by name or address:
    personal data lives in the registration only, so erasing it erases it everywhere.
    """
    if registration is not None and event is None:
        event = registration.event
    entry = AuditEntry(
        user_id=actor.id if actor is not None and actor.is_authenticated else None,
        event_id=event.id if event is not None else None,
        registration_id=registration.id if registration is not None else None,
        action=action,
        details=details or {},
    )
    db.session.add(entry)
    return entry


# Keys of ``details`` that could only hold a registrant's personal data (entries written
# before registrations were referred to by id only carried some of them).
PERSONAL_DETAIL_KEYS = frozenset({"name", "email", "organisation", "answers"})


def scrub_registration_audit(registration_id: int) -> int:
    """Remove personal data from the audit entries about one registration; how many changed.

    Called when the registration is erased; the entries stay (who did what, when), the
    registrant's name, address, organisation and answers go.
    """
    changed = 0
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.registration_id == registration_id)
    )
    for entry in entries:
        details = dict(entry.details or {})
        if PERSONAL_DETAIL_KEYS & details.keys():
            entry.details = {k: v for k, v in details.items() if k not in PERSONAL_DETAIL_KEYS}
            changed += 1
    return changed


def audit_trail(event: Event, limit: int = 200) -> list[AuditEntry]:
    """The newest entries about ``event`` first, with their authors loaded."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.event_id == event.id)
            .options(joinedload(AuditEntry.user), joinedload(AuditEntry.registration))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def audit_entries_for_registration(
    registration: Registration, limit: int = 100
) -> list[AuditEntry]:
    """The newest entries about one registration first, with their authors loaded."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.registration_id == registration.id)
            .options(joinedload(AuditEntry.user))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
