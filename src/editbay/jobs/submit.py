"""Submit: validate → price → hold credits → insert the `pending` job → wake workers, all in one
transaction (the job row, the hold and the queue entry commit together or not at all)."""

from __future__ import annotations

import ipaddress
import logging
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import billing, catalog, clock, eta, idempotency
from editbay.jobs.inputs import VideoEditInput
from editbay.settings import Settings
from editbay.store import notify, queries
from editbay.store.db import transaction
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


def output_seconds(entry: catalog.ModelEntry, job_input: VideoEditInput) -> float | None:
    """Output length for per-second prices: the plan's output_duration when the instruction fixes
    it; None (→ the pricing file's assumedSeconds) otherwise. Flat prices need no plan."""
    if entry.pricing.unit != "second":
        return None
    from editbay.engine.plan import plan_edit

    plan = plan_edit(
        job_input.prompt,
        images=job_input.image_urls(),
        keep_original_sound=job_input.keep_original_sound,
        aspect_ratio=job_input.aspect_ratio,
        strict=job_input.strict,
        check=False,  # pricing only: an unsupported edit fails in the worker, refunded
    )
    return plan.output_duration


def _check_account(session: Session, account_id: str) -> None:
    """After the hold (which locks the account row on PostgreSQL): the account is active and
    below its concurrent-jobs limit."""
    limits = queries.account_limits(session, account_id)
    if limits is None or not limits[0]:
        raise EditbayError(ErrorCode.UNAUTHORIZED_ACCESS, "this account is disabled")
    limit = limits[1]  # 0 or less: no limit
    if limit > 0 and queries.count_active_jobs_upto(session, account_id, limit) >= limit:
        raise EditbayError(
            ErrorCode.CONCURRENT_JOBS_EXCEEDED,
            f"this account already has {limit} jobs pending or processing; wait for one to finish",
            {"concurrentJobLimit": limit},
        )


_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(factory: sessionmaker[Session]) -> AbstractContextManager[Any]:
    """SQLite has one writer at a time; queue this process's submits on a lock instead of in
    SQLite's busy handler (which sleeps up to 100 ms between retries)."""
    bind = factory.kw.get("bind")
    url = str(getattr(bind, "url", ""))
    if not url.startswith("sqlite"):
        return nullcontext()
    with _writer_locks_guard:
        return _writer_locks.setdefault(url, threading.Lock())


def _wake_workers(session: Session) -> None:
    try:
        notify.notify_job_available(session)
    except EditbayError:
        raise
    except Exception as exc:  # the transaction rolls back: no job, no hold
        raise EditbayError(
            ErrorCode.PUBSUB_PUBLISH_FAILED, "could not enqueue the job; nothing was charged"
        ) from exc


def _submit_once(
    factory: sessionmaker[Session], settings: Settings, caller: Caller, req: SubmitRequest
) -> Submitted:
    seconds = output_seconds(req.model, req.input)
    values = req.input.model_dump(mode="json")
    price = catalog.quote(req.model, values, seconds)
    fingerprint = idempotency.request_hash(req.body) if req.idempotency_key else ""
    with _writer_lock(factory), transaction(factory) as session:
        at = clock.now()
        if req.idempotency_key:
            stored = idempotency.lookup(session, caller.account_id, req.idempotency_key, fingerprint, at)
            if stored is not None:
                return Submitted(job_id=str(stored["jobId"]), body=stored, replayed=True)
        job_id = new_id("job")
        billing.hold(session, caller.account_id, job_id, price.total)
        _check_account(session, caller.account_id)
        done_at = eta.estimate_completion(
            session, settings, req.model.slug, req.model.processingTimeSeconds, at
        )
        queries.insert_job_row(
            session,
            {
                "id": job_id,
                "account_id": caller.account_id,
                "api_key_id": caller.api_key_id,
                "request_id": caller.request_id,
                "model_slug": req.model.slug,
                "model_version": req.version,
                "input": values,
                "webhook_url": req.webhook_url,
                "status": JobStatus.PENDING.value,
                "progress": 0,
                "cost_microcents": price.total,
                "routing": {"mode": catalog.effective_routing(req.model, settings)},
                "created_at": at,
            },
        )
        body = {
            "jobId": job_id,
            "requestId": caller.request_id,
            "status": JobStatus.PENDING.value,
            "estimatedCompletionTime": clock.iso_ms(done_at),
            "costMicroCents": price.total,
        }
        if req.idempotency_key:
            idempotency.remember(
                session, caller.account_id, req.idempotency_key, fingerprint, job_id, body, at
            )
        _wake_workers(session)
    log.info(
        "job submitted",
        extra={"jobId": job_id, "accountId": caller.account_id, "model": req.model.slug, "cost": price.total},
    )
    return Submitted(job_id=job_id, body=body, replayed=False)


def submit(
    factory: sessionmaker[Session], settings: Settings, caller: Caller, req: SubmitRequest
) -> Submitted:
    """Create one billed, queued job (or replay the response stored under the Idempotency-Key)."""
    try:
        return _submit_once(factory, settings, caller, req)
    except IntegrityError:
        # Two submits with the same new Idempotency-Key raced past the lookup; the loser's
        # transaction rolled back (no job, no hold) and now finds the winner's record.
        if not req.idempotency_key:
            raise
        return _submit_once(factory, settings, caller, req)
