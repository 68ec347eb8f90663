"""timebank: items

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
        "timebank_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_timebank_item_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timebank_item")),
    )
    op.create_index(
        op.f("ix_timebank_item_contact_id"), "timebank_item", ["contact_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_timebank_item_contact_id"), table_name="timebank_item")
    op.drop_table("timebank_item")
