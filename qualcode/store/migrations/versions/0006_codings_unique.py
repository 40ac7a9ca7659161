"""codings: the same coder cannot store the same code on the same span twice

Before the unique index is made, duplicates already stored are folded into the
oldest of each group: its memo gains the others' (different) memos, a missing
valence is taken from them, memos on the removed codings move to the kept one,
and the audit log records which coding ids were folded into which.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEY = ("coder_id", "document_id", "code_id", "start", "end")


def _fold_duplicates(conn: sa.Connection) -> None:
    codings = sa.table(
        "codings",
        sa.column("id"),
        sa.column("coder_id"),
        sa.column("document_id"),
        sa.column("code_id"),
        sa.column("start"),
        sa.column("end"),
        sa.column("valence"),
        sa.column("memo"),
    )
    memos = sa.table("memos", sa.column("target_type"), sa.column("target_id"))
    audit = sa.table(
        "audit_log",
        sa.column("at"),
        sa.column("coder"),
        sa.column("operation"),
        sa.column("detail"),
    )
    key_cols = [codings.c[k] for k in KEY]
    groups = conn.execute(
        sa.select(*key_cols).group_by(*key_cols).having(sa.func.count() > 1)
    ).all()
    folded: dict[int, list[int]] = {}
    for key in groups:
        rows = conn.execute(
            sa.select(codings.c.id, codings.c.valence, codings.c.memo)
            .where(*[c == v for c, v in zip(key_cols, key, strict=True)])
            .order_by(codings.c.id)
        ).all()
        kept, others = rows[0], rows[1:]
        memo_parts = [kept.memo] if kept.memo else []
        for r in others:
            if r.memo and r.memo not in memo_parts:
                memo_parts.append(r.memo)
        valence = kept.valence or next((r.valence for r in others if r.valence), None)
        other_ids = [r.id for r in others]
        conn.execute(
            sa.update(codings)
            .where(codings.c.id == kept.id)
            .values(memo="\n\n".join(memo_parts), valence=valence)
        )
        conn.execute(
            sa.update(memos)
            .where(memos.c.target_type == "coding", memos.c.target_id.in_(other_ids))
            .values(target_id=kept.id)
        )
        conn.execute(sa.delete(codings).where(codings.c.id.in_(other_ids)))
        folded[kept.id] = other_ids
    if folded:
        conn.execute(
            sa.insert(audit).values(
                at=datetime.now(UTC),
                coder=None,
                operation="fold duplicate codings",
                detail=json.dumps({"kept": {str(k): v for k, v in folded.items()}}),
            )
        )


def upgrade() -> None:
    _fold_duplicates(op.get_bind())
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.create_index("ux_codings_coder_doc_code_span", list(KEY), unique=True)


def downgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index("ux_codings_coder_doc_code_span")
