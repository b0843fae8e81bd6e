"""api indexes: per-account status counts, run-time history per model, idempotency expiry

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:05:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        # the concurrent-jobs check and the list's status filter
        batch_op.create_index("ix_jobs_account_status", ["account_id", "status"], unique=False)
        # estimatedCompletionTime: recent real run times of one model
        batch_op.create_index(
            "ix_jobs_model_completed", ["model_slug", "status", "completed_at"], unique=False
        )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_created")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_model_completed")
        batch_op.drop_index("ix_jobs_account_status")
