"""Named queries for accounts, API keys, jobs, the ledger, idempotency records and models.

Every statement the API and the submit path run lives here under a name, with a one-line
description, so routes and services never build SQL inline. Each function runs inside the
caller's session/transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    Connection,
    Dialect,
    Row,
    String,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from editbay.store.models import (
    Account,
    ApiKey,
    IdempotencyRecord,
    Job,
    JobStatus,
    LedgerEntry,
    ModelRecord,
    WorkerRecord,
    utcnow,
)

ACTIVE_STATUSES = (JobStatus.PENDING.value, JobStatus.PROCESSING.value)

# Hot-path statements, built once (building a statement costs more than running it on SQLite).
_jobs = Job.__table__
_accounts = Account.__table__
_ACCOUNT_JOB = select(_jobs).where(
    _jobs.c.id == bindparam("job_id"),
    _jobs.c.account_id == bindparam("account_id"),
    _jobs.c.parent_id.is_(None),  # a segment task is part of its parent job: not a job of its own
)
_COUNT_ACTIVE = (
    select(func.count())
    .select_from(_jobs)
    .where(_jobs.c.account_id == bindparam("account_id"), _jobs.c.status.in_(ACTIVE_STATUSES))
    .where(_jobs.c.parent_id.is_(None))  # segment tasks are part of their parent job
)
_ACCOUNT_LIMITS = select(_accounts.c.active, _accounts.c.concurrent_job_limit).where(
    _accounts.c.id == bindparam("account_id")
)
# `status = a OR status = b` rather than an IN list: `store.groupsql` precompiles the statement
# for the raw cursor, and an IN list of literals is rendered per execution
_IS_ACTIVE = or_(*(_jobs.c.status == status for status in ACTIVE_STATUSES))
_COUNT_ACTIVE_UPTO = select(func.count()).select_from(
    select(_jobs.c.id)
    .where(_jobs.c.account_id == bindparam("account_id"), _IS_ACTIVE)
    .where(_jobs.c.parent_id.is_(None))  # segment tasks are part of their parent job
    .limit(bindparam("cap"))
    .subquery()
)

#: the grouped submit's statements (run on the raw cursor by `store.groupsql`)
LOCK_ACCOUNT = (
    select(_accounts.c.balance_microcents, _accounts.c.active, _accounts.c.concurrent_job_limit)
    .where(_accounts.c.id == bindparam("account_id"))
    .with_for_update()
)
COUNT_ACTIVE_UPTO = _COUNT_ACTIVE_UPTO
_ACCOUNT_IDS = _accounts.c.id == any_(bindparam("account_ids", type_=ARRAY(String)))
#: PostgreSQL: LOCK_ACCOUNT for several accounts in one statement (rows locked in id order)
LOCK_ACCOUNTS = (
    select(
        _accounts.c.id,
        _accounts.c.balance_microcents,
        _accounts.c.active,
        _accounts.c.concurrent_job_limit,
    )
    .where(_ACCOUNT_IDS)
    .order_by(_accounts.c.id)
    .with_for_update()
)
#: PostgreSQL: COUNT_ACTIVE_UPTO for several accounts, each up to its own concurrent-jobs limit
#: (accounts without a limit are left out); run after LOCK_ACCOUNTS, in the same transaction
COUNT_ACTIVE_OF = select(
    _accounts.c.id,
    select(func.count())
    .select_from(
        select(_jobs.c.id)
        .where(_jobs.c.account_id == _accounts.c.id, _IS_ACTIVE, _jobs.c.parent_id.is_(None))
        .limit(_accounts.c.concurrent_job_limit)
        .correlate(_accounts)
        .subquery()
    )
    .scalar_subquery(),
).where(_ACCOUNT_IDS, _accounts.c.concurrent_job_limit > 0)
_idempotency = IdempotencyRecord.__table__
_IDEMPOTENCY_KEY = (_idempotency.c.account_id == bindparam("account_id")) & (
    _idempotency.c.key == bindparam("key")
)
GET_IDEMPOTENCY = select(
    _idempotency.c.request_hash, _idempotency.c.response, _idempotency.c.created_at
).where(_IDEMPOTENCY_KEY)
DELETE_IDEMPOTENCY = delete(_idempotency).where(_IDEMPOTENCY_KEY)
_INSERT_JOB = insert(_jobs)

# ---- accounts --------------------------------------------------------------------------------


def get_account(session: Session, account_id: str) -> Account | None:
    """The account with this id."""
    return session.get(Account, account_id)


def get_account_by_name(session: Session, name: str) -> Account | None:
    """The account with this unique name."""
    return session.execute(select(Account).where(Account.name == name)).scalar_one_or_none()


def insert_account(session: Session, name: str, concurrent_job_limit: int) -> Account:
    """Create an account with a zero balance (credits arrive through `billing.topup`)."""
    account = Account(
        name=name, balance_microcents=0, held_microcents=0, concurrent_job_limit=concurrent_job_limit
    )
    session.add(account)
    session.flush()
    return account


def list_accounts(session: Session) -> Sequence[Account]:
    """Every account, oldest first."""
    return session.execute(select(Account).order_by(Account.created_at, Account.id)).scalars().all()


def count_accounts(session: Session) -> int:
    """How many accounts exist (an empty database gets a development account)."""
    return int(session.execute(select(func.count()).select_from(Account)).scalar_one())


def account_limits(session: Session, account_id: str) -> tuple[bool, int] | None:
    """(active, concurrent_job_limit) of the account, without loading the ORM object."""
    row = session.execute(_ACCOUNT_LIMITS, {"account_id": account_id}).first()
    return (bool(row[0]), int(row[1])) if row is not None else None


class AccountGate(NamedTuple):
    """What a submit checks on its account (`LOCK_ACCOUNT`): balance, activity and the
    concurrent-jobs limit."""

    balance: int
    active: bool
    concurrent_job_limit: int


def count_active_jobs_upto(session: Session, account_id: str, cap: int) -> int:
    """The account's pending/processing jobs, counted up to ``cap`` (the concurrent-jobs check
    costs O(limit), not O(all active jobs))."""
    return int(session.execute(_COUNT_ACTIVE_UPTO, {"account_id": account_id, "cap": cap}).scalar_one())


def set_webhook_secret(session: Session, account_id: str, secret: str) -> None:
    """Replace the account's webhook signing secret."""
    session.execute(update(Account).where(Account.id == account_id).values(webhook_secret=secret))


