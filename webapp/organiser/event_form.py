"""The event form: filled from an event, read into ``EventData``, previewed in every region."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace

from flask import (
    current_app,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.formatting import question_label
from webapp.models import LOGISTICS_QUESTION_KINDS, Event, Partner, Region
from webapp.organiser import event_data, event_languages, queries
from webapp.organiser.access import (
    can_host_as,
)
from webapp.organiser.forms import (
    LANGUAGE_NAMES,
    EventForm,
    choices,
    language_choices,
)
from webapp.timezones import (
    InvalidLocalTime,
    is_valid_timezone,
    is_within_hours,
    local_to_utc,
    selectable_timezones,
    times_in_regions,
    utc_to_local,
)
from webapp.user_errors import show_form_error

DEFAULT_TIMEZONE = "Europe/Brussels"  # of a new event by an organiser without a partner


def host_choices(event: Event | None) -> list[Partner]:
    partners = list(db.session.scalars(db.select(Partner).order_by(Partner.name)))
    allowed = [p for p in partners if can_host_as(current_user, p)]
    if event is not None and event.host_partner not in allowed:
        allowed.insert(0, event.host_partner)
    return allowed


def prepare_form(form: EventForm, regions: list[Region], event: Event | None) -> None:
    zones = selectable_timezones()
    current = form.timezone.data
    if current and is_valid_timezone(current) and current not in zones:
        zones = [current, *zones]
    form.timezone.choices = choices((z, z.replace("_", " ")) for z in zones)
    form.regions.choices = choices((r.code, f"{r.name} ({r.code})") for r in regions)
    form.host_partner.choices = choices((p.short_name, p.name) for p in host_choices(event))
    form.language.choices = language_choices(current_app.config["LANGUAGES"])
    for code in event_languages.TRANSLATION_LANGUAGES:
        sub = form.translations[code].form
        language = LANGUAGE_NAMES[code]
        sub.title.label.text = _("Title in %(language)s", language=language)
        sub.summary.label.text = _("Summary in %(language)s", language=language)
        sub.description.label.text = _("Description in %(language)s", language=language)


def stored_language(event: Event | None) -> str:
    """The event's language, or the one proposed for a new event by this organiser."""
    if event is not None:
        return event.language
    partner = current_user.partner
    return event_languages.default_event_language(
        current_user.locale, partner.region.locale if partner else None
    )


def initial_data(event: Event | None) -> dict:
    if event is None:
        partner = current_user.partner
        tz = partner.region.timezone if partner else DEFAULT_TIMEZONE
        return {
            "language": stored_language(None),
            "timezone": tz,
            "regions": [partner.region.code] if partner else [],
            "host_partner": partner.short_name if partner else None,
            "status": "draft",
            "format": "online",
            "reminder_hours": 24,
            "kind": "webinar",
        }

    def local(value: datetime | None) -> datetime | None:
        return utc_to_local(value, event.timezone).replace(tzinfo=None) if value else None

    ends_local = local(event.ends_at)
    if event.all_day:
        ends_local = ends_local - timedelta(days=1)
    return {
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "timezone": event.timezone,
        "starts_local": local(event.starts_at),
        "ends_local": ends_local,
        "all_day": event.all_day,
        "format": event.format,
        "venue": event.venue,
        "address": event.address,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "registration_opens_local": local(event.registration_opens_at),
        "registration_closes_local": local(event.registration_closes_at),
        "requires_approval": event.requires_approval,
        "requires_email_confirmation": event.requires_email_confirmation,
        "visibility": event.visibility,
        "status": event.status if event.status != "cancelled" else "published",
        "regions": event.region_codes,
        "host_partner": event.host_partner.short_name,
        "reminder_hours": event.reminder_hours,
        "notify_organisers": event.notify_organisers,
        "language": event.language,
        "translations": event.translations or {},
        "meeting_point": event.meeting_point,
        "travel_notes": event.travel_notes,
        "accommodation_notes": event.accommodation_notes,
        "questions": [
            {
                "id": str(q.id),
                "label": q.label,
                "kind": q.kind,
                "required": q.required,
                "options": "\n".join(q.options or []),
                "help_text": q.help_text or "",
                "translations": {
                    language: {
                        "label": texts.get("label", ""),
                        "help_text": texts.get("help_text", ""),
                        "options": "\n".join(texts.get("options") or []),
                    }
                    for language, texts in (q.translations or {}).items()
                    if isinstance(texts, dict)
                },
                "position": i + 1,
            }
            for i, q in enumerate(event.questions)
        ],
    }


