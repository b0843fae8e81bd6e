"""The two hottest endpoints, served without FastAPI's per-request machinery.

`GET /v1/jobs/{jobId}` and `POST /v1/jobs/submit` are nearly all of a busy server's traffic. On
them FastAPI's routing and dependency solving (walking the included routers, solving the auth
dependency, validating path and header parameters, building `Request` objects) cost more than a
whole hello-world request (docs/performance.md). So the request middleware hands these two to
`HotRoutes`, which does the HTTP plumbing by hand and everything else with the very functions
the FastAPI routes call — `deps.authenticate` / `deps.check_scope`, `routes.jobs.job_response` /
`submit_response`, `errors.error_response` — and the two paths answer byte for byte alike
(tests/api/test_hot_routes.py sends the same requests through both and compares).

The FastAPI routes stay the documented definitions (OpenAPI) and serve whatever the hot path
declines, before it has had any effect: other methods, a `root_path`, a body that is not a valid
JSON submit, a malformed `Idempotency-Key` (FastAPI then produces the exact validation error).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from editbay.api.deps import authenticate, check_scope
from editbay.api.errors import error_response
from editbay.api.routes import jobs
from editbay.api.schemas import JobSubmit
from editbay.errors import EditbayError
from editbay.jobs.idempotency import IDEMPOTENCY_KEY_PATTERN

Handler = Callable[[Scope, Receive, Send, ASGIApp], Awaitable[None]]

JOBS_PREFIX = "/v1/jobs/"
SUBMIT_PATH = "/v1/jobs/submit"
_IDEMPOTENCY_KEY_RE = re.compile(IDEMPOTENCY_KEY_PATTERN)
_AUTH_HEADERS = (b"authorization", b"x-api-key")
_SUBMIT_HEADERS = frozenset({*_AUTH_HEADERS, b"content-type", b"idempotency-key", b"prefer"})


def _headers(scope: Scope, names: frozenset[bytes] | tuple[bytes, ...]) -> dict[bytes, str]:
    """The first value of each wanted header, as Starlette's `Headers.get` returns it."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in names and name not in found:
            found[name] = value.decode("latin-1")
    return found


def _route(endpoint: Callable[..., Any]) -> APIRoute:
    for route in jobs.router.routes:
        if isinstance(route, APIRoute) and route.endpoint is endpoint:
            return route
    raise LookupError(f"no route for {endpoint.__name__}")


def _json_submit(content_type: str | None, body: bytes) -> JobSubmit | None:
    """The submit body as FastAPI's route would receive it, or None when FastAPI would do
    anything else with it (no JSON, not a JSON content type, invalid JSON, invalid fields)."""
    if not body:
        return None
    if content_type:  # no content type at all is JSON here (the app is not strict about it)
        media = content_type.partition(";")[0].strip().lower()
        if media != "application/json":
            return None
    try:
        return JobSubmit.model_validate(json.loads(body))
    except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
        return None


async def _read_body(receive: Receive) -> tuple[bytes, list[Message], bool]:
    """(body, the messages as received, complete?) — an early disconnect is left to FastAPI."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return b"", messages, False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), messages, True


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class HotRoutes:
    """Picks the hot endpoint for a request (`match`) and serves it (the returned handler)."""

    def __init__(self, app: FastAPI) -> None:
        self.state = app.state
        self.enabled = True
        self.get_route = _route(jobs.get_job)
        self.submit_route = _route(jobs.submit_job)

    def match(self, scope: Scope) -> Handler | None:
        if not self.enabled or scope.get("root_path"):
            return None
        method, path = scope["method"], scope["path"]
        if method == "GET" and path.startswith(JOBS_PREFIX):
            job_id = path[len(JOBS_PREFIX) :]
            if job_id and "/" not in job_id:  # the route's `{jobId}` segment
                return self.get_job
        elif method == "POST" and path == SUBMIT_PATH:
            return self.submit_job
        return None

    async def get_job(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        scope["route"] = self.get_route
        job_id = scope["path"][len(JOBS_PREFIX) :]
        headers = _headers(scope, _AUTH_HEADERS)
        try:
            auth = await authenticate(
                self.state, scope, headers.get(b"authorization"), headers.get(b"x-api-key")
            )
            response: Response = await jobs.job_response(
                self.state, check_scope(auth, "check_status"), job_id
            )
        except EditbayError as exc:
            response = error_response(scope, exc)
        await response(scope, receive, send)

    async def submit_job(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        headers = _headers(scope, _SUBMIT_HEADERS)
        body, messages, complete = await _read_body(receive)
        key = headers.get(b"idempotency-key")
        submitted = _json_submit(headers.get(b"content-type"), body) if complete else None
        if submitted is None or (key is not None and not _IDEMPOTENCY_KEY_RE.fullmatch(key)):
            await app(scope, _replaying(messages, receive), send)  # FastAPI's route decides
            return
        scope["route"] = self.submit_route
        try:
            auth = await authenticate(
                self.state, scope, headers.get(b"authorization"), headers.get(b"x-api-key")
            )
            response: Response = await jobs.submit_response(
                self.state,
                scope["state"]["request_id"],
                check_scope(auth, "submit_job"),
                submitted,
                key,
                headers.get(b"prefer"),
            )
        except EditbayError as exc:
            response = error_response(scope, exc)
        await response(scope, receive, send)
