"""Programme items, speakers and materials; study-visit notes and questions.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_QUESTION_KINDS = ("short_text", "long_text", "single_choice", "multiple_choice", "yes_no")
NEW_QUESTION_KINDS = (
    *OLD_QUESTION_KINDS,
    "date",
    "arrival_date",
    "departure_date",
    "dietary_needs",
    "accommodation",
)


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("meeting_point", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("travel_notes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("accommodation_notes", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("materials_notified_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_questions_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_questions_kind"), _one_of("kind", NEW_QUESTION_KINDS)
        )

    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakers")),
    )
    op.create_table(
        "programme_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("map_url", sa.String(length=500), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('session', 'talk', 'break', 'site_visit', 'travel', 'meal')",
            name=op.f("ck_programme_items_kind"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_programme_items_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_programme_items_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_items")),
    )
    with op.batch_alter_table("programme_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_programme_items_event_starts", ["event_id", "starts_at"], unique=False
        )

    op.create_table(
        "programme_item_speakers",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["programme_items.id"],
            name=op.f("fk_programme_item_speakers_item_id_programme_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_programme_item_speakers_speaker_id_speakers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("item_id", "speaker_id", name=op.f("pk_programme_item_speakers")),
    )
    with op.batch_alter_table("programme_item_speakers", schema=None) as batch_op:
        batch_op.create_index("ix_programme_item_speakers_speaker_id", ["speaker_id"], unique=False)

    op.create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "audience IN ('everyone', 'registrants', 'attendees', 'organisers')",
            name=op.f("ck_materials_audience"),
        ),
        sa.CheckConstraint(
            "(url IS NULL AND storage_key IS NOT NULL) OR (url IS NOT NULL AND storage_key IS NULL)",
            name=op.f("ck_materials_file_or_link"),
        ),
        sa.CheckConstraint("size IS NULL OR size > 0", name=op.f("ck_materials_size_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_materials_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_materials_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["programme_items.id"],
            name=op.f("fk_materials_item_id_programme_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_materials_storage_key")),
    )
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.create_index("ix_materials_event_id", ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_materials_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_materials_created_by_id"), ["created_by_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_materials_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_materials_item_id"))
        batch_op.drop_index("ix_materials_event_id")
    op.drop_table("materials")
    with op.batch_alter_table("programme_item_speakers", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_item_speakers_speaker_id")
    op.drop_table("programme_item_speakers")
    with op.batch_alter_table("programme_items", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_items_event_starts")
    op.drop_table("programme_items")
    op.drop_table("speakers")
    # Answers to the new kinds of question cannot be kept under the old constraint.
    op.execute(
        "DELETE FROM questions WHERE kind NOT IN ("
        + ", ".join(repr(k) for k in OLD_QUESTION_KINDS)
        + ")"
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_questions_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_questions_kind"), _one_of("kind", OLD_QUESTION_KINDS)
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("materials_notified_at")
        batch_op.drop_column("accommodation_notes")
        batch_op.drop_column("travel_notes")
        batch_op.drop_column("meeting_point")
