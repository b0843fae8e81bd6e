"""Submit: validate → price → hold credits → insert the `pending` job → wake workers, all in one
transaction (the job row, the hold and the queue entry commit together or not at all).

Submits are committed in groups (`submit_many`; the API's `store.groupcommit` collects the
requests that arrive together): one transaction and one COMMIT for the group, a fixed number of
statements whatever its size — lock the accounts, decide every request in arrival order, one
guarded UPDATE per account, multi-row inserts of ledger entries and jobs, one wake-up. `submit`
is a group of one."""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import billing, catalog, clock, eta, idempotency, routing
from editbay.jobs.inputs import VideoEditInput
from editbay.settings import Settings
from editbay.store import groupsql, notify
from editbay.store.db import dbapi_error, url_key
from editbay.store.groupsql import GroupSQL
from editbay.store.models import JobStatus, new_id

log = logging.getLogger("editbay.jobs.submit")


@dataclass(frozen=True)
class Caller:
    """Who submits: the authenticated account and key, and the request being served."""

    account_id: str
    account_name: str
    api_key_id: str | None
    request_id: str


@dataclass(frozen=True)
class SubmitRequest:
    model: catalog.ModelEntry
    version: str
    input: VideoEditInput
    webhook_url: str | None
    body: dict[str, Any]  # the request as sent (validated), for the idempotency fingerprint
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Submitted:
    job_id: str
    body: dict[str, Any]
    replayed: bool


