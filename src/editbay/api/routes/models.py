"""Models: the served models with their schemas, prices and rate limits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from editbay.api.deps import ModelsAuth
from editbay.api.schemas import ModelList, ModelPublic
from editbay.errors import EditbayError, ErrorCode
from editbay.jobs.catalog import PRIVATE_SPEC_KEYS
from editbay.store import queries

router = APIRouter(tags=["models"])


def public(spec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in PRIVATE_SPEC_KEYS}


def _list(state: Any) -> dict[str, Any]:
    with state.read_sessionmaker() as session:
        return {"models": [public(m.spec) for m in queries.list_models(session)]}


def _get(state: Any, model_id: str) -> dict[str, Any]:
    with state.read_sessionmaker() as session:
        record = queries.get_model(session, model_id.strip("/"))
        if record is None:
            raise EditbayError(
                ErrorCode.MODEL_NOT_FOUND, f"model {model_id!r} does not exist", {"modelId": model_id}
            )
        return public(record.spec)


@router.get("/v1/models", response_model=ModelList, summary="List the served models")
async def list_models(request: Request, auth: ModelsAuth) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_list, request.app.state))


@router.get(
    "/v1/models/{model_id:path}",
    response_model=ModelPublic,
    summary="Get a model by id or slug (URL-encoded, or the slug as a path)",
)
async def get_model(model_id: str, request: Request, auth: ModelsAuth) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_get, request.app.state, model_id))
