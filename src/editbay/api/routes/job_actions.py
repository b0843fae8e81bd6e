"""Job actions: cancel, the SSE event stream, and the webhook delivery log / redelivery."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from editbay.api.deps import StatusAuth, SubmitAuth
from editbay.api.logs import job_id_var
from editbay.api.schemas import ErrorEnvelope
from editbay.api.serialize import job_public
from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import lifecycle
from editbay.jobs.clock import iso_ms
from editbay.store import outbox, queries
from editbay.store.db import transaction
from editbay.store.models import JobStatus, utcnow
from editbay.store.notify import notify_webhook_due

router = APIRouter(tags=["jobs"])

CANCEL_WAIT_SECONDS = 3.0
SSE_POLL_SECONDS = 0.25
SSE_KEEPALIVE_SECONDS = 15.0
_RANK = {"pending": 1, "processing": 2}


class JobCancelledPublic(BaseModel):
    jobId: str  # noqa: N815 - wire name
    status: str
    refundedMicroCents: int  # noqa: N815


class WebhookAttemptPublic(BaseModel):
    attempt: int
    statusCode: int | None  # noqa: N815
    latencyMs: float | None  # noqa: N815
    error: str | None
    createdAt: str | None  # noqa: N815


class WebhookDeliveryPublic(BaseModel):
    eventId: str  # noqa: N815
    url: str
    status: str
    attempts: int
    nextAttemptAt: str | None  # noqa: N815
    deliveredAt: str | None  # noqa: N815
    lastError: str | None  # noqa: N815
    createdAt: str | None  # noqa: N815
    attemptLog: list[WebhookAttemptPublic]  # noqa: N815


class WebhookDeliveries(BaseModel):
    jobId: str  # noqa: N815
    deliveries: list[WebhookDeliveryPublic]


class Redelivered(BaseModel):
    jobId: str  # noqa: N815
    eventId: str  # noqa: N815
    status: str


def _not_found(job_id: str) -> EditbayError:
    return EditbayError(ErrorCode.JOB_NOT_FOUND, f"job {job_id!r} not found", {"jobId": job_id})


# ---- cancel ----------------------------------------------------------------------------------


def _cancel(state: Any, account_id: str, job_id: str) -> tuple[str, int]:
    with transaction(state.sessionmaker) as session:
        job = lifecycle.cancel(session, account_id, job_id)
        return job.status, int(job.cost_microcents)


def _status(state: Any, job_id: str) -> tuple[str, int]:
    with state.read_sessionmaker() as session:
        job = queries.get_job(session, job_id)
        return (job.status, int(job.refunded_microcents or 0)) if job else ("cancelled", 0)


@router.post(
    "/v1/jobs/{jobId}/cancel",
    response_model=JobCancelledPublic,
    summary="Cancel a job",
    description="A pending job is cancelled at once; a processing job is stopped by its worker within "
    "about a second (extension). Either way it ends `cancelled` and the held credits are refunded.",
    responses={400: {"model": ErrorEnvelope, "description": "JOB_CANNOT_BE_CANCELLED: the job has ended"}},
)
async def cancel_job(jobId: str, request: Request, auth: SubmitAuth) -> JSONResponse:  # noqa: N803
    job_id_var.set(jobId)
    state = request.app.state
    status, cost = await run_in_threadpool(_cancel, state, auth.account_id, jobId)
    if status == JobStatus.PROCESSING.value:
        # The worker ends it `cancelled` (a job asked to stop can end no other way); wait briefly
        # so the answer usually reflects the refund already made.
        deadline = time.monotonic() + CANCEL_WAIT_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            current, _refunded = await run_in_threadpool(_status, state, jobId)
            if current != JobStatus.PROCESSING.value:
                break
    return JSONResponse({"jobId": jobId, "status": JobStatus.CANCELLED.value, "refundedMicroCents": cost})


# ---- events (SSE) ----------------------------------------------------------------------------

#: one Server-Sent Event (OpenAPI 3.2 `itemSchema`): `data` is the job's JSON (as GET /v1/jobs/{id})
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["status", "progress"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "retry": {"type": "integer", "minimum": 0},
    },
}


def _snapshot(state: Any, account_id: str, job_id: str) -> dict[str, Any]:
    with state.read_sessionmaker() as session:
        job = queries.get_account_job(session, account_id, job_id)
        if job is None:
            raise _not_found(job_id)
        return job_public(job, state.storage, state.settings)


def event_sequence(public: dict[str, Any]) -> int:
    """A monotonic event id: pending < processing (by progress) < terminal."""
    return _RANK.get(public["status"], 3) * 1000 + int(public.get("progress") or 0)


def _last_event_id(value: str | None) -> int:
    try:
        return int(value) if value is not None else -1
    except ValueError:
        return -1


async def _event_stream(request: Request, account_id: str, job_id: str, last: int) -> AsyncIterator[str]:
    state = request.app.state
    yield "retry: 1000\n\n"
    sent_status: str | None = None
    quiet_since = time.monotonic()
    while True:
        public = await run_in_threadpool(_snapshot, state, account_id, job_id)
        seq = event_sequence(public)
        terminal = JobStatus(public["status"]).is_terminal
        if seq > last:
            kind = "status" if public["status"] != sent_status or terminal else "progress"
            yield f"id: {seq}\nevent: {kind}\ndata: {json.dumps(public, separators=(',', ':'))}\n\n"
            last, sent_status, quiet_since = seq, public["status"], time.monotonic()
        if terminal:
            return
        if time.monotonic() - quiet_since > SSE_KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            quiet_since = time.monotonic()
        if await request.is_disconnected():
            return
        await asyncio.sleep(SSE_POLL_SECONDS)


@router.get(
    "/v1/jobs/{jobId}/events",
    summary="Server-Sent Events for one job (extension)",
    description="`event: progress` / `event: status` with the job's JSON, ending after the terminal "
    "event. Reconnect with `Last-Event-ID` to resume.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"itemSchema": SSE_EVENT_SCHEMA}}}},
)
async def job_events(
    jobId: str,  # noqa: N803
    request: Request,
    auth: StatusAuth,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    job_id_var.set(jobId)
    await run_in_threadpool(_snapshot, request.app.state, auth.account_id, jobId)  # 404 before streaming
    stream = _event_stream(request, auth.account_id, jobId, _last_event_id(last_event_id))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


# ---- webhook deliveries ----------------------------------------------------------------------


def _deliveries(state: Any, account_id: str, job_id: str) -> dict[str, Any]:
    with state.read_sessionmaker() as session:
        if queries.get_account_job(session, account_id, job_id) is None:
            raise _not_found(job_id)
        events = outbox.events_for_job(session, job_id)
        attempts = outbox.attempts_for_events(session, [e.id for e in events])
    log: dict[str, list[dict[str, Any]]] = {}
    for a in attempts:
        log.setdefault(a.event_id, []).append(
            {
                "attempt": a.attempt,
                "statusCode": a.status_code,
                "latencyMs": round(a.latency_ms, 1) if a.latency_ms is not None else None,
                "error": a.error,
                "createdAt": iso_ms(a.created_at),
            }
        )
    deliveries = [
        {
            "eventId": e.id,
            "url": e.url,
            "status": e.status,
            "attempts": len(log.get(e.id, [])),
            "nextAttemptAt": iso_ms(e.next_attempt_at) if e.status == "pending" else None,
            "deliveredAt": iso_ms(e.delivered_at),
            "lastError": e.last_error,
            "createdAt": iso_ms(e.created_at),
            "attemptLog": log.get(e.id, []),
        }
        for e in events
    ]
    return {"jobId": job_id, "deliveries": deliveries}


@router.get(
    "/v1/jobs/{jobId}/webhooks",
    response_model=WebhookDeliveries,
    summary="The job's webhook deliveries and every attempt (extension)",
)
async def list_webhooks(jobId: str, request: Request, auth: StatusAuth) -> JSONResponse:  # noqa: N803
    job_id_var.set(jobId)
    return JSONResponse(await run_in_threadpool(_deliveries, request.app.state, auth.account_id, jobId))


def _redeliver(state: Any, account_id: str, job_id: str) -> dict[str, Any]:
    with transaction(state.sessionmaker) as session:
        job = queries.get_account_job(session, account_id, job_id)
        if job is None:
            raise _not_found(job_id)
        events = outbox.events_for_job(session, job_id)
        if not events:
            raise EditbayError(
                ErrorCode.INVALID_INPUT,
                "this job has no webhook to redeliver (no webhookUrl, or the job has not ended)",
                {"jobId": job_id},
            )
        event = events[-1]
        outbox.reopen_event(session, event.id, utcnow())
        notify_webhook_due(session)
        return {"jobId": job_id, "eventId": event.id, "status": "pending"}


@router.post(
    "/v1/jobs/{jobId}/webhooks/redeliver",
    response_model=Redelivered,
    summary="Send the job's webhook again (extension)",
    responses={
        400: {
            "model": ErrorEnvelope,
            "description": "INVALID_INPUT: the job has no webhook event (no webhookUrl, or not ended yet)",
        }
    },
)
async def redeliver_webhook(jobId: str, request: Request, auth: SubmitAuth) -> JSONResponse:  # noqa: N803
    job_id_var.set(jobId)
    return JSONResponse(await run_in_threadpool(_redeliver, request.app.state, auth.account_id, jobId))
