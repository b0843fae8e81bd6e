"""The job state machine: each guarded transition alone, and the races between them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import lifecycle
from editbay.store import queries
from editbay.store.db import transaction
from editbay.store.models import Job, LedgerEntry, WebhookEvent, utcnow

from .conftest import balances


def claim(sessions, worker="w1", lease=30.0, max_attempts=3):
    with transaction(sessions) as session:
        return lifecycle.claim_next(session, worker, lease, max_attempts)


def job_row(sessions, job_id) -> Job:
    with transaction(sessions) as session:
        job = session.get(Job, job_id)
        session.expunge(job)
        return job


def ledger_kinds(sessions, job_id) -> list[str]:
    with transaction(sessions) as session:
        return list(
            session.execute(
                select(LedgerEntry.kind).where(LedgerEntry.job_id == job_id).order_by(LedgerEntry.id)
            ).scalars()
        )


def outbox_count(sessions, job_id) -> int:
    with transaction(sessions) as session:
        return session.execute(
            select(func.count()).select_from(WebhookEvent).where(WebhookEvent.job_id == job_id)
        ).scalar_one()


def expire_lease(sessions, job_id):
    with transaction(sessions) as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def test_claim_takes_the_oldest_pending_job_once(sessions, make_job):
    first, second = make_job(), make_job()
    job = claim(sessions, "w1")
    assert job is not None and job.id == first
    assert job.status == "processing" and job.lease_owner == "w1" and job.attempts == 1
    assert claim(sessions, "w2").id == second
    assert claim(sessions, "w3") is None


def test_concurrent_claimers_never_take_the_same_job(sessions, make_job):
    ids = {make_job() for _ in range(12)}
    taken: list[str] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while (job := claim(sessions, name)) is not None:
            with lock:
                taken.append(job.id)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(ids)


def test_complete_captures_once_and_writes_one_webhook_event(sessions, make_job, account):
    job_id = make_job(cost=30_000)
    claim(sessions, "w1")
    outputs = [
        {"type": "video", "video": f"outputs/{job_id}/output.mp4", "thumbnail": f"outputs/{job_id}/t.jpg"}
    ]
    with transaction(sessions) as session:
        assert (
            lifecycle.complete(session, job_id, "w1", outputs, {"width": 2}, {"operations": []}, None)
            is not None
        )
    with transaction(sessions) as session:
        assert lifecycle.complete(session, job_id, "w1", outputs) is None
        assert lifecycle.fail(session, job_id, "w1", ErrorCode.RENDER_FAILED, "late") is None
    job = job_row(sessions, job_id)
    assert job.status == "completed" and job.progress == 100 and job.expires_at is not None
    assert ledger_kinds(sessions, job_id) == ["hold", "capture"]
    assert balances(sessions, account) == (1_000_000 - 30_000, 0)
    assert outbox_count(sessions, job_id) == 1


def test_fail_refunds_in_full(sessions, make_job, account):
    job_id = make_job(cost=30_000)
    claim(sessions, "w1")
    with transaction(sessions) as session:
        ended = lifecycle.fail(session, job_id, "w1", ErrorCode.INVALID_INPUT, "bad media")
    assert ended is not None and ended.error_code == "INVALID_INPUT" and ended.refunded_microcents == 30_000
    assert ledger_kinds(sessions, job_id) == ["hold", "refund"]
    assert balances(sessions, account) == (1_000_000, 0)


def test_a_worker_that_lost_its_lease_cannot_finish_the_job(sessions, make_job):
    job_id = make_job()
    claim(sessions, "w1", lease=30)
    expire_lease(sessions, job_id)
    assert claim(sessions, "w2").id == job_id
    with transaction(sessions) as session:
        assert lifecycle.heartbeat(session, job_id, "w1") is None
        assert lifecycle.complete(session, job_id, "w1", []) is None
        assert lifecycle.heartbeat(session, job_id, "w2") == (False, 0)
    assert job_row(sessions, job_id).attempts == 2


def test_expired_job_fails_with_refund_after_max_attempts(sessions, make_job, account):
    job_id = make_job(cost=30_000)
    for attempt in range(1, 3):
        assert claim(sessions, f"w{attempt}", max_attempts=2).id == job_id
        expire_lease(sessions, job_id)
    assert claim(sessions, "w9", max_attempts=2) is None
    job = job_row(sessions, job_id)
    assert job.status == "failed" and job.error_code == "INTERNAL_ERROR" and job.attempts == 2
    assert balances(sessions, account) == (1_000_000, 0)
    assert outbox_count(sessions, job_id) == 1


def test_cancel_pending_refunds_now(sessions, make_job, account):
    job_id = make_job(cost=30_000)
    with transaction(sessions) as session:
        job = lifecycle.cancel(session, account, job_id)
    assert job.status == "cancelled" and job.refunded_microcents == 30_000
    assert balances(sessions, account) == (1_000_000, 0)
    assert outbox_count(sessions, job_id) == 1
    assert claim(sessions) is None
    with transaction(sessions) as session, pytest.raises(EditbayError) as err:
        lifecycle.cancel(session, account, job_id)
    assert err.value.code == ErrorCode.JOB_CANNOT_BE_CANCELLED


def test_cancel_processing_can_only_end_cancelled(sessions, make_job, account):
    job_id = make_job(cost=30_000)
    claim(sessions, "w1")
    with transaction(sessions) as session:
        assert lifecycle.cancel(session, account, job_id).status == "processing"
    with transaction(sessions) as session:
        assert lifecycle.heartbeat(session, job_id, "w1") == (True, 0)
        assert lifecycle.complete(session, job_id, "w1", []) is None
        assert lifecycle.fail(session, job_id, "w1", "RENDER_FAILED", "x") is None
        ended = lifecycle.finish_cancelled(session, job_id, "w1")
    assert ended is not None and ended.status == "cancelled"
    assert ledger_kinds(sessions, job_id) == ["hold", "refund"]
    assert balances(sessions, account) == (1_000_000, 0)


def test_cancel_of_another_accounts_job_is_not_found(sessions, make_job):
    job_id = make_job()
    with transaction(sessions) as session, pytest.raises(EditbayError) as err:
        lifecycle.cancel(session, "acc_someone_else", job_id)
    assert err.value.code == ErrorCode.JOB_NOT_FOUND


def test_cancel_requested_while_worker_is_gone_ends_cancelled(sessions, make_job, account):
    job_id = make_job(cost=30_000)
    claim(sessions, "w1")
    with transaction(sessions) as session:
        lifecycle.cancel(session, account, job_id)
    expire_lease(sessions, job_id)
    assert claim(sessions, "w2") is None
    assert job_row(sessions, job_id).status == "cancelled"
    assert balances(sessions, account) == (1_000_000, 0)


def test_release_gives_the_job_back_without_counting_the_attempt(sessions, make_job):
    job_id = make_job()
    claim(sessions, "w1")
    with transaction(sessions) as session:
        assert lifecycle.release(session, job_id, "w1") is True
    job = job_row(sessions, job_id)
    assert job.status == "pending" and job.attempts == 0 and job.lease_owner is None
    assert claim(sessions, "w2").id == job_id


def test_no_webhook_event_without_a_webhook_url(sessions, make_job, account):
    job_id = make_job(webhook_url=None)
    with transaction(sessions) as session:
        lifecycle.cancel(session, account, job_id)
    assert outbox_count(sessions, job_id) == 0


def test_ledger_matches_balances_after_mixed_endings(sessions, make_job, account):
    ids = [make_job(cost=10_000) for _ in range(3)]
    claim(sessions, "w")
    with transaction(sessions) as session:
        lifecycle.complete(session, ids[0], "w", [])
        lifecycle.cancel(session, account, ids[1])
    claim(sessions, "w")
    with transaction(sessions) as session:
        lifecycle.fail(session, ids[2], "w", "RENDER_FAILED", "x")
        total, held = queries.ledger_sums(session, account)
    assert (total, held) == balances(sessions, account) == (1_000_000 - 10_000, 0)
