"""groups, tags and notes

Revision ID: 0003_groups_tags_notes
Revises: 0002_relationships_activities
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_groups_tags_notes"
down_revision: str | Sequence[str] | None = "0002_relationships_activities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("group_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("is_mailing_list", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_contact_group_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_group")),
        sa.UniqueConstraint("name", name=op.f("uq_contact_group_name")),
    )
    op.create_table(
        "group_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_group_contact_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["contact_group.id"],
            name=op.f("fk_group_contact_group_id_contact_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_contact")),
        sa.UniqueConstraint(
            "group_id", "contact_id", name=op.f("uq_group_contact_group_id_contact_id")
        ),
    )
    op.create_index(
        op.f("ix_group_contact_contact_id"), "group_contact", ["contact_id"], unique=False
    )
    op.create_index(
        "ix_group_contact_group_id_status_contact_id",
        "group_contact",
        ["group_id", "status", "contact_id"],
        unique=False,
    )
    op.create_table(
        "group_contact_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("tracking", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_group_contact_history_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["contact_group.id"],
            name=op.f("fk_group_contact_history_group_id_contact_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_group_contact_history_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_contact_history")),
    )
    op.create_index(
        "ix_group_contact_history_contact_id_changed_at",
        "group_contact_history",
        ["contact_id", "changed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_group_contact_history_group_id"),
        "group_contact_history",
        ["group_id"],
        unique=False,
    )
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("is_selectable", sa.Boolean(), nullable=False),
        sa.Column("color", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
        sa.Column("used_for", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["tag.id"], name=op.f("fk_tag_parent_id_tag")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("name", name=op.f("uq_tag_name")),
    )
    op.create_index(op.f("ix_tag_parent_id"), "tag", ["parent_id"], unique=False)
    op.create_table(
        "entity_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_table", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_entity_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_tag")),
        sa.UniqueConstraint(
            "entity_table",
            "entity_id",
            "tag_id",
            name=op.f("uq_entity_tag_entity_table_entity_id_tag_id"),
        ),
    )
    op.create_index(
        "ix_entity_tag_tag_id_entity_table",
        "entity_tag",
        ["tag_id", "entity_table", "entity_id"],
        unique=False,
    )
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_table", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_contact_id", sa.Integer(), nullable=True),
        sa.Column("privacy", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("modified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_contact_id"],
            ["contact.id"],
            name=op.f("fk_note_author_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
    )
    op.create_index(
        "ix_note_entity_table_entity_id", "note", ["entity_table", "entity_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_note_entity_table_entity_id", table_name="note")
    op.drop_table("note")
    op.drop_index("ix_entity_tag_tag_id_entity_table", table_name="entity_tag")
    op.drop_table("entity_tag")
    op.drop_index(op.f("ix_tag_parent_id"), table_name="tag")
    op.drop_table("tag")
    op.drop_index(op.f("ix_group_contact_history_group_id"), table_name="group_contact_history")
    op.drop_index(
        "ix_group_contact_history_contact_id_changed_at", table_name="group_contact_history"
    )
    op.drop_table("group_contact_history")
    op.drop_index("ix_group_contact_group_id_status_contact_id", table_name="group_contact")
    op.drop_index(op.f("ix_group_contact_contact_id"), table_name="group_contact")
    op.drop_table("group_contact")
    op.drop_table("contact_group")
