"""job segments: child job rows (parent_id, segment_index) for segment-parallel rendering

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column("segment_index", sa.Integer(), nullable=True))
        # the parent's join: its children by index
        batch_op.create_index("ix_jobs_parent", ["parent_id", "segment_index"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_parent")
        batch_op.drop_column("segment_index")
        batch_op.drop_column("parent_id")
