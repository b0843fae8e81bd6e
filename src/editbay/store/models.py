"""SQLAlchemy 2 models: everything transactional lives in one database (SQLite or PostgreSQL).

Money is integer micro-cents. A ledger row records its effect on the account's spendable
balance (`amount_microcents`) and on its held credits (`held_delta_microcents`), so the two
account columns always equal the sums of their ledger columns.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """Unguessable public id: prefix + 128 random bits."""
    return f"{prefix}_{secrets.token_hex(16)}"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which stores naive values) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Every model here is a declarative table: say so, so Core statements on `Model.__table__`
    # type-check (SQLAlchemy types it as the general FromClause).
    __table__: ClassVar[Table]  # type: ignore[misc]

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class LedgerKind(StrEnum):
    TOPUP = "topup"
    HOLD = "hold"
    CAPTURE = "capture"
    REFUND = "refund"


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(48), primary_key=True, default=lambda: new_id("acc"))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    balance_microcents: Mapped[int] = mapped_column(BigInteger, default=0)
    held_microcents: Mapped[int] = mapped_column(BigInteger, default=0)
    concurrent_job_limit: Mapped[int] = mapped_column(Integer, default=10)
    webhook_secret: Mapped[str] = mapped_column(String(100), default=lambda: "whsec_" + secrets.token_hex(24))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(48), primary_key=True, default=lambda: new_id("key"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200), default="")
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    ip_allowlist: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class ModelRecord(Base):
    """A served model and its pricing, synced from the pricing data file at start-up."""

    __tablename__ = "models"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_queue", "status", "created_at"),
        Index("ix_jobs_account_created", "account_id", "created_at", "id"),
        Index("ix_jobs_account_status", "account_id", "status"),
        Index("ix_jobs_model_completed", "model_slug", "status", "completed_at"),
        # Partial: only segment tasks have a parent. Every job would otherwise add a NULL entry
        # (one more index write per submit), and a planner with stale statistics took the
        # NULLs for selective and walked them all for `parent_id IS NULL` (docs/performance.md).
        Index(
            "ix_jobs_parent",
            "parent_id",
            "segment_index",
            postgresql_where=text("parent_id IS NOT NULL"),
            sqlite_where=text("parent_id IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(48), primary_key=True, default=lambda: new_id("job"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    api_key_id: Mapped[str | None] = mapped_column(String(48), default=None)
    request_id: Mapped[str] = mapped_column(String(64))
    model_slug: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(64), default="")
    input: Mapped[dict[str, Any]] = mapped_column(default=dict)
    webhook_url: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    cost_microcents: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_microcents: Mapped[int] = mapped_column(BigInteger, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    outputs: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    output_meta: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    skipped: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    run_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    #: segment-parallel rendering: a child task's parent job and its place in the join (else None)
    parent_id: Mapped[str | None] = mapped_column(String(48), default=None)
    segment_index: Mapped[int | None] = mapped_column(Integer, default=None)
    #: webhooks accepted from the upstream for this job (`POST /v1/upstream/webhook/…`): a change
    #: wakes the job's upstream wait (`worker.runner`), in whichever process it runs
    upstream_notifications: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_account_id", "account_id", "id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    job_id: Mapped[str | None] = mapped_column(String(48), default=None, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_microcents: Mapped[int] = mapped_column(BigInteger)
    held_delta_microcents: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_after_microcents: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (Index("ix_idempotency_created", "created_at"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[str | None] = mapped_column(String(48), default=None)
    status_code: Mapped[int] = mapped_column(Integer, default=200)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredFile(Base):
    """An upload (presign → PUT) or a job output held in storage."""

    __tablename__ = "files"

    id: Mapped[str] = mapped_column(String(48), primary_key=True, default=lambda: new_id("file"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    job_id: Mapped[str | None] = mapped_column(String(48), default=None, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="upload")  # upload | output | thumbnail | poster
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    storage_key: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    max_size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | ready | deleted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None, index=True)


class WebhookEvent(Base):
    """Transactional outbox: written in the same transaction as the job's terminal state."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(48), primary_key=True, default=lambda: new_id("evt"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    job_id: Mapped[str] = mapped_column(String(48), index=True)
    url: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    latency_ms: Mapped[float | None] = mapped_column(Float, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerRecord(Base):
    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="idle")  # idle | busy | stopping
    current_job_id: Mapped[str | None] = mapped_column(String(48), default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
