"""custom fields

Revision ID: 0004_custom_fields
Revises: 0003_groups_tags_notes
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_custom_fields"
down_revision: str | Sequence[str] | None = "0003_groups_tags_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("extends", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "extends_contact_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True
        ),
        sa.Column("extends_subtypes", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("help_pre", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_group")),
        sa.UniqueConstraint("name", name=op.f("uq_custom_group_name")),
    )
    with op.batch_alter_table("custom_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custom_group_extends"), ["extends"], unique=False)

    op.create_table(
        "custom_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("custom_group_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("data_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("is_searchable", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("help_text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("default_value", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["custom_group_id"],
            ["custom_group.id"],
            name=op.f("fk_custom_field_custom_group_id_custom_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_field")),
        sa.UniqueConstraint("name", name=op.f("uq_custom_field_name")),
    )
    with op.batch_alter_table("custom_field", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custom_field_custom_group_id"), ["custom_group_id"], unique=False
        )

    op.create_table(
        "custom_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("value_text", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("value_memo", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Numeric(20, 4), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("value_contact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["custom_field.id"],
            name=op.f("fk_custom_value_field_id_custom_field"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["value_contact_id"],
            ["contact.id"],
            name=op.f("fk_custom_value_value_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_value")),
    )
    with op.batch_alter_table("custom_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_custom_value_field_id_value_text", ["field_id", "value_text"], unique=False
        )
        batch_op.create_index(
            "ix_custom_value_field_id_value_number", ["field_id", "value_number"], unique=False
        )
        batch_op.create_index(
            "ix_custom_value_field_id_value_date", ["field_id", "value_date"], unique=False
        )
        batch_op.create_index(
            "ix_custom_value_entity_entity_id", ["entity", "entity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_custom_value_value_contact_id"), ["value_contact_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("custom_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_value_value_contact_id"))
        batch_op.drop_index("ix_custom_value_entity_entity_id")
        batch_op.drop_index("ix_custom_value_field_id_value_date")
        batch_op.drop_index("ix_custom_value_field_id_value_number")
        batch_op.drop_index("ix_custom_value_field_id_value_text")
    op.drop_table("custom_value")
    with op.batch_alter_table("custom_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_field_custom_group_id"))
    op.drop_table("custom_field")
    with op.batch_alter_table("custom_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_group_extends"))
    op.drop_table("custom_group")