class FormProblem(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _to_utc(form: EventForm, field_name: str, wall: datetime, tz: str) -> datetime:
    try:
        return local_to_utc(wall, tz)
    except InvalidLocalTime as error:
        raise FormProblem(
            field_name,
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward that night. "
                "Choose another time.",
                time=wall.strftime("%Y-%m-%d %H:%M"),
                zone=tz,
            ),
        ) from error


def _form_times(form: EventForm) -> tuple[datetime, datetime]:
    """Start and end as aware UTC from the form's wall-clock times and zone."""
    tz = form.timezone.data
    start, end = form.starts_local.data, form.ends_local.data
    if form.all_day.data:
        start = datetime.combine(start.date(), time(0))
        end = datetime.combine(end.date(), time(0)) + timedelta(days=1)
        if end <= start:
            raise FormProblem("ends_local", _("The last day cannot be before the first day."))
    starts_at = _to_utc(form, "starts_local", start, tz)
    ends_at = _to_utc(form, "ends_local", end, tz)
    if ends_at <= starts_at:
        raise FormProblem("ends_local", _("The end must be after the start."))
    return starts_at, ends_at


def _question_data(form: EventForm) -> list[event_data.QuestionData]:
    entries = []
    for index, entry in enumerate(form.questions.entries):
        sub = entry.form
        label = (sub.label.data or "").strip()
        if sub.kind.data in LOGISTICS_QUESTION_KINDS and not sub.remove.data:
            # Registrants read the site's own wording; the organiser's language names it here.
            with force_locale(form.language.data or "en"):
                label = label or question_label(SimpleNamespace(kind=sub.kind.data, label=""))
        if sub.remove.data or not label:
            if not label and sub.id.data and not sub.remove.data:
                raise FormProblem("questions", _("A question needs its text; or tick “Remove”."))
            continue
        options = [line.strip() for line in (sub.options.data or "").splitlines() if line.strip()]
        if sub.kind.data not in ("single_choice", "multiple_choice"):
            options = []
        position = sub.position.data or index + 1
        entries.append(
            (
                position,
                index,
                event_data.QuestionData(
                    id=int(sub.id.data) if sub.id.data else None,
                    label=label,
                    kind=sub.kind.data,
                    required=bool(sub.required.data),
                    options=options,
                    help_text=(sub.help_text.data or "").strip(),
                    translations=_question_translations(sub, option_count=len(options)),
                ),
            )
        )
    entries.sort(key=lambda item: (item[0], item[1]))
    return [data for _position, _index, data in entries]


def _question_translations(sub, *, option_count: int) -> dict[str, dict[str, object]]:
    """The question's translations without empty parts (those read as the original)."""
    result: dict[str, dict[str, object]] = {}
    for language in event_languages.TRANSLATION_LANGUAGES:
        texts = sub.translations[language].form
        entry: dict[str, object] = {}
        for name in ("label", "help_text"):
            value = (texts[name].data or "").strip()
            if value:
                entry[name] = value
        lines = [line.strip() for line in (texts.options.data or "").splitlines()]
        lines = lines[:option_count]
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            entry["options"] = lines
        if entry:
            result[language] = entry
    return result


def _unless_same_minute(new: datetime | None, stored: datetime | None) -> datetime | None:
    if new is not None and stored is not None and new == stored.replace(second=0, microsecond=0):
        return stored
    return new


