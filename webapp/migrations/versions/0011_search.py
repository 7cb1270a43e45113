"""Folded event texts for the public search (trigram index on PostgreSQL).

Revision ID: 0011
Revises: 0010
"""

import json

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEX = "ix_event_search_texts_document_trgm"


def _fold(text):
    return " ".join(anyascii(text or "").lower().split())


def _translated(raw, fields):
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = {}
    texts = []
    for values in (raw or {}).values() if isinstance(raw, dict) else ():
        if isinstance(values, dict):
            texts.extend(values.get(f) for f in fields if isinstance(values.get(f), str))
    return texts


def _documents(bind):
    """The folded document of every existing event, as the app builds it (frozen here)."""
    meta = sa.MetaData()
    events = sa.Table("events", meta, autoload_with=bind)
    items = sa.Table("programme_items", meta, autoload_with=bind)
    partners = sa.Table("partners", meta, autoload_with=bind)
    hosts = {row.id: row for row in bind.execute(sa.select(partners))}
    programme = {}
    for item in bind.execute(sa.select(items).order_by(items.c.starts_at, items.c.id)):
        programme.setdefault(item.event_id, []).append(item)
    for event in bind.execute(sa.select(events)):
        parts = [
            event.title,
            event.summary,
            event.description,
            event.venue,
            event.address,
            *_translated(event.translations, ("title", "summary", "description")),
        ]
        host = hosts.get(event.host_partner_id)
        if host is not None:
            parts.extend((host.name, host.short_name))
        for item in programme.get(event.id, ()):
            parts.extend((item.title, item.description, item.place))
            parts.extend(_translated(item.translations, ("title", "description")))
        folded = (_fold(p) for p in parts)
        yield {"event_id": event.id, "document": "\n".join(f for f in folded if f)}


def upgrade():
    bind = op.get_bind()
    table = op.create_table(
        "event_search_texts",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_search_texts_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_search_texts")),
    )
    rows = list(_documents(bind))
    if rows:
        op.bulk_insert(table, rows)
    if bind.dialect.name == "postgresql":
        # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        INDEX,
        "event_search_texts",
        ["document"],
        postgresql_using="gin",
        postgresql_ops={"document": "gin_trgm_ops"},
    )


def downgrade():
    op.drop_index(INDEX, table_name="event_search_texts")
    op.drop_table("event_search_texts")
