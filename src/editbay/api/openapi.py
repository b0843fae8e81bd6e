"""The OpenAPI document: every error status documented with the envelope, no phantom 422s
(validation errors are 400 INVALID_INPUT), and the key schemes on routes that authenticate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from editbay.api.deps import AUTH_MARK
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


SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer eb_..."},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "x-api-key"},
}


def _needs_auth(dependant: Dependant) -> bool:
    return any(getattr(d.call, AUTH_MARK, False) or _needs_auth(d) for d in dependant.dependencies)


def secured_operations(routers: Sequence[APIRouter]) -> set[tuple[str, str]]:
    """(path, method) of every route whose dependencies authenticate with an API key."""
    return {
        (route.path_format, method.lower())
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and _needs_auth(route.dependant)
        for method in route.methods or ()
    }


def install(app: FastAPI, description: str, routers: Sequence[APIRouter]) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=description, routes=app.routes)
        schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
        secured = secured_operations(routers)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                operation.get("responses", {}).pop("422", None)
                if (path, method) in secured:
                    operation["security"] = [{"bearerAuth": []}, {"apiKeyHeader": []}]
        schemas = schema["components"].get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
