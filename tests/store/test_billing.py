"""Billing invariants on SQLite and PostgreSQL: hold → capture/refund, no overdraft under
concurrent submits, the concurrent-jobs limit under races, and ledger sums = account columns."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import accounts, billing, catalog
from editbay.jobs import submit as submitting
from editbay.jobs.inputs import VideoEditInput
from editbay.store import queries
from editbay.store.db import make_engine, make_sessionmaker, transaction
from editbay.store.models import Account, Job

KLING = "kling-plus/kling-o1-pro/video-edit-fast"


@pytest.fixture
def sessions(database_url: str, make_settings: Any) -> Iterator[tuple[sessionmaker[Session], Any]]:
    settings = make_settings(database_url)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        catalog.sync_models(session, settings)
    yield factory, settings
    engine.dispose()


def new_account(factory: sessionmaker[Session], balance: int, limit: int = 1000) -> str:
    with transaction(factory) as session:
        return accounts.create_account(session, f"a-{random.getrandbits(40):x}", balance, limit).id


def account_state(factory: sessionmaker[Session], account_id: str) -> tuple[int, int, int, int]:
    """(balance, held, Σ amount, Σ held_delta)."""
    with factory() as session:
        account = session.get(Account, account_id)
        assert account is not None
        sums = queries.ledger_sums(session, account_id)
        return account.balance_microcents, account.held_microcents, sums[0], sums[1]


def submit_once(
    factory: sessionmaker[Session], settings: Any, account_id: str, key: str | None = None
) -> Any:
    with factory() as session:
        entry = catalog.resolve_model(session, KLING, None, None)
    body = {"model": KLING, "input": {"prompt": "make it warm", "video_url": "https://example.com/v.mp4"}}
    req = submitting.SubmitRequest(
        model=entry,
        version="1.0",
        input=VideoEditInput.model_validate(body["input"]),
        webhook_url=None,
        body=body,
        idempotency_key=key,
    )
    caller = submitting.Caller(account_id, "x", None, "req_test")
    return submitting.submit(factory, settings, caller, req)


def test_hold_then_capture_spends_the_held_credits(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 100_000)
    job_id = submit_once(factory, settings, account_id).job_id
    assert account_state(factory, account_id) == (70_000, 30_000, 70_000, 30_000)
    with transaction(factory) as session:
        billing.capture(session, account_id, job_id, 30_000)
    assert account_state(factory, account_id) == (70_000, 0, 70_000, 0)


def test_hold_then_refund_returns_the_credits(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 100_000)
    job_id = submit_once(factory, settings, account_id).job_id
    with transaction(factory) as session:
        billing.refund(session, account_id, job_id, 30_000, note="failed")
    assert account_state(factory, account_id) == (100_000, 0, 100_000, 0)


def test_insufficient_balance_leaves_no_job_and_no_ledger_row(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 29_999)
    with pytest.raises(EditbayError) as caught:
        submit_once(factory, settings, account_id)
    assert caught.value.code == ErrorCode.INSUFFICIENT_BALANCE
    with factory() as session:
        assert queries.list_account_jobs(session, account_id, 10) == []
        assert len(queries.list_ledger(session, account_id, 10)) == 1  # the starting top-up only


def run_concurrently(n: int, fn: Any) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_submits_never_overdraw(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 10 * 30_000 + 15_000)
    results = run_concurrently(24, lambda i: submit_once(factory, settings, account_id))
    ok = [r for r in results if isinstance(r, submitting.Submitted)]
    refused = [r for r in results if isinstance(r, EditbayError)]
    assert len(ok) == 10, results
    assert len(refused) == 14 and all(e.code == ErrorCode.INSUFFICIENT_BALANCE for e in refused)
    assert account_state(factory, account_id) == (15_000, 300_000, 15_000, 300_000)


def test_concurrent_submits_respect_the_concurrent_jobs_limit(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 10_000_000, limit=3)
    results = run_concurrently(12, lambda i: submit_once(factory, settings, account_id))
    ok = [r for r in results if isinstance(r, submitting.Submitted)]
    assert len(ok) == 3, results
    assert all(r.code == ErrorCode.CONCURRENT_JOBS_EXCEEDED for r in results if isinstance(r, EditbayError))


def test_ledger_sums_equal_balance_after_mixed_operations(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 500_000)
    rng = random.Random(7)
    held: list[str] = []
    for _ in range(40):
        action = rng.choice(["submit", "submit", "capture", "refund", "topup"])
        with transaction(factory) as session:
            if action == "topup":
                billing.topup(session, account_id, rng.randint(1, 50_000))
            elif action in ("capture", "refund") and held:
                job_id = held.pop(rng.randrange(len(held)))
                cost = session.get(Job, job_id).cost_microcents
                (billing.capture if action == "capture" else billing.refund)(
                    session, account_id, job_id, cost
                )
        if action == "submit":
            try:
                held.append(submit_once(factory, settings, account_id).job_id)
            except EditbayError as exc:
                assert exc.code == ErrorCode.INSUFFICIENT_BALANCE
    balance, held_sum, amount_sum, held_delta_sum = account_state(factory, account_id)
    assert balance == amount_sum and held_sum == held_delta_sum
    assert balance >= 0 and held_sum == 30_000 * len(held)
    with factory() as session:
        last = queries.list_ledger(session, account_id, 1)[0]
        assert last.balance_after_microcents == balance
