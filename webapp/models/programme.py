"""An event's programme (items with times, places and speakers) and its materials."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model, db
from webapp.models.checks import one_of
from webapp.models.events import Event, localized_text, text_language
from webapp.timezones import UTCDateTime, utcnow, zone

PROGRAMME_KINDS = ("session", "talk", "break", "site_visit", "travel", "meal")
MATERIAL_AUDIENCES = ("everyone", "registrants", "attendees", "organisers")
# Programme item texts organisers may give in more than one language.
ITEM_TRANSLATED_FIELDS = ("title", "description")
OSM_SEARCH = "https://www.openstreetmap.org/search?query="

programme_item_speakers = Table(
    "programme_item_speakers",
    db.metadata,
    Column("item_id", ForeignKey("programme_items.id", ondelete="CASCADE"), primary_key=True),
    Column("speaker_id", ForeignKey("speakers.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_programme_item_speakers_speaker_id", "speaker_id"),
)


class Speaker(Model):
    """A speaker, kept once and picked for any number of programme items."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[ProgrammeItem]] = relationship(
        secondary=programme_item_speakers, back_populates="speakers"
    )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    def __repr__(self) -> str:
        return f"<Speaker {self.id} {self.name}>"


class ProgrammeItem(Model):
    """One entry of an event's programme: a session, talk, break, site visit, travel or meal."""

    __tablename__ = "programme_items"
    __table_args__ = (
        CheckConstraint(one_of("kind", PROGRAMME_KINDS), name="kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_programme_items_event_starts", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20), default="session")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    # A link to the place on OpenStreetMap; empty: a search for the address is offered.
    map_url: Mapped[str] = mapped_column(String(500), default="")
    # Title and description in other languages: {"hu": {"title": ...}, ...}; the
    # original texts are in the event's language.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="programme")
    speakers: Mapped[list[Speaker]] = relationship(
        secondary=programme_item_speakers, back_populates="items", order_by=Speaker.name
    )
    materials: Mapped[list[Material]] = relationship(
        back_populates="item", order_by="Material.id", passive_deletes=True
    )

    @property
    def language(self) -> str:
        """The language of ``title`` and ``description``: the event's."""
        return self.event.language if self.event is not None else "en"

    def text_language(self, field: str, locale: str | None) -> str:
        return text_language(self, field, locale)

    def localized(self, field: str, locale: str | None) -> str:
        """``field`` (title, description) in ``locale`` if given, else the original."""
        return localized_text(self, field, locale)

    @property
    def map_link(self) -> str:
        """The organiser's OpenStreetMap link, else a search for the address (or place)."""
        if self.map_url:
            return self.map_url
        where = self.address or ""
        return OSM_SEARCH + quote_plus(where) if where else ""

    def local_starts_at(self, tz_name: str) -> datetime:
        return self.starts_at.astimezone(zone(tz_name))

    def local_ends_at(self, tz_name: str) -> datetime:
        return self.ends_at.astimezone(zone(tz_name))

    def __repr__(self) -> str:
        return f"<ProgrammeItem {self.id} {self.title}>"


class Material(Model):
    """A file (stored through the storage interface) or a link, for an event or one item."""

    __tablename__ = "materials"
    __table_args__ = (
        CheckConstraint(one_of("audience", MATERIAL_AUDIENCES), name="audience"),
        # Either a link or a stored file, never both, never neither.
        CheckConstraint(
            "(url IS NULL AND storage_key IS NOT NULL) OR (url IS NOT NULL AND storage_key IS NULL)",
            name="file_or_link",
        ),
        CheckConstraint("size IS NULL OR size > 0", name="size_positive"),
        Index("ix_materials_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_items.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(12), default="everyone")
    url: Mapped[str | None] = mapped_column(String(500))
    storage_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event] = relationship(back_populates="materials")
    item: Mapped[ProgrammeItem | None] = relationship(back_populates="materials")

    @property
    def is_file(self) -> bool:
        return self.storage_key is not None

    def __repr__(self) -> str:
        return f"<Material {self.id} {self.title}>"
