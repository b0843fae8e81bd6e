"""The job state machine: one guarded function per transition, each in the caller's transaction.

    pending ──claim_next──> processing ──complete──> completed   (capture the hold)
       │                       │ ├──────fail─────> failed       (refund)
       │                       │ └─(cancel asked)─> cancelled    (refund)   finish_cancelled
       └────────cancel─────────┴──> cancelled (refund)
    processing ──release──> pending                 (graceful shutdown; the attempt is not counted)
    processing, lease expired ──claim_next──> processing (attempts + 1), or failed after
                                              max_attempts (INTERNAL_ERROR, refund)

A job ends once and is charged once: every terminal write is a guarded UPDATE that only the
current state allows, and billing plus the webhook outbox row go into the same transaction only
when that UPDATE applied. A job asked to stop can only end ``cancelled``, so the cancel endpoint's
answer is never contradicted by a completion racing it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import billing
from editbay.jobs.outputs import output_keys
from editbay.store import outbox, queue
from editbay.store.models import Job, JobStatus, StoredFile, utcnow
from editbay.store.notify import (
    notify_cancel_requested,
    notify_job_available,
    notify_segment_ended,
    notify_webhook_due,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 3


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds and ``Z`` (the wire format)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _enqueue_webhook(session: Session, job: Job) -> None:
    """Write the job's terminal event to the outbox (only when the job has a webhook URL); for a
    segment task, wake its parent instead (children never have a webhook)."""
    if job.parent_id is not None:
        notify_segment_ended(session)
    if not job.webhook_url:
        return
    payload: dict[str, Any] = {
        "jobId": job.id,
        "requestId": job.request_id,
        "status": job.status,
        "error": {"code": job.error_code, "message": job.error_message} if job.error_code else None,
        "completedAt": _iso(job.completed_at),
    }
    outbox.insert_event(session, job.account_id, job.id, job.webhook_url, payload)
    notify_webhook_due(session)


def _refund(session: Session, job: Job, note: str) -> None:
    if job.cost_microcents:
        billing.refund(session, job.account_id, job.id, job.cost_microcents, note=note)


def _ended(session: Session, job_id: str) -> Job:
    job = queue.load_job(session, job_id)
    assert job is not None  # the guarded UPDATE just matched it
    return job


def _refunded_values(job_cost: int, status: JobStatus, now: datetime, **extra: Any) -> dict[str, Any]:
    return {"status": status.value, "completed_at": now, "refunded_microcents": job_cost, **extra}


# ---- claim -----------------------------------------------------------------------------------


def reap_abandoned(session: Session, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> list[Job]:
    """End processing jobs whose worker vanished and that may not run again.

    Attempts used up → ``failed`` INTERNAL_ERROR; a stop was requested → ``cancelled``. Both refund.
    """
    now = utcnow()
    ended: list[Job] = []
    for job_id in queue.find_abandoned(session, now, max_attempts):
        job = queue.load_job(session, job_id)
        if job is None:
            continue
        if job.cancel_requested:
            values = _refunded_values(job.cost_microcents, JobStatus.CANCELLED, now)
            note = "cancelled"
        else:
            values = _refunded_values(
                job.cost_microcents,
                JobStatus.FAILED,
                now,
                error_code=ErrorCode.INTERNAL_ERROR.value,
                error_message=f"the job's worker stopped responding {job.attempts} times; giving up",
            )
            note = "worker lost"
        if queue.finish_abandoned(session, job_id, now, values):
            job = _ended(session, job_id)
            _refund(session, job, note)
            _enqueue_webhook(session, job)
            ended.append(job)
    return ended


def claim_next(
    session: Session,
    worker_id: str,
    lease_seconds: float,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    *,
    parent_id: str | None = None,
) -> Job | None:
    """Take the next runnable job for ``worker_id`` (attempts + 1, lease set), or None.

    Fair across accounts (see `queue.find_claimable`); ``parent_id`` restricts the claim to that
    job's segment tasks."""
    reap_abandoned(session, max_attempts)
    now = utcnow()
    for _ in range(3):  # a candidate can be taken by someone else between select and update
        job_id = queue.find_claimable(session, now, max_attempts, parent_id)
        if job_id is None:
            return None
        if queue.take_lease(session, job_id, worker_id, now, lease_seconds):
            return _ended(session, job_id)
    return None


