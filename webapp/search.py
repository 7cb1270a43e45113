"""Text search: the one way the app turns a visitor's words into SQL.

Two kinds of search share the helpers here:

- ``contains_text(query, *columns)``: the organiser lists (events, registrations,
  attendance sheet) look for the words as typed, case-insensitively; ``%``, ``_`` and
  ``\\`` in the query are escaped so they match themselves.
- ``events_matching(query)``: the public catalogue looks in every text of an event, in
  every language, ignoring case and accents. It reads ``EventSearchText``, a folded copy
  of those texts that a flush listener keeps current whenever an event, a programme item
  or a host partner changes (``register``), on SQLite and PostgreSQL alike.

Folding uses ``anyascii``, which also turns letters that have no accent to strip into
their usual Latin spelling (Polish ``ł``, Croatian ``đ``, German ``ß``, Lithuanian ``ė``),
so ``Lodz`` finds ``Łódź`` and ``Klaipeda`` finds ``Klaipėda`` on every database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from anyascii import anyascii
from flask import Flask
from sqlalchemy import ColumnElement, Select, event, inspect, or_
from sqlalchemy.orm import Session, selectinload

from webapp.extensions import db
from webapp.models import Event, EventSearchText, Partner, ProgrammeItem

LIKE_ESCAPE = "\\"
# A visitor's query is cut to this many words; more would only slow the search down.
MAX_QUERY_WORDS = 8

EVENT_FIELDS = ("title", "summary", "description", "translations", "venue", "address")
EVENT_LINKS = ("host_partner", "host_partner_id")
ITEM_FIELDS = ("title", "description", "place", "translations", "event", "event_id")
PARTNER_FIELDS = ("name", "short_name")


def fold(text: str) -> str:
    """``text`` in lower-case ASCII with single spaces: what search compares."""
    return " ".join(anyascii(text or "").lower().split())


def like_escape(text: str) -> str:
    """``text`` with LIKE's wildcards escaped, to be used with ``escape=LIKE_ESCAPE``."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching any value that contains ``text`` literally."""
    return f"%{like_escape(text)}%"


def contains_text(query: str, *columns: Any) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``query`` (ignoring case; wildcards match literally)."""
    pattern = contains_pattern(query)
    return or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in columns))


def query_words(query: str) -> list[str]:
    """The folded words of a visitor's query (at most ``MAX_QUERY_WORDS``)."""
    return [word for word in fold(query).split() if word][:MAX_QUERY_WORDS]


def events_matching(query: str) -> Select | None:
    """Ids of the events whose texts contain every word of ``query``; None for no words."""
    words = query_words(query)
    if not words:
        return None
    return db.select(EventSearchText.event_id).where(
        *(
            EventSearchText.document.like(contains_pattern(word), escape=LIKE_ESCAPE)
            for word in words
        )
    )


# --- the folded document -------------------------------------------------------------------


def _translated_texts(translations: Any, fields: Iterable[str]) -> list[str]:
    texts = []
    for values in (translations or {}).values():
        if isinstance(values, dict):
            texts.extend(values.get(f) for f in fields if isinstance(values.get(f), str))
    return texts


def search_document(event: Any, programme: Iterable[Any], host: Any | None) -> str:
    """The folded text of ``event``, its ``programme`` items and its ``host`` partner.

    Takes anything with the models' attribute names, so the migration that fills the
    table for existing events builds exactly what the app builds.
    """
    parts: list[str | None] = [
        event.title,
        event.summary,
        event.description,
        event.venue,
        event.address,
        *_translated_texts(event.translations, ("title", "summary", "description")),
    ]
    if host is not None:
        parts.extend((host.name, host.short_name))
    for item in programme:
        parts.extend((item.title, item.description, item.place))
        parts.extend(_translated_texts(item.translations, ("title", "description")))
    return "\n".join(folded for folded in (fold(p or "") for p in parts) if folded)


def _changed(obj: object, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _events_to_refresh(session: Session) -> list[Event]:
    events: dict[int, Event] = {}

    def add(found: Event | None) -> None:
        if found is not None and found not in session.deleted:
            events[id(found)] = found

    for obj in session.new:
        if isinstance(obj, Event):
            add(obj)
        elif isinstance(obj, ProgrammeItem):
            add(_item_event(session, obj))
    for obj in session.dirty:
        if isinstance(obj, Event) and _changed(obj, EVENT_FIELDS + EVENT_LINKS):
            add(obj)
        elif isinstance(obj, ProgrammeItem) and _changed(obj, ITEM_FIELDS):
            add(_item_event(session, obj))
            previous = inspect(obj).attrs["event_id"].history.deleted
            for event_id in previous or ():
                if event_id is not None:
                    add(session.get(Event, event_id))
        elif isinstance(obj, Partner) and obj.id is not None and _changed(obj, PARTNER_FIELDS):
            for hosted in session.scalars(db.select(Event).where(Event.host_partner_id == obj.id)):
                add(hosted)
    for obj in session.deleted:
        if isinstance(obj, ProgrammeItem):
            add(_item_event(session, obj))
    return list(events.values())


def _item_event(session: Session, item: ProgrammeItem) -> Event | None:
    if item.event is not None:
        return item.event
    return session.get(Event, item.event_id) if item.event_id is not None else None


def _programme_of(session: Session, found: Event) -> list[ProgrammeItem]:
    items = [] if found.id is None else list(found.programme)
    for obj in session.new:
        if isinstance(obj, ProgrammeItem) and obj not in items:
            if obj.event is found or (found.id is not None and obj.event_id == found.id):
                items.append(obj)
    return [item for item in items if item not in session.deleted]


def _host_of(session: Session, found: Event) -> Partner | None:
    if found.host_partner is not None:
        return found.host_partner
    if found.host_partner_id is not None:
        return session.get(Partner, found.host_partner_id)
    return None


def refresh_search_texts(session: Session, flush_context: object, instances: object) -> None:
    """Before a flush: rebuild the folded document of every event whose texts change."""
    with session.no_autoflush:
        for found in _events_to_refresh(session):
            document = search_document(
                found, _programme_of(session, found), _host_of(session, found)
            )
            row = None if found.id is None else session.get(EventSearchText, found.id)
            if row is None:
                session.add(EventSearchText(event=found, document=document))
            elif row.document != document:
                row.document = document
        for obj in list(session.deleted):
            # SQLite does not enforce the foreign key's cascade.
            if isinstance(obj, Event) and obj.id is not None:
                row = session.get(EventSearchText, obj.id)
                if row is not None and row not in session.deleted:
                    session.delete(row)


def rebuild_search_texts() -> int:
    """Fold every event's texts again (after an upgrade of ``anyascii``); how many changed."""
    events = db.session.scalars(
        db.select(Event).options(selectinload(Event.programme), selectinload(Event.host_partner))
    )
    rows = {row.event_id: row for row in db.session.scalars(db.select(EventSearchText))}
    changed = 0
    for found in events:
        document = search_document(found, found.programme, found.host_partner)
        row = rows.get(found.id)
        if row is None:
            db.session.add(EventSearchText(event_id=found.id, document=document))
        elif row.document == document:
            continue
        else:
            row.document = document
        changed += 1
    return changed


def register(app: Flask) -> None:
    """Keep the folded documents current in every session of the app (once per process)."""
    if not event.contains(Session, "before_flush", refresh_search_texts):
        event.listen(Session, "before_flush", refresh_search_texts)
