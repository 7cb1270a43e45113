"""Registrants' messages are rendered when they are delivered.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 19:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("render_args", sa.JSON(), nullable=True))


def downgrade():
    # A message still waiting for its text cannot be sent by the older code: it would go
    # out empty. Such messages are marked failed, with the reason, before the column goes.
    outbox = sa.table(
        "outbox_messages",
        sa.column("render_args", sa.JSON()),
        sa.column("sent_at", sa.DateTime(timezone=True)),
        sa.column("failed_at", sa.DateTime(timezone=True)),
        sa.column("last_error", sa.Text()),
    )
    op.execute(
        outbox.update()
        .where(outbox.c.render_args.is_not(None), outbox.c.sent_at.is_(None))
        .values(
            failed_at=sa.func.coalesce(outbox.c.failed_at, sa.func.current_timestamp()),
            last_error="not rendered before the downgrade to revision 0013",
        )
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("render_args")
