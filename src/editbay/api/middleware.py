"""The request middleware (pure ASGI, one per app): request ids, the body-size cap, rate-limit
headers, metrics, access logs, and the 500 envelope for unhandled exceptions.

* `X-Request-Id` on every response: the client's if well-formed (1..128 of `[A-Za-z0-9._:-]`),
  otherwise a new `req_<hex>`.
* Bodies larger than `EDITBAY_MAX_BODY_BYTES` get 413 PAYLOAD_TOO_LARGE, whether announced by
  `Content-Length` or found while streaming. Upload PUTs (the only PUTs) carry their own limits.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from editbay.api.errors import envelope
from editbay.api.logs import account_id_var, job_id_var, request_id_var
from editbay.api.metrics import Metrics
from editbay.errors import HTTP_STATUS, ErrorCode

log = logging.getLogger("editbay.api")
access_log = logging.getLogger("editbay.api.access")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class BodyTooLarge(Exception):
    """Raised by the wrapped `receive` once the streamed body passes the cap."""


def _database_unreachable(exc: BaseException) -> bool:
    """A lost or refused database connection (an outage, a restart) — a 503 to retry, not a 500."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    for err in (exc, exc.__cause__, exc.__context__):
        if isinstance(err, OperationalError | PoolTimeout):
            return True
        if isinstance(err, DBAPIError) and err.connection_invalidated:
            return True
    return False


class _RandomBytes(threading.local):
    """`os.urandom` read 4 KiB at a time (per thread): a read per request released the GIL,
    and the event loop then waited for it behind the group-commit writer thread."""

    def __init__(self) -> None:
        self.buffer = b""
        self.used = 0

    def hex(self, n: int) -> str:
        start = self.used
        if start + n > len(self.buffer):
            self.buffer, start = os.urandom(4096), 0
        self.used = start + n
        return self.buffer[start : start + n].hex()


_random = _RandomBytes()


def new_request_id() -> str:
    return "req_" + _random.hex(12)


class RequestContextMiddleware:
    def __init__(
        self, app: ASGIApp, max_body_bytes: int, metrics: Metrics | None = None, hot: Any = None
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.metrics = metrics
        self.hot = hot  # `api.hot.HotRoutes`: serves the two hottest endpoints without FastAPI

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, handler: Any = None
    ) -> None:
        """`handler`: the hot route already matched (`api.main.EditbayAPI` enters here directly
        for the hot endpoints, below FastAPI's own middleware stack)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})
        request_id = _request_id(scope)
        state["request_id"] = request_id
        tokens = (request_id_var.set(request_id), account_id_var.set(None), job_id_var.set(None))
        status_holder = {"status": 500, "started": False}
        request_id_header = (b"x-request-id", request_id.encode("latin-1"))

        async def emit(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["started"] = True
                status_holder["status"] = message["status"]
                message["headers"] = _context_headers(
                    message.get("headers") or (), request_id_header, state.get("ratelimit_headers")
                )
            await send(message)

        async def send_wrapper(message: Message) -> None:
            # FastAPI turns a failed body read into its own 400; a body over the cap is a 413.
            if state.get("body_too_large"):
                if message["type"] == "http.response.start" and not status_holder["started"]:
                    await self._send_error(
                        emit, request_id, ErrorCode.PAYLOAD_TOO_LARGE, self._too_large_message()
                    )
                return
            await emit(message)

        try:
            if self._too_large_announced(scope):
                await self._send_error(
                    emit, request_id, ErrorCode.PAYLOAD_TOO_LARGE, self._too_large_message()
                )
                return
            capped = scope["method"] != "PUT" and self.max_body > 0
            if capped:
                receive = self._capped_receive(receive, state)
            if handler is None and self.hot is not None:
                handler = self.hot.match(scope)
            try:
                if handler is not None:
                    await handler(scope, receive, send_wrapper, self.app)
                else:
                    await self.app(scope, receive, send_wrapper)
            except BodyTooLarge:
                if not status_holder["started"]:
                    await self._send_error(
                        emit, request_id, ErrorCode.PAYLOAD_TOO_LARGE, self._too_large_message()
                    )
            except Exception as exc:
                if _database_unreachable(exc):
                    log.warning("database unreachable on %s %s: %s", scope["method"], scope["path"], exc)
                    if not status_holder["started"]:
                        await self._send_error(
                            emit, request_id, ErrorCode.SERVICE_UNAVAILABLE, "database unavailable, retry"
                        )
                    return
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                if not status_holder["started"]:
                    await self._send_error(
                        emit, request_id, ErrorCode.INTERNAL_ERROR, "internal server error"
                    )
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            if self.metrics is not None:
                self.metrics.observe(scope["method"], template, int(status_holder["status"]), elapsed)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %s %.1fms",
                    scope["method"],
                    scope["path"],
                    status_holder["status"],
                    elapsed * 1000,
                    extra={"status": status_holder["status"], "route": template},
                )
            for var, token in zip((request_id_var, account_id_var, job_id_var), tokens, strict=True):
                var.reset(token)

    def _too_large_message(self) -> str:
        return f"the request body is larger than {self.max_body} bytes"

    def _too_large_announced(self, scope: Scope) -> bool:
        if self.max_body <= 0 or scope["method"] == "PUT":
            return False
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    return int(value) > self.max_body
                except ValueError:
                    return False
        return False

    def _capped_receive(self, receive: Receive, state: dict[str, Any]) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    state["body_too_large"] = True
                    raise BodyTooLarge()
            return message

        return wrapped

    @staticmethod
    async def _send_error(send: Send, request_id: str, code: ErrorCode, message: str) -> None:
        body = envelope(code, message, {}, request_id)
        await send(
            {
                "type": "http.response.start",
                "status": HTTP_STATUS[code],
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _context_headers(
    headers: Iterable[tuple[bytes, bytes]],
    request_id: tuple[bytes, bytes],
    ratelimit: Sequence[tuple[bytes, bytes]] | None,
) -> list[tuple[bytes, bytes]]:
    """The response's headers with `X-Request-Id` set and the rate-limit headers added where the
    response has none of its own (a 429 carries the bucket that refused it). Raw lower-case
    names, as Starlette sends them; building the list once is cheaper than `MutableHeaders`."""
    out = [item for item in headers if item[0] != b"x-request-id"]
    out.append(request_id)
    if ratelimit:
        present = {name for name, _ in out}
        out.extend(item for item in ratelimit if item[0] not in present)
    return out


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            try:
                candidate = value.decode("ascii")
            except UnicodeDecodeError:
                break
            if REQUEST_ID_RE.match(candidate):
                return candidate
            break
    return new_request_id()
