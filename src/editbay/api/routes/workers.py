"""``GET /v1/workers`` (scope ``admin``): the live workers — heartbeat within the lease time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from editbay.api.deps import AdminAuth
from editbay.jobs.clock import iso_ms
from editbay.store import queue
from editbay.store.models import utcnow

router = APIRouter(tags=["operations"])


class WorkerPublic(BaseModel):
    workerId: str  # noqa: N815 - wire names
    hostname: str
    pid: int
    status: str
    startedAt: str | None  # noqa: N815
    lastHeartbeatAt: str | None  # noqa: N815
    currentJobId: str | None  # noqa: N815


class WorkerList(BaseModel):
    workers: list[WorkerPublic]


def _workers(state: Any) -> dict[str, Any]:
    since = utcnow() - timedelta(seconds=state.settings.lease_seconds)
    with state.read_sessionmaker() as session:
        rows = queue.live_workers(session, since)
        return {
            "workers": [
                {
                    "workerId": w.id,
                    "hostname": w.hostname,
                    "pid": w.pid,
                    "status": w.status,
                    "startedAt": iso_ms(w.started_at),
                    "lastHeartbeatAt": iso_ms(w.last_heartbeat_at),
                    "currentJobId": w.current_job_id,
                }
                for w in rows
            ]
        }


@router.get("/v1/workers", response_model=WorkerList, summary="Live workers (extension, admin scope)")
async def list_workers(request: Request, auth: AdminAuth) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_workers, request.app.state))
