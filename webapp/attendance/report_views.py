"""Attendance reports: figures per event and across events, charts, CSV/XLSX exports."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    render_template,
    request,
)
from flask_babel import gettext as _

from webapp.attendance.blueprint import bp
from webapp.attendance.charts import Series, bar_chart_svg
from webapp.attendance.forms import (
    ReportFilterForm,
    choices,
)
from webapp.attendance.reports import Report, ReportFilters, build_report
from webapp.exports import csv_response, xlsx_response
from webapp.formatting import KIND_LABELS, STAKEHOLDER_LABELS
from webapp.models import EVENT_KINDS, STAKEHOLDER_TYPES, Region
from webapp.organiser.queries import all_regions
from webapp.reporting import services as reporting_services
from webapp.timezones import utcnow, zone

REPORT_TABLES = (
    "events",
    "attendee-regions",
    "served-regions",
    "stakeholder-types",
    "kinds",
    "events-by-region",
    "types-by-region",
    "actions",
    "summary",
)


# Events listed on the report page; the totals and the downloads cover every event.
REPORT_EVENTS_SHOWN = 200


def _report_filters(regions: list[Region]) -> tuple[ReportFilterForm, ReportFilters | None]:
    """The filter form and the filters it gives (None when the form has errors).

    A first visit (no arguments) reports on the current reporting period; dates left
    empty are taken from the chosen period.
    """
    periods = reporting_services.periods()
    form = ReportFilterForm(request.args)
    form.region.choices = choices([("", _("All regions"))] + [(r.code, r.name) for r in regions])
    form.period.choices = choices(
        [("", _("No period: the dates below"))] + [(str(p.id), p.name) for p in periods]
    )
    if not request.args:
        current = reporting_services.current_period(utcnow().date(), periods)
        form.period.data = str(current.id) if current else ""
    if not form.validate():
        return form, None
    period = next((p for p in periods if str(p.id) == form.period.data), None)
    date_from = form.date_from.data or (period.starts_on if period else None)
    date_to = form.date_to.data or (period.ends_on if period else None)
    if date_from and date_to and date_to < date_from:
        form.date_to.errors = [*form.date_to.errors, _("The end date is before the start date.")]
        return form, None
    return form, ReportFilters(
        date_from=date_from,
        date_to=date_to,
        kind=form.kind.data or None,
        region=form.region.data or None,
        include_upcoming=form.when.data == "all",
        period=period.id if period else None,
    )


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _group_label(table: str, key: str | None, report: Report) -> str:
    if key is None:
        return _("Not given")
    if table in ("attendee-regions", "served-regions"):
        return report.region_names.get(key, key)
    if table == "stakeholder-types":
        return str(STAKEHOLDER_LABELS.get(key, key))
    return str(KIND_LABELS.get(key, key))


def _groups(report: Report) -> dict[str, list]:
    return {
        "attendee-regions": report.by_attendee_region,
        "served-regions": report.by_served_region,
        "stakeholder-types": report.by_stakeholder_type,
        "kinds": report.by_kind,
    }


def _group_titles() -> dict[str, str]:
    return {
        "attendee-regions": _("Attendees by the region they come from"),
        "served-regions": _("Attendees by the region the event serves"),
        "stakeholder-types": _("Attendees by kind of organisation"),
        "kinds": _("Attendees by kind of event"),
    }


def _group_header(table: str) -> list[str]:
    first = {
        "attendee-regions": _("Region"),
        "served-regions": _("Region"),
        "stakeholder-types": _("Kind of organisation"),
        "kinds": _("Kind of event"),
    }[table]
    return [
        first,
        _("Registered"),
        _("Confirmed"),
        _("Attended"),
        _("Attendance rate"),
        _("No-shows"),
        _("Unique people"),
        _("Organisations"),
    ]


def _figure_cells(g) -> list[Any]:
    rate = g.attendance_rate
    return [
        g.registered,
        g.confirmed,
        g.attended,
        None if rate is None else round(rate, 4),
        g.no_shows,
        g.people,
        g.organisations,
    ]


def _region_keys(report: Report, found: dict) -> list[str | None]:
    keys: list[str | None] = list(report.region_names)
    return keys + [k for k in found if k not in keys]


def _table(table: str, report: Report) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one report table, as shown and exported."""
    if table == "events":
        header = [
            _("Event"),
            _("Kind"),
            _("Starts"),
            _("Registered"),
            _("Confirmed"),
            _("Attended"),
            _("Excused"),
            _("No-shows"),
            _("Attendance rate"),
            _("Minutes online"),
        ]
        rows = [
            [
                e.title,
                str(KIND_LABELS.get(e.kind, e.kind)),
                e.starts_at.astimezone(zone(e.timezone)).replace(tzinfo=None),
                e.registered,
                e.confirmed,
                e.attended,
                e.excused,
                e.no_shows,
                None if e.attendance_rate is None else round(e.attendance_rate, 4),
                e.minutes_online,
            ]
            for e in report.events
        ]
        return header, rows
    if table == "summary":
        header = [_("Figure"), _("Value")]
        totals = report.totals
        rate = report.attendance_rate
        rows = [
            [_("Events"), len(report.events)],
            [_("Registered"), totals["registered"]],
            [_("Confirmed"), totals["confirmed"]],
            [_("Attendances"), report.attendances],
            [_("Attendance rate"), None if rate is None else round(rate, 4)],
            [_("Unique people (by e-mail)"), report.unique_people],
            [_("Organisations"), report.unique_organisations],
            [_("Person-days present"), report.person_days],
            [_("No-shows"), totals["no_shows"]],
            [_("Minutes online"), totals["minutes_online"]],
        ]
        return header, rows
    if table == "events-by-region":
        found = report.events_by_region_and_kind
        header = [_("Region served")] + [str(KIND_LABELS[k]) for k in EVENT_KINDS] + [_("Total")]
        rows = []
        for key in _region_keys(report, found):
            counts = found.get(key, {})
            cells = [counts.get(k, 0) for k in EVENT_KINDS]
            rows.append([_group_label("served-regions", key, report), *cells, sum(cells)])
        return header, rows
    if table == "types-by-region":
        found = report.people_by_region_and_type
        header = (
            [_("Region people come from")]
            + [str(STAKEHOLDER_LABELS[t]) for t in STAKEHOLDER_TYPES]
            + [_("Total")]
        )
        rows = []
        for key in _region_keys(report, found):
            counts = found.get(key, {})
            cells = [counts.get(t, 0) for t in STAKEHOLDER_TYPES]
            rows.append([_group_label("attendee-regions", key, report), *cells, sum(cells)])
        return header, rows
    if table == "actions":
        header = [
            _("Region"),
            _("Action plan"),
            _("Action"),
            _("Events"),
            *_group_header("kinds")[1:],
        ]
        rows = [
            [
                report.region_names.get(a.region_code, a.region_code),
                a.plan_title,
                f"{a.position}. {a.title}",
                a.events,
                *_figure_cells(a.figures),
            ]
            for a in report.by_action
        ]
        return header, rows
    groups = _groups(report)[table]
    return _group_header(table), [
        [_group_label(table, g.key, report), *_figure_cells(g)] for g in groups
    ]