# ---- API keys --------------------------------------------------------------------------------


def get_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    """The key whose public prefix matches (the hash is compared by the caller)."""
    return session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()


def insert_key(session: Session, key: ApiKey) -> ApiKey:
    """Store a new key row (hash and prefix only, never the key)."""
    session.add(key)
    session.flush()
    return key


def list_keys(session: Session, account_id: str | None = None) -> Sequence[ApiKey]:
    """Keys, optionally of one account, oldest first."""
    stmt = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if account_id is not None:
        stmt = stmt.where(ApiKey.account_id == account_id)
    return session.execute(stmt).scalars().all()


def deactivate_key(session: Session, key_id_or_prefix: str) -> int:
    """Revoke a key by id or prefix; returns the number of rows changed."""
    result = session.execute(
        update(ApiKey)
        .where(or_(ApiKey.id == key_id_or_prefix, ApiKey.prefix == key_id_or_prefix))
        .values(active=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def touch_key(session: Session, key_id: str, when: datetime) -> None:
    """Record when a key was last used."""
    session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=when))


# ---- jobs ------------------------------------------------------------------------------------


def get_job(session: Session, job_id: str) -> Job | None:
    """A job by id, whatever its account (workers, webhooks)."""
    return session.get(Job, job_id)


def get_account_job(session: Session, account_id: str, job_id: str) -> Job | None:
    """A job by id, only if it belongs to the account (tenant isolation)."""
    return session.execute(
        select(Job).where(Job.id == job_id, Job.account_id == account_id, Job.parent_id.is_(None))
    ).scalar_one_or_none()


def insert_job_row(session: Session, values: dict[str, Any]) -> None:
    """Insert a new `pending` job from column values (a Core insert: the submit hot path)."""
    session.execute(_INSERT_JOB, values)



def get_account_job_row(conn: Connection | Session, account_id: str, job_id: str) -> Row[Any] | None:
    """A job's columns by id, only if it belongs to the account (GET /v1/jobs/{id}; a Core
    statement built once, cheaper than an ORM load)."""
    return conn.execute(_ACCOUNT_JOB, {"job_id": job_id, "account_id": account_id}).first()