def event_data_from_form(
    form: EventForm, regions: list[Region], event: Event | None
) -> event_data.EventData:
    starts_at, ends_at = _form_times(form)
    tz = form.timezone.data
    opens = form.registration_opens_local.data
    closes = form.registration_closes_local.data
    by_code = {r.code: r for r in regions}
    hosts = {p.short_name: p for p in host_choices(event)}
    opens_at = _to_utc(form, "registration_opens_local", opens, tz) if opens else None
    closes_at = _to_utc(form, "registration_closes_local", closes, tz) if closes else None
    if event is not None:
        # The form shows minutes: an untouched time keeps its stored seconds.
        starts_at = _unless_same_minute(starts_at, event.starts_at)
        ends_at = _unless_same_minute(ends_at, event.ends_at)
        opens_at = _unless_same_minute(opens_at, event.registration_opens_at)
        closes_at = _unless_same_minute(closes_at, event.registration_closes_at)
    return event_data.EventData(
        kind=form.kind.data,
        title=form.title.data.strip(),
        summary=(form.summary.data or "").strip(),
        description=(form.description.data or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=tz,
        all_day=bool(form.all_day.data),
        format=form.format.data,
        venue=(form.venue.data or "").strip(),
        address=(form.address.data or "").strip(),
        online_url=(form.online_url.data or "").strip(),
        capacity=form.capacity.data,
        registration_opens_at=opens_at,
        registration_closes_at=closes_at,
        requires_approval=bool(form.requires_approval.data),
        requires_email_confirmation=bool(form.requires_email_confirmation.data),
        visibility=form.visibility.data,
        status=form.status.data,
        reminder_hours=form.reminder_hours.data,
        notify_organisers=bool(form.notify_organisers.data),
        language=form.language.data,
        translations={
            language: {
                name: sub.data or ""
                for name, sub in form.translations[language].form._fields.items()
            }
            for language in event_languages.TRANSLATION_LANGUAGES
        },
        meeting_point=(form.meeting_point.data or "").strip(),
        travel_notes=(form.travel_notes.data or "").strip(),
        accommodation_notes=(form.accommodation_notes.data or "").strip(),
        host_partner=hosts[form.host_partner.data],
        regions=[by_code[c] for c in form.regions.data],
        questions=_question_data(form),
    )


def time_preview(form: EventForm, regions: list[Region], exclude_event_id: int | None):
    """The five regions' local times and the warnings, when the times can be read."""
    for name in ("timezone", "starts_local", "ends_local"):
        field = getattr(form, name)
        if field.errors or field.data is None:
            return None
    if not is_valid_timezone(form.timezone.data):
        return None
    try:
        starts_at, ends_at = _form_times(form)
    except FormProblem as problem:
        show_form_error(form, problem.field, problem.message)
        return None
    served_codes = set(form.regions.data or [])
    served = [r for r in regions if r.code in served_codes]
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "rows": region_rows(starts_at, ends_at, regions, served_codes, form.all_day.data),
        "warnings": queries.scheduling_warnings(
            starts_at,
            ends_at,
            served,
            all_day=bool(form.all_day.data),
            exclude_event_id=exclude_event_id,
        ),
    }


def region_rows(starts_at, ends_at, regions, served_codes, all_day=False) -> list[dict]:
    rows = []
    for start, end in zip(
        times_in_regions(starts_at, regions), times_in_regions(ends_at, regions), strict=True
    ):
        same_day = start.local.date() == end.local.date()
        rows.append(
            {
                "region": start,
                "start": start.local,
                "end": end.local,
                "served": start.code in served_codes,
                "outside_hours": not all_day
                and (
                    not is_within_hours(start.local, *event_data.WORKING_HOURS)
                    or (same_day and not is_within_hours(end.local, *event_data.WORKING_HOURS))
                ),
            }
        )
    return rows


def validate_for_preview(form: EventForm) -> None:
    for name in ("timezone", "starts_local", "ends_local", "regions"):
        getattr(form, name).validate(form)


def shadowed_notice(language: str) -> str:
    return _(
        "The %(language)s translation is kept because it differs from the texts above, "
        "but visitors never see it: the texts above are already in that language. Copy "
        "what you need into them, then empty that translation.",
        language=LANGUAGE_NAMES.get(language, language),
    )


def original_language(form: EventForm, event: Event | None) -> str:
    """The language chosen in the form, else the stored one (for a rejected value)."""
    if form.language.data in event_languages.EVENT_LANGUAGES:
        return form.language.data
    return stored_language(event)


def translation_fieldsets(form: EventForm, original: str) -> list[dict]:
    """One fieldset per language; the original's is hidden unless it holds a translation."""
    originals = {
        name: (form[name].data or "").strip() for name in event_languages.TRANSLATED_FIELDS
    }
    fieldsets = []
    for code in event_languages.TRANSLATION_LANGUAGES:
        sub = form.translations[code].form
        entry = event_languages.normalise_translations({code: sub.data})
        shadowed = code == original and bool(
            event_languages.settle_original_language(entry, code, originals)
        )
        fieldsets.append(
            {
                "code": code,
                "form": sub,
                "label": form.translations[code].label.text,
                "hidden": code == original and not entry,
                "notice": shadowed_notice(code) if shadowed else None,
            }
        )
    return fieldsets
