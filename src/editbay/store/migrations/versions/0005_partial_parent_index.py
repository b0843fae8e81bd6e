"""jobs.ix_jobs_parent partial: only segment tasks (parent_id IS NOT NULL) are indexed

Every job used to add a NULL entry to this index — one more index write per submit — and with
stale statistics (a freshly loaded table, before autoanalyze) PostgreSQL's planner took
`parent_id IS NULL` for selective and walked all those NULLs on every `GET /v1/jobs/{id}`.
Lookups by `parent_id = :id` (a parent's segment tasks) use the partial index as before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_WHERE = sa.text("parent_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_parent")
        batch_op.create_index(
            "ix_jobs_parent",
            ["parent_id", "segment_index"],
            unique=False,
            postgresql_where=_WHERE,
            sqlite_where=_WHERE,
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_parent")
        batch_op.create_index("ix_jobs_parent", ["parent_id", "segment_index"], unique=False)