# ---- while running ---------------------------------------------------------------------------


def heartbeat(
    session: Session, job_id: str, worker_id: str, lease_seconds: float = 30.0
) -> tuple[bool, int] | None:
    """Renew the lease. Returns the job's run signals (whether a stop was requested, the upstream
    webhooks accepted so far: `queue.read_run_signals`), or None when the lease is lost."""
    if not queue.renew_lease(session, job_id, worker_id, utcnow(), lease_seconds):
        return None
    return queue.read_run_signals(session, job_id)


def set_progress(session: Session, job_id: str, worker_id: str, progress: int) -> bool:
    """Record render progress (clamped to 0..99; completion writes 100)."""
    return queue.write_progress(session, job_id, worker_id, max(0, min(99, int(progress))))


def set_routing(session: Session, job_id: str, worker_id: str, routing: dict[str, Any]) -> bool:
    """Record where the job runs and why, and its upstream job once linked (while it runs)."""
    return queue.write_routing(session, job_id, worker_id, routing)


# ---- finish ----------------------------------------------------------------------------------


def complete(
    session: Session,
    job_id: str,
    worker_id: str,
    outputs: list[dict[str, Any]],
    output_meta: dict[str, Any] | None = None,
    plan: dict[str, Any] | None = None,
    skipped: list[Any] | None = None,
    *,
    run_seconds: float | None = None,
    retention_hours: float = 24.0 * 7,
) -> Job | None:
    """processing → completed, only while ``worker_id`` holds the lease and no stop was asked.

    Captures the hold, records the output files for retention and writes the webhook event.
    Returns the ended job, or None if the transition did not apply.
    """
    now = utcnow()
    expires = now + timedelta(hours=retention_hours)
    values = {
        "status": JobStatus.COMPLETED.value,
        "progress": 100,
        "outputs": outputs,
        "output_meta": output_meta,
        "plan": plan,
        "skipped": skipped,
        "completed_at": now,
        "expires_at": expires,
        "run_seconds": run_seconds,
        "error_code": None,
        "error_message": None,
    }
    if not queue.finish_held(session, job_id, worker_id, cancel_requested=False, values=values):
        return None
    job = _ended(session, job_id)
    if job.cost_microcents:
        billing.capture(session, job.account_id, job.id, job.cost_microcents)
    for item in outputs:
        for kind, key in output_keys(item):
            session.add(
                StoredFile(
                    account_id=job.account_id,
                    job_id=job.id,
                    kind=kind,
                    filename=key.rsplit("/", 1)[-1],
                    content_type=item.get("contentType", "video/mp4") if kind == "output" else "image/jpeg",
                    storage_key=key,
                    size_bytes=item.get("sizeBytes") if kind == "output" else None,
                    status="ready",
                    expires_at=expires,
                )
            )
    _enqueue_webhook(session, job)
    return job


def fail(
    session: Session,
    job_id: str,
    worker_id: str,
    code: ErrorCode | str,
    message: str,
    *,
    plan: dict[str, Any] | None = None,
    run_seconds: float | None = None,
) -> Job | None:
    """processing → failed with a refund, only while ``worker_id`` holds the lease."""
    job = queue.load_job(session, job_id)
    if job is None:
        return None
    values = _refunded_values(
        job.cost_microcents,
        JobStatus.FAILED,
        utcnow(),
        error_code=str(code),
        error_message=message[:2000],
        run_seconds=run_seconds,
    )
    if plan is not None:
        values["plan"] = plan
    if not queue.finish_held(session, job_id, worker_id, cancel_requested=False, values=values):
        return None
    job = _ended(session, job_id)
    _refund(session, job, f"failed: {code}")
    _enqueue_webhook(session, job)
    return job


