"""`store.reads`: the driver-level reader of GET /v1/jobs/{id} returns what the ORM returns, keeps
tenants apart, and (PostgreSQL) serves concurrent reads coalesced into shared queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from editbay.api.serialize import job_public
from editbay.jobs import accounts
from editbay.store import queries, reads
from editbay.store.db import make_engine, make_sessionmaker, transaction
from editbay.store.models import Job, new_id


def make_job(factory: Any, account_id: str, **extra: Any) -> str:
    at = datetime(2026, 11, 25, 15, 50, 21, 116_999, tzinfo=UTC)
    with transaction(factory) as session:
        job = Job(
            id=new_id("job"),
            account_id=account_id,
            request_id="req_1",
            model_slug="kling-plus/kling-o1-pro/video-edit-fast",
            input={"prompt": "x"},
            cost_microcents=30_000,
            created_at=at,
            **extra,
        )
        queries.insert_job(session, job)
        return job.id


def reader_and_factory(database_url: str) -> tuple[Any, Any, Any]:
    engine = make_engine(database_url)
    return engine, make_sessionmaker(engine), reads.make_job_reader(engine)


def test_the_reader_returns_what_the_orm_returns(database_url: str, make_settings: Any) -> None:
    engine, factory, reader = reader_and_factory(database_url)
    with transaction(factory) as session:
        owner = accounts.create_account(session, "owner", 0).id
        other = accounts.create_account(session, "other", 0).id
    done = datetime(2026, 11, 25, 15, 52, 0, 1_000, tzinfo=UTC)
    full = make_job(
        factory,
        owner,
        status="completed",
        progress=100,
        outputs=[{"type": "video", "video": "outputs/a/output.mp4", "thumbnail": "outputs/a/t.jpg"}],
        error_code=None,
        plan={"operations": [{"op": "grade", "é": "ü"}]},
        skipped=[{"clause": "add a dragon", "reason": "unsupported"}],
        started_at=done - timedelta(seconds=30),
        completed_at=done,
        expires_at=done + timedelta(days=7),
        attempts=2,
        refunded_microcents=0,
    )
    failed = make_job(factory, owner, status="failed", error_code="RENDER_FAILED", error_message="boom")
    pending = make_job(factory, owner)

    async def read_all() -> list[Any]:
        try:
            return [
                *[await reader.account_job(owner, job_id) for job_id in (full, failed, pending)],
                await reader.account_job(other, full),  # another tenant's job
                await reader.account_job(owner, "job_missing"),
            ]
        finally:
            await reader.close()

    try:
        rows = asyncio.run(read_all())
        settings = make_settings(database_url)
        from editbay.storage import get_storage

        storage = get_storage(settings)
        with factory() as session:
            for job_id, row in zip((full, failed, pending), rows, strict=False):
                orm = session.get(Job, job_id)
                assert row is not None and orm is not None
                assert job_public(row, storage, settings) == job_public(orm, storage, settings)
        assert rows[3] is None and rows[4] is None
        assert rows[0].created_at.tzinfo is not None
    finally:
        engine.dispose()


def test_concurrent_reads_are_coalesced_and_kept_apart(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite reads are inline, one statement each")
    engine, factory, reader = reader_and_factory(database_url)
    assert isinstance(reader, reads.PgJobReader)
    with transaction(factory) as session:
        tenants = [accounts.create_account(session, f"t{i}", 0).id for i in range(3)]
    jobs = [(tenant, make_job(factory, tenant)) for tenant in tenants for _ in range(4)]
    queries_sent = 0
    real_fetch = reader._fetch

    async def counting(ids: list[str]) -> Any:
        nonlocal queries_sent
        queries_sent += 1
        return await real_fetch(ids)

    reader._fetch = counting  # type: ignore[method-assign]

    async def main() -> list[Any]:
        try:
            asks = [(owner, job_id) for owner, job_id in jobs]  # each job by its owner...
            asks += [
                (tenants[(tenants.index(owner) + 1) % 3], job_id) for owner, job_id in jobs
            ]  # ...and not
            return list(await asyncio.gather(*(reader.account_job(a, j) for a, j in asks)))
        finally:
            await reader.close()

    try:
        rows = asyncio.run(main())
    finally:
        engine.dispose()
    assert [row.id for row in rows[:12]] == [job_id for _, job_id in jobs]
    assert rows[12:] == [None] * 12  # another tenant's job is "not found", even in a shared query
    assert queries_sent <= 3  # 24 reads, at most `size` queries (one per connection in flight)


def test_a_lost_postgres_connection_costs_one_retry(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    engine, factory, reader = reader_and_factory(database_url)
    with transaction(factory) as session:
        owner = accounts.create_account(session, "owner", 0).id
    job_id = make_job(factory, owner)

    async def main() -> Any:
        try:
            assert (await reader.account_job(owner, job_id)) is not None
            for conn in reader._idle:  # the server "restarts": the pooled connection is dead
                await conn.close()
            return await reader.account_job(owner, job_id)
        finally:
            await reader.close()

    try:
        row = asyncio.run(main())
    finally:
        engine.dispose()
    assert row is not None and row.id == job_id


def test_a_read_through_a_broken_database_is_an_operational_error(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gone.db'}")
    reader = reads.make_job_reader(engine)
    assert isinstance(reader, reads.SqliteJobReader)

    async def read() -> Any:
        return await reader.account_job("acc", "job")

    with pytest.raises(OperationalError):  # no jobs table: the driver's error, as SQLAlchemy's
        asyncio.run(read())
    engine.dispose()


@pytest.mark.parametrize("revision", ["0004", None])
def test_job_reads_do_not_walk_the_segment_index(empty_database_url: str, revision: str | None) -> None:
    """`parent_id IS NULL` holds for every job: an index holding those NULLs is one more write
    per submit, and a planner with stale statistics (a freshly loaded, never analysed table) used
    it for the GET query and walked all of them. Only segment tasks are indexed (partial index,
    migration 0005); at the previous revision PostgreSQL's plan shows the walk."""
    from sqlalchemy import text

    from editbay.store import migrate

    migrate.upgrade(empty_database_url, revision or "head")
    engine, factory, _ = reader_and_factory(empty_database_url)
    postgres = engine.dialect.name == "postgresql"
    if revision is not None and not postgres:
        pytest.skip("SQLite's planner picks the primary key either way")
    with transaction(factory) as session:
        owner = accounts.create_account(session, "owner", 0).id
    with engine.begin() as conn:  # 3,000 jobs and no ANALYZE
        conn.execute(
            text(
                "INSERT INTO jobs (id, account_id, request_id, model_slug, model_version, input,"
                " status, progress, cost_microcents, refunded_microcents, attempts,"
                " cancel_requested, created_at)"
                " VALUES (:id, :account, 'req_1', 'm', '1', '{}', 'pending', 0, 1, 0, 0, false,"
                " CURRENT_TIMESTAMP)"
            ),
            [{"id": f"job_{i:06d}", "account": owner} for i in range(3000)],
        )
        if postgres:
            sql = queries.jobs_public_sql(engine.dialect)
            plan = conn.exec_driver_sql(
                "EXPLAIN " + sql, {"ids": [f"job_{i:06d}" for i in range(0, 3000, 200)]}
            ).scalars().all()
            indexdef = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_jobs_parent'"
                     " AND schemaname = current_schema()")
            ).scalar_one()
        else:
            sql, _names = queries.account_job_public_sql(engine.dialect)
            plan = [
                str(row) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, ("job_000001", owner))
            ]
            indexdef = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_jobs_parent'")
            ).scalar_one()
    engine.dispose()
    walks = any("ix_jobs_parent" in line for line in plan)
    if revision is None:
        assert "parent_id IS NOT NULL" in indexdef
        assert not walks, plan
    else:
        assert walks, plan  # what the partial index prevents
