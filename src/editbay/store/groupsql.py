"""The statements of a grouped submit, compiled once per dialect and run on the raw DBAPI cursor.

A group of submits runs a handful of statements (lock, count, hold, three inserts, notify). Going
through SQLAlchemy's execution machinery cost ~100 µs per statement on PostgreSQL — several
times the driver's own work — so `GroupSQL` compiles the named Core statements (from
`store.queries` and `jobs.billing`, where they are defined) once per dialect, keeps the column
types' own bind and result processors, fills the columns' Python-side defaults exactly as an
ORM/Core insert does, and executes on the DBAPI cursor. What reaches the database is what a
SQLAlchemy `execute()` would have sent.

On PostgreSQL the writes of a group are one statement (`group_write_statement`): the rows travel
as JSON array parameters, unpacked server-side by `json_to_recordset`, so the driver adapts a
handful of parameters per group instead of every column of every row, and the server runs one
statement instead of one INSERT per row.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Select,
    String,
    Table,
    case,
    column,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import CTE, ColumnElement, TableValuedAlias, bindparam

from editbay.store import queries
from editbay.store.models import Account, IdempotencyRecord, Job, LedgerEntry

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


def _recordset(name: str, table: Table, columns: Sequence[str]) -> TableValuedAlias:
    """The JSON array parameter ``name`` (objects keyed by column name) as rows typed like
    ``table``'s ``columns`` (PostgreSQL's `json_to_recordset`; rows come out in array order)."""
    fn = func.json_to_recordset(bindparam(name, type_=JSON))
    return fn.table_valued(*(column(c, table.c[c].type) for c in columns)).render_derived(
        name=f"{name}_rows", with_types=True
    )


def _insert_from(
    table: Table,
    rows: TableValuedAlias,
    columns: Sequence[str],
    name: str,
    replace: Mapping[str, ColumnElement[Any]] | None = None,
) -> CTE:
    """INSERT INTO ``table`` the ``rows`` (a `_recordset`), as a CTE; the columns left out take
    their scalar Python default as a constant parameter (no default: NULL), as a Core insert
    would. A column with a per-row (callable) default must be in the rows."""
    values: dict[str, ColumnElement[Any]] = {c: (replace or {}).get(c, rows.c[c]) for c in columns}
    for col in table.columns:
        if col.name in values or col.default is None:
            continue
        if not col.default.is_scalar:
            raise ValueError(f"{table.name}.{col.name}: a per-row default; give it in the rows")
        values[col.name] = bindparam(f"{table.name}_{col.name}", col.default.arg, type_=col.type)  # type: ignore[attr-defined]
    return insert(table).from_select(list(values), select(*values.values())).cte(name)


def group_write_statement(
    ledger_columns: Sequence[str], job_columns: Sequence[str], idempotency_columns: Sequence[str]
) -> Select[Any]:
    """PostgreSQL: a group's writes as one statement (data-modifying CTEs) — each account's hold
    (`jobs.billing.GUARDED_MOVE` by the total of its jobs, applied only if it leaves exactly the
    balance its ledger rows were computed from, which the account lock guarantees), the ledger
    rows, the job rows and the idempotency records, taken from the JSON array parameters
    ``holds`` (account_id, amount, balance_after), ``ledger``, ``jobs`` and ``idempotency``.
    A ledger row whose account's hold did not apply gets no `balance_after` and fails the
    NOT NULL constraint, so the whole statement fails: never a job or ledger row without its hold.
    Columns missing from the rows take their defaults, as in any INSERT. Returns the
    (account id, new balance) of each hold."""
    accounts, ledger, jobs = Account.__table__, LedgerEntry.__table__, Job.__table__
    money = accounts.c.balance_microcents.type
    holds = (
        func.json_to_recordset(bindparam("holds", type_=JSON))
        .table_valued(column("account_id", String), column("amount", money), column("balance_after", money))
        .render_derived(name="holds", with_types=True)
    )
    held = (
        update(accounts)
        .values(
            balance_microcents=accounts.c.balance_microcents - holds.c.amount,
            held_microcents=accounts.c.held_microcents + holds.c.amount,
        )
        .where(
            accounts.c.id == holds.c.account_id,
            accounts.c.balance_microcents - holds.c.amount == holds.c.balance_after,
            holds.c.balance_after >= 0,
        )
        .returning(accounts.c.id, accounts.c.balance_microcents)
        .cte("held")
    )
    entries = _recordset("ledger", ledger, ledger_columns)
    checked = case((exists().where(held.c.id == entries.c.account_id), entries.c.balance_after_microcents))
    ctes = [
        _insert_from(ledger, entries, ledger_columns, "ledger_added", {"balance_after_microcents": checked}),
        _insert_from(jobs, _recordset("jobs", jobs, job_columns), job_columns, "jobs_added"),
    ]
    if idempotency_columns:
        table = IdempotencyRecord.__table__
        records = _recordset("idempotency", table, idempotency_columns)
        ctes.append(_insert_from(table, records, idempotency_columns, "remembered"))
    return select(held.c.id, held.c.balance_microcents).add_cte(*ctes)


class _GroupWrite(Compiled):
    """`group_write_statement` compiled for one set of row columns, with its rows' encoding:
    JSON-ready values (datetimes through their column type's bind processor, then ISO 8601)."""

    def __init__(self, columns: tuple[tuple[str, ...], ...]) -> None:
        # numbered parameters ($1, …): the statement is PREPAREd on the session
        dialect = postgresql.psycopg.dialect(paramstyle="numeric_dollar")
        super().__init__(group_write_statement(*columns), dialect)
        self.key = columns
        self._datetimes: list[tuple[tuple[str, ...], dict[str, Processor | None]]] = []
        for table, names in zip(
            (LedgerEntry.__table__, Job.__table__, IdempotencyRecord.__table__), columns, strict=True
        ):
            stamps: dict[str, Processor | None] = {
                name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in names
                if isinstance(getattr(table.c[name].type, "impl", table.c[name].type), DateTime)
            }
            self._datetimes.append((names, stamps))

    def rows(self, which: int, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        names, stamps = self._datetimes[which]
        encoded = []
        for row in rows:
            if len(row) != len(names):  # every row has the statement's columns, nothing else
                raise ValueError(f"row columns {sorted(row)} are not {sorted(names)}")
            values = {name: row[name] for name in names}
            for name, processor in stamps.items():
                value = values[name]
                if value is not None:
                    values[name] = (processor(value) if processor else value).isoformat()
            encoded.append(values)
        return encoded


# the group write statements prepared on each PostgreSQL session: columns -> statement name
_prepared: weakref.WeakKeyDictionary[Any, dict[tuple[tuple[str, ...], ...], str]] = (
    weakref.WeakKeyDictionary()
)
_names = itertools.count(1)


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
        self._dialect = dialect
        if self.postgresql:
            self._lock_many = Compiled(queries.LOCK_ACCOUNTS, dialect)
            self._count_many = Compiled(queries.COUNT_ACTIVE_OF, dialect)
        self._writes: dict[tuple[tuple[str, ...], ...], _GroupWrite] = {}
        self.ledger = _Insert(LedgerEntry.__table__, dialect)  # type: ignore[arg-type]
        self.jobs = _Insert(Job.__table__, dialect)  # type: ignore[arg-type]
        self.idempotency = _Insert(IdempotencyRecord.__table__, dialect)  # type: ignore[arg-type]
        table = IdempotencyRecord.__table__
        self._response = table.c.response.type.dialect_impl(dialect).result_processor(dialect, None)
        self._created = table.c.created_at.type.dialect_impl(dialect).result_processor(dialect, None)

    # ---- transaction control (the DBAPI connection of an SQLAlchemy engine) -------------------
    #
    # PostgreSQL: the connection runs in autocommit mode for the group, and the statements are
    # sent with client-side binding (`psycopg.ClientCursor`), several per message: BEGIN rides
    # with the first batch and COMMIT with the writes, so a group costs two round trips (lock,
    # then writes + COMMIT) and two driver calls. psycopg's pipeline mode did the same in three
    # round trips, but each statement and sync was a driver call that released and retook the
    # GIL (a thread switch with the event loop) and cost ~30-100 µs of driver CPU.

    def cursor(self, connection: Any) -> Any:
        """The cursor of a group's transaction (call `begin` first)."""
        if self.postgresql:
            import psycopg

            return psycopg.ClientCursor(connection)
        return connection.cursor()

    def begin(self, connection: Any, cursor: Any) -> None:
        """SQLite: take the write lock now (the engine's connections run in autocommit mode);
        PostgreSQL: autocommit mode, the first batch of statements opens the transaction."""
        if self.sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        else:
            connection.autocommit = True

    def end(self, connection: Any) -> None:
        """PostgreSQL: back to the mode the pool hands connections out in (after COMMIT or
        ROLLBACK)."""
        if self.postgresql and not connection.closed:
            connection.autocommit = False

    def commit(self, connection: Any, cursor: Any) -> None:
        """COMMIT, unless the writes' batch carried it already (nothing to do then)."""
        if self.sqlite:
            cursor.execute("COMMIT")
        else:
            connection.commit()  # psycopg: a no-op outside a transaction

    def uncommitted(self, connection: Any) -> bool:
        """PostgreSQL: the transaction is still open, or failed (a statement failed, so a COMMIT
        sent behind it was skipped): nothing of it can have landed."""
        from psycopg.pq import TransactionStatus

        status = connection.info.transaction_status
        return bool(status in (TransactionStatus.INTRANS, TransactionStatus.INERROR))

    def rollback(self, connection: Any, cursor: Any) -> None:
        if self.sqlite:
            if connection.in_transaction:
                cursor.execute("ROLLBACK")
        else:
            connection.rollback()  # psycopg: a no-op outside a transaction

    @staticmethod
    def _batch(cursor: Any, statements: Sequence[tuple[str, Mapping[str, Any]]], skip: int = 0) -> Any:
        """PostgreSQL: run statements (SQL, parameters) as one message, BEGIN first when no
        transaction is open; the cursor is left on the result of statement ``skip`` (0: the
        first; `nextset()` for the next)."""
        from psycopg.pq import TransactionStatus

        params: dict[str, Any] = {}
        for _, values in statements:
            params.update(values)
        if cursor.connection.info.transaction_status == TransactionStatus.IDLE:
            statements = [("BEGIN", {}), *statements]
            skip += 1
        cursor.execute("; ".join(sql for sql, _ in statements), params)
        for _ in range(skip):
            cursor.nextset()
        return cursor

    def _one(self, cursor: Any, compiled: Compiled, values: Mapping[str, Any]) -> Any:
        if self.postgresql:
            return self._batch(cursor, [(compiled.sql, compiled.params(values))])
        return compiled.execute(cursor, values)

    # ---- the statements ----------------------------------------------------------------------

    def lock_account(self, cursor: Any, account_id: str) -> queries.AccountGate | None:
        """The account's gate, its row locked until the transaction ends (`queries.LOCK_ACCOUNT`)."""
        row = self._lock.execute(cursor, {"account_id": account_id}).fetchone()
        return None if row is None else queries.AccountGate(int(row[0]), bool(row[1]), int(row[2]))

    def count_active_upto(self, cursor: Any, account_id: str, cap: int) -> int:
        return int(self._count.execute(cursor, {"account_id": account_id, "cap": cap}).fetchone()[0])

    def gates(
        self, cursor: Any, account_ids: Sequence[str]
    ) -> tuple[dict[str, queries.AccountGate | None], dict[str, int]]:
        """Lock the accounts (in id order: two groups locking the same accounts never wait for
        each other) and read their gates; and for each account with a concurrent-jobs limit, its
        active jobs counted up to that limit, after the lock. PostgreSQL: two statements
        (`queries.LOCK_ACCOUNTS`, `queries.COUNT_ACTIVE_OF`) in one round trip."""
        ids = sorted(set(account_ids))
        if not self.postgresql:
            gates = {account_id: self.lock_account(cursor, account_id) for account_id in ids}
            counts = {
                account_id: self.count_active_upto(cursor, account_id, gate.concurrent_job_limit)
                for account_id, gate in gates.items()
                if gate is not None and gate.concurrent_job_limit > 0
            }
            return gates, counts
        values = {"account_ids": ids}
        self._batch(
            cursor,
            [
                (self._lock_many.sql, self._lock_many.params(values)),
                (self._count_many.sql, self._count_many.params(values)),
            ],
        )
        found = {
            row[0]: queries.AccountGate(int(row[1]), bool(row[2]), int(row[3])) for row in cursor.fetchall()
        }
        cursor.nextset()
        counts = {row[0]: int(row[1]) for row in cursor.fetchall()}
        return {account_id: found.get(account_id) for account_id in ids}, counts

    def write_group(
        self,
        cursor: Any,
        holds: Mapping[str, tuple[int, int]],
        ledger: Sequence[Mapping[str, Any]],
        jobs: Sequence[Mapping[str, Any]],
        remembered: Sequence[Mapping[str, Any]],
        channel: str | None = None,
        commit: bool = False,
    ) -> dict[str, int]:
        """PostgreSQL: a group's writes as one statement (`group_write_statement`), with the
        wake-up on ``channel`` and COMMIT (if ``commit``) in the same message. ``holds`` maps
        each account to (amount held, balance after); the rows are those of the three tables,
        every row of a table with the same columns. Returns each account's balance after its
        hold, as the statement's UPDATE left it."""
        columns = (
            tuple(ledger[0]) if ledger else (),
            tuple(jobs[0]) if jobs else (),
            tuple(remembered[0]) if remembered else (),
        )
        write = self._writes.get(columns)
        if write is None:
            write = self._writes.setdefault(columns, _GroupWrite(columns))
        params = {
            "holds": [
                {"account_id": account_id, "amount": amount, "balance_after": after}
                for account_id, (amount, after) in holds.items()
            ],
            "ledger": write.rows(0, ledger),
            "jobs": write.rows(1, jobs),
        }
        if remembered:
            params["idempotency"] = write.rows(2, remembered)
        # A prepared statement of the session (PREPARE is not transactional, and a name is
        # remembered only once its message went through: a failed one is prepared anew).
        prepared = _prepared.setdefault(cursor.connection, {})
        name = prepared.get(write.key)
        statements: list[tuple[str, Mapping[str, Any]]] = []
        if name is None:
            name = f"editbay_group_write_{next(_names)}"
            statements.append((f"PREPARE {name} AS {write.sql}", {}))
        skip = len(statements)  # the cursor is left on the EXECUTE's result
        args = write.params(params)
        call = ", ".join(f"%(eb_{i})s" for i in range(len(args)))
        statements.append((f"EXECUTE {name}({call})", {f"eb_{i}": arg for i, arg in enumerate(args)}))
        if channel is not None:
            statements.append((self._notify.sql, self._notify.params({"ch": channel})))
        if commit:
            statements.append(("COMMIT", {}))
        self._batch(cursor, statements, skip)
        prepared[write.key] = name
        return {row[0]: int(row[1]) for row in cursor.fetchall()}

    def start_hold(self, connection: Any, account_id: str, amount: int) -> Callable[[], int | None]:
        """SQLite: the guarded UPDATE that moves ``amount`` to held credits (refused if the
        balance would go negative); returns the function that reads the new balance (None:
        refused). PostgreSQL holds inside `write_group`'s statement."""
        cursor = connection.cursor()
        try:  # read at once: an unfinished RETURNING statement would block the COMMIT
            row = self._hold.execute(
                cursor, {"account_id": account_id, "balance_delta": -amount, "held_delta": amount}
            ).fetchone()
        finally:
            cursor.close()
        return lambda: None if row is None else int(row[0])

    def stored_response(self, cursor: Any, account_id: str, key: str) -> StoredResponse | None:
        row = self._one(cursor, self._get_idempotency, {"account_id": account_id, "key": key}).fetchone()
        if row is None:
            return None
        response = self._response(row[1]) if self._response else row[1]
        created = self._created(row[2]) if self._created else row[2]
        return StoredResponse(row[0], cast(dict[str, Any], response), cast(datetime, created))

    def forget_response(self, cursor: Any, account_id: str, key: str) -> None:
        self._one(cursor, self._delete_idempotency, {"account_id": account_id, "key": key})

    def notify(self, cursor: Any, channel: str) -> None:
        self._one(cursor, self._notify, {"ch": channel})


_by_dialect: dict[tuple[str, str], GroupSQL] = {}


def for_dialect(dialect: Dialect) -> GroupSQL:
    key = (dialect.name, dialect.driver)
    found = _by_dialect.get(key)
    if found is None:
        found = _by_dialect.setdefault(key, GroupSQL(dialect))
    return found
