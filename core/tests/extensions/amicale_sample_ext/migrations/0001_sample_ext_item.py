"""sample_ext: items

Revision ID: 0001_sample_ext
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_sample_ext"
down_revision = None
branch_labels = ("sample_ext",)
depends_on = "0001_core"


def upgrade() -> None:
    op.create_table(
        "sample_ext_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_sample_ext_item_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_ext_item")),
    )


def downgrade() -> None:
    op.drop_table("sample_ext_item")
