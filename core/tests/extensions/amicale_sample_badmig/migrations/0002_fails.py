"""sample_badmig: a second step that fails after writing

Revision ID: 0002_badmig
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_badmig"
down_revision = "0001_badmig"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("sample_badmig_other", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO sample_badmig_thing (id) VALUES (1)")
    op.execute("INSERT INTO no_such_table (id) VALUES (1)")  # fails


def downgrade() -> None:
    op.drop_table("sample_badmig_other")
