"""Finding a time: proposing slots, taking answers, ranking slots and choosing one.

Plain functions with explicit arguments; they never read the request and never commit.
Every e-mail a change causes is queued in the outbox in the same transaction.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db
from webapp.invitations import services as invitations
from webapp.mail.queue import queue_poll_mail
from webapp.models import (
    EVENT_KINDS,
    POLL_ANSWERS,
    Event,
    OutboxMessage,
    Partner,
    PartnerContact,
    Poll,
    PollAnswer,
    PollInvitee,
    PollSlot,
    Region,
    User,
)
from webapp.organiser import event_data, event_languages
from webapp.organiser import services as scheduling
from webapp.registrations.rules import InvalidEmail, is_well_formed_token, normalise_email
from webapp.timezones import is_valid_timezone, utc_to_local, utcnow
from webapp.user_errors import UserError

MAX_SLOTS = 30
MAX_INVITEES = 200
COMMENT_MAX_LENGTH = 500
# Public-holiday calendars of regions that are not a whole country's: the country's
# calendar with a subdivision's own days (Burgos lies in Castilla y León).
HOLIDAY_SUBDIVISIONS = {"ES": "CL"}


class PollError(UserError):
    """A rule said no; ``str(error)`` is a translated message for the reader.

    ``field`` names the form field it belongs next to (``slots-2`` for the third slot).
    """


class PollClosed(PollError):
    """Answers are no longer taken."""


@dataclass
class PollData:
    """Validated values of the poll form; times are aware UTC."""

    title: str
    kind: str
    timezone: str
    duration_minutes: int
    deadline_at: datetime
    partner: Partner
    starts: list[datetime]
    description: str = ""
    remind_at: datetime | None = None
    working_hours: tuple[int, int] = (9 * 60, 17 * 60)
    event: Event | None = None


# --- working hours, weekends and public holidays per region ------------------------------


@dataclass(frozen=True)
class RegionSlot:
    """One slot on one region's wall clock, with what makes it a poor time there."""

    region: Region
    start: datetime
    end: datetime
    outside_hours: bool
    weekend: bool
    holiday: str  # the public holiday's name, or ""

    @property
    def is_good(self) -> bool:
        return not (self.outside_hours or self.weekend or self.holiday)


@lru_cache(maxsize=64)
def _holiday_calendar(code: str, year: int, language: str | None) -> holidays.HolidayBase | None:
    """The region's public holidays of ``year``, named in ``language`` where the calendar
    has it, else in the country's own language (never the server's ``LANG``)."""
    subdiv = HOLIDAY_SUBDIVISIONS.get(code)
    try:
        calendar_class = holidays.country_holidays(code, subdiv=subdiv, years=[]).__class__
    except NotImplementedError:  # a region whose code is not a country's
        return None
    supported = calendar_class.supported_languages
    wanted = [
        lang
        for lang in supported
        if language and (lang == language or lang.split("_")[0] == language)
    ]
    if wanted:
        chosen = wanted[0]
    elif language == "en" and "en_US" in supported:
        chosen = "en_US"
    else:
        chosen = calendar_class.default_language
    return holidays.country_holidays(code, subdiv=subdiv, years=year, language=chosen)


def public_holiday(region: Region, day: date, language: str | None = None) -> str:
    """The name of the public holiday on ``day`` in ``region`` ("" when none or unknown)."""
    calendar = _holiday_calendar(region.code.upper(), day.year, language)
    if calendar is None:
        return ""
    return calendar.get(day) or ""


def weekend_days(region: Region) -> frozenset[int]:
    """The region's weekend as ``date.weekday()`` numbers (Saturday and Sunday by default)."""
    calendar = _holiday_calendar(region.code.upper(), utcnow().year, None)
    return frozenset(calendar.weekend) if calendar is not None else frozenset({5, 6})


def region_slot(
    starts_at: datetime,
    ends_at: datetime,
    region: Region,
    working_hours: tuple[int, int],
    language: str | None = None,
) -> RegionSlot:
    start = utc_to_local(starts_at, region.timezone)
    end = utc_to_local(ends_at, region.timezone)
    first, last = working_hours
    start_minute = start.hour * 60 + start.minute
    # A slot ending at local midnight ends at minute 1440 of its day.
    end_minute = end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60
    outside = start_minute < first or end_minute > last or end.date() > start.date() + timedelta(1)
    days = [start.date()] if end.date() == start.date() else [start.date(), end.date()]
    weekend = weekend_days(region)
    holiday = next((name for d in days if (name := public_holiday(region, d, language))), "")
    return RegionSlot(
        region=region,
        start=start,
        end=end,
        outside_hours=outside,
        weekend=any(d.weekday() in weekend for d in days),
        holiday=holiday,
    )


