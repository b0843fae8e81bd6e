"""The statements of a grouped submit, compiled once per dialect and run on the raw DBAPI cursor.

A group of submits runs a handful of statements (lock, count, hold, three inserts, notify). Going
through SQLAlchemy's execution machinery cost ~100 µs per statement on PostgreSQL — several
times the driver's own work — so `GroupSQL` compiles the named Core statements (from
`store.queries` and `jobs.billing`, where they are defined) once per dialect, keeps the column
types' own bind and result processors, fills the columns' Python-side defaults exactly as an
ORM/Core insert does, and executes on the DBAPI cursor. What reaches the database is what a
SQLAlchemy `execute()` would have sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Dialect, Table, insert, text
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from editbay.store import queries
from editbay.store.models import IdempotencyRecord, Job, LedgerEntry

Processor = Callable[[Any], Any]


class Compiled:
    """One statement compiled for a dialect, with its parameters' bind processors."""

    def __init__(self, stmt: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None):
        compiled = cast(
            SQLCompiler,
            stmt.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None),
        )
        self.sql = str(compiled)
        self.names: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None
        )
        self.processors: dict[str, Processor] = {}
        self.constants: dict[str, Any] = {}  # binds with a value in the statement (e.g. OFFSET 0)
        for bind, name in compiled.bind_names.items():
            if bind.expanding:  # an IN list rendered per execution: not supported on the raw cursor
                raise ValueError(f"{name}: expanding parameters cannot be precompiled")
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor
            if not bind.required:
                self.constants[name] = bind.effective_value

    def params(self, values: Mapping[str, Any]) -> Any:
        processed = {
            name: (self.processors[name](value) if name in self.processors else value)
            for name, value in ({**self.constants, **values} if self.constants else values).items()
        }
        return processed if self.names is None else tuple(processed[name] for name in self.names)

    def execute(self, cursor: Any, values: Mapping[str, Any]) -> Any:
        cursor.execute(self.sql, self.params(values))
        return cursor

    def executemany(self, cursor: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        cursor.executemany(self.sql, [self.params(row) for row in rows])


class _Insert(Compiled):
    """A full-row INSERT: the Python-side column defaults fill what the caller leaves out, and
    each row becomes the driver's parameters in one pass (the grouped submit's per-job cost)."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]
        super().__init__(insert(table), dialect, [c.name for c in columns])
        by_name = {c.name: c for c in columns}
        order = self.names if self.names is not None else tuple(by_name)
        self._plan: list[tuple[str, Callable[[], Any], Processor | None]] = []
        for name in order:
            default = by_name[name].default
            if default is None:
                make: Callable[[], Any] = lambda: None  # noqa: E731
            elif default.is_scalar:
                make = lambda value=default.arg: value  # type: ignore[attr-defined,misc]  # noqa: E731
            else:  # a callable default: SQLAlchemy calls it with the execution context
                make = lambda fn=default.arg: fn(None)  # type: ignore[attr-defined,misc]  # noqa: E731
            self._plan.append((name, make, self.processors.get(name)))

    def row_params(self, row: Mapping[str, Any]) -> Any:
        values = []
        for name, make, processor in self._plan:
            value = row[name] if name in row else make()
            values.append(processor(value) if processor is not None else value)
        if self.names is not None:
            return tuple(values)
        return dict(zip((name for name, _, _ in self._plan), values, strict=True))

    def insert_many(self, cursor: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            cursor.executemany(self.sql, [self.row_params(row) for row in rows])


class StoredResponse(NamedTuple):
    request_hash: str
    response: dict[str, Any]
    created_at: datetime


class GroupSQL:
    """The grouped submit's statements for one dialect (`for_dialect` caches one per dialect)."""

    def __init__(self, dialect: Dialect) -> None:
        from editbay.jobs import billing  # the guarded balance move is billing's statement

        self.sqlite = dialect.name == "sqlite"
        self.postgresql = dialect.name == "postgresql"
        self._lock = Compiled(queries.LOCK_ACCOUNT, dialect)
        self._count = Compiled(queries.COUNT_ACTIVE_UPTO, dialect)
        self._hold = Compiled(billing.GUARDED_MOVE, dialect)
        self._get_idempotency = Compiled(queries.GET_IDEMPOTENCY, dialect)
        self._delete_idempotency = Compiled(queries.DELETE_IDEMPOTENCY, dialect)
        self._notify = Compiled(text("SELECT pg_notify(:ch, '')"), dialect)
        self.ledger = _Insert(LedgerEntry.__table__, dialect)  # type: ignore[arg-type]
        self.jobs = _Insert(Job.__table__, dialect)  # type: ignore[arg-type]
        self.idempotency = _Insert(IdempotencyRecord.__table__, dialect)  # type: ignore[arg-type]
        table = IdempotencyRecord.__table__
        self._response = table.c.response.type.dialect_impl(dialect).result_processor(dialect, None)
        self._created = table.c.created_at.type.dialect_impl(dialect).result_processor(dialect, None)

    # ---- transaction control (the DBAPI connection of an SQLAlchemy engine) -------------------

    def pipeline(self, connection: Any, enabled: bool = True) -> AbstractContextManager[Any]:
        """PostgreSQL: psycopg's pipeline mode — statements whose results are not needed at once
        travel together, so a group costs three round trips (lock, writes, COMMIT) instead of
        one per statement. SQLite (in-process): nothing to save."""
        return connection.pipeline() if self.postgresql and enabled else nullcontext(None)

    @staticmethod
    def sync(pipeline: Any) -> None:
        """Send what the pipeline holds and raise its first error (no-op without a pipeline)."""
        if pipeline is not None:
            pipeline.sync()

    def begin(self, cursor: Any) -> None:
        """SQLite: take the write lock now (the engine's connections run in autocommit mode);
        PostgreSQL: psycopg opens the transaction with the first statement."""
        if self.sqlite:
            cursor.execute("BEGIN IMMEDIATE")

    def commit(self, connection: Any, cursor: Any) -> None:
        if self.sqlite:
            cursor.execute("COMMIT")
        else:
            connection.commit()

    def rollback(self, connection: Any, cursor: Any) -> None:
        if self.sqlite:
            if connection.in_transaction:
                cursor.execute("ROLLBACK")
        else:
            connection.rollback()

    # ---- the statements ----------------------------------------------------------------------

    def lock_account(self, cursor: Any, account_id: str) -> queries.AccountGate | None:
        """The account's gate, its row locked until the transaction ends (`queries.LOCK_ACCOUNT`)."""
        row = self._lock.execute(cursor, {"account_id": account_id}).fetchone()
        return None if row is None else queries.AccountGate(int(row[0]), bool(row[1]), int(row[2]))

    def count_active_upto(self, cursor: Any, account_id: str, cap: int) -> int:
        return int(self._count.execute(cursor, {"account_id": account_id, "cap": cap}).fetchone()[0])

    def start_hold(self, connection: Any, account_id: str, amount: int) -> Callable[[], int | None]:
        """Send the guarded UPDATE that moves ``amount`` to held credits (refused if the balance
        would go negative); returns the function that reads the new balance (None: refused) —
        on PostgreSQL once the pipeline has synced, on SQLite at once."""
        cursor = connection.cursor()
        try:
            self._hold.execute(
                cursor, {"account_id": account_id, "balance_delta": -amount, "held_delta": amount}
            )
            if self.sqlite:  # an unfinished RETURNING statement would block the COMMIT
                row = cursor.fetchone()
                cursor.close()
                return lambda: None if row is None else int(row[0])
        except BaseException:
            cursor.close()
            raise

        def balance() -> int | None:
            try:
                found = cursor.fetchone()
            finally:
                cursor.close()
            return None if found is None else int(found[0])

        return balance

    def stored_response(self, cursor: Any, account_id: str, key: str) -> StoredResponse | None:
        row = self._get_idempotency.execute(cursor, {"account_id": account_id, "key": key}).fetchone()
        if row is None:
            return None
        response = self._response(row[1]) if self._response else row[1]
        created = self._created(row[2]) if self._created else row[2]
        return StoredResponse(row[0], cast(dict[str, Any], response), cast(datetime, created))

    def forget_response(self, cursor: Any, account_id: str, key: str) -> None:
        self._delete_idempotency.execute(cursor, {"account_id": account_id, "key": key})

    def notify(self, cursor: Any, channel: str) -> None:
        self._notify.execute(cursor, {"ch": channel})


_by_dialect: dict[tuple[str, str], GroupSQL] = {}


def for_dialect(dialect: Dialect) -> GroupSQL:
    key = (dialect.name, dialect.driver)
    found = _by_dialect.get(key)
    if found is None:
        found = _by_dialect.setdefault(key, GroupSQL(dialect))
    return found
