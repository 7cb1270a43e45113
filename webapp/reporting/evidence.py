"""The evidence pack of an event, as a programme's controller files it.

- a participant list (PDF): everyone present at least once, with organisation, region,
  kind of organisation, days present and, for online events, minutes online;
- for on-site events, a printable sign-in sheet per day with a signature column;
- the programme (PDF);
- a ZIP with those PDFs, the original platform reports imported for the event and the
  attendance and participant lists as CSV.

Each document is headed with the event's details and the deployment's logos.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from webapp.attendance import queries
from webapp.exports import csv_bytes
from webapp.formatting import KIND_LABELS, STAKEHOLDER_LABELS
from webapp.models import Event, Registration
from webapp.reporting.pdf import configured_logos, render_pdf

BLANK_SIGNIN_ROWS = 6  # for walk-ins, at the end of each day's sheet


@dataclass(frozen=True)
class Participant:
    registration: Registration
    days_present: list[date]
    minutes_online: int

    @property
    def region_name(self) -> str:
        return self.registration.region.name if self.registration.region else ""

    @property
    def kind_label(self) -> str:
        kind = self.registration.stakeholder_type
        return str(STAKEHOLDER_LABELS.get(kind, kind))


def programme(event: Event, locale: str | None) -> list[str]:
    """The event's programme as paragraphs, in ``locale`` when the organisers gave it.

    For now the programme is the event's description; this is the one place that says
    so (programme items will take over here).
    """
    text = event.localized("description", locale) or event.localized("summary", locale)
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def participants(event: Event) -> list[Participant]:
    """Everyone present at least one day, by name (two queries)."""
    rows = queries.sheet_rows(event, event.days[0])
    records = queries.records_by_registration(event)
    found = []
    for row in rows:
        registration = row.registration
        days = [d for d in event.days if _status(records, registration, d) == "present"]
        if not days:
            continue
        minutes = sum(
            (records[(registration.id, d)].minutes_online or 0)
            for d in event.days
            if (registration.id, d) in records
        )
        found.append(Participant(registration, days, minutes))
    return found


def _status(records, registration: Registration, day: date) -> str | None:
    record = records.get((registration.id, day))
    return record.status if record else None


def signin_people(event: Event) -> list[Registration]:
    """Confirmed registrants, by name: the printed sign-in sheet's rows."""
    return [
        row.registration
        for row in queries.sheet_rows(event, event.days[0])
        if row.registration.status == "confirmed"
    ]


def _header(event: Event, locale: str | None) -> dict[str, Any]:
    return {
        "event": event,
        "locale": locale or "en",
        "title": event.localized("title", locale),
        "title_language": event.text_language("title", locale),
        "kind": KIND_LABELS.get(event.kind, event.kind),
        "logos": configured_logos(
            event.host_partner.short_name if event.host_partner else None,
            _("Co-funded by the European Union"),
        ),
    }


def participants_pdf(event: Event, locale: str | None) -> bytes:
    return render_pdf(
        "reporting/participants_pdf.html",
        participants=participants(event),
        programme=programme(event, locale),
        **_header(event, locale),
    )


def signin_pdf(event: Event, locale: str | None) -> bytes:
    return render_pdf(
        "reporting/signin_pdf.html",
        people=signin_people(event),
        days=event.days,
        blank_rows=BLANK_SIGNIN_ROWS,
        programme=programme(event, locale),
        **_header(event, locale),
    )


def programme_pdf(event: Event, locale: str | None) -> bytes:
    return render_pdf(
        "reporting/programme_pdf.html", programme=programme(event, locale), **_header(event, locale)
    )


def attendance_table(event: Event) -> tuple[list[str], list[list[Any]]]:
    """Everyone registered with their mark and minutes on each day (a signature list)."""
    days = event.days
    rows = queries.sheet_rows(event, days[0])
    records = queries.records_by_registration(event)
    header = [_("Name"), _("E-mail"), _("Organisation"), _("Kind of organisation"), _("Region")]
    for day in days:
        header += [
            _("%(day)s: attendance", day=day.isoformat()),
            _("%(day)s: minutes online", day=day.isoformat()),
        ]
    labels = {"present": _("Present"), "absent": _("Absent"), "excused": _("Excused")}
    table = []
    for row in rows:
        r = row.registration
        line: list[Any] = [
            r.name,
            r.email,
            r.organisation,
            str(STAKEHOLDER_LABELS.get(r.stakeholder_type, r.stakeholder_type)),
            r.region.code if r.region else "",
        ]
        for day in days:
            record = records.get((r.id, day))
            line += [
                labels[record.status] if record else "",
                record.minutes_online if record else None,
            ]
        table.append(line)
    return header, table


def participants_table(event: Event) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Name"),
        _("Organisation"),
        _("Region"),
        _("Kind of organisation"),
        _("Days present"),
        _("Minutes online"),
    ]
    rows = [
        [
            p.registration.name,
            p.registration.organisation,
            p.region_name,
            p.kind_label,
            "; ".join(d.isoformat() for d in p.days_present),
            p.minutes_online if event.is_online else None,
        ]
        for p in participants(event)
    ]
    return header, rows


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:80] or "report"


def evidence_zip(event: Event, locale: str | None) -> bytes:
    """Every document of the evidence pack in one ZIP archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("participants.pdf", participants_pdf(event, locale))
        if event.is_onsite:
            archive.writestr("sign-in-sheet.pdf", signin_pdf(event, locale))
        archive.writestr("programme.pdf", programme_pdf(event, locale))
        archive.writestr("attendance.csv", csv_bytes(*attendance_table(event)))
        archive.writestr("participants.csv", csv_bytes(*participants_table(event)))
        for n, kept in enumerate(queries.confirmed_platform_reports(event), start=1):
            archive.writestr(f"platform-reports/{n:02d}-{_safe_name(kept.filename)}", kept.content)
    return buffer.getvalue()
