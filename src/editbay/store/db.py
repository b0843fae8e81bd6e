"""Database engine and sessions: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Dialect, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pre_ping: bool = True, **kwargs: Any) -> Engine:
    """Create an engine with the pragmas/pool settings each backend needs. ``pre_ping=False``
    skips PostgreSQL's liveness round trip at every checkout (for a connection kept busy by
    one thread, like the group-commit writer's)."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "BEGIN" (emitted below) open transactions, not pysqlite's
            # implicit logic, so BEGIN IMMEDIATE can serialise writers without deadlocks.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers take the write lock at the start: no lock upgrades, no SQLITE_BUSY mid-way.
            readonly = conn.get_execution_options().get("editbay_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    options: dict[str, Any] = {"pool_size": 20, "max_overflow": 20, **kwargs}
    return create_engine(url, pool_pre_ping=pre_ping, **options)


def dbapi_error(
    dialect: Dialect, exc: BaseException, statement: str | None = None, invalidated: bool = False
) -> DBAPIError:
    """A driver exception as SQLAlchemy's own (`OperationalError`, `IntegrityError`, …), by the
    translation SQLAlchemy applies: for the hot paths that run on the raw DBAPI connection
    (`store.reads`, the grouped submit), so that callers — and the API's 503 for an unreachable
    database — see the same exceptions whichever path ran."""
    return DBAPIError.instance(
        statement,
        None,
        exc,  # type: ignore[arg-type]
        dialect.loaded_dbapi.Error,
        connection_invalidated=invalidated,
        dialect=dialect,
    )


def make_sessionmaker(engine: Engine, *, readonly: bool = False) -> sessionmaker[Session]:
    """Sessions for writes (SQLite: BEGIN IMMEDIATE) or, with ``readonly``, for reads only
    (SQLite: deferred BEGIN, so readers never wait for the write lock)."""
    bind = engine.execution_options(editbay_readonly=True) if readonly else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with factory() as session, session.begin():
        yield session
