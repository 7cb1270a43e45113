"""Rendering of e-mails: subject, plain text, HTML and calendar file, in the reader's language.

Each message kind has two templates, ``templates/mail/<kind>.txt`` and ``<kind>.html``,
sharing ``_layout`` and partials. A registrant's message is rendered in the language
they registered in (``Registration.locale``), with times in the event's zone and in the
zone of the registrant's region; an organiser's notice in the organiser's language.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from webapp.attendance.qr import checkin_url, shows_checkin_code
from webapp.event_calendar import event_ics
from webapp.extensions import db
from webapp.formatting import (
    FORMAT_LABELS,
    KIND_LABELS,
    REGISTRATION_STATUS_LABELS,
    STAKEHOLDER_LABELS,
    event_when,
    local_date_and_time,
    local_short_datetime,
    local_time,
    timezone_label,
)
from webapp.language_codes import supported_language
from webapp.models import (
    Event,
    Invitation,
    OutboxMessage,
    Partner,
    PartnerContact,
    PollInvitee,
    Registration,
)
from webapp.programme.access import visible_materials
from webapp.programme.display import short_programme
from webapp.registrations.queries import waitlist_position
from webapp.reporting.certificates import certificate_pdf, is_eligible, issue
from webapp.timezones import EventTimes, utc_to_local
from webapp.urls import external_url, site_domain

SUBJECT_MAX_LENGTH = 300

SUBJECTS = {
    "confirmed": _l("Registration confirmed: %(title)s"),
    "waitlisted": _l("Waiting list, number %(position)s: %(title)s"),
    "promoted": _l("A seat is now yours: %(title)s"),
    "pending": _l("Registration received, awaiting approval: %(title)s"),
    "approved": _l("Registration approved: %(title)s"),
    "rejected": _l("Registration not accepted: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "link_resent": _l("Your registration link: %(title)s"),
    "confirm_email": _l("Confirm your e-mail address to keep your seat: %(title)s"),
    "event_changed": _l("Event changed: %(title)s"),
    "event_cancelled": _l("Event cancelled: %(title)s"),
    "reminder": _l("Reminder: %(title)s, %(when)s"),
    "certificate": _l("Your certificate of attendance: %(title)s"),
    "organiser_notice": _l("New registration for %(title)s: %(name)s"),
    "invitation": _l("Invitation: %(title)s, %(when)s"),
    "invitation_reminder": _l("Please answer: %(title)s, %(when)s"),
    "materials_available": _l("Materials are available: %(title)s"),
}

# Messages that confirm a seat carry a short programme (the first items, then a link).
PROGRAMME_KINDS = frozenset({"confirmed", "promoted", "approved", "link_resent"})

# What changed, in words, for the field names an event change reports.
CHANGE_LABELS = {
    "title": _l("Title"),
    "starts_at": _l("Date and time"),
    "ends_at": _l("Date and time"),
    "timezone": _l("Date and time"),
    "all_day": _l("Date and time"),
    "format": _l("Format (online or on site)"),
    "venue": _l("Place"),
    "address": _l("Place"),
    "online_url": _l("Join link"),
    "summary": _l("Description"),
    "description": _l("Description"),
    "capacity": _l("Number of seats"),
}

# Messages to people who hold a seat carry the event as a calendar file (a changed event
# with a higher SEQUENCE, a cancelled one with STATUS:CANCELLED), so their calendar follows.
CALENDAR_KINDS = frozenset(
    {"confirmed", "promoted", "approved", "link_resent", "event_changed", "event_cancelled"}
)


# The messages whose calendar file puts the event into the registrant's calendar.
SEAT_CALENDAR_KINDS = ("confirmed", "promoted", "approved", "link_resent", "event_changed")


# Messages that give or confirm a seat, or remind of it, carry the check-in QR code when
# the registrant will show it at the entrance (``shows_checkin_code``).
CHECKIN_CODE_KINDS = frozenset({"confirmed", "promoted", "approved", "link_resent", "reminder"})


@dataclass
class RenderedMail:
    subject: str
    text: str
    html: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    reply_to: str | None = None
    from_address: str | None = None


def mail_language(locale: str | None) -> str:
    """The language a message is written in: the reader's, if the site speaks it."""
    language = supported_language(locale, current_app.config["LANGUAGES"])
    return language or current_app.config["BABEL_DEFAULT_LOCALE"]


