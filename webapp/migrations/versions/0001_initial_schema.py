"""Initial schema: regions, partners, users, events, questions, registrations,
attendance, the e-mail outbox and the audit trail.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.CheckConstraint("length(code) BETWEEN 2 AND 8", name=op.f("ck_regions_code_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_partners_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("short_name", name=op.f("uq_partners_short_name")),
    )
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_region_id"), ["region_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("registration_opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("reminder_hours", sa.Integer(), nullable=True),
        sa.Column("notify_organisers", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=16), server_default="en", nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("host_partner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "format IN ('online', 'onsite', 'hybrid')", name=op.f("ck_events_format")
        ),
        sa.CheckConstraint(
            "kind IN ('partner_meeting', 'study_visit', 'webinar')", name=op.f("ck_events_kind")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'cancelled')", name=op.f("ck_events_status")
        ),
        sa.CheckConstraint(
            "visibility IN ('public', 'partners')", name=op.f("ck_events_visibility")
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 0", name=op.f("ck_events_capacity_not_negative")
        ),
        sa.CheckConstraint("ends_at >= starts_at", name=op.f("ck_events_ends_after_start")),
        sa.CheckConstraint(
            "reminder_hours IS NULL OR reminder_hours BETWEEN 1 AND 720",
            name=op.f("ck_events_reminder_hours"),
        ),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_events_sequence_not_negative")),
        sa.ForeignKeyConstraint(
            ["host_partner_id"],
            ["partners.id"],
            name=op.f("fk_events_host_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_catalogue", ["status", "visibility", "starts_at"], unique=False
        )
        batch_op.create_index("ix_events_ends_at", ["ends_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_events_host_partner_id"), ["host_partner_id"], unique=False
        )
        batch_op.create_index("ix_events_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'organiser')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_users_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "event_regions",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_regions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_event_regions_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("event_id", "region_id", name=op.f("pk_event_regions")),
    )
    with op.batch_alter_table("event_regions", schema=None) as batch_op:
        batch_op.create_index("ix_event_regions_region_id", ["region_id"], unique=False)

    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no')",
            name=op.f("ck_questions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_questions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questions_event_id"), ["event_id"], unique=False)

    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("stakeholder_type", sa.String(length=20), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("feed_token", sa.String(length=64), nullable=False),
        sa.Column("checkin_token", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("privacy_version", sa.String(length=32), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stakeholder_type IN ('sme', 'business_support', 'public_authority', 'research', 'ngo', 'other')",
            name=op.f("ck_registrations_stakeholder_type"),
        ),
        sa.CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected')",
            name=op.f("ck_registrations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_registrations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_registrations_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("checkin_token", name=op.f("uq_registrations_checkin_token")),
        sa.UniqueConstraint("feed_token", name=op.f("uq_registrations_feed_token")),
        sa.UniqueConstraint("token", name=op.f("uq_registrations_token")),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index("ix_registrations_email", ["email"], unique=False)
        batch_op.create_index("ix_registrations_event_status", ["event_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_registrations_region_id"), ["region_id"], unique=False)
        batch_op.create_index(
            "uq_registrations_active_email",
            ["event_id", "email"],
            unique=True,
            sqlite_where=sa.text("status IN ('confirmed', 'waitlisted', 'pending')"),
            postgresql_where=sa.text("status IN ('confirmed', 'waitlisted', 'pending')"),
        )

    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes_online", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('manual', 'qr', 'import')", name=op.f("ck_attendances_source")
        ),
        sa.CheckConstraint(
            "status IN ('present', 'absent', 'excused')", name=op.f("ck_attendances_status")
        ),
        sa.CheckConstraint(
            "minutes_online IS NULL OR minutes_online >= 0",
            name=op.f("ck_attendances_minutes_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_attendances_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_attendances_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint("registration_id", "day", name="uq_attendances_registration_day"),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendances_recorded_by_id"), ["recorded_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendances_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_audit_entries_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_audit_entries_registration_id_registrations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_entries_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_entries_event_created", ["event_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entries_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entries_user_id"), ["user_id"], unique=False)

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("from_address", sa.String(length=300), nullable=False),
        sa.Column("reply_to", sa.String(length=300), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_outbox_messages_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_outbox_messages_registration_id_registrations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_messages_dedupe_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_messages_due", ["sent_at", "failed_at", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_messages_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_registration_id"), ["registration_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_registration_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_event_id"))
        batch_op.drop_index("ix_outbox_messages_due")

    op.drop_table("outbox_messages")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_registration_id"))
        batch_op.drop_index("ix_audit_entries_event_created")

    op.drop_table("audit_entries")
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendances_registration_id"))
        batch_op.drop_index(batch_op.f("ix_attendances_recorded_by_id"))

    op.drop_table("attendances")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_registrations_active_email",
            sqlite_where=sa.text("status IN ('confirmed', 'waitlisted', 'pending')"),
            postgresql_where=sa.text("status IN ('confirmed', 'waitlisted', 'pending')"),
        )
        batch_op.drop_index(batch_op.f("ix_registrations_region_id"))
        batch_op.drop_index("ix_registrations_event_status")
        batch_op.drop_index("ix_registrations_email")

    op.drop_table("registrations")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_event_id"))

    op.drop_table("questions")
    with op.batch_alter_table("event_regions", schema=None) as batch_op:
        batch_op.drop_index("ix_event_regions_region_id")

    op.drop_table("event_regions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_partner_id"))

    op.drop_table("users")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_updated_at")
        batch_op.drop_index(batch_op.f("ix_events_host_partner_id"))
        batch_op.drop_index("ix_events_ends_at")
        batch_op.drop_index("ix_events_catalogue")

    op.drop_table("events")
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_region_id"))

    op.drop_table("partners")
    op.drop_table("regions")
