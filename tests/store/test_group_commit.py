"""Group commit: the `GroupCommit` runner, and grouped submits (`jobs.submit.submit_many`) on
SQLite and PostgreSQL — every request committed exactly once, refusals and failures isolated to
their own request, balances and the ledger exact."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import accounts, catalog
from editbay.jobs import submit as submitting
from editbay.jobs.inputs import VideoEditInput
from editbay.store import queries
from editbay.store.db import make_engine, make_sessionmaker, transaction
from editbay.store.groupcommit import GroupCommit
from editbay.store.models import Account, IdempotencyRecord, Job, LedgerEntry

KLING = "kling-plus/kling-o1-pro/video-edit-fast"
COST = 30_000


# ---- the runner ------------------------------------------------------------------------------


class Recorder:
    """A ``write`` for GroupCommit: records each group, fails the items asked to fail."""

    def __init__(self, delay: float = 0.0) -> None:
        self.groups: list[list[Any]] = []
        self.delay = delay
        self.threads: set[str] = set()

    def __call__(self, items: list[Any]) -> list[Any]:
        self.groups.append(list(items))
        self.threads.add(threading.current_thread().name)
        if self.delay:
            threading.Event().wait(self.delay)
        return [
            ValueError(f"refused {x}") if isinstance(x, str) and x.startswith("bad") else x * 10
            for x in items
        ]


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "thread"])
def test_concurrent_runs_are_grouped_and_each_gets_its_own_result(inline: bool) -> None:
    record = Recorder(delay=0.0 if inline else 0.01)
    runner: GroupCommit[Any, Any] = GroupCommit(record, inline=inline, max_group=16)

    async def main() -> list[Any]:
        return await asyncio.gather(*(runner.run(i) for i in range(50)), return_exceptions=True)

    try:
        results = asyncio.run(main())
    finally:
        runner.stop()
    assert results == [i * 10 for i in range(50)]
    assert sorted(x for group in record.groups for x in group) == list(range(50))  # each exactly once
    assert len(record.groups) < 50 and max(len(g) for g in record.groups) <= 16
    assert runner.items == 50 and runner.groups == len(record.groups)
    assert (threading.main_thread().name in record.threads) is inline


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "thread"])
def test_a_refused_item_fails_alone(inline: bool) -> None:
    runner: GroupCommit[Any, Any] = GroupCommit(Recorder(), inline=inline)

    async def main() -> list[Any]:
        return await asyncio.gather(runner.run(1), runner.run("bad-2"), runner.run(3), return_exceptions=True)

    try:
        one, bad, three = asyncio.run(main())
    finally:
        runner.stop()
    assert (one, three) == (10, 30)
    assert isinstance(bad, ValueError) and str(bad) == "refused bad-2"


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "thread"])
def test_a_broken_writer_fails_its_group_and_the_runner_goes_on(inline: bool) -> None:
    calls = []

    def write(items: list[Any]) -> list[Any]:
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("bug")
        return items

    runner: GroupCommit[Any, Any] = GroupCommit(write, inline=inline)

    async def main() -> tuple[Any, Any]:
        first = await asyncio.gather(runner.run(1), return_exceptions=True)
        return first[0], await runner.run(2)

    try:
        first, second = asyncio.run(main())
    finally:
        runner.stop()
    assert isinstance(first, RuntimeError) and second == 2


# ---- grouped submits on both backends -------------------------------------------------------


@pytest.fixture
def sessions(database_url: str, make_settings: Any) -> Iterator[tuple[sessionmaker[Session], Any]]:
    settings = make_settings(database_url)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        catalog.sync_models(session, settings)
    yield factory, settings
    engine.dispose()


def new_account(factory: sessionmaker[Session], balance: int, limit: int = 0) -> str:
    with transaction(factory) as session:
        return accounts.create_account(session, f"g-{random.getrandbits(40):x}", balance, limit).id


def priced(
    factory: sessionmaker[Session],
    account_id: str,
    n: int,
    key: str | None = None,
    prompt: str = "make it warm",
) -> list[submitting.Priced]:
    with factory() as session:
        entry = catalog.resolve_model(session, KLING, None, None)
    body = {"model": KLING, "input": {"prompt": prompt, "video_url": "https://example.com/v.mp4"}}
    return [
        submitting.price(
            submitting.Caller(account_id, "x", None, f"req_{account_id[-6:]}_{i}"),
            submitting.SubmitRequest(
                model=entry,
                version="1.0",
                input=VideoEditInput.model_validate(body["input"]),
                webhook_url=None,
                body=body,
                idempotency_key=key,
            ),
        )
        for i in range(n)
    ]


def state(factory: sessionmaker[Session], account_id: str) -> dict[str, int]:
    with factory() as session:
        account = session.get(Account, account_id)
        assert account is not None
        amount, held = queries.ledger_sums(session, account_id)
        jobs = session.execute(select(func.count()).select_from(Job).where(Job.account_id == account_id))
        holds = session.execute(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.account_id == account_id)
        )
        return {
            "balance": account.balance_microcents,
            "held": account.held_microcents,
            "ledger_balance": amount,
            "ledger_held": held,
            "jobs": int(jobs.scalar_one()),
            "ledger_rows": int(holds.scalar_one()),
        }


def test_a_group_commits_every_submit_exactly_once(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 100 * COST)
    results = submitting.submit_many(factory, settings, priced(factory, account_id, 40))
    assert all(isinstance(r, submitting.Submitted) and not r.replayed for r in results), results
    assert len({r.job_id for r in results}) == 40
    assert [r.body["requestId"] for r in results] == [f"req_{account_id[-6:]}_{i}" for i in range(40)]
    after = state(factory, account_id)
    assert after["jobs"] == 40 and after["ledger_rows"] == 41  # 40 holds + the starting top-up
    assert after["balance"] == after["ledger_balance"] == 60 * COST
    assert after["held"] == after["ledger_held"] == 40 * COST
    with factory() as session:  # each hold's balance_after follows arrival order
        rows = session.execute(
            select(LedgerEntry.balance_after_microcents)
            .where(LedgerEntry.account_id == account_id, LedgerEntry.kind == "hold")
            .order_by(LedgerEntry.id)
        ).scalars()
        assert list(rows) == [(100 - i) * COST for i in range(1, 41)]


def test_the_balance_stays_exact_inside_a_group(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 7 * COST + 5)
    results = submitting.submit_many(factory, settings, priced(factory, account_id, 12))
    assert all(isinstance(r, submitting.Submitted) for r in results[:7]), results
    assert all(isinstance(r, EditbayError) and r.code == ErrorCode.INSUFFICIENT_BALANCE for r in results[7:])
    after = state(factory, account_id)
    assert after["balance"] == after["ledger_balance"] == 5
    assert after["held"] == after["ledger_held"] == 7 * COST and after["jobs"] == 7


def test_the_concurrent_jobs_limit_holds_inside_a_group(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 100 * COST, limit=3)
    results = submitting.submit_many(factory, settings, priced(factory, account_id, 5))
    assert [type(r).__name__ for r in results] == ["Submitted"] * 3 + ["EditbayError"] * 2
    assert all(r.code == ErrorCode.CONCURRENT_JOBS_EXCEEDED for r in results[3:])
    assert state(factory, account_id)["jobs"] == 3


def test_refusals_do_not_touch_the_other_accounts_of_a_group(sessions) -> None:
    factory, settings = sessions
    rich, poor = new_account(factory, 10 * COST), new_account(factory, COST - 1)
    group = [*priced(factory, rich, 2), *priced(factory, poor, 1), *priced(factory, rich, 1)]
    results = submitting.submit_many(factory, settings, group)
    assert [type(r).__name__ for r in results] == ["Submitted", "Submitted", "EditbayError", "Submitted"]
    assert state(factory, rich)["balance"] == 7 * COST and state(factory, rich)["jobs"] == 3
    assert state(factory, poor) == {
        "balance": COST - 1,
        "held": 0,
        "ledger_balance": COST - 1,
        "ledger_held": 0,
        "jobs": 0,
        "ledger_rows": 1,
    }


def test_a_failing_request_does_not_fail_the_rest_of_its_group(sessions, monkeypatch) -> None:
    """A database error (here a duplicate job id) rolls the group back; each request then runs
    alone, so only the faulty one fails, and it leaves no hold behind."""
    factory, settings = sessions
    account_id = new_account(factory, 10 * COST)
    existing = submitting.submit_many(factory, settings, priced(factory, account_id, 1))[0].job_id
    real_row = submitting._job_row

    def faulty(item: submitting.Priced, job_id: str, at: Any, settings: Any) -> dict[str, Any]:
        row = real_row(item, job_id, at, settings)
        if item.caller.request_id.endswith("_2"):
            row["id"] = existing
        return row

    monkeypatch.setattr(submitting, "_job_row", faulty)
    results = submitting.submit_many(factory, settings, priced(factory, account_id, 5))
    assert [type(r).__name__ for r in results] == ["Submitted"] * 2 + ["IntegrityError"] + ["Submitted"] * 2
    after = state(factory, account_id)
    assert after["jobs"] == 5 and after["balance"] == after["ledger_balance"] == 5 * COST
    assert after["held"] == after["ledger_held"] == 5 * COST


def test_an_idempotency_key_repeated_in_a_group_replays_the_first(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 10 * COST)
    same = priced(factory, account_id, 3, key="order-1")
    other_body = priced(factory, account_id, 1, key="order-1", prompt="mute it")
    results = submitting.submit_many(factory, settings, [*same, *other_body])
    first, second, third, conflict = results
    assert isinstance(first, submitting.Submitted) and not first.replayed
    assert isinstance(second, submitting.Submitted) and second.replayed and second.job_id == first.job_id
    assert isinstance(third, submitting.Submitted) and third.job_id == first.job_id
    assert isinstance(conflict, EditbayError) and conflict.code == ErrorCode.IDEMPOTENCY_KEY_REUSED
    assert state(factory, account_id)["jobs"] == 1


def test_concurrent_groups_from_many_threads_never_overdraw(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 20 * COST + 7)
    outcomes: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def worker() -> None:
        barrier.wait()
        got = submitting.submit_many(factory, settings, priced(factory, account_id, 6))
        with lock:
            outcomes.extend(got)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 36
    assert sum(isinstance(r, submitting.Submitted) for r in outcomes) == 20
    assert all(r.code == ErrorCode.INSUFFICIENT_BALANCE for r in outcomes if isinstance(r, EditbayError))
    after = state(factory, account_id)
    assert after["balance"] == after["ledger_balance"] == 7
    assert after["held"] == after["ledger_held"] == 20 * COST and after["jobs"] == 20


# ---- the grouped statements themselves (`store.groupsql`) -----------------------------------


def _raw(factory: sessionmaker[Session]) -> tuple[Any, Any, Any, Any]:
    """An engine connection in a group's transaction mode: (SQLAlchemy connection, DBAPI
    connection, GroupSQL, cursor)."""
    from editbay.store import groupsql

    engine = factory.kw["bind"]
    conn = engine.connect()
    dbapi = conn.connection.dbapi_connection
    sql = groupsql.for_dialect(engine.dialect)
    cursor = sql.cursor(dbapi)
    sql.begin(dbapi, cursor)
    return conn, dbapi, sql, cursor


def _close(conn: Any, dbapi: Any, sql: Any, cursor: Any) -> None:
    sql.rollback(dbapi, cursor)
    cursor.close()
    sql.end(dbapi)
    conn.close()


def test_gates_lock_each_account_and_count_active_jobs_up_to_its_limit(sessions) -> None:
    factory, settings = sessions
    limited, unlimited = new_account(factory, 100 * COST, limit=3), new_account(factory, 100 * COST)
    submitting.submit_many(factory, settings, priced(factory, limited, 2) + priced(factory, unlimited, 4))
    conn, dbapi, sql, cursor = _raw(factory)
    try:
        gates, running = sql.gates(cursor, [unlimited, limited, "acc_missing", limited])
    finally:
        _close(conn, dbapi, sql, cursor)
    assert list(gates) == sorted({limited, unlimited, "acc_missing"})  # locked in id order
    assert gates["acc_missing"] is None
    assert gates[limited] == queries.AccountGate(98 * COST, True, 3)
    assert gates[unlimited] == queries.AccountGate(96 * COST, True, 0)
    assert running == {limited: 2}  # counted only where a limit applies


def test_a_group_of_one_account_at_its_limit_counts_only_up_to_the_limit(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 100 * COST, limit=2)
    results = submitting.submit_many(factory, settings, priced(factory, account_id, 2))
    assert all(isinstance(r, submitting.Submitted) for r in results)
    conn, dbapi, sql, cursor = _raw(factory)
    try:
        assert sql.gates(cursor, [account_id])[1] == {account_id: 2}
    finally:
        _close(conn, dbapi, sql, cursor)


def test_grouped_job_rows_read_back_as_the_submitted_values_with_column_defaults(sessions) -> None:
    factory, settings = sessions
    account_id = new_account(factory, 10 * COST)
    items = priced(factory, account_id, 3, key="rows-1")[:1] + priced(factory, account_id, 2)
    results = submitting.submit_many(factory, settings, items)
    assert all(isinstance(r, submitting.Submitted) for r in results), results
    with factory() as session:
        for item, result in zip(items, results, strict=True):
            job = session.get(Job, result.job_id)
            assert job is not None
            assert job.input == item.values and job.request_id == item.caller.request_id
            assert (job.status, job.progress, job.cost_microcents) == ("pending", 0, COST)
            assert (job.refunded_microcents, job.attempts, job.cancel_requested) == (0, 0, False)
            assert job.outputs is None and job.plan is None and job.parent_id is None
            assert job.created_at.utcoffset() == timedelta(0)
        record = session.get(IdempotencyRecord, (account_id, "rows-1"))
        assert record is not None and record.job_id == results[0].job_id
        assert record.response == results[0].body
        holds = session.execute(
            select(LedgerEntry).where(LedgerEntry.kind == "hold", LedgerEntry.account_id == account_id)
        ).scalars()
        by_job = {entry.job_id: entry for entry in holds}
        for result in results:
            job = session.get(Job, result.job_id)
            assert job is not None
            assert by_job[result.job_id].created_at == job.created_at  # exact, to the microsecond


@pytest.mark.postgres
def test_the_group_statement_writes_nothing_unless_the_hold_leaves_the_expected_balance(
    sessions,
) -> None:
    """PostgreSQL's single write statement checks the hold itself: if the UPDATE does not leave
    the balance the ledger rows were computed from, no ledger row, job or hold is written."""
    from sqlalchemy.exc import IntegrityError as SAIntegrityError

    from editbay.jobs import billing
    from editbay.store.db import dbapi_error

    factory, settings = sessions
    if factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("the single write statement is PostgreSQL's")
    account_id = new_account(factory, 10 * COST)
    at = submitting.clock.now()
    holds = [billing.Hold(account_id, "job_guard_1", COST, at)]
    job = submitting._job_row(priced(factory, account_id, 1)[0], "job_guard_1", at, settings)
    conn, dbapi, sql, cursor = _raw(factory)
    try:
        sql.gates(cursor, [account_id])
        wrong = 9 * COST + 1  # the balance after the hold is 9 * COST
        with pytest.raises(SAIntegrityError):
            try:
                sql.write_group(
                    cursor,
                    {account_id: (COST, wrong)},
                    billing.hold_entries(account_id, holds, wrong),
                    [job],
                    [],
                    commit=True,
                )
            except Exception as exc:
                raise dbapi_error(factory.kw["bind"].dialect, exc) from exc
        assert sql.uncommitted(dbapi)  # the COMMIT sent behind it did not run
    finally:
        _close(conn, dbapi, sql, cursor)
    after = state(factory, account_id)
    assert after["balance"] == 10 * COST and after["held"] == 0 and after["jobs"] == 0
    assert after["ledger_rows"] == 1  # the top-up only


def test_a_connection_lost_with_the_commit_in_flight_is_never_retried(sessions, monkeypatch) -> None:
    """PostgreSQL sends a group's writes and its COMMIT together. If the connection is lost
    then, the COMMIT may have landed: the group is not run again (that could create its jobs
    twice); each request ends with the database error (a 503 for the API)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from editbay.store import groupsql

    factory, settings = sessions
    engine = factory.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL sends the COMMIT with the writes")
    account_id = new_account(factory, 10 * COST)
    real = groupsql.GroupSQL.write_group
    calls = []

    def cut_then_write(self: Any, cursor: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("commit"))
        admin = create_engine(engine.url)
        with admin.connect() as other:  # the server ends the writer's session
            other.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": cursor.connection.info.backend_pid}
            )
        admin.dispose()
        return real(self, cursor, *args, **kwargs)

    monkeypatch.setattr(groupsql.GroupSQL, "write_group", cut_then_write)
    results = submitting.submit_many(factory, settings, priced(factory, account_id, 3))
    assert calls == [True]  # sent once, with its COMMIT; never again
    assert all(isinstance(r, OperationalError) for r in results), results
    after = state(factory, account_id)  # here the session died before the COMMIT arrived
    assert after["jobs"] == 0 and after["balance"] == 10 * COST and after["held"] == 0
