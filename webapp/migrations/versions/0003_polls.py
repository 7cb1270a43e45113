"""Polls that find a time for a meeting: polls, their slots, invitees and answers.

Revision ID: 0003
Revises: 0002

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("working_hours_start", sa.Integer(), nullable=False),
        sa.Column("working_hours_end", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('partner_meeting', 'study_visit', 'webinar')", name=op.f("ck_polls_kind")
        ),
        sa.CheckConstraint("status IN ('open', 'closed', 'decided')", name=op.f("ck_polls_status")),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 15 AND 1440", name=op.f("ck_polls_duration_minutes")
        ),
        sa.CheckConstraint(
            "working_hours_start >= 0 AND working_hours_end <= 1440 AND working_hours_start < working_hours_end",
            name=op.f("ck_polls_working_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_polls_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_polls_event_id_events"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_polls_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_polls_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "poll_invitees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_poll_invitees_partner_id_partners"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_invitees_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_invitees")),
        sa.UniqueConstraint("poll_id", "email", name="uq_poll_invitees_poll_id_email"),
        sa.UniqueConstraint("token", name=op.f("uq_poll_invitees_token")),
    )
    with op.batch_alter_table("poll_invitees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_poll_invitees_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "poll_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'chosen', 'released')", name=op.f("ck_poll_slots_status")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_poll_slots_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_slots_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_slots")),
        sa.UniqueConstraint("poll_id", "starts_at", name="uq_poll_slots_poll_id_starts_at"),
    )
    op.create_table(
        "poll_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("invitee_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=12), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "answer IN ('yes', 'if_need_be', 'no')", name=op.f("ck_poll_answers_answer")
        ),
        sa.ForeignKeyConstraint(
            ["invitee_id"],
            ["poll_invitees.id"],
            name=op.f("fk_poll_answers_invitee_id_poll_invitees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["poll_slots.id"],
            name=op.f("fk_poll_answers_slot_id_poll_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_answers")),
        sa.UniqueConstraint("slot_id", "invitee_id", name="uq_poll_answers_slot_id_invitee_id"),
    )
    with op.batch_alter_table("poll_answers", schema=None) as batch_op:
        batch_op.create_index("ix_poll_answers_invitee_id", ["invitee_id"], unique=False)


def downgrade():

    with op.batch_alter_table("poll_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_poll_answers_invitee_id")

    op.drop_table("poll_answers")
    op.drop_table("poll_slots")
    with op.batch_alter_table("poll_invitees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_invitees_partner_id"))

    op.drop_table("poll_invitees")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polls_partner_id"))
        batch_op.drop_index(batch_op.f("ix_polls_event_id"))
        batch_op.drop_index(batch_op.f("ix_polls_created_by_id"))

    op.drop_table("polls")