def sender_of(partner: Partner) -> tuple[str, str | None]:
    """``From`` and ``Reply-To`` of a message sent on behalf of ``partner``.

    The address is always the site's own (``MAIL_DEFAULT_SENDER``), so SPF and DMARC
    pass; the name is the partner's, and replies go to the partner when it has an address.
    """
    _name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    from_address = str(Address(display_name=_one_line(partner.name), addr_spec=address))
    return from_address, (partner.email or None)


def render_registration_mail(
    registration: Registration,
    kind: str,
    *,
    changes: list[str],
    waitlist_position: int | None = None,
    note: str = "",
    earlier: EventTimes | None = None,
) -> RenderedMail:
    """The message of ``kind`` for ``registration``, in the registrant's language.

    ``waitlist_position``: the registrant's place on the waiting list when the caller
    knows it; otherwise a ``waitlisted`` message looks it up. ``note``: the organisers'
    words to the registrants (a change notice's note, a cancellation's reason).
    ``earlier``: the event's times before a change, shown beside the new ones.
    """
    event = registration.event
    language = mail_language(registration.locale)
    attachments = []
    page_url = event_page_url(registration)
    if _carries_calendar(registration, kind):
        attachment = calendar_attachment(
            event,
            personal=kind != "event_cancelled",
            page_url=page_url,
            method="CANCEL" if kind == "event_cancelled" and event.is_cancelled else "PUBLISH",
        )
        if attachment is not None:
            attachments.append(attachment)
    elif kind == "cancelled" and received_calendar_file(registration):
        attachment = calendar_attachment(event, personal=False, page_url=page_url, withdrawn=True)
        if attachment is not None:
            attachments.append(attachment)
    has_calendar = bool(attachments)
    checkin_code = checkin_code_attachment(registration) if kind in CHECKIN_CODE_KINDS else None
    if checkin_code is not None:
        attachments.append(checkin_code)
    if kind == "certificate":
        certificate = certificate_attachment(registration)
        if certificate is not None:
            attachments.append(certificate)
    with force_locale(language):
        context = _registration_context(registration, kind, changes, language, waitlist_position)
        context["event_url"] = page_url
        # Change and cancellation notices quote the note in their own words ("note");
        # the other messages show it with the shared partial ("organiser_note").
        if kind in ("event_changed", "event_cancelled"):
            context["note"] = (note or "").strip()
        else:
            context["organiser_note"] = (note or "").strip()
        if earlier is not None:
            context.update(_times_before_and_after(registration, earlier))
        subject = _subject(kind, **context.pop("subject_values"))
        text, html = _render_pair(
            kind,
            subject=subject,
            language=language,
            has_calendar=has_calendar,
            checkin_cid=checkin_code["content_id"] if checkin_code else None,
            **context,
        )
    from_address, reply_to = sender_of(event.host_partner)
    return RenderedMail(
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        reply_to=reply_to,
        from_address=from_address,
    )


class MessageNotRenderable(Exception):
    """A queued message that can no longer be written (its registration is gone)."""


def render_arguments(
    *,
    changes: list[str],
    waitlist_position: int | None,
    note: str,
    earlier: EventTimes | None,
) -> dict[str, Any]:
    """What ``render_registration_mail`` needs besides the registration, JSON-ready
    (``OutboxMessage.render_args``); only the arguments a message has are kept."""
    args: dict[str, Any] = {}
    if changes:
        args["changes"] = list(changes)
    if waitlist_position is not None:
        args["waitlist_position"] = waitlist_position
    if note:
        args["note"] = note
    if earlier is not None:
        args["earlier"] = earlier.as_json()
    return args


def render_pending_message(message: OutboxMessage) -> RenderedMail:
    """The text of a registrant's message queued as what to say (``render_args``).

    Written as the registration and the event are now, in the registrant's language,
    with the arguments stored when it was queued (the waiting-list place it was given,
    the event's earlier times). Raises ``MessageNotRenderable`` when the registration no
    longer exists or was erased: nothing may be written to, or about, an erased person.
    """
    registration = (
        db.session.get(Registration, message.registration_id)
        if message.registration_id is not None
        else None
    )
    if registration is None:
        raise MessageNotRenderable("the registration no longer exists")
    if registration.erased_at is not None:
        raise MessageNotRenderable("the registration was erased")
    args = message.render_args or {}
    earlier = args.get("earlier")
    return render_registration_mail(
        registration,
        message.kind,
        changes=[str(change) for change in args.get("changes", ())],
        waitlist_position=args.get("waitlist_position"),
        note=str(args.get("note", "")),
        earlier=EventTimes.from_json(earlier) if earlier else None,
    )


