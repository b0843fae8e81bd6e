"""The OpenAPI document: every error status documented with the envelope, no phantom 422s
(validation errors are 400 INVALID_INPUT). Security schemes come from `api.deps.get_auth`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from editbay.api.schemas import ErrorEnvelope

ERROR_STATUSES = {
    400: "Invalid request (INVALID_INPUT, INVALID_MODEL_SLUG, INVALID_WEBHOOK_URL, ...)",
    401: "Missing, invalid, inactive or expired API key",
    402: "Insufficient balance",
    403: "Scope, IP allow-list or access denied",
    404: "Not found (JOB_NOT_FOUND, MODEL_NOT_FOUND, ...)",
    405: "Method not allowed",
    409: "Idempotency-Key reused with a different body",
    413: "Payload too large",
    429: "Rate limited or too many concurrent jobs",
    500: "Internal error",
    503: "Service unavailable",
}

#: pass to `APIRouter(responses=...)` / `include_router(responses=...)`
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text} for status, text in ERROR_STATUSES.items()
}


def install(app: FastAPI, description: str) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=description, routes=app.routes)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = schema.setdefault("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