def finish_cancelled(
    session: Session, job_id: str, worker_id: str, *, run_seconds: float | None = None
) -> Job | None:
    """processing (stop asked) → cancelled with a refund, by the worker that held it."""
    job = queue.load_job(session, job_id)
    if job is None:
        return None
    values = _refunded_values(job.cost_microcents, JobStatus.CANCELLED, utcnow(), run_seconds=run_seconds)
    if not queue.finish_held(session, job_id, worker_id, cancel_requested=True, values=values):
        return None
    job = _ended(session, job_id)
    _refund(session, job, "cancelled")
    _enqueue_webhook(session, job)
    return job


def cancel(session: Session, account_id: str, job_id: str) -> Job:
    """The cancel endpoint: pending → cancelled now (refund, webhook); processing → stop asked
    (the worker ends it ``cancelled`` with a refund within about a second). Terminal → error."""
    for _ in range(3):
        job = queue.load_job(session, job_id)
        if job is None or job.account_id != account_id or job.parent_id is not None:
            raise EditbayError(ErrorCode.JOB_NOT_FOUND, f"job {job_id} not found")
        if JobStatus(job.status).is_terminal:
            raise EditbayError(
                ErrorCode.JOB_CANNOT_BE_CANCELLED,
                f"job {job_id} is already {job.status} and cannot be cancelled",
                {"status": job.status},
            )
        if job.status == JobStatus.PENDING.value:
            values = _refunded_values(
                job.cost_microcents, JobStatus.CANCELLED, utcnow(), cancel_requested=True
            )
            if queue.cancel_pending(session, job_id, values):
                job = _ended(session, job_id)
                _refund(session, job, "cancelled")
                _enqueue_webhook(session, job)
                return job
        elif job.cancel_requested or queue.request_cancel(session, job_id):
            notify_cancel_requested(session)
            return _ended(session, job_id)
    raise EditbayError(ErrorCode.INTERNAL_ERROR, "the job changed state too often; try again")


def release(session: Session, job_id: str, worker_id: str) -> bool:
    """Graceful shutdown: give an unfinished job back to the queue (processing → pending)."""
    if queue.give_back(session, job_id, worker_id):
        notify_job_available(session)
        return True
    return False


# ---- segment tasks (children of a job rendered in parallel) ----------------------------------


def spawn_children(
    session: Session, parent: Job, model_slug: str, inputs: list[dict[str, Any]], first_index: int = 0
) -> list[str]:
    """Insert one pending child task per segment (no cost, no webhook) and wake the workers.

    Children carry the parent's account (fair claiming counts them) but are never billed: the
    parent's hold is captured or refunded once, by the parent."""
    ids: list[str] = []
    for index, data in enumerate(inputs, start=first_index):
        child = Job(
            account_id=parent.account_id,
            request_id=parent.request_id,
            model_slug=model_slug,
            input=data,
            routing={"mode": "local"},
            cost_microcents=0,
            parent_id=parent.id,
            segment_index=index,
        )
        session.add(child)
        session.flush()
        ids.append(child.id)
    notify_job_available(session)
    return ids


def cancel_children(session: Session, child_ids: list[str]) -> int:
    """Stop the given child tasks: pending → cancelled now, processing → stop asked."""
    stopped = 0
    now = utcnow()
    for child_id in child_ids:
        values = _refunded_values(0, JobStatus.CANCELLED, now, cancel_requested=True)
        if queue.cancel_pending(session, child_id, values) or queue.request_cancel(session, child_id):
            stopped += 1
    if stopped:
        notify_cancel_requested(session)
    return stopped


def children_state(session: Session, child_ids: list[str]) -> list[tuple[str, str, int, str | None]]:
    """(id, status, progress, error message) of each child task, in the given order."""
    rows = {row[0]: row for row in queue.read_children(session, child_ids)}
    gone = (JobStatus.FAILED.value, 0, "the segment task disappeared")
    return [rows.get(cid, (cid, *gone)) for cid in child_ids]
