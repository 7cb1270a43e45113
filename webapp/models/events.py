"""Events (partner meetings, study visits, webinars) and their registration questions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model, db
from webapp.input_hygiene import is_clean_link
from webapp.language_codes import base_language
from webapp.models.checks import one_of
from webapp.models.regions import Partner, Region
from webapp.timezones import UTCDateTime, utcnow, zone

if TYPE_CHECKING:
    from webapp.models.programme import Material, ProgrammeItem
    from webapp.models.registrations import Registration
    from webapp.models.reporting import PlanAction

EVENT_KINDS = ("partner_meeting", "study_visit", "webinar")
EVENT_FORMATS = ("online", "onsite", "hybrid")
# public: listed everywhere; unlisted: reachable by its link only; partners: invited
# partner contacts only (``Invitation``).
EVENT_VISIBILITIES = ("public", "unlisted", "partners")
EVENT_STATUSES = ("draft", "published", "cancelled")
QUESTION_KINDS = (
    "short_text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "yes_no",
    "date",
    # Study-visit logistics: asked with the site's own wording, in each registrant's language.
    "arrival_date",
    "departure_date",
    "dietary_needs",
    "accommodation",
)
# Questions whose label and answers the site words itself (translated for every reader).
LOGISTICS_QUESTION_KINDS = ("arrival_date", "departure_date", "dietary_needs", "accommodation")
ACCOMMODATION_ANSWERS = ("book_for_me", "own", "none")
# Event texts organisers may give in more than one language (``Event.translations``).
TRANSLATABLE_FIELDS = ("title", "summary", "description")


event_regions = Table(
    "event_regions",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_event_regions_region_id", "region_id"),
)


def text_language(texts: Any, field: str, locale: str | None) -> str:
    """The language in which ``localized_text(texts, field, locale)`` is written.

    ``texts`` is an ``Event`` or any row with its ``language``, ``translations`` and
    ``field`` (the feeds read only the columns they need).
    """
    if field not in TRANSLATABLE_FIELDS:
        raise ValueError(f"{field!r} is not a translatable event field")
    language = base_language(locale)
    translated = (texts.translations or {}).get(language)
    if language and isinstance(translated, dict):
        text = translated.get(field)
        if isinstance(text, str) and text.strip():
            return language
    return texts.language or "en"


def localized_text(texts: Any, field: str, locale: str | None) -> str:
    """``field`` of ``texts`` in ``locale`` when the organisers gave it, else the original."""
    language = text_language(texts, field, locale)
    if language != (texts.language or "en"):
        return texts.translations[language][field]
    return getattr(texts, field) or ""


class EventSeries(Model):
    """Events created together on a rule or a list of dates (e.g. monthly meetings).

    Each member stays an event of its own, with its own registrations, attendance and
    calendar entry; the series only links them so organisers can move between them,
    change all later dates at once and invite to all of them.
    """

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # How the dates were chosen, for people: an RFC 5545 RRULE or "dates".
    rule: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(
        back_populates="series", order_by="[Event.starts_at, Event.id]"
    )

    def __repr__(self) -> str:
        return f"<EventSeries {self.id}>"


class Event(Model):
    __tablename__ = "events"
    if TYPE_CHECKING:
        # The action-plan actions the event serves (PlanAction.events' backref).
        actions: list[PlanAction]
    __table_args__ = (
        CheckConstraint(one_of("kind", EVENT_KINDS), name="kind"),
        CheckConstraint(one_of("format", EVENT_FORMATS), name="format"),
        CheckConstraint(one_of("visibility", EVENT_VISIBILITIES), name="visibility"),
        CheckConstraint(one_of("status", EVENT_STATUSES), name="status"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(
            "reminder_hours IS NULL OR reminder_hours BETWEEN 1 AND 720", name="reminder_hours"
        ),
        Index("ix_events_catalogue", "status", "visibility", "starts_at"),
        Index("ix_events_ends_at", "ends_at"),
        # The calendar feeds' validator reads max(updated_at) on every request.
        Index("ix_events_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    all_day: Mapped[bool] = mapped_column(default=False)
    format: Mapped[str] = mapped_column(String(10), default="online")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    sequence: Mapped[int] = mapped_column(default=0)
    # Hours before the start at which confirmed registrants get a reminder; null = none.
    # No column default: a default would turn "no reminder" (None) into one on insert.
    # The organiser form proposes 24 hours for a new event.
    reminder_hours: Mapped[int | None]
    # Whether the host partner's organisers get an e-mail for each new registration.
    notify_organisers: Mapped[bool] = mapped_column(default=False)
    # Double opt-in: a registrant's seat (or waiting-list place) is held only until
    # ``Registration.email_confirm_by`` unless they confirm their e-mail address.
    requires_email_confirmation: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Language the title, summary and description are written in (an ISO 639-1 code).
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    # Title, summary and description in other languages: {"hu": {"title": ...}, ...}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Practical notes for on-site events (study visits above all), in the event's language.
    meeting_point: Mapped[str] = mapped_column(String(300), default="", server_default="")
    travel_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    accommodation_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When "materials are available" went out (it is sent once per event).
    materials_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host_partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    host_partner: Mapped[Partner] = relationship()
    series: Mapped[EventSeries | None] = relationship(back_populates="events")
    regions: Mapped[list[Region]] = relationship(
        secondary=event_regions, back_populates="events", order_by=Region.code
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="event", order_by="Question.position", cascade="all, delete-orphan"
    )
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", passive_deletes=True
    )
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="event",
        order_by="(ProgrammeItem.starts_at, ProgrammeItem.ends_at, ProgrammeItem.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    materials: Mapped[list[Material]] = relationship(
        back_populates="event",
        order_by="Material.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_public(self) -> bool:
        """Whether it is listed: catalogue, region pages, public feeds, API, search."""
        return self.visibility == "public" and self.status != "draft"

    @property
    def is_reachable_by_link(self) -> bool:
        """Whether anyone with its address may see it and register (public or unlisted)."""
        return self.visibility in ("public", "unlisted") and self.status != "draft"

    @property
    def is_partners_only(self) -> bool:
        return self.visibility == "partners"

    def is_over(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())

    @property
    def is_online(self) -> bool:
        return self.format in ("online", "hybrid")

    @property
    def join_url(self) -> str:
        """The join link, or "" when the stored one is not a usable link.

        The event form refuses links with whitespace or control characters; one stored
        before that check is left in place for the organiser to correct (their event
        page says so) and is never put into a page, an e-mail or a calendar file.
        """
        return self.online_url if is_clean_link(self.online_url) else ""

    @property
    def has_unusable_join_link(self) -> bool:
        return bool(self.online_url) and not self.join_url

    @property
    def is_onsite(self) -> bool:
        return self.format in ("onsite", "hybrid")

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(zone(self.timezone))

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(zone(self.timezone))

    @property
    def days(self) -> list[date]:
        """The local calendar days the event runs on (attendance is taken per day)."""
        first = self.local_starts_at.date()
        end = self.local_ends_at
        last = end.date()
        # An event ending exactly at midnight does not run on the day it ends.
        if last > first and end.time() == datetime.min.time():
            last -= timedelta(days=1)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def text_language(self, field: str, locale: str | None) -> str:
        """The language ``localized(field, locale)`` is written in."""
        return text_language(self, field, locale)

    def localized(self, field: str, locale: str | None) -> str:
        """``field`` (title, summary, description) in ``locale`` if given, else the original."""
        return localized_text(self, field, locale)

    @property
    def region_codes(self) -> list[str]:
        return [r.code for r in self.regions]

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Question(Model):
    """A custom registration question of one event."""

    __tablename__ = "questions"
    __table_args__ = (CheckConstraint(one_of("kind", QUESTION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="short_text")
    required: Mapped[bool] = mapped_column(default=False)
    # The options' texts in the original language. An answer stores an option's key
    # (``option_key``: its place in this list, from 1), never its text, so answers given
    # in any language read and count the same. Once a question has answers its options
    # may only grow at the end, so a key always names the same option.
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    help_text: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # {language: {"label": ..., "help_text": ..., "options": [...]}}; anything missing
    # falls back to the original.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    event: Mapped[Event] = relationship(back_populates="questions")

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"

    @staticmethod
    def option_key(index: int) -> str:
        """The stored answer for the option at ``index`` (from 0) of ``options``."""
        return str(index + 1)

    def _translated(self, language: str | None) -> dict[str, Any]:
        language = base_language(language)
        translated = (self.translations or {}).get(language)
        return translated if isinstance(translated, dict) else {}

    def localized_label(self, language: str | None) -> str:
        text = self._translated(language).get("label")
        return text if isinstance(text, str) and text.strip() else self.label

    def localized_help(self, language: str | None) -> str:
        text = self._translated(language).get("help_text")
        return text if isinstance(text, str) and text.strip() else (self.help_text or "")

    def localized_choices(self, language: str | None) -> list[tuple[str, str]]:
        """``(key, text)`` for each option, in ``language`` where translated."""
        translated = self._translated(language).get("options")
        translated = translated if isinstance(translated, list) else []
        choices = []
        for index, original in enumerate(self.options or []):
            text = translated[index] if index < len(translated) else ""
            text = text if isinstance(text, str) and text.strip() else original
            choices.append((self.option_key(index), str(text)))
        return choices

    def option_text(self, key: Any, language: str | None = None) -> str | None:
        """The text of the option stored as ``key``; None when no option has that key."""
        return dict(self.localized_choices(language)).get(str(key))

    @property
    def has_choices(self) -> bool:
        return self.kind in ("single_choice", "multiple_choice")

    @property
    def is_logistics(self) -> bool:
        return self.kind in LOGISTICS_QUESTION_KINDS
