"""Double opt-in: events may ask registrants to confirm their e-mail address, and a
registration holds its seat until a deadline unless the address is confirmed.

Existing events keep registering as before (the option is off); existing registrations
hold nothing conditionally (both new columns are empty).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column(
                "requires_email_confirmation",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("email_confirm_by", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            batch.f("ix_registrations_email_confirm_by"), ["email_confirm_by"], unique=False
        )


def downgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.drop_index(batch.f("ix_registrations_email_confirm_by"))
        batch.drop_column("email_confirmed_at")
        batch.drop_column("email_confirm_by")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("requires_email_confirmation")