def region_slots(
    slot: PollSlot, regions: Sequence[Region], working_hours: tuple[int, int], language=None
) -> list[RegionSlot]:
    """``slot`` on the wall clock of each region, with its flags."""
    return [region_slot(slot.starts_at, slot.ends_at, r, working_hours, language) for r in regions]


def working_hours_of(poll: Poll) -> tuple[int, int]:
    return poll.working_hours_start, poll.working_hours_end


# --- creating a poll ---------------------------------------------------------------------


def check_poll_data(data: PollData, now: datetime) -> None:
    """Refuse slots in the past, twice or overlapping, and a deadline after the first slot."""
    if data.kind not in EVENT_KINDS:
        raise PollError(_("Choose what kind of event this is."), "kind")
    if not is_valid_timezone(data.timezone):
        raise PollError(_("Choose a time zone from the list."), "timezone")
    if not 15 <= data.duration_minutes <= 24 * 60:
        raise PollError(_("A meeting lasts between 15 minutes and 24 hours."), "duration_minutes")
    first, last = data.working_hours
    if not 0 <= first < last <= 24 * 60:
        raise PollError(_("Working hours must end after they start."), "working_hours_end")
    if not data.starts:
        raise PollError(_("Propose at least one time."), "slots")
    if len(data.starts) > MAX_SLOTS:
        raise PollError(_("Propose at most %(max)d times.", max=MAX_SLOTS), "slots")
    duration = timedelta(minutes=data.duration_minutes)
    seen: dict[datetime, int] = {}
    for index, start in enumerate(data.starts):
        if start <= now:
            raise PollError(_("This time has already passed."), f"slots-{index}")
        if start in seen:
            raise PollError(
                _("This time is proposed twice (see time %(n)d).", n=seen[start] + 1),
                f"slots-{index}",
            )
        seen[start] = index
    ordered = sorted(range(len(data.starts)), key=lambda i: data.starts[i])
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if data.starts[later] < data.starts[earlier] + duration:
            raise PollError(
                _(
                    "This time overlaps time %(n)d: a meeting starting then has not "
                    "ended yet (it lasts %(minutes)d min).",
                    n=earlier + 1,
                    minutes=data.duration_minutes,
                ),
                f"slots-{later}",
            )
    if data.deadline_at <= now:
        raise PollError(_("The deadline has already passed."), "deadline_local")
    if data.deadline_at > min(data.starts):
        raise PollError(
            _("The deadline must come before the first proposed time."), "deadline_local"
        )
    if data.remind_at is not None:
        if data.remind_at <= now:
            raise PollError(_("The reminder time has already passed."), "remind_local")
        if data.remind_at >= data.deadline_at:
            raise PollError(_("The reminder must go out before the deadline."), "remind_local")


def create_poll(data: PollData, *, actor: User | None, now: datetime | None = None) -> Poll:
    """A new open poll with one slot per proposed start (flushed, not committed)."""
    check_poll_data(data, now or utcnow())
    duration = timedelta(minutes=data.duration_minutes)
    poll = Poll(
        title=data.title,
        description=data.description,
        kind=data.kind,
        timezone=data.timezone,
        duration_minutes=data.duration_minutes,
        working_hours_start=data.working_hours[0],
        working_hours_end=data.working_hours[1],
        partner=data.partner,
        created_by=actor,
        event=data.event,
        status="open",
        deadline_at=data.deadline_at,
        remind_at=data.remind_at,
    )
    for start in sorted(data.starts):
        poll.slots.append(PollSlot(starts_at=start, ends_at=start + duration))
    db.session.add(poll)
    db.session.flush()
    return poll


# --- invitees ----------------------------------------------------------------------------