def check_webhook_url(url: str, allow_private: bool) -> str:
    """`https://` only (and no loopback/private literal hosts) unless private URLs are allowed.
    Names that resolve to private addresses are refused again by the SSRF guard at delivery."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts is None or parts.scheme.lower() not in allowed_schemes or not host:
        raise EditbayError(
            ErrorCode.INVALID_WEBHOOK_URL, "webhookUrl: must be an https:// URL", {"field": "webhookUrl"}
        )
    if not allow_private:
        private = host == "localhost" or host.endswith(".localhost")
        try:
            address = ipaddress.ip_address(host)
            private = private or not address.is_global
        except ValueError:
            pass
        if private:
            raise EditbayError(
                ErrorCode.INVALID_WEBHOOK_URL,
                "webhookUrl: loopback and private network targets are not allowed",
                {"field": "webhookUrl"},
            )
    return url.strip()


def output_seconds(entry: catalog.ModelEntry, job_input: VideoEditInput, plan: Any = None) -> float | None:
    """Output length for per-second prices: the plan's output_duration when the instruction fixes
    it; None (→ the pricing file's assumedSeconds) otherwise. Flat prices need no plan."""
    if entry.pricing.unit != "second":
        return None
    if plan is None:
        from editbay.engine.plan import plan_edit

        plan = plan_edit(
            job_input.prompt,
            images=job_input.image_urls(),
            keep_original_sound=job_input.keep_original_sound,
            aspect_ratio=job_input.aspect_ratio,
            strict=job_input.strict,
            check=False,  # pricing only: an unsupported edit fails in the worker, refunded
        )
    return plan.output_duration  # type: ignore[no-any-return]


def needs_plan(entry: catalog.ModelEntry, settings: Settings) -> bool:
    """Whether pricing or routing a job of ``entry`` parses the instruction (CPU work)."""
    return entry.pricing.unit == "second" or routing.needs_plan(entry, settings)


def account_disabled() -> EditbayError:
    return EditbayError(ErrorCode.UNAUTHORIZED_ACCESS, "this account is disabled")


def too_many_jobs(limit: int) -> EditbayError:
    return EditbayError(
        ErrorCode.CONCURRENT_JOBS_EXCEEDED,
        f"this account already has {limit} jobs pending or processing; wait for one to finish",
        {"concurrentJobLimit": limit},
    )


@dataclass(frozen=True)
class Priced:
    """A submit ready for its transaction: priced and fingerprinted, no database work left."""

    caller: Caller
    req: SubmitRequest
    cost: int
    values: dict[str, Any]  # the input as stored on the job row
    fingerprint: str  # of the request body, when an Idempotency-Key came with it
    routing: dict[str, Any] = field(default_factory=dict)  # `jobs.routing.decide`: mode, decision, reason


def price(caller: Caller, req: SubmitRequest, settings: Settings | None = None) -> Priced:
    """Everything a submit computes before touching the database (plan-based seconds, price,
    routing decision, idempotency fingerprint), so that a grouped transaction only runs statements.
    Without ``settings`` no routing is decided here (the job row records the model's mode)."""
    values = req.input.model_dump(mode="json")
    plan = None
    if settings is not None and needs_plan(req.model, settings):
        plan = routing.parse_for_routing(req.input)
    usable = plan if plan is not None and not isinstance(plan, Exception) else None
    quote = catalog.quote(req.model, values, output_seconds(req.model, req.input, usable))
    decision = routing.decide(req.model, settings, plan) if settings is not None else {}
    fingerprint = idempotency.request_hash(req.body) if req.idempotency_key else ""
    return Priced(caller, req, quote.total, values, fingerprint, decision)


_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(factory: sessionmaker[Session]) -> AbstractContextManager[Any]:
    """SQLite has one writer at a time; queue this process's submits on a lock instead of in
    SQLite's busy handler (which sleeps up to 100 ms between retries)."""
    url = getattr(factory.kw.get("bind"), "url", None)
    if url is None or not url.drivername.startswith("sqlite"):
        return nullcontext()
    key = url_key(url)
    lock = _writer_locks.get(key)
    if lock is None:
        with _writer_locks_guard:
            lock = _writer_locks.setdefault(key, threading.Lock())
    return lock


class _CommitFailed(Exception):
    """COMMIT itself failed: whether the transaction landed is unknown, so it is not retried."""


Outcome = Submitted | BaseException


def _replay(sql: GroupSQL, cursor: Any, item: Priced) -> Outcome | None:
    """The stored response of an Idempotency-Key seen before, its 409, or None (a fresh key;
    an expired record is forgotten)."""
    key = item.req.idempotency_key
    if not key:
        return None
    account_id = item.caller.account_id
    stored = sql.stored_response(cursor, account_id, key)
    if stored is None:
        return None
    if stored.created_at < clock.now() - idempotency.RETENTION:
        sql.forget_response(cursor, account_id, key)
        return None
    if stored.request_hash != item.fingerprint:
        return idempotency.key_reused()
    return Submitted(str(stored.response["jobId"]), dict(stored.response), replayed=True)


def _admit(
    sql: GroupSQL, cursor: Any, items: Sequence[Priced], todo: list[int], outcomes: list[Any]
) -> tuple[list[int], dict[str, int]]:
    """Decide, under the account locks, which submits get a job: in arrival order, each needs
    the balance for its hold (402), an active account (403) and a free concurrent-job slot (429) —
    the checks, and their order, of one submit at a time. Returns the admitted indexes and each
    account's balance once their holds are made."""
    gates, running = sql.gates(cursor, [items[i].caller.account_id for i in todo])
    balance = {account_id: gate.balance for account_id, gate in gates.items() if gate is not None}
    admitted = []
    for i in todo:
        item = items[i]
        account_id = item.caller.account_id
        gate = gates[account_id]
        if gate is None or balance[account_id] - item.cost < 0:
            outcomes[i] = billing.insufficient_balance(item.cost)
            continue
        if not gate.active:
            outcomes[i] = account_disabled()
            continue
        limit = gate.concurrent_job_limit  # 0 or less: no limit
        if limit > 0:
            if running[account_id] >= limit:
                outcomes[i] = too_many_jobs(limit)
                continue
            running[account_id] += 1
        balance[account_id] -= item.cost
        admitted.append(i)
    return admitted, balance


def _job_row(item: Priced, job_id: str, at: datetime, settings: Settings) -> dict[str, Any]:
    caller, req = item.caller, item.req
    return {
        "id": job_id,
        "account_id": caller.account_id,
        "api_key_id": caller.api_key_id,
        "request_id": caller.request_id,
        "model_slug": req.model.slug,
        "model_version": req.version,
        "input": item.values,
        "webhook_url": req.webhook_url,
        "status": JobStatus.PENDING.value,
        "progress": 0,
        "cost_microcents": item.cost,
        "routing": item.routing or {"mode": catalog.effective_routing(req.model, settings)},
        "created_at": at,
    }


def _eta_offsets(engine: Engine, settings: Settings, items: Sequence[Priced]) -> dict[str, timedelta]:
    """Per model: expected queue wait + run time (`jobs.eta`, cached for a second, so this reads
    the database about once a second), taken before the group's transaction."""
    offsets: dict[str, timedelta] = {}
    missing: dict[str, catalog.ModelEntry] = {}
    for item in items:
        model = item.req.model
        if model.slug not in offsets and model.slug not in missing:
            offset = eta.cached_offset(engine.url, settings, model.slug)
            if offset is None:
                missing[model.slug] = model
            else:
                offsets[model.slug] = offset
    if missing:
        start = clock.now()
        with Session(engine.execution_options(editbay_readonly=True)) as session:
            for model in missing.values():
                done = eta.estimate_completion(
                    session, settings, model.slug, model.processingTimeSeconds, start
                )
                offsets[model.slug] = done - start
    return offsets


def _create(
    sql: GroupSQL,
    dbapi: Any,
    cursor: Any,
    batched: bool,
    settings: Settings,
    items: Sequence[Priced],
    admitted: list[int],
    balances: dict[str, int],
    offsets: dict[str, timedelta],
    channel: str | None,
) -> list[Submitted]:
    """Hold, insert and enqueue the admitted submits: one guarded UPDATE per account, one
    multi-row insert each of ledger entries, jobs and idempotency records, one notification —
    and every UPDATE's balance is checked against the one the ledger rows were written with
    (``balances``, decided under the lock). On PostgreSQL the writes are one statement
    (`store.groupsql.group_write_statement`) that makes this check itself before anything is
    written, sent with the wake-up and, if ``batched``, the COMMIT."""
    holds: dict[str, list[billing.Hold]] = {}
    jobs, remembered, created = [], [], []
    for i in admitted:
        item = items[i]
        job_id, at = new_id("job"), clock.now()
        body = {
            "jobId": job_id,
            "requestId": item.caller.request_id,
            "status": JobStatus.PENDING.value,
            "estimatedCompletionTime": clock.iso_ms(at + offsets[item.req.model.slug]),
            "costMicroCents": item.cost,
        }
        holds.setdefault(item.caller.account_id, []).append(
            billing.Hold(item.caller.account_id, job_id, item.cost, at)
        )
        jobs.append(_job_row(item, job_id, at, settings))
        if item.req.idempotency_key:
            remembered.append(
                idempotency.record(
                    item.caller.account_id, item.req.idempotency_key, item.fingerprint, job_id, body, at
                )
            )
        created.append(Submitted(job_id=job_id, body=body, replayed=False))
    if sql.postgresql:
        _write_postgresql(sql, cursor, batched, holds, balances, jobs, remembered, channel)
        return created
    entries, sent = [], []
    for account_id, account_holds in holds.items():
        total = sum(h.amount for h in account_holds)
        sent.append((account_id, total, sql.start_hold(dbapi, account_id, total)))
        entries += billing.hold_entries(account_id, account_holds, balances[account_id])
    sql.ledger.insert_many(cursor, entries)
    sql.jobs.insert_many(cursor, jobs)
    sql.idempotency.insert_many(cursor, remembered)
    if channel is not None:
        try:
            sql.notify(cursor, channel)
        except Exception as exc:  # the transaction rolls back: no job, no hold
            raise _publish_failed() from exc
    for account_id, total, held_balance in sent:
        balance = held_balance()
        if balance is None:  # cannot happen under the lock; refuse the group rather than overdraw
            raise billing.insufficient_balance(total)
        if balance != balances[account_id]:
            raise RuntimeError(f"account {account_id} changed under its lock")
    return created


def _write_postgresql(
    sql: GroupSQL,
    cursor: Any,
    batched: bool,
    holds: dict[str, list[billing.Hold]],
    balances: dict[str, int],
    jobs: list[dict[str, Any]],
    remembered: list[dict[str, Any]],
    channel: str | None,
) -> None:
    """The group's writes as one statement, with the wake-up and the COMMIT when ``batched``
    (one round trip); unbatched (a request retried alone), each statement on its own, so that
    a failing wake-up is reported as such."""
    entries: list[dict[str, Any]] = []
    totals: dict[str, tuple[int, int]] = {}
    for account_id, account_holds in holds.items():
        totals[account_id] = (sum(h.amount for h in account_holds), balances[account_id])
        entries += billing.hold_entries(account_id, account_holds, balances[account_id])
    held = sql.write_group(
        cursor, totals, entries, jobs, remembered, channel if batched else None, commit=batched
    )
    wanted = {account_id: after for account_id, (_, after) in totals.items()}
    if held != wanted:  # the statement refuses this itself, before writing anything
        if not batched:
            raise RuntimeError(f"holds left balances {held}, not {wanted}")
        log.error("a committed group's holds left balances %s, not %s", held, wanted)
    if channel is not None and not batched:
        try:
            sql.notify(cursor, channel)
        except Exception as exc:  # the transaction rolls back: no job, no hold
            raise _publish_failed() from exc


def _publish_failed() -> EditbayError:
    return EditbayError(ErrorCode.PUBSUB_PUBLISH_FAILED, "could not enqueue the job; nothing was charged")


def _wakeup(engine: Engine) -> tuple[str | None, notify.Waker]:
    try:
        return notify.job_wakeup(engine)
    except Exception as exc:
        raise _publish_failed() from exc


def _translated(
    engine: Engine, conn: Connection, dbapi: Any, cursor: Any, exc: BaseException
) -> BaseException:
    """A driver error as SQLAlchemy's (the API maps an unreachable database to 503); a lost
    connection is invalidated so that the pool never hands it out again."""
    if not isinstance(exc, engine.dialect.loaded_dbapi.Error):
        return exc
    lost = engine.dialect.is_disconnect(exc, dbapi, cursor)  # type: ignore[arg-type]
    if lost:
        conn.invalidate(exc)
    return dbapi_error(engine.dialect, exc, invalidated=lost)


def _uncommitted(sql: GroupSQL, dbapi: Any) -> bool:
    try:
        return sql.uncommitted(dbapi)
    except Exception:  # a closed or broken connection: the outcome is unknown
        return False


def _transaction(
    factory: sessionmaker[Session], settings: Settings, items: Sequence[Priced], batched: bool = True
) -> list[Outcome]:
    """One transaction for the whole group, on the engine's raw DBAPI connection
    (`store.groupsql`): replays, admission, holds, job rows, one COMMIT. A refusal (402, 403,
    429, 409) is one request's outcome and does not touch the others; any other error raises
    (nothing of the group committed)."""
    engine: Engine = factory.kw["bind"]
    sql = groupsql.for_dialect(engine.dialect)
    channel, waker = _wakeup(engine)
    offsets = _eta_offsets(engine, settings, items)
    outcomes: list[Any] = [None] * len(items)
    # PostgreSQL, batched: COMMIT travels with the writes (`store.groupsql`)
    commit_sent = False
    with _writer_lock(factory), engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        cursor = sql.cursor(dbapi)
        try:
            try:
                sql.begin(dbapi, cursor)
                todo = []
                for i, item in enumerate(items):
                    outcomes[i] = _replay(sql, cursor, item)
                    if outcomes[i] is None:
                        todo.append(i)
                admitted, balances = _admit(sql, cursor, items, todo, outcomes) if todo else ([], {})
                if admitted:
                    commit_sent = batched and sql.postgresql
                    created = _create(
                        sql, dbapi, cursor, batched, settings, items, admitted, balances, offsets, channel
                    )
                    for i, done in zip(admitted, created, strict=True):
                        outcomes[i] = done
            except BaseException as exc:
                # Batched, an error is unattributed; the group then runs again one request at a
                # time, where each error is raised by its own statement. A COMMIT sent with the
                # writes did not run if the transaction is still open or failed (a statement
                # before it failed); otherwise (a lost connection) it may have landed: the
                # group is then never run again.
                maybe_committed = commit_sent and not _uncommitted(sql, dbapi)
                failure = _translated(engine, conn, dbapi, cursor, exc)
                if not conn.invalidated:
                    try:
                        sql.rollback(dbapi, cursor)
                    except Exception:  # never hand out a connection in an unknown state
                        conn.invalidate()
                if maybe_committed:
                    raise _CommitFailed(str(exc)) from failure
                if failure is exc:
                    raise
                raise failure from exc
            try:
                sql.commit(dbapi, cursor)
            except Exception as exc:
                raise _CommitFailed(str(exc)) from _translated(engine, conn, dbapi, cursor, exc)
        finally:
            with suppress(Exception):
                cursor.close()
            if not conn.invalidated:
                try:
                    sql.end(dbapi)
                except Exception:
                    conn.invalidate()
    if any(isinstance(outcome, Submitted) and not outcome.replayed for outcome in outcomes):
        waker.wake()
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, Submitted) and not outcome.replayed:
            item = items[i]
            log.info(
                "job submitted",
                extra={
                    "jobId": outcome.job_id,
                    "accountId": item.caller.account_id,
                    "requestId": item.caller.request_id,
                    "model": item.req.model.slug,
                    "cost": item.cost,
                },
            )
    return outcomes


