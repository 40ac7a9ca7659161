"""document_progress: each document's coded share, stored and kept current by triggers

Lists of documents showed how much of each is coded by merging every coding against
every turn on each opening (0.5-1 s at 2,000 transcripts). The figures are now stored
per document; triggers on codings, turns and documents note which documents a write
changed, and the write recounts them before it commits (see qualcode.store.progress).
Existing projects are counted here, in the upgrade.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qualcode.store.progress import drop_triggers, install_triggers, refresh_all

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_progress",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("spoken_chars", sa.Integer(), nullable=False),
        sa.Column("coded_chars", sa.Integer(), nullable=False),
        sa.Column("codings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_progress_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_progress")),
    )
    op.create_table(
        "document_progress_stale",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_progress_stale")),
    )
    conn = op.get_bind()
    install_triggers(conn)
    refresh_all(conn)


def downgrade() -> None:
    drop_triggers(op.get_bind())
    op.drop_table("document_progress_stale")
    op.drop_table("document_progress")