#: the columns `GET /v1/jobs/{id}` shows, in the order of `store.reads.JobRow`
JOB_PUBLIC_COLUMNS = (
    "id",
    "status",
    "progress",
    "outputs",
    "error_code",
    "error_message",
    "created_at",
    "completed_at",
    "model_slug",
    "cost_microcents",
    "refunded_microcents",
    "started_at",
    "expires_at",
    "plan",
    "attempts",
    "skipped",
    "routing",
)


def jobs_public_sql(dialect: Dialect) -> str:
    """GET /v1/jobs/{id} for several requests at once (PostgreSQL, `store.reads`): the public
    columns and the owner of the jobs among the ``ids`` array parameter. Only the primary key is
    in the WHERE clause — with the owner there too, the planner may walk the account's index
    over all its jobs; the caller pairs each row with its request and answers "not found"
    unless the owner is the requester (tenant isolation), as `get_account_job_row` does."""
    stmt = select(*(_jobs.c[name] for name in JOB_PUBLIC_COLUMNS), _jobs.c.account_id).where(
        _jobs.c.id == any_(bindparam("ids", type_=ARRAY(String))),
        _jobs.c.parent_id.is_(None),  # segment tasks are not jobs of their own
    )
    return str(stmt.compile(dialect=dialect))


def account_job_public_sql(dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
    """GET /v1/jobs/{id} for a plain DBAPI connection (`store.reads`): the public columns of one
    job, with the same conditions as `get_account_job_row` (tenant isolation). Returns the SQL in
    the dialect's parameter style and, for positional styles, the parameter names in order
    (`job_id`, `account_id`); None means named parameters."""
    stmt = select(*(_jobs.c[name] for name in JOB_PUBLIC_COLUMNS)).where(_ACCOUNT_JOB.whereclause)  # type: ignore[arg-type]
    compiled = stmt.compile(dialect=dialect)
    return str(compiled), (tuple(compiled.positiontup or ()) if compiled.positional else None)


def insert_job(session: Session, job: Job) -> Job:
    """Insert a new `pending` job row."""
    session.add(job)
    session.flush()
    return job


def count_active_jobs(session: Session, account_id: str) -> int:
    """The account's jobs that are pending or processing (the concurrent-jobs limit)."""
    return int(session.execute(_COUNT_ACTIVE, {"account_id": account_id}).scalar_one())


def list_account_jobs(
    session: Session,
    account_id: str,
    limit: int,
    after: tuple[datetime, str] | None = None,
    status: str | None = None,
    model_slug: str | None = None,
) -> Sequence[Job]:
    """One page of the account's jobs, newest first, strictly after the (created_at, id) cursor.

    Keyset pagination: rows inserted after the first page have later timestamps and therefore
    never shift or duplicate the rows of later pages.
    """
    stmt = select(Job).where(Job.account_id == account_id, Job.parent_id.is_(None))
    if status is not None:
        stmt = stmt.where(Job.status == status)
    if model_slug is not None:
        stmt = stmt.where(Job.model_slug == model_slug)
    if after is not None:
        created, job_id = after
        stmt = stmt.where(or_(Job.created_at < created, (Job.created_at == created) & (Job.id < job_id)))
    stmt = stmt.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return session.execute(stmt).scalars().all()


def count_queue(session: Session) -> tuple[int, int]:
    """(pending, processing) job counts over all accounts: the queue depth for estimates."""
    rows = session.execute(
        select(Job.status, func.count())
        .where(Job.status.in_(ACTIVE_STATUSES), Job.parent_id.is_(None))  # a parent counts once
        .group_by(Job.status)
    ).all()
    counts = {str(status): int(n) for status, n in rows}
    return counts.get(JobStatus.PENDING.value, 0), counts.get(JobStatus.PROCESSING.value, 0)


def count_jobs_by_status(session: Session) -> dict[str, int]:
    """Job counts per status (the `/metrics` gauge); segment tasks are part of their parent job."""
    rows = session.execute(
        select(Job.status, func.count()).where(Job.parent_id.is_(None)).group_by(Job.status)
    ).all()
    return {str(status): int(n) for status, n in rows}


def recent_run_seconds(session: Session, model_slug: str | None, limit: int = 20) -> list[float]:
    """Real run times of the most recently completed jobs (of one model, if given)."""
    stmt = select(Job.run_seconds).where(
        Job.status == JobStatus.COMPLETED.value,
        Job.run_seconds.is_not(None),
        Job.parent_id.is_(None),  # a segment task's run is part of its parent's
    )
    if model_slug is not None:
        stmt = stmt.where(Job.model_slug == model_slug)
    stmt = stmt.order_by(Job.completed_at.desc()).limit(limit)
    return [float(v) for v in session.execute(stmt).scalars().all() if v is not None]


def jobs_holding_work(session: Session, job_ids: Sequence[str], ended_before: datetime) -> set[str]:
    """Those of ``job_ids`` that may still need their segment pieces: not ended, or ended after
    ``ended_before`` (the segment sweeper deletes the pieces of every other id)."""
    held: set[str] = set()
    for start in range(0, len(job_ids), 500):
        chunk = list(job_ids[start : start + 500])
        held.update(
            session.execute(
                select(Job.id).where(
                    Job.id.in_(chunk),
                    or_(Job.status.in_(ACTIVE_STATUSES), Job.completed_at.is_(None),
                        Job.completed_at >= ended_before),
                )
            ).scalars()
        )
    return held


def count_live_workers(session: Session, since: datetime) -> int:
    """Workers whose last heartbeat is newer than ``since`` (and are not stopping)."""
    return int(
        session.execute(
            select(func.count())
            .select_from(WorkerRecord)
            .where(WorkerRecord.last_heartbeat_at >= since, WorkerRecord.status != "stopping")
        ).scalar_one()
    )


# ---- ledger ----------------------------------------------------------------------------------


def list_ledger(
    session: Session, account_id: str, limit: int, before_id: int | None = None
) -> Sequence[LedgerEntry]:
    """One page of the account's ledger, newest first, strictly before the entry id cursor."""
    stmt = select(LedgerEntry).where(LedgerEntry.account_id == account_id)
    if before_id is not None:
        stmt = stmt.where(LedgerEntry.id < before_id)
    return session.execute(stmt.order_by(LedgerEntry.id.desc()).limit(limit)).scalars().all()


def ledger_sums(session: Session, account_id: str) -> tuple[int, int]:
    """(Σ amount, Σ held_delta) over the account's ledger: must equal (balance, held)."""
    row = session.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.amount_microcents), 0),
            func.coalesce(func.sum(LedgerEntry.held_delta_microcents), 0),
        ).where(LedgerEntry.account_id == account_id)
    ).one()
    return int(row[0]), int(row[1])


