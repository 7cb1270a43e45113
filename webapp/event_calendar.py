"""Calendar entries built from events, and the calendar file of one event.

Beside the pure builder in ``webapp.calendar``: this module turns an ``Event`` (or a feed
row with the same names) into a ``CalendarEvent`` with the reader's language and the
site's URLs, and builds the single-event file that confirmation mails attach and
``/events/<slug>.ics`` serves. The feeds and the mail both read it; it reads neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.calendar import CalendarEvent, build_calendar
from webapp.formatting import FORMAT_LABELS, KIND_LABELS
from webapp.models import Event
from webapp.models.events import localized_text
from webapp.programme.display import short_programme
from webapp.timezones import utc_to_local
from webapp.urls import external_url, site_domain

# Calendar files of single events kept per process (a few kB each).
EVENT_FILE_CACHE_ENTRIES = 256


def event_uid(event_id: int) -> str:
    """The event's UID: its database key and the site's domain, stable for its whole life."""
    return f"event-{event_id}@{site_domain()}"


def event_location(event: Any) -> str:
    """Where the event takes place, as a calendar's LOCATION shows it."""
    if event.format == "online":
        return str(FORMAT_LABELS["online"])
    place = ", ".join(part for part in (event.venue, event.address) if part)
    return place or str(FORMAT_LABELS[event.format])


def calendar_labels() -> dict[str, str]:
    """Translated labels for one feed, looked up once instead of once per event."""
    return {
        "locale": str(get_locale() or "en"),
        "cancelled_summary": _("Cancelled: %(title)s", title="{title}"),
        "cancelled_notice": _("This event has been cancelled."),
        "format": _("Format: %(format)s", format="{format}"),
        "host": _("Hosted by: %(host)s", host="{host}"),
        "page": _("Event page: %(url)s", url="{url}"),
        "join": _("Join online: %(url)s", url="{url}"),
        "join_label": _("Join online"),
        "programme": _("Programme (%(zone)s):", zone="{zone}"),
        "programme_more": _("… and more: %(url)s", url="{url}"),
        "programme_link": _("Full programme: %(url)s", url="{url}"),
        **{f"kind:{k}": str(v) for k, v in KIND_LABELS.items()},
        **{f"format:{k}": str(v) for k, v in FORMAT_LABELS.items()},
    }


def to_calendar_event(
    event: Any,
    *,
    region_names: Sequence[str],
    host_name: str,
    page_url: str,
    labels: dict[str, str],
    join_url: str = "",
    programme: Sequence[str] = (),
    programme_url: str = "",
    programme_more: int = 0,
) -> CalendarEvent:
    """A calendar entry for ``event`` (an ``Event`` or a feed row with the same names).

    ``join_url`` is given only for a personal feed or e-mail: it adds the join link to
    the description and an RFC 7986 ``CONFERENCE`` property.
    """
    cancelled = event.status == "cancelled"
    locale = labels["locale"]
    title = localized_text(event, "title", locale)
    summary = labels["cancelled_summary"].replace("{title}", title) if cancelled else title
    lines: list[str] = []
    if cancelled:
        lines += [labels["cancelled_notice"], ""]
    description = localized_text(event, "summary", locale)
    if description:
        lines += [description, ""]
    lines.append(labels["format"].replace("{format}", labels[f"format:{event.format}"]))
    if host_name:
        lines.append(labels["host"].replace("{host}", host_name))
    lines.append(labels["page"].replace("{url}", page_url))
    if join_url and not cancelled:
        lines.append(labels["join"].replace("{url}", join_url))
    if programme and not cancelled:
        lines += ["", labels["programme"].replace("{zone}", event.timezone), *programme]
        link = labels["programme_more" if programme_more else "programme_link"]
        lines.append(link.replace("{url}", programme_url))
    return CalendarEvent(
        uid=event_uid(event.id),
        sequence=event.sequence,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        all_day=event.all_day,
        summary=summary,
        description="\n".join(lines),
        location=event_location(event),
        url=page_url,
        categories=(labels[f"kind:{event.kind}"], *region_names),
        status="CANCELLED" if cancelled else "CONFIRMED",
        created=event.created_at,
        last_modified=event.updated_at,
        conference_url=join_url if not cancelled else "",
        conference_label=labels["join_label"] if join_url else "",
    )


