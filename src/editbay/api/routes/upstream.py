"""``POST /v1/upstream/webhook/{jobId}/{token}`` (extension): the upstream's webhook for our job.

No API key — the upstream calls it — but the URL token and the upstream's webhook signature are
checked (`providers.upstream_webhook`). An accepted call counts a notification on the job and
wakes its worker, in this process or another (`store.notify`); the worker then reads the upstream
job with its own key. Answers: 200 ``{"received": true, "jobId", "woken"}`` — ``woken`` false
for a job that has already ended (a late or repeated webhook is harmless) —, 404
``JOB_NOT_FOUND`` for an unknown job, 401 ``INVALID_WEBHOOK_SIGNATURE`` for anything unproven.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from editbay.api.logs import job_id_var
from editbay.api.schemas import ErrorEnvelope
from editbay.errors import EditbayError, ErrorCode
from editbay.providers import upstream_webhook
from editbay.store import queries, queue
from editbay.store.db import transaction
from editbay.store.notify import notify_upstream_changed

router = APIRouter(tags=["upstream"])
log = logging.getLogger(__name__)


class UpstreamWebhookReceived(BaseModel):
    received: bool
    jobId: str  # noqa: N815 - wire name
    woken: bool


def _accept(state: Any, job_id: str) -> bool | None:
    """Count the notification and wake the job's worker: True; False if the job has ended;
    None if there is no such job."""
    with transaction(state.sessionmaker) as session:
        if queue.count_upstream_notification(session, job_id):
            notify_upstream_changed(session)
            return True
        return False if queries.get_job(session, job_id) is not None else None


@router.post(
    upstream_webhook.PATH_PREFIX + "/{jobId}/{token}",
    response_model=UpstreamWebhookReceived,
    summary="The upstream's webhook for a job sent upstream (extension)",
    description="Called by the PixelByte-compatible upstream when the job editbay forwarded ends; "
    "the URL (with its per-job token) is the `webhookUrl` of editbay's upstream submit. Needs no API "
    "key but the upstream's signature (`X-PixelByte-Timestamp`, `X-PixelByte-Signature` with "
    "`EDITBAY_UPSTREAM_WEBHOOK_SECRET`, 5 minutes' tolerance). The body is not used: the call wakes "
    "the job's worker, which reads the upstream job with its own key. `woken` is false for a job "
    "that has already ended.",
    responses={
        401: {"model": ErrorEnvelope, "description": "INVALID_WEBHOOK_SIGNATURE: token or signature"},
        404: {"model": ErrorEnvelope, "description": "JOB_NOT_FOUND"},
    },
)
async def upstream_job_webhook(jobId: str, token: str, request: Request) -> JSONResponse:  # noqa: N803
    job_id_var.set(jobId)
    state = request.app.state
    body = await request.body()
    upstream_webhook.verify(state.settings, jobId, token, request.headers, body)
    woken = await run_in_threadpool(_accept, state, jobId)
    if woken is None:
        raise EditbayError(ErrorCode.JOB_NOT_FOUND, f"job {jobId!r} not found", {"jobId": jobId})
    log.info("job %s: upstream webhook accepted (woken: %s)", jobId, woken, extra={"jobId": jobId})
    return JSONResponse({"received": True, "jobId": jobId, "woken": woken})
