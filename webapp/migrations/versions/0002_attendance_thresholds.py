"""Attendance thresholds per event, and participant reports awaiting confirmation.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attendance_thresholds",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "unit IN ('minutes', 'percent')", name=op.f("ck_attendance_thresholds_unit")
        ),
        sa.CheckConstraint(
            "value >= 0 AND (unit <> 'percent' OR value <= 100)",
            name=op.f("ck_attendance_thresholds_value_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_attendance_thresholds_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_attendance_thresholds")),
    )
    op.create_table(
        "attendance_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("threshold_unit", sa.String(length=10), nullable=False),
        sa.Column("threshold_value", sa.Integer(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "threshold_unit IN ('minutes', 'percent')",
            name=op.f("ck_attendance_imports_threshold_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_imports_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_attendance_imports_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_imports")),
    )
    with op.batch_alter_table("attendance_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_imports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_imports_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_imports_event_id"), ["event_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("attendance_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_imports_event_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_imports_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_imports_created_at"))
    op.drop_table("attendance_imports")
    op.drop_table("attendance_thresholds")
