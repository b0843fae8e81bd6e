"""A real HTTP server on 127.0.0.1 whose answers a test scripts in advance (stdlib, in a thread).

Each route answers with the next `Reply` of its script (the last one repeats); a reply can be JSON,
raw bytes, a stream of chunks with pauses (for Server-Sent Events), or a dropped connection.
Every request is recorded for the test to inspect.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterable[bytes | float] | None = None  # bytes are written and flushed; floats are pauses
    drop: bool = False  # close the socket without answering


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Recorded], Reply]


def sse(event: str, data: Any, event_id: str | None = None) -> bytes:
    """One Server-Sent Event, encoded."""
    text = f"event: {event}\n"
    if event_id is not None:
        text += f"id: {event_id}\n"
    text += f"data: {json.dumps(data)}\n\n"
    return text.encode()


def envelope(code: str, message: str, request_id: str = "req_test") -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message}, "requestId": request_id}


class ScriptedServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler | list[Reply]] = {}
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(
                    self.command,
                    unquote(parts.path),
                    dict(parse_qsl(parts.query)),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                reply = server._reply_for(recorded)
                if reply.drop:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.stream is not None:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    try:
                        for chunk in reply.stream:
                            if isinstance(chunk, float | int):
                                time.sleep(chunk)
                            else:
                                self.wfile.write(chunk)
                                self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                payload = json.dumps(reply.json).encode() if reply.json is not None else reply.body
                if reply.json is not None and "Content-Type" not in reply.headers:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, method: str, path: str, *replies: Reply) -> None:
        """Answer ``method path`` with these replies in order, repeating the last one."""
        self.routes[(method, path)] = list(replies)

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answer ``method path`` by calling ``handler(request)``."""
        self.routes[(method, path)] = handler

    def hits(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def _reply_for(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            target = self.routes.get((recorded.method, recorded.path))
            if target is None:
                return Reply(404, envelope("NOT_FOUND", f"no route {recorded.path}"))
            if callable(target):
                handler = target
            else:
                reply = target.pop(0) if len(target) > 1 else target[0]
                return reply
        return handler(recorded)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
