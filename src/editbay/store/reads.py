"""Hot-path reads without the ORM: the job that `GET /v1/jobs/{id}` (and `Prefer: wait`) shows.

A GET is mostly framework work; a SQLAlchemy connection (pool checkout, pre-ping, BEGIN, result
processing, ROLLBACK) cost several times the read itself, and on PostgreSQL each of those steps
is a round trip. So the one hot read goes straight to the driver:

* SQLite: one plain `sqlite3` connection, used inline on the event loop thread in autocommit
  mode — a single SELECT is its own read transaction, and in WAL mode it never waits for a
  writer (~10 µs, cheaper than any hop to a thread).
* PostgreSQL: psycopg *async* connections in autocommit mode with a prepared statement,
  awaited on the event loop (no thread hop, no GIL hand-off), and the GETs that arrive together
  coalesced into one query: one round trip for many requests.
* Anything else: the SQLAlchemy statement, inline.

Every reader returns a `JobRow` holding the ORM's Python types (aware datetimes, decoded JSON),
so `api.serialize.job_public` serves ORM `Job` objects and these rows alike.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Dialect, Engine

from editbay.store import queries
from editbay.store.db import dbapi_error

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5  # seconds: a read during a database outage fails fast (503) instead of hanging


class JobRow(NamedTuple):
    """The public columns of a job (`queries.JOB_PUBLIC_COLUMNS`, same names and order)."""

    id: str
    status: str
    progress: int
    outputs: list[Any] | None
    error_code: str | None
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    model_slug: str
    cost_microcents: int
    refunded_microcents: int
    started_at: datetime | None
    expires_at: datetime | None
    plan: dict[str, Any] | None
    attempts: int
    skipped: list[Any] | None
    routing: dict[str, Any] | None


assert JobRow._fields == queries.JOB_PUBLIC_COLUMNS


class JobReader(Protocol):
    async def account_job(self, account_id: str, job_id: str) -> JobRow | None:
        """The job if it exists and belongs to the account (tenant isolation), else None."""

    async def close(self) -> None: ...


# ---- SQLite ----------------------------------------------------------------------------------


def _sqlite_time(value: str | None) -> datetime | None:
    # SQLAlchemy stores naive UTC as "YYYY-MM-DD HH:MM:SS.ffffff"
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _sqlite_json(value: str | None) -> Any:
    return None if value is None or value == "null" else json.loads(value)


def _params(names: tuple[str, ...] | None, job_id: str, account_id: str) -> Any:
    values = {"job_id": job_id, "account_id": account_id}
    return values if names is None else tuple(values[name] for name in names)


class SqliteJobReader:
    """Reads through one autocommit `sqlite3` connection, on the event loop thread."""

    def __init__(self, path: str, dialect: Dialect) -> None:
        self._path = path
        self._dialect = dialect
        self._sql, self._names = queries.account_job_public_sql(dialect)
        self._job_first = self._names == ("job_id", "account_id")
        self._cursor: sqlite3.Cursor | None = None

    def _open(self) -> sqlite3.Cursor:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA query_only=ON")
        self._cursor = conn.cursor()
        return self._cursor

    def account_job_now(self, account_id: str, job_id: str) -> JobRow | None:
        params = (job_id, account_id) if self._job_first else _params(self._names, job_id, account_id)
        try:
            # fetchall() runs the statement to its end, so no read transaction stays open
            rows = (self._cursor or self._open()).execute(self._sql, params).fetchall()
        except sqlite3.Error as exc:
            raise dbapi_error(self._dialect, exc, self._sql) from exc
        if not rows:
            return None
        r = rows[0]
        return JobRow(
            r[0],
            r[1],
            r[2],
            _sqlite_json(r[3]),
            r[4],
            r[5],
            _sqlite_time(r[6]),  # type: ignore[arg-type]
            _sqlite_time(r[7]),
            r[8],
            r[9],
            r[10],
            _sqlite_time(r[11]),
            _sqlite_time(r[12]),
            _sqlite_json(r[13]),
            r[14],
            _sqlite_json(r[15]),
            _sqlite_json(r[16]),
        )

    async def account_job(self, account_id: str, job_id: str) -> JobRow | None:
        return self.account_job_now(account_id, job_id)

    async def close(self) -> None:
        if self._cursor is not None:
            self._cursor.connection.close()
            self._cursor = None


# ---- PostgreSQL ------------------------------------------------------------------------------


class PgJobReader:
    """Reads through a few psycopg async connections (autocommit, prepared statement),
    coalescing concurrent reads: the GETs that arrive together go in one query
    (`queries.jobs_public_sql`, ``id = ANY(...)``), at most ``size`` queries in flight, so under
    load one round trip serves many requests and a lone request goes out at once.

    Connections are opened on first use and dropped after an error; a query that failed on a
    broken connection is tried once more on a new one (a restarted server costs one retry).
    Driver errors leave as SQLAlchemy's (`store.db.dbapi_error`): an unreachable database is a
    503, as everywhere else."""

    MAX_GROUP = 256

    def __init__(self, conninfo: str, dialect: Dialect, size: int = 3) -> None:
        self._conninfo = conninfo
        self._dialect = dialect
        self._sql = queries.jobs_public_sql(dialect)
        self._size = size
        self._idle: list[Any] = []
        self._inflight = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: list[tuple[str, str, asyncio.Future[JobRow | None]]] = []
        self._scheduled = False

    async def account_job(self, account_id: str, job_id: str) -> JobRow | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[JobRow | None] = loop.create_future()
        self._pending.append((job_id, account_id, future))
        if not self._scheduled:  # after this loop iteration: the group is every GET of it
            self._scheduled = True
            loop.call_soon(self._dispatch)
        return await future

    def _dispatch(self) -> None:
        self._scheduled = False
        while self._pending and self._inflight < self._size:
            group = self._pending[: self.MAX_GROUP]
            del self._pending[: self.MAX_GROUP]
            self._inflight += 1
            task = asyncio.ensure_future(self._serve(group))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _serve(self, group: list[tuple[str, str, asyncio.Future[JobRow | None]]]) -> None:
        try:
            rows = await self._fetch([g[0] for g in group])
        except BaseException as exc:
            for _, _, future in group:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            self._inflight -= 1
            if self._pending and not self._scheduled:
                self._dispatch()
        found = {row[0]: row for row in rows}
        for job_id, account_id, future in group:
            row = found.get(job_id)
            if not future.done():  # the owner must match: tenant isolation
                future.set_result(JobRow(*row[:-1]) if row and row[-1] == account_id else None)

    async def _fetch(self, ids: list[str]) -> list[tuple[Any, ...]]:
        import psycopg

        params = {"ids": ids}
        for attempt in (1, 2):
            conn = self._idle.pop() if self._idle else None
            try:
                if conn is None:
                    conn = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT
                    )
                    # A generic plan made while the table was small would stay a sequential
                    # scan as it grows: plan each query for the table as it is (parsing is
                    # still saved by the prepared statement).
                    await conn.execute("SET plan_cache_mode = force_custom_plan")
                cursor = await conn.execute(self._sql, params, prepare=True)
                rows = await cursor.fetchall()
            except BaseException as exc:
                if conn is not None:
                    await conn.close()
                if not isinstance(exc, psycopg.Error):
                    raise
                if isinstance(exc, psycopg.OperationalError) and attempt == 1 and conn is not None:
                    log.warning("read connection lost; retrying on a new one", exc_info=True)
                    continue
                raise dbapi_error(self._dialect, exc, self._sql, invalidated=True) from exc
            self._idle.append(conn)
            return rows  # type: ignore[no-any-return]
        raise AssertionError("unreachable")

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().close()


# ---- any other database ----------------------------------------------------------------------


class EngineJobReader:
    """The SQLAlchemy statement, inline (databases without a dedicated reader, e.g. in-memory)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def account_job(self, account_id: str, job_id: str) -> JobRow | None:
        with self._engine.connect() as conn:
            row = queries.get_account_job_row(conn, account_id, job_id)
        return None if row is None else JobRow(*(getattr(row, c) for c in queries.JOB_PUBLIC_COLUMNS))

    async def close(self) -> None:
        return None


def make_job_reader(engine: Engine) -> JobReader:
    """The fastest reader for the engine's database."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and not url.query:
        return SqliteJobReader(url.database, engine.dialect)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PgJobReader(conninfo, engine.dialect)
    return EngineJobReader(engine)
