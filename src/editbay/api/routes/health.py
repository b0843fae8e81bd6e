"""Operations: liveness, readiness (database, storage, ffmpeg) and Prometheus metrics."""

from __future__ import annotations

import shutil
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from editbay.errors import EditbayError, ErrorCode

router = APIRouter(tags=["operations"])


def ffmpeg_path() -> str | None:
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception:
        return shutil.which("ffmpeg")


def _check_database(state: Any) -> str:
    with state.read_sessionmaker() as session:
        session.execute(text("SELECT 1"))
    return "ok"


def _check_storage(state: Any) -> str:
    state.storage.check_writable()
    return "ok"


def _readiness(state: Any) -> tuple[bool, dict[str, str]]:
    checks: dict[str, str] = {}
    ready = True
    for name, check in (("database", _check_database), ("storage", _check_storage)):
        try:
            checks[name] = check(state)
        except Exception as exc:
            ready = False
            checks[name] = f"failed: {type(exc).__name__}: {exc}"[:300]
    path = state.ffmpeg if getattr(state, "ffmpeg", None) else ffmpeg_path()
    state.ffmpeg = path
    if path:
        checks["ffmpeg"] = "ok"
    else:
        ready = False
        checks["ffmpeg"] = "failed: no ffmpeg binary (imageio-ffmpeg or PATH)"
    return ready, checks


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable, storage writable, ffmpeg found")
async def readyz(request: Request) -> JSONResponse:
    ready, checks = await run_in_threadpool(_readiness, request.app.state)
    if not ready:
        raise EditbayError(ErrorCode.SERVICE_UNAVAILABLE, "not ready", {"checks": checks})
    return JSONResponse({"status": "ready", "checks": checks})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    body, content_type = await run_in_threadpool(request.app.state.metrics.render)
    return Response(body, media_type=content_type)
