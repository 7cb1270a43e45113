"""The platform reports kept as evidence of an import."""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.attendance.platform_import import ImportPreview
from webapp.extensions import db
from webapp.models import (
    Event,
    PlatformReport,
    User,
)
from webapp.timezones import utcnow

UNCONFIRMED_IMPORT_MAX_AGE = timedelta(hours=3)


def keep_platform_report(
    event: Event,
    *,
    filename: str,
    content: bytes,
    preview: ImportPreview,
    uploaded_by: User | None,
    now: datetime | None = None,
) -> PlatformReport:
    """Keep an uploaded platform report beside its preview (confirmed later or dropped).

    Previews (of any event) left unconfirmed for longer than a preview's lifetime are
    removed here: they never changed attendance and only hold personal data.
    """
    now = now or utcnow()
    db.session.execute(
        db.delete(PlatformReport.__table__)
        .where(PlatformReport.applied_at.is_(None))
        .where(PlatformReport.created_at < now - UNCONFIRMED_IMPORT_MAX_AGE)
    )
    record = PlatformReport(
        event_id=event.id,
        filename=(filename or "report")[:200],
        content=content,
        matched_rows=len(preview.matched),
        unmatched_rows=len(preview.unmatched),
        ambiguous_rows=len(preview.ambiguous),
        created_by_id=uploaded_by.id if uploaded_by is not None else None,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    return record


def mark_platform_report_applied(
    event: Event, import_id: int | None, now: datetime | None = None
) -> None:
    """Record that the kept report ``import_id`` of ``event`` was confirmed (if still kept)."""
    if not import_id:
        return
    record = db.session.get(PlatformReport, import_id)
    if record is not None and record.event_id == event.id and record.applied_at is None:
        record.applied_at = now or utcnow()
        db.session.flush()