# ---- idempotency -----------------------------------------------------------------------------


def get_idempotency(session: Session, account_id: str, key: str) -> IdempotencyRecord | None:
    """The stored submit response for this (account, Idempotency-Key), if any."""
    return session.get(IdempotencyRecord, (account_id, key))


def insert_idempotency(session: Session, record: IdempotencyRecord) -> None:
    """Store a submit response under its key (the primary key makes concurrent twins collide)."""
    session.add(record)
    session.flush()


def delete_idempotency(session: Session, account_id: str, key: str) -> None:
    """Forget an expired record so its key can be used again."""
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.account_id == account_id, IdempotencyRecord.key == key
        )
    )


def purge_idempotency(session: Session, older_than: datetime) -> int:
    """Delete records older than the retention window."""
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < older_than))
    return int(result.rowcount)  # type: ignore[attr-defined]


# ---- models ----------------------------------------------------------------------------------


def upsert_model(session: Session, slug: str, model_id: str, spec: dict[str, Any]) -> None:
    """Insert or replace a served model's spec (synced from the pricing file)."""
    record = session.get(ModelRecord, slug)
    if record is None:
        session.add(ModelRecord(slug=slug, id=model_id, spec=spec, updated_at=utcnow()))
    else:
        record.id = model_id
        record.spec = spec
        record.updated_at = utcnow()
    session.flush()


def delete_models_except(session: Session, slugs: Sequence[str]) -> None:
    """Drop models that are no longer in the pricing file."""
    session.execute(delete(ModelRecord).where(ModelRecord.slug.not_in(list(slugs))))


def get_model(session: Session, id_or_slug: str) -> ModelRecord | None:
    """A model by slug or by id."""
    record = session.get(ModelRecord, id_or_slug)
    if record is None:
        record = session.execute(select(ModelRecord).where(ModelRecord.id == id_or_slug)).scalar_one_or_none()
    return record


def list_models(session: Session) -> Sequence[ModelRecord]:
    """Every served model, by slug."""
    return session.execute(select(ModelRecord).order_by(ModelRecord.slug)).scalars().all()
