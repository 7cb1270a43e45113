"""What the public search reads: each event's texts, folded once when they change."""

from __future__ import annotations

from sqlalchemy import DDL, ForeignKey, Index, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.events import Event


class EventSearchText(Model):
    """An event's searchable texts in one lower-case ASCII document.

    Title, summary, description, programme texts, venue, address and host partner, in
    the original language and every translation, folded by ``webapp.search.fold`` so
    that ``Klaipeda`` finds ``Klaipėda``. Kept current by ``webapp.search`` whenever a
    flush changes one of those texts. On PostgreSQL a trigram index serves the
    ``LIKE '%word%'`` searches (elsewhere the index is a plain one; the catalogue is
    small enough to scan).
    """

    __tablename__ = "event_search_texts"
    __table_args__ = (
        Index(
            "ix_event_search_texts_document_trgm",
            "document",
            postgresql_using="gin",
            postgresql_ops={"document": "gin_trgm_ops"},
        ),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<EventSearchText {self.event_id}>"


# The trigram operator class comes from the pg_trgm extension (a trusted extension:
# any role that may create objects in the database can add it).
event.listen(
    EventSearchText.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
