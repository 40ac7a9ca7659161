"""codings: index code, document and valence together

Pattern matching per code x valence groups codings by all three; the wider index
serves that and every query the (code_id, document_id) index served.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index("ix_codings_code_doc")
        batch_op.create_index("ix_codings_code_doc_valence", ["code_id", "document_id", "valence"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index("ix_codings_code_doc_valence")
        batch_op.create_index("ix_codings_code_doc", ["code_id", "document_id"], unique=False)
