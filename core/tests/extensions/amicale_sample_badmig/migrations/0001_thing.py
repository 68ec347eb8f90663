"""sample_badmig: thing (works)

Revision ID: 0001_badmig
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_badmig"
down_revision = None
branch_labels = ("sample_badmig",)
depends_on = "0001_core"


def upgrade() -> None:
    op.create_table(
        "sample_badmig_thing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_badmig_thing")),
    )


def downgrade() -> None:
    op.drop_table("sample_badmig_thing")
