"""Jobs: submit, get, list, estimate. (Cancel lives in `job_actions.py`.)"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from editbay.api import pagination
from editbay.api.auth import AuthContext
from editbay.api.concurrency import read
from editbay.api.deps import StatusAuth, SubmitAuth
from editbay.api.logs import job_id_var
from editbay.api.ratelimit import rate_limited
from editbay.api.schemas import (
    EstimatePublic,
    EstimateRequest,
    JobList,
    JobPublic,
    JobStatusName,
    JobSubmit,
    JobSubmitted,
)
from editbay.api.serialize import CompactJSONResponse, job_list_item, job_public
from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import catalog, routing
from editbay.jobs import submit as submitting
from editbay.jobs.idempotency import IDEMPOTENCY_KEY_PATTERN, check_key
from editbay.store import queries
from editbay.store.models import JobStatus

router = APIRouter(tags=["jobs"])

PREFER_WAIT_RE = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)", re.IGNORECASE)
WAIT_POLL_SECONDS = 0.2


def parse_prefer_wait(prefer: str | None) -> int | None:
    """`Prefer: wait=N` (RFC 7240), 1 ≤ N ≤ 60; larger values are capped, others ignored."""
    if not prefer:
        return None
    match = PREFER_WAIT_RE.search(prefer)
    if not match:
        return None
    seconds = int(match.group(1))
    return min(seconds, 60) if seconds >= 1 else None


async def load_job(state: Any, account_id: str, job_id: str) -> dict[str, Any]:
    """The job as `GET /v1/jobs/{id}` shows it (another account's job is "not found")."""
    row = await state.job_reader.account_job(account_id, job_id)
    if row is None:
        raise EditbayError(ErrorCode.JOB_NOT_FOUND, f"job {job_id!r} not found", {"jobId": job_id})
    return job_public(row, state.storage, state.settings)


def _take_model_tokens(state: Any, auth: AuthContext, entry: catalog.ModelEntry) -> None:
    limits = entry.rateLimits
    for bucket, limit, period, what in (
        (
            ("model-min", auth.key_id, entry.slug),
            limits.requestsPerMinute,
            60.0,
            "requests per minute for this model",
        ),
        (
            ("model-day", auth.key_id, entry.slug),
            limits.requestsPerDay,
            86400.0,
            "requests per day for this model",
        ),
    ):
        decision = state.rate_limiter.take(bucket, limit, period)
        if not decision.allowed:
            raise rate_limited(decision, what)


async def _model(state: Any, auth: AuthContext, body: JobSubmit) -> catalog.ModelEntry:
    catalog.check_slug(body.model)
    found, entry = state.models.cached(body.model)
    if not found:
        entry = await run_in_threadpool(state.models.get, body.model)
    return catalog.check_entry(entry, body.model, body.version, auth.account_name)


async def submit(
    state: Any, request_id: str, auth: AuthContext, body: JobSubmit, key: str | None
) -> submitting.Submitted:
    """Check the model, its rate limits and the webhook, price the job, and have it committed
    with the next group of submits (`state.submitter`, a `store.groupcommit.GroupCommit`)."""
    entry = await _model(state, auth, body)
    _take_model_tokens(state, auth, entry)
    webhook = (
        submitting.check_webhook_url(body.webhookUrl, state.settings.allow_private_urls)
        if body.webhookUrl
        else None
    )
    caller = submitting.Caller(auth.account_id, auth.account_name, auth.key_id, request_id)
    req = submitting.SubmitRequest(
        model=entry,
        version=body.version or entry.currentVersion,
        input=body.input,
        webhook_url=webhook,
        body=body.model_dump(mode="json", exclude_unset=True) if key else {},
        idempotency_key=key,
    )
    if submitting.needs_plan(entry, state.settings):  # price or routing read the plan: CPU work
        priced = await run_in_threadpool(submitting.price, caller, req, state.settings)
    else:
        priced = submitting.price(caller, req, state.settings)
    return await state.submitter.run(priced)  # type: ignore[no-any-return]


async def _wait_for_end(state: Any, account_id: str, job_id: str, seconds: int) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        public = await load_job(state, account_id, job_id)
        if JobStatus(public["status"]).is_terminal or time.monotonic() >= deadline:
            return public
        await asyncio.sleep(min(WAIT_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


@router.post(
    "/v1/jobs/submit",
    response_model=JobSubmitted,
    summary="Submit a video-edit job",
    description="Validates, prices and holds credits, then queues the job. Headers: `Idempotency-Key` "
    "(replay-safe retries), `Prefer: wait=N` (hold the response up to N s; it then also carries the "
    "job's GET fields).",
)
async def submit_job(
    body: JobSubmit,
    request: Request,
    auth: SubmitAuth,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY_PATTERN)
    ] = None,
    prefer: Annotated[str | None, Header(alias="Prefer")] = None,
) -> JSONResponse:
    return await submit_response(
        request.app.state, request.scope["state"]["request_id"], auth, body, idempotency_key, prefer
    )


async def submit_response(
    state: Any,
    request_id: str,
    auth: AuthContext,
    body: JobSubmit,
    idempotency_key: str | None,
    prefer: str | None,
) -> JSONResponse:
    """`POST /v1/jobs/submit` once the request is parsed (FastAPI's route and `api.hot` share it)."""
    key = check_key(idempotency_key) if idempotency_key is not None else None
    result = await submit(state, request_id, auth, body, key)
    job_id_var.set(result.job_id)
    content = dict(result.body)
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    wait = parse_prefer_wait(prefer)
    if wait:
        public = await _wait_for_end(state, auth.account_id, result.job_id, wait)
        content = {**public, **content, "status": public["status"]}
        headers["Preference-Applied"] = f"wait={wait}"
    return CompactJSONResponse(content, headers=headers)


@router.get("/v1/jobs/{jobId}", response_model=JobPublic, summary="Get a job's status and outputs")
async def get_job(jobId: str, request: Request, auth: StatusAuth) -> JSONResponse:  # noqa: N803 - wire name
    return await job_response(request.app.state, auth, jobId)


async def job_response(state: Any, auth: AuthContext, job_id: str) -> JSONResponse:
    """`GET /v1/jobs/{jobId}` once authenticated (FastAPI's route and `api.hot` share it)."""
    job_id_var.set(job_id)
    return CompactJSONResponse(await load_job(state, auth.account_id, job_id))


def _list(
    state: Any, account_id: str, limit: int, cursor: str | None, status: str | None, model: str | None
) -> dict[str, Any]:
    after = pagination.decode_job_cursor(cursor) if cursor else None
    with state.read_sessionmaker() as session:
        slug = model
        if model:
            record = queries.get_model(session, model)
            slug = record.slug if record is not None else model
        rows = queries.list_account_jobs(session, account_id, limit + 1, after, status, slug)
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        pagination.encode_job_cursor(rows[-1].created_at, rows[-1].id) if has_more and rows else None
    )
    return {"jobs": [job_list_item(j) for j in rows], "nextCursor": next_cursor, "hasMore": has_more}


