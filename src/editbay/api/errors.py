"""The error envelope: every error of every endpoint leaves through here.

    {"success": false, "error": {"code", "message", "details"}, "requestId": "req_..."}

`EditbayError` carries its code (the HTTP status comes from `errors.HTTP_STATUS`); FastAPI's
validation errors become 400 INVALID_INPUT naming the field (`input.video_url`); unknown routes
and wrong methods become 404 NOT_FOUND / 405 METHOD_NOT_ALLOWED. Unhandled exceptions become 500
INTERNAL_ERROR in the request middleware.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from editbay.errors import EditbayError, ErrorCode

_LOCATIONS = {"body", "query", "path", "header", "cookie"}

_HTTP_CODES = {
    400: ErrorCode.INVALID_INPUT,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}


def envelope(code: str, message: str, details: dict[str, Any] | None, request_id: str) -> bytes:
    body = {
        "success": False,
        "error": {"code": str(code), "message": message, "details": details or {}},
        "requestId": request_id,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def request_id_of(scope_or_request: Any) -> str:
    scope = scope_or_request.scope if isinstance(scope_or_request, Request) else scope_or_request
    return str(scope.get("state", {}).get("request_id") or "req_unknown")


def error_response(request: Request | Scope, exc: EditbayError) -> Response:
    """The envelope response of an error (``request``: a Request or its ASGI scope)."""
    status = exc.http_status
    return Response(
        envelope(exc.code, exc.message, exc.details, request_id_of(request)),
        status_code=status,
        media_type="application/json",
        headers=exc.headers or None,
    )


def field_path(loc: Sequence[Any]) -> str:
    """`("body", "input", "images", 0)` → `input.images[0]`."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or (str(loc[0]) if loc else "body")


def _message(error: dict[str, Any]) -> str:
    msg = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg[:1].lower() + msg[1:]


def validation_error(exc: RequestValidationError) -> EditbayError:
    """Translate FastAPI/Pydantic's error list into one INVALID_INPUT naming the field(s)."""
    errors = list(exc.errors())
    unknown = [field_path(e["loc"]) for e in errors if e.get("type") == "extra_forbidden"]
    if unknown:
        noun = "unknown field" if len(unknown) == 1 else "unknown fields"
        return EditbayError(
            ErrorCode.INVALID_INPUT,
            f"{', '.join(unknown)}: {noun}",
            {"field": unknown[0], "fields": unknown},
        )
    if not errors:
        return EditbayError(ErrorCode.INVALID_INPUT, "invalid request")
    first = errors[0]
    if first.get("type") == "json_invalid":
        return EditbayError(ErrorCode.INVALID_INPUT, "body: not valid JSON", {"field": "body"})
    field = field_path(first.get("loc", ()))
    if first.get("type") == "missing" and field == "body":
        return EditbayError(ErrorCode.INVALID_INPUT, "body: a JSON object is required", {"field": "body"})
    details: dict[str, Any] = {"field": field}
    if len(errors) > 1:
        details["errors"] = [{"field": field_path(e.get("loc", ())), "message": _message(e)} for e in errors]
    return EditbayError(ErrorCode.INVALID_INPUT, f"{field}: {_message(first)}", details)


async def _editbay_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EditbayError)
    return error_response(request, exc)


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, validation_error(exc))


async def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(
        exc.status_code, ErrorCode.INTERNAL_ERROR if exc.status_code >= 500 else ErrorCode.INVALID_INPUT
    )
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
        allowed = allowed_methods(request)
        if allowed:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed)}
    else:
        message = str(exc.detail)
    error = EditbayError(code, message, headers=dict(exc.headers or {}))
    response = error_response(request, error)
    response.status_code = exc.status_code
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method any route accepts on this path (Starlette only reports the first route that
    matched the path, e.g. `GET /v1/jobs/{jobId}` for `/v1/jobs/estimate`)."""
    table = getattr(request.app.state, "route_methods", ())
    path = request.url.path
    matches = [(template, methods) for template, regex, methods in table if regex.match(path)]
    literal = [(t, m) for t, m in matches if "{" not in t]  # `/v1/jobs/estimate` beats `/v1/jobs/{jobId}`
    return sorted({m for _, methods in (literal or matches) for m in methods})


def install(app: FastAPI) -> None:
    """Register the envelope handlers on the app (the one mapping from errors to HTTP)."""
    app.add_exception_handler(EditbayError, _editbay_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