def _submit_group(
    factory: sessionmaker[Session], settings: Settings, items: Sequence[Priced], batched: bool = True
) -> list[Outcome]:
    try:
        return _transaction(factory, settings, items, batched)
    except _CommitFailed as exc:
        log.error("a submit transaction failed to commit: %s", exc)
        return [exc.__cause__ or exc] * len(items)
    except Exception as exc:
        if batched or len(items) > 1:
            # Isolate (and attribute) the failure: each request again, alone and unbatched.
            log.warning("submit group of %d failed (%r); retrying one by one", len(items), exc)
            return [
                outcome
                for item in items
                for outcome in _submit_group(factory, settings, [item], batched=False)
            ]
        if isinstance(exc, IntegrityError) and items[0].req.idempotency_key:
            # Two submits with the same new Idempotency-Key raced past the lookup; the loser's
            # transaction rolled back (no job, no hold) and now finds the winner's record.
            try:
                return _transaction(factory, settings, items, batched=False)
            except Exception as again:
                return [again]
        return [exc]


def submit_many(factory: sessionmaker[Session], settings: Settings, items: Sequence[Priced]) -> list[Outcome]:
    """Create many billed, queued jobs in one transaction (group commit): the result for each
    request, in order — a `Submitted` or the exception that request alone ends with.

    The job rows, holds and queue entries of the group commit together; a request's refusal
    never affects the others, and a database error makes each request run again alone. Requests
    repeating an Idempotency-Key already in the group run after it (they replay its response)."""
    seen: set[tuple[str, str]] = set()
    first, later = [], []
    for i, item in enumerate(items):
        key = item.req.idempotency_key
        if key and (item.caller.account_id, key) in seen:
            later.append(i)
            continue
        if key:
            seen.add((item.caller.account_id, key))
        first.append(i)
    results: list[Any] = [None] * len(items)
    for i, outcome in zip(first, _submit_group(factory, settings, [items[i] for i in first]), strict=True):
        results[i] = outcome
    if later:
        for i, outcome in zip(later, submit_many(factory, settings, [items[i] for i in later]), strict=True):
            results[i] = outcome
    return results


def submit(
    factory: sessionmaker[Session], settings: Settings, caller: Caller, req: SubmitRequest
) -> Submitted:
    """Create one billed, queued job (or replay the response stored under the Idempotency-Key)."""
    outcome = submit_many(factory, settings, [price(caller, req, settings)])[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
