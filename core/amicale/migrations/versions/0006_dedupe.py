"""dedupe: duplicate rules (with the defaults seeded), exceptions, merges

Revision ID: 0006_dedupe
Revises: 0005_mail
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_dedupe"
down_revision: str | Sequence[str] | None = "0005_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, contact_type, threshold, is_default, [(field, match, weight, cutoff)])
DEFAULT_RULES = [
    ("Same email", "Individual", 10, True, [("email", "exact", 10, 85)]),
    (
        "Same first name, last name and email",
        "Individual",
        20,
        False,
        [("first_name", "exact", 5, 85), ("last_name", "exact", 5, 85), ("email", "exact", 10, 85)],
    ),
    (
        "Same first name, last name and postal code",
        "Individual",
        20,
        False,
        [
            ("first_name", "exact", 5, 85),
            ("last_name", "exact", 5, 85),
            ("postal_code", "exact", 10, 85),
        ],
    ),
    (
        "Similar name in the same postal code",
        "Individual",
        20,
        False,
        [
            ("first_name", "fuzzy", 5, 85),
            ("last_name", "fuzzy", 5, 85),
            ("postal_code", "exact", 10, 85),
        ],
    ),
    (
        "Similar organisation name and same email",
        "Organization",
        20,
        True,
        [("organization_name", "fuzzy", 10, 90), ("email", "exact", 10, 85)],
    ),
]


def upgrade() -> None:
    op.create_table(
        "dedupe_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("contact_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_reserved", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedupe_rule")),
        sa.UniqueConstraint("name", name=op.f("uq_dedupe_rule_name")),
    )
    op.create_table(
        "dedupe_rule_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("match", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["dedupe_rule.id"],
            name=op.f("fk_dedupe_rule_field_rule_id_dedupe_rule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedupe_rule_field")),
    )
    with op.batch_alter_table("dedupe_rule_field", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dedupe_rule_field_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "dedupe_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id_a", sa.Integer(), nullable=False),
        sa.Column("contact_id_b", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id_a"],
            ["contact.id"],
            name=op.f("fk_dedupe_exception_contact_id_a_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id_b"],
            ["contact.id"],
            name=op.f("fk_dedupe_exception_contact_id_b_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_dedupe_exception_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedupe_exception")),
        sa.UniqueConstraint(
            "contact_id_a",
            "contact_id_b",
            name=op.f("uq_dedupe_exception_contact_id_a_contact_id_b"),
        ),
    )
    with op.batch_alter_table("dedupe_exception", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dedupe_exception_contact_id_b"), ["contact_id_b"], unique=False
        )

    op.create_table(
        "dedupe_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("winner_id", sa.Integer(), nullable=False),
        sa.Column("loser_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["winner_id"],
            ["contact.id"],
            name=op.f("fk_dedupe_merge_winner_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["loser_id"],
            ["contact.id"],
            name=op.f("fk_dedupe_merge_loser_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_dedupe_merge_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedupe_merge")),
        sa.UniqueConstraint("loser_id", name=op.f("uq_dedupe_merge_loser_id")),
    )
    with op.batch_alter_table("dedupe_merge", schema=None) as batch_op:
        batch_op.create_index("ix_dedupe_merge_winner_id", ["winner_id"], unique=False)

    _seed_rules()


def _seed_rules() -> None:
    rule = sa.table(
        "dedupe_rule",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("contact_type", sa.String),
        sa.column("threshold", sa.Integer),
        sa.column("is_default", sa.Boolean),
        sa.column("is_reserved", sa.Boolean),
        sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    rule_field = sa.table(
        "dedupe_rule_field",
        sa.column("rule_id", sa.Integer),
        sa.column("field", sa.String),
        sa.column("match", sa.String),
        sa.column("weight", sa.Integer),
        sa.column("cutoff", sa.Integer),
    )
    now = datetime.now(UTC)
    conn = op.get_bind()
    for name, contact_type, threshold, is_default, fields in DEFAULT_RULES:
        rule_id = conn.execute(
            rule.insert()
            .values(
                name=name,
                contact_type=contact_type,
                threshold=threshold,
                is_default=is_default,
                is_reserved=True,
                created_at=now,
            )
            .returning(rule.c.id)
        ).scalar_one()
        op.bulk_insert(
            rule_field,
            [
                {"rule_id": rule_id, "field": f, "match": m, "weight": w, "cutoff": c}
                for f, m, w, c in fields
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("dedupe_merge", schema=None) as batch_op:
        batch_op.drop_index("ix_dedupe_merge_winner_id")
    op.drop_table("dedupe_merge")
    with op.batch_alter_table("dedupe_exception", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dedupe_exception_contact_id_b"))
    op.drop_table("dedupe_exception")
    with op.batch_alter_table("dedupe_rule_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dedupe_rule_field_rule_id"))
    op.drop_table("dedupe_rule_field")
    op.drop_table("dedupe_rule")
