"""The queue's SQL, one named statement each: claim, lease, progress, finish, cancel, release.

Every state change is a single guarded ``UPDATE … WHERE status = <expected> [AND lease_owner =
me]`` whose row count says whether it applied, so two workers (or a worker and the cancel
endpoint) can race and exactly one wins. `jobs.lifecycle` composes these with billing and the
webhook outbox inside the caller's transaction.

Claiming: PostgreSQL locks the candidate row with ``FOR UPDATE SKIP LOCKED`` so concurrent
claimers take different jobs without waiting; SQLite transactions already hold the write lock
(``BEGIN IMMEDIATE``), so the select-then-guarded-update pair is atomic there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from editbay.store.models import Job, JobStatus, WorkerRecord

PENDING = JobStatus.PENDING.value
PROCESSING = JobStatus.PROCESSING.value


def _changed(result: Any) -> bool:
    return int(result.rowcount) == 1


# ---- claim -----------------------------------------------------------------------------------


def _claimable(now: datetime, max_attempts: int) -> Any:
    return or_(
        and_(Job.status == PENDING, Job.cancel_requested.is_(False)),
        and_(
            Job.status == PROCESSING,
            Job.lease_expires_at < now,
            Job.attempts < max_attempts,
            Job.cancel_requested.is_(False),
        ),
    )


def running_by_account(session: Session) -> dict[str, int]:
    """Jobs (and segment tasks) processing now, per account — a few rows: one per busy slot."""
    rows = session.execute(
        select(Job.account_id, func.count()).where(Job.status == PROCESSING).group_by(Job.account_id)
    ).all()
    return {str(account): int(count) for account, count in rows}


def find_claimable(
    session: Session, now: datetime, max_attempts: int, parent_id: str | None = None
) -> str | None:
    """The next runnable job: pending, or processing with an expired lease and attempts left.

    Fair across accounts: the oldest candidate of the accounts with the fewest jobs running now
    (a burst of one account's jobs does not starve another account's). Tier by tier — accounts
    running nothing, then those running the fewest — each tier one ordered scan of the queue
    index that stops at its first match, locked ``FOR UPDATE SKIP LOCKED``. With ``parent_id``
    only that job's segment tasks are considered (the parent's worker helping; no tiers).
    """
    base = (
        select(Job.id)
        .where(_claimable(now, max_attempts))
        .order_by(Job.created_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if parent_id is not None:
        return session.execute(base.where(Job.parent_id == parent_id)).scalar_one_or_none()
    running = running_by_account(session)
    if not running:
        return session.execute(base).scalar_one_or_none()
    found = session.execute(base.where(Job.account_id.not_in(list(running)))).scalar_one_or_none()
    if found is not None:
        return found
    for count in sorted(set(running.values())):
        tier = [account for account, n in running.items() if n == count]
        found = session.execute(base.where(Job.account_id.in_(tier))).scalar_one_or_none()
        if found is not None:
            return found
    return None


def take_lease(session: Session, job_id: str, worker_id: str, now: datetime, lease_seconds: float) -> bool:
    """Guarded claim: pending (or expired processing) → processing held by ``worker_id``."""
    result = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.cancel_requested.is_(False),
            or_(Job.status == PENDING, and_(Job.status == PROCESSING, Job.lease_expires_at < now)),
        )
        .values(
            status=PROCESSING,
            lease_owner=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=Job.attempts + 1,
            started_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def find_abandoned(session: Session, now: datetime, max_attempts: int, limit: int = 20) -> Sequence[str]:
    """Processing jobs whose lease expired and that may not run again (attempts used up, or a
    cancel was requested while their worker was gone)."""
    stmt = (
        select(Job.id)
        .where(
            Job.status == PROCESSING,
            Job.lease_expires_at < now,
            or_(Job.attempts >= max_attempts, Job.cancel_requested.is_(True)),
        )
        .order_by(Job.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.execute(stmt).scalars().all()


# ---- while running ---------------------------------------------------------------------------


def renew_lease(session: Session, job_id: str, worker_id: str, now: datetime, lease_seconds: float) -> bool:
    """Guarded heartbeat: extend the lease only while this worker still holds it."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PROCESSING, Job.lease_owner == worker_id)
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def read_run_signals(session: Session, job_id: str) -> tuple[bool, int]:
    """What a running job's supervisor watches between heartbeats: whether a stop was requested,
    and how many upstream webhooks were accepted for it (`count_upstream_notification`)."""
    row = session.execute(
        select(Job.cancel_requested, Job.upstream_notifications).where(Job.id == job_id)
    ).one_or_none()
    return (False, 0) if row is None else (bool(row[0]), int(row[1] or 0))


