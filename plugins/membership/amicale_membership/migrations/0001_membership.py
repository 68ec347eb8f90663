"""membership: types, status rules (seeded with CiviCRM's defaults), memberships, history

Revision ID: 0001_membership
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001_membership"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("membership",)
depends_on: str | Sequence[str] | None = "0001_core"

# name, start event, its adjustment (unit, interval), end event (exclusive), its adjustment,
# is a current member, admin (set by hand or by events only). Weight = order of this list.
STATUSES = [
    ("New", "join_date", None, None, "join_date", "month", 3, True, False),
    ("Current", "start_date", None, None, "end_date", "day", 1, True, False),
    ("Grace", "end_date", "day", 1, "end_date", "month", 1, True, False),
    ("Expired", "end_date", "month", 1, None, None, None, False, False),
    ("Pending", None, None, None, None, None, None, False, True),
    ("Cancelled", None, None, None, None, None, None, False, True),
    ("Deceased", None, None, None, None, None, None, False, True),
]


def upgrade() -> None:
    op.create_table(
        "membership_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("start_event", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column(
            "start_event_adjust_unit", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True
        ),
        sa.Column("start_event_adjust_interval", sa.Integer(), nullable=True),
        sa.Column("end_event", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column(
            "end_event_adjust_unit", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True
        ),
        sa.Column("end_event_adjust_interval", sa.Integer(), nullable=True),
        sa.Column("is_current_member", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_reserved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_status")),
        sa.UniqueConstraint("name", name=op.f("uq_membership_status_name")),
    )
    op.create_table(
        "membership_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_contact_id", sa.Integer(), nullable=True),
        sa.Column("minimum_fee", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("financial_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("duration_unit", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("duration_interval", sa.Integer(), nullable=False),
        sa.Column("period_type", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column(
            "fixed_period_start_day", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True
        ),
        sa.Column(
            "fixed_period_rollover_day", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True
        ),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("relationship_types", sa.JSON(), nullable=False),
        sa.Column("max_related", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "duration_unit IN ('day', 'month', 'year', 'lifetime')",
            name=op.f("ck_membership_type_duration_unit"),
        ),
        sa.CheckConstraint(
            "period_type IN ('rolling', 'fixed')", name=op.f("ck_membership_type_period_type")
        ),
        sa.CheckConstraint(
            "duration_interval > 0", name=op.f("ck_membership_type_duration_interval_positive")
        ),
        sa.CheckConstraint(
            "minimum_fee >= 0", name=op.f("ck_membership_type_minimum_fee_positive")
        ),
        sa.ForeignKeyConstraint(
            ["owner_contact_id"],
            ["contact.id"],
            name=op.f("fk_membership_type_owner_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_type")),
        sa.UniqueConstraint("name", name=op.f("uq_membership_type_name")),
    )
    with op.batch_alter_table("membership_type", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_type_owner_contact_id"), ["owner_contact_id"], unique=False
        )

    op.create_table(
        "membership_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("membership_type_id", sa.Integer(), nullable=False),
        sa.Column("join_date", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("is_override", sa.Boolean(), nullable=False),
        sa.Column("status_override_end_date", sa.Date(), nullable=True),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("owner_membership_id", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("paid_date", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("modified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_membership_membership_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_type_id"],
            ["membership_type.id"],
            name=op.f("fk_membership_membership_membership_type_id_membership_type"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_membership_id"],
            ["membership_membership.id"],
            name=op.f("fk_membership_membership_owner_membership_id_membership_membership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["membership_status.id"],
            name=op.f("fk_membership_membership_status_id_membership_status"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_membership")),
    )
    with op.batch_alter_table("membership_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_membership_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_membership_end_date"), ["end_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_membership_membership_type_id"),
            ["membership_type_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_membership_membership_owner_membership_id"),
            ["owner_membership_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_membership_membership_status_end", ["status_id", "end_date"], unique=False
        )

    op.create_table(
        "membership_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("modified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["membership_membership.id"],
            name=op.f("fk_membership_log_membership_id_membership_membership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["membership_status.id"],
            name=op.f("fk_membership_log_status_id_membership_status"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_membership_log_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_log")),
    )
    with op.batch_alter_table("membership_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_log_membership_id"), ["membership_id"], unique=False
        )
    status = sa.table(
        "membership_status",
        sa.column("name", sa.String),
        sa.column("label", sa.String),
        sa.column("start_event", sa.String),
        sa.column("start_event_adjust_unit", sa.String),
        sa.column("start_event_adjust_interval", sa.Integer),
        sa.column("end_event", sa.String),
        sa.column("end_event_adjust_unit", sa.String),
        sa.column("end_event_adjust_interval", sa.Integer),
        sa.column("is_current_member", sa.Boolean),
        sa.column("is_admin", sa.Boolean),
        sa.column("weight", sa.Integer),
        sa.column("is_active", sa.Boolean),
        sa.column("is_reserved", sa.Boolean),
    )
    op.bulk_insert(
        status,
        [
            {
                "name": name,
                "label": name,
                "start_event": start,
                "start_event_adjust_unit": start_unit,
                "start_event_adjust_interval": start_n,
                "end_event": end,
                "end_event_adjust_unit": end_unit,
                "end_event_adjust_interval": end_n,
                "is_current_member": current,
                "is_admin": admin,
                "weight": weight,
                "is_active": True,
                "is_reserved": True,
            }
            for weight, (
                name,
                start,
                start_unit,
                start_n,
                end,
                end_unit,
                end_n,
                current,
                admin,
            ) in enumerate(STATUSES, start=1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("membership_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_log_membership_id"))

    op.drop_table("membership_log")
    with op.batch_alter_table("membership_membership", schema=None) as batch_op:
        batch_op.drop_index("ix_membership_membership_status_end")
        batch_op.drop_index(batch_op.f("ix_membership_membership_owner_membership_id"))
        batch_op.drop_index(batch_op.f("ix_membership_membership_membership_type_id"))
        batch_op.drop_index(batch_op.f("ix_membership_membership_end_date"))
        batch_op.drop_index(batch_op.f("ix_membership_membership_contact_id"))

    op.drop_table("membership_membership")
    with op.batch_alter_table("membership_type", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_type_owner_contact_id"))

    op.drop_table("membership_type")
    op.drop_table("membership_status")