def add_invitee(
    poll: Poll,
    *,
    name: str,
    email: str,
    locale: str,
    partner: Partner | None,
    contact: PartnerContact | None = None,
    now: datetime | None = None,
) -> PollInvitee:
    """Invite one person and queue their personal link (flushed, not committed).

    ``contact``: the partner contact the person is (see ``add_partner_contacts``).
    """
    if not poll.is_open(now):
        raise PollError(_("This poll is closed: nobody can be invited any more."))
    try:
        address = normalise_email(email)
    except InvalidEmail as exc:
        raise PollError(exc.message, "email") from exc
    name = " ".join((name or "").split())
    if not name:
        raise PollError(_("Enter the person's name."), "name")
    if any(i.email == address for i in poll.invitees):
        raise PollError(_("%(email)s is already invited.", email=address), "email")
    if len(poll.invitees) >= MAX_INVITEES:
        raise PollError(_("A poll can have at most %(max)d invitees.", max=MAX_INVITEES))
    invitee = PollInvitee(
        name=name[:200],
        email=address,
        locale=locale,
        partner=partner,
        contact=contact,
        timezone=partner.region.timezone if partner is not None else poll.timezone,
    )
    poll.invitees.append(invitee)
    db.session.flush()
    queue_poll_mail(invitee, "poll_invitation")
    return invitee


def add_partner_organisers(poll: Poll, partner: Partner, now: datetime | None = None) -> int:
    """Invite every active organiser of ``partner`` not invited yet; returns how many."""
    invited = {i.email for i in poll.invitees}
    users = db.session.scalars(
        db.select(User)
        .where(User.partner_id == partner.id, User.is_active.is_(True))
        .order_by(User.name, User.id)
    )
    added = 0
    for user in users:
        if user.email.casefold() in invited:
            continue
        add_invitee(
            poll,
            name=user.name,
            email=user.email,
            locale=user.locale or partner.region.locale,
            partner=partner,
            now=now,
        )
        added += 1
    return added


def add_partner_contacts(
    poll: Poll, contacts: Iterable[PartnerContact], now: datetime | None = None
) -> tuple[int, int]:
    """Invite each active contact not invited yet (same address); name, address,
    language and partner come from the contact. Returns (invited, already invited)."""
    contacts = [c for c in contacts if c.is_active]
    if not contacts:
        raise PollError(_("Choose at least one partner or person to invite."), "contacts")
    invited = {i.email for i in poll.invitees}
    added = already = 0
    for contact in contacts:
        if contact.email in invited:
            already += 1
            continue
        add_invitee(
            poll,
            name=contact.name,
            email=contact.email,
            locale=contact.locale,
            partner=contact.partner,
            contact=contact,
            now=now,
        )
        invited.add(contact.email)
        added += 1
    return added, already


def find_invitee(token: str) -> PollInvitee | None:
    """The invitee whose personal link carries ``token``, or ``None`` (also when the
    partner contact they were invited as has been removed)."""
    if not is_well_formed_token(token):
        return None
    invitee = db.session.scalar(db.select(PollInvitee).where(PollInvitee.token == token))
    if invitee is None or not hmac.compare_digest(invitee.token.encode(), token.encode()):
        return None
    if not invitee.is_valid:
        return None
    return invitee


def set_invitee_timezone(invitee: PollInvitee, tz_name: str) -> None:
    if not is_valid_timezone(tz_name):
        raise PollError(_("Choose a time zone from the list."), "timezone")
    invitee.timezone = tz_name


# --- answers -----------------------------------------------------------------------------


@dataclass
class AnswerData:
    answer: str | None  # None: leave this slot unanswered
    comment: str = ""


def save_answers(
    invitee: PollInvitee, answers: Mapping[int, AnswerData], now: datetime | None = None
) -> int:
    """Store ``invitee``'s answers (slot id → answer); returns how many slots are answered.

    Answers may change until the poll closes; a slot left empty keeps no answer.
    """
    now = now or utcnow()
    poll = invitee.poll
    if not poll.is_open(now):
        raise PollClosed(_("This poll is closed: answers can no longer be changed."))
    slots = {s.id: s for s in poll.slots}
    unknown = set(answers) - set(slots)
    if unknown:
        raise PollError(_("One of the times does not belong to this poll."))
    chosen = {sid: a for sid, a in answers.items() if a.answer}
    if not chosen:
        raise PollError(_("Choose yes, if need be or no for at least one time."))
    for data in chosen.values():
        if data.answer not in POLL_ANSWERS:
            raise PollError(_("Choose yes, if need be or no."))
        if len(data.comment or "") > COMMENT_MAX_LENGTH:
            raise PollError(_("A comment has at most %(max)d characters.", max=COMMENT_MAX_LENGTH))
    existing = {a.slot_id: a for a in invitee.answers}
    for slot_id in slots:
        data = answers.get(slot_id)
        current = existing.get(slot_id)
        if data is None or not data.answer:
            if current is not None and data is not None:
                invitee.answers.remove(current)
                db.session.delete(current)
            continue
        comment = " ".join((data.comment or "").split())
        if current is None:
            invitee.answers.append(PollAnswer(slot_id=slot_id, answer=data.answer, comment=comment))
        elif (current.answer, current.comment) != (data.answer, comment):
            current.answer, current.comment = data.answer, comment
    invitee.answered_at = now
    db.session.flush()
    return len(chosen)