@router.get("/v1/jobs", response_model=JobList, summary="List the account's jobs, newest first")
async def list_jobs(
    request: Request,
    auth: StatusAuth,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(pattern=pagination.JOB_CURSOR_PATTERN)] = None,
    status: JobStatusName | None = None,
    modelId: Annotated[str | None, Query(max_length=200)] = None,  # noqa: N803 - wire name
) -> JSONResponse:
    body = await read(request.app.state, _list, auth.account_id, limit, cursor, status, modelId)
    return JSONResponse(body)


def _plan(job_input: Any) -> tuple[Any, dict[str, str] | None]:
    """The dry-run plan (unsupported clauses flagged) and the error the job would end with
    (UNSUPPORTED_EDIT) if submitted as is and run on the local engine."""
    from editbay.engine.errors import EngineError, UnsupportedEdit
    from editbay.engine.plan import check_supported, plan_edit

    try:
        plan = plan_edit(
            job_input.prompt,
            images=job_input.image_urls(),
            keep_original_sound=job_input.keep_original_sound,
            aspect_ratio=job_input.aspect_ratio,
            strict=job_input.strict,
            check=False,
        )
    except EngineError as exc:
        raise EditbayError(
            ErrorCode.INVALID_INPUT, f"input.prompt: {exc}", {"field": "input.prompt"}
        ) from exc
    refusal = None
    try:
        check_supported(plan, job_input.strict)
    except UnsupportedEdit as exc:
        refusal = {"code": ErrorCode.UNSUPPORTED_EDIT.value, "message": str(exc)}
    return plan, refusal


def _estimate(state: Any, auth: Any, body: EstimateRequest) -> dict[str, Any]:
    entry = catalog.resolve_model(state.models, body.model, body.version, auth.account_name)
    values = body.input.model_dump(mode="json", exclude_none=True) if body.input else {}
    plan, refusal = None, None
    if body.input is not None and body.input.prompt:
        plan, refusal = _plan(body.input)
    price = catalog.quote(entry, values, plan.output_duration if plan is not None else None)
    if plan is None and routing.needs_plan(entry, state.settings):
        decided: dict[str, Any] = {
            "mode": routing.HYBRID,
            "decision": None,
            "reason": "hybrid: decided from the instruction (give input.prompt to see the decision)",
        }
    else:
        decided = routing.decide(entry, state.settings, plan)
    if refusal is not None and decided["decision"] == routing.UPSTREAM:
        refusal = None  # the upstream runs what the local engine would refuse
    return {
        "baseCostMicroCents": price.base,
        "estimatedCostMicroCents": price.total,
        "breakdown": price.breakdown,
        "hasDiscount": False,
        "outputSeconds": price.seconds,
        "plan": plan.model_dump(mode="json") if plan is not None else None,
        "planError": refusal,
        "routing": decided,
    }


@router.post(
    "/v1/jobs/estimate",
    response_model=EstimatePublic,
    summary="Price a job; with input.prompt, also return the parsed edit plan (a free dry run)",
)
async def estimate_job(body: EstimateRequest, request: Request, auth: StatusAuth) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_estimate, request.app.state, auth, body))
