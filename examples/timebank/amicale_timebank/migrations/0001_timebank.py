"""timebank: skill categories, members' offers and requests, exchanges of hours

Revision ID: 0001_timebank
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001_timebank"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("timebank",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "timebank_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timebank_category")),
        sa.UniqueConstraint("name", name=op.f("uq_timebank_category_name")),
    )
    op.create_table(
        "timebank_exchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("receiver_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("exchange_date", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("hours > 0", name=op.f("ck_timebank_exchange_hours_positive")),
        sa.CheckConstraint(
            "provider_id <> receiver_id", name=op.f("ck_timebank_exchange_two_members")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["timebank_category.id"],
            name=op.f("fk_timebank_exchange_category_id_timebank_category"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["contact.id"],
            name=op.f("fk_timebank_exchange_provider_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"],
            ["contact.id"],
            name=op.f("fk_timebank_exchange_receiver_id_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timebank_exchange")),
    )
    with op.batch_alter_table("timebank_exchange", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timebank_exchange_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timebank_exchange_exchange_date"), ["exchange_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timebank_exchange_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timebank_exchange_receiver_id"), ["receiver_id"], unique=False
        )

    op.create_table(
        "timebank_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('offer', 'request')", name=op.f("ck_timebank_listing_kind")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["timebank_category.id"],
            name=op.f("fk_timebank_listing_category_id_timebank_category"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_timebank_listing_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timebank_listing")),
    )
    with op.batch_alter_table("timebank_listing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timebank_listing_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timebank_listing_contact_id"), ["contact_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("timebank_listing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timebank_listing_contact_id"))
        batch_op.drop_index(batch_op.f("ix_timebank_listing_category_id"))

    op.drop_table("timebank_listing")
    with op.batch_alter_table("timebank_exchange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timebank_exchange_receiver_id"))
        batch_op.drop_index(batch_op.f("ix_timebank_exchange_provider_id"))
        batch_op.drop_index(batch_op.f("ix_timebank_exchange_exchange_date"))
        batch_op.drop_index(batch_op.f("ix_timebank_exchange_category_id"))

    op.drop_table("timebank_exchange")
    op.drop_table("timebank_category")