# --- ranking -----------------------------------------------------------------------------


@dataclass
class RegionTotals:
    yes: int = 0
    if_need_be: int = 0
    no: int = 0
    invited: int = 0

    @property
    def available(self) -> int:
        return self.yes + self.if_need_be


@dataclass
class SlotSummary:
    slot: PollSlot
    yes: int = 0
    if_need_be: int = 0
    no: int = 0
    unanswered: int = 0
    by_region: dict[str, RegionTotals] = field(default_factory=dict)

    @property
    def regions_represented(self) -> int:
        """Regions (of invitees with a partner) where someone can come."""
        return sum(1 for code, t in self.by_region.items() if code and t.available)

    @property
    def regions_invited(self) -> int:
        return sum(1 for code in self.by_region if code)

    @property
    def every_region_represented(self) -> bool:
        return self.regions_invited > 0 and self.regions_represented == self.regions_invited

    @property
    def rank_key(self) -> tuple[Any, ...]:
        return (-self.yes, -self.if_need_be, -self.regions_represented, self.slot.starts_at)


def answer_matrix(poll: Poll) -> dict[tuple[int, int], PollAnswer]:
    """(invitee id, slot id) → answer."""
    return {(a.invitee_id, a.slot_id): a for i in poll.invitees for a in i.answers}


def slot_summaries(poll: Poll) -> list[SlotSummary]:
    """Totals per slot and per region, the best slots first.

    Best: most yes, then most if-need-be, then most regions represented (someone of the
    region answered yes or if need be), then the earlier time.
    """
    matrix = answer_matrix(poll)
    summaries = []
    for slot in poll.slots:
        summary = SlotSummary(slot)
        for invitee in poll.invitees:
            code = invitee.region.code if invitee.region is not None else ""
            totals = summary.by_region.setdefault(code, RegionTotals())
            totals.invited += 1
            answer = matrix.get((invitee.id, slot.id))
            if answer is None:
                summary.unanswered += 1
                continue
            setattr(summary, answer.answer, getattr(summary, answer.answer) + 1)
            setattr(totals, answer.answer, getattr(totals, answer.answer) + 1)
        summaries.append(summary)
    return sorted(summaries, key=lambda s: s.rank_key)


# --- choosing a slot ---------------------------------------------------------------------


def _event_data_for(poll: Poll, slot: PollSlot, actor: User) -> event_data.EventData:
    regions = {poll.partner.region.id: poll.partner.region}
    for invitee in poll.invitees:
        if invitee.region is not None:
            regions[invitee.region.id] = invitee.region
    event = poll.event
    if event is None:
        return event_data.EventData(
            kind=poll.kind,
            title=poll.title,
            description=poll.description,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            timezone=poll.timezone,
            host_partner=poll.partner,
            regions=sorted(regions.values(), key=lambda r: r.code),
            format="online",
            online_url=event_data.jitsi_room_url(),
            visibility="partners",
            status="published",
            language=event_languages.default_event_language(
                actor.locale, poll.partner.region.locale
            ),
        )
    values = {name: getattr(event, name) for name in event_data.EDITABLE_FIELDS}
    values.update(
        kind=poll.kind,
        title=poll.title,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone=poll.timezone,
        all_day=False,
        translations=dict(event.translations or {}),
    )
    return event_data.EventData(
        **values,
        host_partner=event.host_partner,
        regions=list(event.regions),
        status=event.status if event.status != "cancelled" else "published",
    )


def lock_poll(poll: Poll) -> None:
    """Hold the poll's row until the end of the transaction and re-read its status.

    Two organisers choosing at the same moment: the second waits here, then finds the
    poll decided. PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: a no-op ``UPDATE``, which
    takes the database's write lock at once.
    """
    db.session.flush()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE polls SET status = status WHERE id = :id"), {"id": poll.id})
        status = db.session.scalar(db.select(Poll.status).where(Poll.id == poll.id))
    else:
        status = db.session.scalar(
            db.select(Poll.status).where(Poll.id == poll.id).with_for_update()
        )
    set_committed_value(poll, "status", status)


