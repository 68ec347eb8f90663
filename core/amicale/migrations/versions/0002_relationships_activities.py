"""relationships and activities

Revision ID: 0002_relationships_activities
Revises: 0001_core
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002_relationships_activities"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RELATIONSHIP_TYPES = [
    # name, A to B, B to A, kind of A, kind of B
    ("employee_of", "Employee of", "Employer of", "Individual", "Organization"),
    ("spouse_of", "Spouse of", "Spouse of", "Individual", "Individual"),
    ("partner_of", "Partner of", "Partner of", "Individual", "Individual"),
    ("child_of", "Child of", "Parent of", "Individual", "Individual"),
    ("sibling_of", "Sibling of", "Sibling of", "Individual", "Individual"),
    ("household_member_of", "Household member of", "Household of", "Individual", "Household"),
    (
        "head_of_household",
        "Head of household for",
        "Head of household is",
        "Individual",
        "Household",
    ),
    ("volunteer_for", "Volunteer for", "Volunteer is", "Individual", "Organization"),
]

ACTIVITY_TYPES = [
    ("meeting", "Meeting"),
    ("phone_call", "Phone Call"),
    ("email", "Email"),
    ("inbound_email", "Inbound Email"),
    ("sms", "SMS"),
    ("letter", "Letter"),
    ("follow_up", "Follow up"),
    ("interview", "Interview"),
]


def upgrade() -> None:
    op.create_table(
        "relationship_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label_a_b", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("label_b_a", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("contact_type_a", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("contact_type_b", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_reserved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationship_type")),
        sa.UniqueConstraint("name", name=op.f("uq_relationship_type_name")),
    )
    op.create_table(
        "relationship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id_a", sa.Integer(), nullable=False),
        sa.Column("contact_id_b", sa.Integer(), nullable=False),
        sa.Column("relationship_type_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id_a"],
            ["contact.id"],
            name=op.f("fk_relationship_contact_id_a_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id_b"],
            ["contact.id"],
            name=op.f("fk_relationship_contact_id_b_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relationship_type_id"],
            ["relationship_type.id"],
            name=op.f("fk_relationship_relationship_type_id_relationship_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationship")),
    )
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.create_index(
            "ix_relationship_contact_id_a_type",
            ["contact_id_a", "relationship_type_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_relationship_contact_id_b_type",
            ["contact_id_b", "relationship_type_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_relationship_relationship_type_id"),
            ["relationship_type_id"],
            unique=False,
        )

    op.create_table(
        "activity_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("component", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("is_reserved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_type")),
        sa.UniqueConstraint("name", name=op.f("uq_activity_type_name")),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_type_id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("activity_date", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source_contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("modified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_type_id"],
            ["activity_type.id"],
            name=op.f("fk_activity_activity_type_id_activity_type"),
        ),
        sa.ForeignKeyConstraint(
            ["source_contact_id"],
            ["contact.id"],
            name=op.f("fk_activity_source_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_activity_date"), ["activity_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_activity_type_id"), ["activity_type_id"], unique=False
        )

    op.create_table(
        "activity_contact",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_contact_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_activity_contact_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "contact_id", "role", name=op.f("pk_activity_contact")
        ),
    )
    with op.batch_alter_table("activity_contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_contact_contact_id_role", ["contact_id", "role"], unique=False
        )

    relationship_type = sa.table(
        "relationship_type",
        sa.column("name", sa.String),
        sa.column("label_a_b", sa.String),
        sa.column("label_b_a", sa.String),
        sa.column("contact_type_a", sa.String),
        sa.column("contact_type_b", sa.String),
        sa.column("is_active", sa.Boolean),
        sa.column("is_reserved", sa.Boolean),
    )
    op.bulk_insert(
        relationship_type,
        [
            {
                "name": name,
                "label_a_b": a_b,
                "label_b_a": b_a,
                "contact_type_a": type_a,
                "contact_type_b": type_b,
                "is_active": True,
                "is_reserved": True,
            }
            for name, a_b, b_a, type_a, type_b in RELATIONSHIP_TYPES
        ],
    )
    activity_type = sa.table(
        "activity_type",
        sa.column("name", sa.String),
        sa.column("label", sa.String),
        sa.column("is_active", sa.Boolean),
        sa.column("component", sa.String),
        sa.column("is_reserved", sa.Boolean),
    )
    op.bulk_insert(
        activity_type,
        [
            {
                "name": name,
                "label": label,
                "is_active": True,
                "component": None,
                "is_reserved": True,
            }
            for name, label in ACTIVITY_TYPES
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("activity_contact", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_contact_contact_id_role")
    op.drop_table("activity_contact")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_activity_type_id"))
        batch_op.drop_index(batch_op.f("ix_activity_activity_date"))
    op.drop_table("activity")
    op.drop_table("activity_type")
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relationship_relationship_type_id"))
        batch_op.drop_index("ix_relationship_contact_id_b_type")
        batch_op.drop_index("ix_relationship_contact_id_a_type")
    op.drop_table("relationship")
    op.drop_table("relationship_type")
