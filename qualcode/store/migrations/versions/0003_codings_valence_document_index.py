"""codings: index code, valence and document in that order

Pattern matching per code × valence reads codings per code × valence × document;
with the columns in this order SQLite walks the index in order instead of sorting.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.create_index("ix_codings_code_valence_doc", ["code_id", "valence", "document_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index("ix_codings_code_valence_doc")
