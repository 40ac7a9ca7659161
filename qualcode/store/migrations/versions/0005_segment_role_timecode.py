"""segments: the speaker's role and the timecode of each turn and sentence

Caption files and timestamped transcripts carry the time each turn starts; it is
kept beside the text (milliseconds from the start of the recording) for quote
references and a later audio player. The role (interviewer / participant / other,
or none when nobody said) tells an unattributed speaker from an interviewer.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("timecode_ms", sa.Integer(), nullable=True))
    segments = sa.table("segments", sa.column("role", sa.String), sa.column("is_participant",
                                                                            sa.Boolean))
    op.execute(segments.update().where(segments.c.is_participant == sa.true())
               .values(role="participant"))


def downgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_column("timecode_ms")
        batch_op.drop_column("role")