def rendered_values(rendered: RenderedMail) -> dict[str, Any]:
    """The ``OutboxMessage`` columns that keep a rendered message (the arguments go)."""
    values: dict[str, Any] = {
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
        "attachments": rendered.attachments,
        "reply_to": rendered.reply_to,
        "render_args": None,
    }
    if rendered.from_address:
        values["from_address"] = rendered.from_address
    return values


def render_organiser_notice(registration: Registration, *, name: str, locale: str) -> RenderedMail:
    """The "new registration" notice to one organiser (``name``) of the host partner."""
    event = registration.event
    language = mail_language(locale)
    with force_locale(language):
        title = event_title(event, language)
        context = {
            "recipient_name": name,
            "registration": registration,
            "event": event,
            "title": title,
            "when_event": _when_in_event_zone(event),
            "status_label": REGISTRATION_STATUS_LABELS.get(registration.status, ""),
            "stakeholder_label": STAKEHOLDER_LABELS.get(registration.stakeholder_type, ""),
            "region_name": registration.region.name if registration.region else "",
            "registrations_url": organiser_registrations_url(event),
            "host_name": event.host_partner.name,
            "event_url": external_url("public.event_detail", slug=event.slug),
        }
        subject = _subject("organiser_notice", title=title, name=_one_line(registration.name))
        text, html = _render_pair("organiser_notice", subject=subject, language=language, **context)
    from_address, _reply_to = sender_of(event.host_partner)
    return RenderedMail(
        subject=subject,
        text=text,
        html=html,
        # The organiser answers the registrant directly.
        reply_to=registration.email,
        from_address=from_address,
    )


def message_placeholder_values(registration: Registration) -> dict[str, str]:
    """What an organiser's message placeholders stand for in ``registration``'s copy:
    their name, their registration page, the event's time on their clock, in their
    language."""
    event = registration.event
    zone = _reader_zone(registration)
    with force_locale(mail_language(registration.locale)):
        when = event_when(event) if event.all_day else _when_in_zone(event, zone)
    return {
        "name": registration.name,
        "personal_link": external_url("registrations.manage", token=registration.token),
        "event_time": when,
    }