def refresh_interval() -> timedelta:
    return timedelta(seconds=current_app.config.get("FEED_REFRESH_SECONDS", 6 * 3600))


def event_ics(
    event: Event,
    *,
    personal: bool = False,
    method: str = "PUBLISH",
    page_url: str | None = None,
    withdrawn: bool = False,
) -> bytes:
    """A calendar with the one ``event``, with the same UID and SEQUENCE as the feeds.

    ``personal=True`` (for a registrant: e-mails, personal pages) adds the join link and
    ``CONFERENCE``; published files never carry it. Texts use the current locale.
    ``method`` is ``PUBLISH`` (recommended for attachments), ``REQUEST`` or ``CANCEL``;
    the scheduling methods carry the site's sender as ``ORGANIZER``.

    ``withdrawn=True`` is one registrant's cancellation of an event that still takes
    place: ``METHOD:CANCEL``, ``STATUS:CANCELLED`` and a ``SEQUENCE`` one above the
    event's, so the reader's calendar removes the entry the earlier files added (same UID).

    The bytes come from a per-process cache keyed by everything they are built from
    (see ``single_event_calendar``): every confirmation mail of an event carries the
    same file, and it is built once, not once per registrant under the event's lock.
    """
    if withdrawn:
        method = "CANCEL"
    elif method == "CANCEL" and event.status != "cancelled":
        raise ValueError("METHOD:CANCEL is only for a cancelled event")
    # A partners-only meeting has no public page: the caller names the reader's page.
    page_url = page_url or external_url("public.event_detail", slug=event.slug)
    labels = calendar_labels()
    items, more = short_programme(event.programme)
    entry = to_calendar_event(
        event,
        region_names=[region.name for region in event.regions],
        host_name=event.host_partner.name if event.host_partner else "",
        page_url=page_url,
        labels=labels,
        join_url=event.join_url if personal and event.is_online else "",
        programme=[_programme_line(item, event.timezone, labels["locale"]) for item in items],
        programme_url=external_url("programme.printable", slug=event.slug),
        programme_more=more,
    )
    if withdrawn:
        entry = replace(entry, sequence=event.sequence + 1, status="CANCELLED", conference_url="")
    organizer = ""
    if method != "PUBLISH":
        sender = current_app.config.get("MAIL_DEFAULT_SENDER", "")
        address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
        organizer = f"mailto:{address}" if address else ""
    locale = str(get_locale() or "en")
    return single_event_calendar(
        entry,
        name=event.localized("title", locale),
        description=event.localized("summary", locale),
        method=method,
        url=page_url,
        refresh_interval=refresh_interval(),
        organizer=organizer,
    )


def _programme_line(item: Any, tz_name: str, locale: str) -> str:
    """``27.10. 09:00–10:30 Title (place)``: compact, the calendar shows the date anyway."""
    start = utc_to_local(item.starts_at, tz_name)
    end = utc_to_local(item.ends_at, tz_name)
    place = f" ({item.place})" if item.place else ""
    return (
        f"{start:%d.%m. %H:%M}–{end:%H:%M} "
        f"{' '.join(item.localized('title', locale).split())}{place}"
    )


@lru_cache(maxsize=EVENT_FILE_CACHE_ENTRIES)
def single_event_calendar(
    entry: CalendarEvent,
    *,
    name: str,
    description: str,
    method: str,
    url: str,
    refresh_interval: timedelta,
    organizer: str,
) -> bytes:
    """``build_calendar`` of one entry, remembered in this process (least recently used go).

    Never stale: ``build_calendar`` gives identical bytes for identical input, and the key
    is that whole input. The entry holds every text and time written (title, times,
    place, regions, host, labels in the reader's language, the site's URLs, the join
    link of a personal file), so any change to any of them is another key.
    """
    return build_calendar(
        [entry],
        name=name,
        description=description,
        method=method,
        url=url,
        refresh_interval=refresh_interval,
        organizer=organizer,
    )
