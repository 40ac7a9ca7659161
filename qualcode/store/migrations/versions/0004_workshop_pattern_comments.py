"""workshop_comments: a valence, so a workshop can comment on a pattern row

A pattern row is a code, or a code with a valence, across every grouped case.
Its comments are stored with row_type 'pattern' and row_id 0 (the row spans all
cases) and the row's valence (NULL for the code alone).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop_comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valence", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workshop_comments", schema=None) as batch_op:
        batch_op.drop_column("valence")
