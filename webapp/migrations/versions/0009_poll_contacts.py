"""Poll invitees made from partner contacts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("poll_invitees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_poll_invitees_contact_id_partner_contacts"),
            "partner_contacts",
            ["contact_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_poll_invitees_contact_id"), ["contact_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("poll_invitees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_invitees_contact_id"))
        batch_op.drop_constraint(
            op.f("fk_poll_invitees_contact_id_partner_contacts"), type_="foreignkey"
        )
        batch_op.drop_column("contact_id")