def choose_slot(poll: Poll, slot: PollSlot, *, actor: User, now: datetime | None = None) -> Event:
    """Schedule ``poll``'s event at ``slot``, release the other slots and tell everyone.

    The event is created (online, partners only, with a Jitsi room) or, when the poll
    belongs to an existing event, moved to the slot (its registrants are told as on any
    change). When the event is a partners-only meeting that takes invitations, each
    invitee who is a partner contact gets the meeting's invitation instead of the outcome
    (one message: the personal invitation link and the calendar file); a contact already
    invited to it, and everyone else, gets the outcome with the event's calendar file.
    """
    now = now or utcnow()
    lock_poll(poll)
    if poll.status == "decided":
        raise PollError(_("A time has already been chosen for this poll."))
    if slot.poll_id != poll.id:
        raise PollError(_("That time does not belong to this poll."))
    if slot.starts_at <= now:
        raise PollError(_("That time has already passed; choose a later one."))
    data = _event_data_for(poll, slot, actor)
    try:
        if poll.event is None:
            event = scheduling.create_event(data, actor=actor)
            poll.event = event
        else:
            event = poll.event
            scheduling.update_event(event, data, actor=actor)
    except event_data.SchedulingError as error:
        raise PollError(str(error)) from error
    for other in poll.slots:
        other.status = "chosen" if other.id == slot.id else "released"
    poll.status = "decided"
    poll.decided_at = now
    db.session.flush()
    invited_ids = _invite_contacts_to(event, poll, actor=actor, now=now)
    for invitee in poll.invitees:
        if invitee.id in invited_ids or not invitee.is_valid:
            continue
        queue_poll_mail(invitee, "poll_decided", dedupe_key=f"poll_decided:{invitee.id}")
    return event


def _invite_contacts_to(event: Event, poll: Poll, *, actor: User, now: datetime) -> set[int]:
    """Invite the poll's contact invitees to ``event`` through the invitation service;
    returns the ids of the invitees whose invitation e-mail was queued."""
    if invitations.invitable_error(event, now) is not None:
        return set()
    by_contact = {
        i.contact_id: i for i in poll.invitees if i.contact is not None and i.contact.is_active
    }
    if not by_contact:
        return set()
    contacts = [i.contact for i in by_contact.values()]
    report = invitations.invite([event], contacts, actor=actor, now=now)
    return {by_contact[inv.contact_id].id for inv in report.invited}


def close_poll(poll: Poll) -> None:
    """Stop taking answers now (the organisers may still choose a time)."""
    if poll.status != "open":
        raise PollError(_("This poll is already closed."))
    poll.status = "closed"


# --- reminders and deadlines (``flask polls remind``) ------------------------------------


def reminder_key(invitee: PollInvitee) -> str:
    return f"poll_reminder:{invitee.id}"


def close_expired_polls(now: datetime) -> int:
    """Mark open polls whose deadline has passed as closed; returns how many."""
    polls = db.session.scalars(
        db.select(Poll).where(Poll.status == "open", Poll.deadline_at <= now)
    ).all()
    for poll in polls:
        poll.status = "closed"
    return len(polls)


def queue_due_poll_reminders(now: datetime) -> int:
    """Queue the one reminder to each invitee who has not answered an open poll whose
    reminder time has come (flushed, not committed); returns how many were queued."""
    invitees = db.session.scalars(
        db.select(PollInvitee)
        .join(Poll)
        .where(
            Poll.status == "open",
            Poll.remind_at.is_not(None),
            Poll.remind_at <= now,
            Poll.deadline_at > now,
            PollInvitee.answered_at.is_(None),
            PollInvitee.reminded_at.is_(None),
        )
        .order_by(PollInvitee.id)
    ).all()
    keys = [reminder_key(i) for i in invitees]
    already = (
        set(
            db.session.scalars(
                db.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
            )
        )
        if keys
        else set()
    )
    queued = 0
    for invitee in invitees:
        invitee.reminded_at = now
        if reminder_key(invitee) in already:
            continue
        queue_poll_mail(invitee, "poll_reminder", dedupe_key=reminder_key(invitee))
        queued += 1
    return queued


def polls_visible_to(user: User) -> Iterable[Poll]:
    """Polls ``user`` manages: every poll for an administrator, else their partner's."""
    stmt = db.select(Poll).order_by(Poll.deadline_at.desc(), Poll.id.desc()).limit(200)
    if not user.is_admin:
        stmt = stmt.where(Poll.partner_id == (user.partner_id or -1))
    return db.session.scalars(stmt)