def render_organiser_message(
    registration: Registration, *, subject: str, body: str, text_language: str
) -> RenderedMail:
    """An organiser's message (``subject`` and ``body`` already filled in) to one
    registrant, in the layout of every message, the frame in the registrant's language.

    ``text_language`` is the language the organiser's text is written in (marked in the
    HTML, so screen readers read an untranslated text in its own language).
    """
    event = registration.event
    language = mail_language(registration.locale)
    with force_locale(language):
        subject = _one_line(subject)
        if len(subject) > SUBJECT_MAX_LENGTH:
            subject = subject[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
        text, html = _render_pair(
            "organiser_message",
            subject=subject,
            language=language,
            text_language=text_language,
            body=body,
            title=event_title(event, language),
            host_name=event.host_partner.name,
            event_url=event_page_url(registration),
            manage_url=external_url("registrations.manage", token=registration.token),
        )
    from_address, reply_to = sender_of(event.host_partner)
    return RenderedMail(
        subject=subject, text=text, html=html, reply_to=reply_to, from_address=from_address
    )


def event_page_url(registration: Registration) -> str:
    """Where the registrant reads about the event: its page, or for a partners-only
    meeting (no public page) the invitation page, else their registration page."""
    event = registration.event
    if not event.is_partners_only:
        return external_url("public.event_detail", slug=event.slug)
    # The invitation that made the registration (it may not be linked yet while the
    # "attend" answer is being stored): same meeting, same address.
    token = db.session.scalar(
        db.select(Invitation.token)
        .join(PartnerContact, PartnerContact.id == Invitation.contact_id)
        .where(
            Invitation.event_id == event.id,
            Invitation.revoked_at.is_(None),
            PartnerContact.email == registration.email,
            PartnerContact.removed_at.is_(None),
        )
        .limit(1)
    )
    if token:
        return external_url("invitations.invitation", token=token)
    return external_url("registrations.manage", token=registration.token)


def render_invitation_mail(invitation: Invitation, kind: str) -> RenderedMail:
    """An invitation, or its reminder, in the contact's language with the meeting's .ics."""
    event = invitation.event
    contact = invitation.contact
    language = mail_language(contact.locale)
    invitation_url = external_url("invitations.invitation", token=invitation.token)
    attachments = []
    with force_locale(language):
        attachment = calendar_attachment(event, personal=False, page_url=invitation_url)
        if attachment is not None:
            attachments.append(attachment)
        title = event_title(event, language)
        region = contact.partner.region
        when_contact = None
        if _differs_from_event_zone(event, region.timezone):
            when_contact = _when_in_zone(event, region.timezone)
        when_short = local_date_and_time(event.starts_at, region.timezone)
        subject = _subject(kind, title=title, when=when_short)
        text, html = _render_pair(
            kind,
            subject=subject,
            language=language,
            has_calendar=bool(attachments),
            recipient_name=contact.name,
            title=title,
            kind_label=KIND_LABELS.get(event.kind, ""),
            format_label=FORMAT_LABELS.get(event.format, ""),
            when_event=_when_in_event_zone(event),
            when_registrant=when_contact,
            region_name=region.name,
            place=(
                ", ".join(p for p in (event.venue, event.address) if p) if event.is_onsite else ""
            ),
            join_url="",
            join_link_later=event.is_online,
            host_name=event.host_partner.name,
            partner_name=contact.partner.name,
            event_url=invitation_url,
            invitation_url=invitation_url,
        )
    from_address, reply_to = sender_of(event.host_partner)
    return RenderedMail(
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        reply_to=reply_to,
        from_address=from_address,
    )


def organiser_registrations_url(event: Event) -> str:
    """Where organisers see the event's registrations, in their workspace."""
    return external_url("organiser.registrations.list", event_id=event.id)


def calendar_attachment(
    event: Event,
    *,
    personal: bool,
    page_url: str | None = None,
    method: str = "PUBLISH",
    withdrawn: bool = False,
) -> dict[str, Any] | None:
    """The event as an ``.ics`` attachment (the feeds' UID and SEQUENCE).

    ``method="CANCEL"`` (a cancelled event) and ``withdrawn=True`` (one registrant's
    cancellation, ``SEQUENCE`` one above the event's) make calendar apps remove the entry.
    """
    if withdrawn:
        method = "CANCEL"
    content = event_ics(
        event, personal=personal, method=method, page_url=page_url, withdrawn=withdrawn
    )
    return {
        "filename": f"{event.slug}.ics",
        "content_type": f"text/calendar; method={method}; charset=utf-8",
        "content": content.decode("utf-8"),
    }


def received_calendar_file(registration: Registration) -> bool:
    """Whether a message with the event's calendar file was queued for ``registration``
    (so a cancellation has an entry to remove from the registrant's calendar)."""
    return (
        db.session.scalar(
            db.select(OutboxMessage.id)
            .where(
                OutboxMessage.registration_id == registration.id,
                OutboxMessage.kind.in_(SEAT_CALENDAR_KINDS),
            )
            .limit(1)
        )
        is not None
    )


def checkin_code_attachment(registration: Registration) -> dict[str, Any] | None:
    """The check-in QR code as an inline image, if the registrant has one to show.

    Only the check-in URL is stored: the outbox worker draws the PNG when it sends the
    message, so registering (under the event's lock) does not pay for drawing it.
    """
    if not shows_checkin_code(registration):
        return None
    return {
        "filename": "check-in-code.png",
        "content_type": "image/png",
        "qr_code": checkin_url(registration),
        "content_id": f"checkin-{registration.id}@{site_domain()}",
    }


def certificate_attachment(registration: Registration) -> dict[str, Any] | None:
    """The registration's certificate of attendance as a PDF (issued if needed), if earned."""
    if not is_eligible(registration):
        return None
    certificate = issue(registration)
    return {
        "filename": f"certificate-{certificate.code}.pdf",
        "content_type": "application/pdf",
        "content": base64.b64encode(certificate_pdf(certificate)).decode("ascii"),
        "encoding": "base64",
    }


def event_title(event: Event, language: str) -> str:
    return _one_line(event.localized("title", language))


# --- helpers ------------------------------------------------------------------------------


def _registration_context(
    registration: Registration,
    kind: str,
    changes: list[str],
    language: str,
    known_position: int | None = None,
) -> dict[str, Any]:
    event = registration.event
    title = event_title(event, language)
    position = None
    if kind == "waitlisted":
        position = known_position or waitlist_position(registration)
    region = registration.region
    when_registrant = None
    if region is not None and _differs_from_event_zone(event, region.timezone):
        when_registrant = _when_in_zone(event, region.timezone)
    seat_held = (
        registration.is_confirmed
        and kind != "event_cancelled"
        and not registration.awaiting_email_confirmation
    )
    change_labels: list[str] = []
    for change in changes:
        label = str(CHANGE_LABELS.get(change, change))
        if label not in change_labels:
            change_labels.append(label)
    when_short = local_date_and_time(event.starts_at, _reader_zone(registration))
    programme, programme_more = [], 0
    if kind in PROGRAMME_KINDS and event.programme:
        items, programme_more = short_programme(event.programme)
        programme = [_programme_line(event, item, language) for item in items]
    materials = []
    if kind == "materials_available":
        materials = [m.title for m in visible_materials(event.materials, registration=registration)]
    return {
        "programme": programme,
        "programme_more": programme_more,
        "programme_url": external_url("programme.printable", slug=event.slug),
        "materials": materials,
        "recipient_name": registration.name,
        "registration": registration,
        "event": event,
        "title": title,
        "kind_label": KIND_LABELS.get(event.kind, ""),
        "format_label": FORMAT_LABELS.get(event.format, ""),
        "when_event": _when_in_event_zone(event),
        "when_registrant": when_registrant,
        "region_name": region.name if region else "",
        "place": ", ".join(p for p in (event.venue, event.address) if p) if event.is_onsite else "",
        "join_url": event.join_url if (seat_held and event.is_online) else "",
        "join_link_later": event.is_online and not seat_held and kind != "event_cancelled",
        "manage_url": external_url("registrations.manage", token=registration.token),
        "event_url": external_url("public.event_detail", slug=event.slug),
        "catalogue_url": external_url("public.catalogue"),
        "host_name": event.host_partner.name,
        "status_label": REGISTRATION_STATUS_LABELS.get(registration.status, ""),
        "position": position,
        "changes": change_labels,
        "reminder_hours": event.reminder_hours,
        "when_short": when_short,
        "confirm_by": (
            local_date_and_time(registration.email_confirm_by, _reader_zone(registration))
            if registration.email_confirm_by
            else ""
        ),
        "subject_values": {"title": title, "position": position or 0, "when": when_short},
    }


def _programme_line(event: Event, item, language: str) -> str:
    """``Tue 27 Oct 09:00–10:30 Title (place)`` on the event's clock."""
    start = local_short_datetime(item.starts_at, event.timezone)
    end = local_time(item.ends_at, event.timezone)
    if (
        utc_to_local(item.ends_at, event.timezone).date()
        != utc_to_local(item.starts_at, event.timezone).date()
    ):
        end = local_short_datetime(item.ends_at, event.timezone)
    title = _one_line(item.localized("title", language))
    place = f" ({_one_line(item.place)})" if item.place else ""
    return f"{start}–{end} {title}{place}"


def _times_before_and_after(registration: Registration, earlier: EventTimes) -> dict[str, str]:
    """The event's former and new times on the reader's clock, if the times changed."""
    now = EventTimes.of(registration.event)
    if now == earlier:
        return {}
    zone = _reader_zone(registration)

    def when(times: EventTimes) -> str:
        if times.all_day:
            return event_when(times)
        return _when_in_zone(times, zone)

    return {"when_before": when(earlier), "when_after": when(now)}


def _reader_zone(registration: Registration) -> str:
    region = registration.region
    return region.timezone if region is not None else registration.event.timezone


def _carries_calendar(registration: Registration, kind: str) -> bool:
    return kind in CALENDAR_KINDS and registration.is_confirmed


def _when_in_event_zone(event: Event) -> str:
    if event.all_day:
        return event_when(event)
    return f"{event_when(event)} ({timezone_label(event.timezone, event.starts_at)})"


def _differs_from_event_zone(event: Event, tz_name: str) -> bool:
    """Whether the event's clock times read differently in ``tz_name``."""
    if event.all_day or tz_name == event.timezone:
        return False
    return any(
        utc_to_local(instant, tz_name).replace(tzinfo=None)
        != utc_to_local(instant, event.timezone).replace(tzinfo=None)
        for instant in (event.starts_at, event.ends_at)
    )


def _when_in_zone(event: Event | EventTimes, tz_name: str) -> str:
    start = utc_to_local(event.starts_at, tz_name)
    end = utc_to_local(event.ends_at, tz_name)
    if start.date() == end.date():
        span = (
            f"{local_date_and_time(event.starts_at, tz_name)}–{local_time(event.ends_at, tz_name)}"
        )
    else:
        span = (
            f"{local_date_and_time(event.starts_at, tz_name)} – "
            f"{local_date_and_time(event.ends_at, tz_name)}"
        )
    return f"{span} ({timezone_label(tz_name, event.starts_at)})"


def _subject(kind: str, **values: Any) -> str:
    subject = _one_line(str(SUBJECTS[kind]) % values)
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return subject


def _render_pair(kind: str, **context: Any) -> tuple[str, str]:
    # Every message links the privacy notice (the layout's footer).
    context.setdefault("privacy_url", external_url("registrations.privacy"))
    env = current_app.jinja_env
    text = env.get_template(f"mail/{kind}.txt").render(**context)
    html = env.get_template(f"mail/{kind}.html").render(**context)
    return _tidy_text(text), html


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _one_line(value: str) -> str:
    """Header-safe: no line breaks, no runs of blanks."""
    return " ".join((value or "").split())


# --- polls that find a time --------------------------------------------------------------

POLL_SUBJECTS = {
    "poll_invitation": _l("When can you meet? %(title)s"),
    "poll_reminder": _l("Reminder: when can you meet? %(title)s"),
    "poll_decided": _l("Time chosen: %(title)s, %(when)s"),
}


def render_poll_mail(invitee: PollInvitee, kind: str) -> RenderedMail:
    """A poll's invitation, reminder or outcome for ``invitee``, in their language.

    Times are shown in the invitee's zone; the outcome carries the event's calendar
    file (with the join link: invitees take part in the meeting).
    """
    poll = invitee.poll
    language = mail_language(invitee.locale)
    tz_name = invitee.timezone
    attachments: list[dict[str, Any]] = []
    with force_locale(language):
        chosen = poll.chosen_slot
        event = poll.event
        if kind == "poll_decided" and event is not None:
            attachment = calendar_attachment(event, personal=True)
            if attachment is not None:
                attachments.append(attachment)
        slots = [
            _slot_when(slot.starts_at, slot.ends_at, tz_name)
            for slot in poll.slots
            if slot.status != "released"
        ]
        when_chosen = _slot_when(chosen.starts_at, chosen.ends_at, tz_name) if chosen else ""
        context = {
            "recipient_name": invitee.name,
            "title": _one_line(poll.title),
            "description": poll.description,
            "host_name": poll.partner.name,
            "poll_url": external_url("polls.answer", token=invitee.token),
            "deadline": local_date_and_time(poll.deadline_at, tz_name),
            "zone": timezone_label(tz_name, poll.deadline_at),
            "slots": slots,
            "when_chosen": when_chosen,
            "answered": invitee.has_answered,
            "join_url": event.join_url if event is not None and event.is_online else "",
            "has_calendar": bool(attachments),
        }
        subject = _one_line(
            str(POLL_SUBJECTS[kind]) % {"title": context["title"], "when": when_chosen}
        )
        if len(subject) > SUBJECT_MAX_LENGTH:
            subject = subject[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
        text, html = _render_pair(kind, subject=subject, language=language, **context)
    from_address, reply_to = sender_of(poll.partner)
    return RenderedMail(
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        reply_to=reply_to,
        from_address=from_address,
    )


def _slot_when(starts_at, ends_at, tz_name: str) -> str:
    """A slot on the wall clock of ``tz_name``: ``2 December 2026, 10:00–11:00 (CET, UTC+01:00)``."""
    start = utc_to_local(starts_at, tz_name)
    end = utc_to_local(ends_at, tz_name)
    if start.date() == end.date():
        span = f"{local_date_and_time(starts_at, tz_name)}–{local_time(ends_at, tz_name)}"
    else:
        span = (
            f"{local_date_and_time(starts_at, tz_name)} – {local_date_and_time(ends_at, tz_name)}"
        )
    return f"{span} ({timezone_label(tz_name, starts_at)})"