def _charts(report: Report) -> dict[str, Any]:
    charts = {}
    for table, groups in _groups(report).items():
        charts[table] = bar_chart_svg(
            chart_id=f"chart-{table}",
            title=_group_titles()[table],
            categories=[_group_label(table, g.key, report) for g in groups],
            series=[
                Series(_("Attendances"), [g.attendances for g in groups], "solid"),
                Series(_("Unique people"), [g.people for g in groups], "hatch"),
            ],
        )
    return charts


@bp.get("/reports")
def reports():
    regions = all_regions()
    form, filters = _report_filters(regions)
    report = build_report(filters) if filters is not None else None
    tables = (
        {name: _table(name, report) for name in ("events-by-region", "types-by-region")}
        if report
        else {}
    )
    return (
        render_template(
            "attendance/reports.html",
            form=form,
            report=report,
            filters=filters,
            charts=_charts(report) if report else {},
            tables=tables,
            group_titles=_group_titles(),
            group_header=_group_header,
            group_label=_group_label,
            figure_cells=_figure_cells,
            rate=_rate,
            export_args=filters.as_args() if filters else {},
            events_shown=REPORT_EVENTS_SHOWN,
        ),
        200 if report is not None else 400,
    )


@bp.get("/reports/<table>.<any(csv, xlsx):fmt>")
def report_export(table: str, fmt: str):
    if table not in REPORT_TABLES:
        abort(404)
    form, filters = _report_filters(all_regions())
    if filters is None:
        abort(400)
    report = build_report(filters)
    header, rows = _table(table, report)
    filename = f"report-{table}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, header, rows, sheet_title=table)
