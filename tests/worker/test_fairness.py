"""Per-account fair claiming and segment child tasks at the queue level (both backends)."""

from __future__ import annotations

from datetime import timedelta

from editbay.jobs import billing, lifecycle
from editbay.store import queries
from editbay.store.db import transaction
from editbay.store.models import Account, Job, utcnow


def _account(sessions, name: str) -> str:
    with transaction(sessions) as session:
        acc = Account(name=name, balance_microcents=0, held_microcents=0)
        session.add(acc)
        session.flush()
        billing.topup(session, acc.id, 1_000_000)
        return acc.id


def _job(sessions, account_id: str, created_offset: float) -> str:
    with transaction(sessions) as session:
        job = Job(
            account_id=account_id,
            request_id="req_fair",
            model_slug="editbay/local/video-edit",
            input={"prompt": "make it black and white", "video_url": "https://example.com/a.mp4"},
            cost_microcents=0,
            created_at=utcnow() + timedelta(seconds=created_offset),
        )
        session.add(job)
        session.flush()
        return job.id


def _claim(sessions, worker: str, parent_id: str | None = None) -> Job | None:
    with transaction(sessions) as session:
        return lifecycle.claim_next(session, worker, 30.0, 3, parent_id=parent_id)


def test_a_burst_from_one_account_does_not_starve_another(sessions):
    burst, small = _account(sessions, "burst"), _account(sessions, "small")
    burst_jobs = [_job(sessions, burst, -10 + i * 0.01) for i in range(6)]  # all older than small's
    small_jobs = [_job(sessions, small, 0.0), _job(sessions, small, 0.01)]
    order = [_claim(sessions, f"w{i}").id for i in range(4)]
    # oldest first while counts tie, then the account with fewer running jobs
    assert order == [burst_jobs[0], small_jobs[0], burst_jobs[1], small_jobs[1]]
    assert _claim(sessions, "w5").id == burst_jobs[2]


def test_child_tasks_are_claimable_by_parent_and_hidden_from_listings(sessions):
    acc = _account(sessions, "acme")
    parent_id = _job(sessions, acc, -5)
    parent = _claim(sessions, "w-parent")
    assert parent is not None and parent.id == parent_id
    with transaction(sessions) as session:
        parent_row = session.get(Job, parent_id)
        children = lifecycle.spawn_children(
            session, parent_row, "editbay/internal/segment", [{"segment": i} for i in range(3)]
        )
    other = _job(sessions, acc, 5)
    # the parent's worker helps with its own children only
    helped = _claim(sessions, "w-parent/help", parent_id=parent_id)
    assert helped is not None and helped.id == children[0] and helped.segment_index == 0
    with transaction(sessions) as session:
        assert [j.id for j in queries.list_account_jobs(session, acc, 50)] == [other, parent_id]
        assert queries.count_active_jobs(session, acc) == 2
        states = lifecycle.children_state(session, children)
        assert [s[1] for s in states] == ["processing", "pending", "pending"]
        assert lifecycle.cancel_children(session, children) == 3
        states = lifecycle.children_state(session, children)
        assert [s[1] for s in states] == ["processing", "cancelled", "cancelled"]
    # nothing of the parent's is claimable any more; the unrelated job still is
    assert _claim(sessions, "w2", parent_id=parent_id) is None
    assert _claim(sessions, "w2").id == other
    with transaction(sessions) as session:  # children never touch the ledger
        assert billing_rows(session, children) == 0


def billing_rows(session, job_ids) -> int:
    from sqlalchemy import func, select

    from editbay.store.models import LedgerEntry

    return int(
        session.execute(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.job_id.in_(job_ids))
        ).scalar_one()
    )