def count_upstream_notification(session: Session, job_id: str) -> bool:
    """Guarded: count an accepted upstream webhook on a job that has not ended (processing: its
    worker waits on the upstream; pending: a retried attempt about to resubmit). False if ended
    or unknown."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_((PENDING, PROCESSING)))
        .values(upstream_notifications=Job.upstream_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def write_progress(session: Session, job_id: str, worker_id: str, progress: int) -> bool:
    """Guarded progress update (0..99 while running; 100 is written by completion)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PROCESSING, Job.lease_owner == worker_id)
        .values(progress=progress)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def write_routing(session: Session, job_id: str, worker_id: str, routing: dict[str, Any]) -> bool:
    """Guarded update of a running job's routing record (decision, reason, upstream link)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PROCESSING, Job.lease_owner == worker_id)
        .values(routing=routing)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


# ---- finish ----------------------------------------------------------------------------------


def finish_held(
    session: Session, job_id: str, worker_id: str, *, cancel_requested: bool, values: dict[str, Any]
) -> bool:
    """Guarded terminal write by the lease holder; ``cancel_requested`` must match (a job asked
    to stop can only end ``cancelled``; one not asked can never end ``cancelled`` by a worker)."""
    result = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.status == PROCESSING,
            Job.lease_owner == worker_id,
            Job.cancel_requested.is_(cancel_requested),
        )
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def finish_abandoned(session: Session, job_id: str, now: datetime, values: dict[str, Any]) -> bool:
    """Guarded terminal write for a job whose lease expired (its worker is gone)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PROCESSING, Job.lease_expires_at < now)
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def cancel_pending(session: Session, job_id: str, values: dict[str, Any]) -> bool:
    """Guarded cancel of a job nobody has claimed yet: pending → cancelled."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def request_cancel(session: Session, job_id: str) -> bool:
    """Guarded stop request for a running job; its worker ends it."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PROCESSING)
        .values(cancel_requested=True)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def give_back(session: Session, job_id: str, worker_id: str) -> bool:
    """Guarded release on shutdown: processing → pending; the attempt is not counted."""
    result = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.status == PROCESSING,
            Job.lease_owner == worker_id,
            Job.cancel_requested.is_(False),
        )
        .values(
            status=PENDING,
            lease_owner=None,
            lease_expires_at=None,
            progress=0,
            attempts=Job.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def load_job(session: Session, job_id: str) -> Job | None:
    """The job row, refreshed from the database (after a guarded update)."""
    return session.execute(
        select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()


def find_open_children(session: Session, parent_id: str) -> Sequence[str]:
    """Segment tasks of ``parent_id`` that have not ended (left by an earlier attempt)."""
    return (
        session.execute(
            select(Job.id).where(Job.parent_id == parent_id, Job.status.in_([PENDING, PROCESSING]))
        )
        .scalars()
        .all()
    )


def read_children(session: Session, child_ids: Sequence[str]) -> Sequence[Any]:
    """(id, status, progress, error_message) of segment tasks."""
    if not child_ids:
        return []
    return session.execute(
        select(Job.id, Job.status, Job.progress, Job.error_message).where(Job.id.in_(list(child_ids)))
    ).all()


# ---- workers ---------------------------------------------------------------------------------


def upsert_worker(session: Session, record: WorkerRecord) -> None:
    """Register a worker (or refresh its row after a restart with the same id)."""
    session.merge(record)


def beat_worker(session: Session, worker_id: str, now: datetime, status: str, job_id: str | None) -> None:
    """A worker's liveness heartbeat with its current state."""
    session.execute(
        update(WorkerRecord)
        .where(WorkerRecord.id == worker_id)
        .values(last_heartbeat_at=now, status=status, current_job_id=job_id)
        .execution_options(synchronize_session=False)
    )


def remove_worker(session: Session, worker_id: str) -> None:
    """Forget a worker that shut down cleanly."""
    session.execute(delete(WorkerRecord).where(WorkerRecord.id == worker_id))


def live_workers(session: Session, since: datetime) -> Sequence[WorkerRecord]:
    """Workers whose last heartbeat is newer than ``since``, oldest first."""
    return (
        session.execute(
            select(WorkerRecord)
            .where(WorkerRecord.last_heartbeat_at >= since)
            .order_by(WorkerRecord.started_at, WorkerRecord.id)
        )
        .scalars()
        .all()
    )


def purge_dead_workers(session: Session, before: datetime) -> int:
    """Delete worker rows silent since ``before`` (crashed processes)."""
    result = session.execute(delete(WorkerRecord).where(WorkerRecord.last_heartbeat_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
