"""membership: renewal reminder rules and their log; types offered on the public join page

Revision ID: 0002_reminders_public
Revises: 0001_membership
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002_reminders_public"
down_revision: str | Sequence[str] | None = "0001_membership"
branch_labels: str | Sequence[str] | None = None
# The reminders and the confirmation email are the core's message templates.
depends_on: str | Sequence[str] | None = "0005_mail"


def upgrade() -> None:
    with op.batch_alter_table("membership_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("confirmation_template_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_membership_type_confirmation_template_id_message_template"),
            "message_template",
            ["confirmation_template_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("membership_type", schema=None) as batch_op:
        batch_op.alter_column("is_public", server_default=None)

    op.create_table(
        "membership_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("membership_type_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_type_id"],
            ["membership_type.id"],
            name=op.f("fk_membership_reminder_membership_type_id_membership_type"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["message_template.id"],
            name=op.f("fk_membership_reminder_template_id_message_template"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_reminder")),
    )
    with op.batch_alter_table("membership_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_reminder_membership_type_id"),
            ["membership_type_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_membership_reminder_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "membership_reminder_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["membership_membership.id"],
            name=op.f("fk_membership_reminder_log_membership_id_membership_membership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["membership_reminder.id"],
            name=op.f("fk_membership_reminder_log_reminder_id_membership_reminder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_reminder_log")),
        sa.UniqueConstraint(
            "reminder_id",
            "membership_id",
            "end_date",
            name=op.f("uq_membership_reminder_log_reminder_id_membership_id_end_date"),
        ),
    )
    with op.batch_alter_table("membership_reminder_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_reminder_log_membership_id"), ["membership_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("membership_reminder_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_reminder_log_membership_id"))
    op.drop_table("membership_reminder_log")
    with op.batch_alter_table("membership_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_reminder_template_id"))
        batch_op.drop_index(batch_op.f("ix_membership_reminder_membership_type_id"))
    op.drop_table("membership_reminder")
    with op.batch_alter_table("membership_type", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_membership_type_confirmation_template_id_message_template"),
            type_="foreignkey",
        )
        batch_op.drop_column("confirmation_template_id")
        batch_op.drop_column("is_public")
