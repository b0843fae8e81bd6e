"""A minimal webhook receiver for editbay (or PixelByte) job notifications, standard library only.

It verifies each delivery's signature with `editbay.client.verify_webhook` (HMAC-SHA256, 5-minute
freshness window), answers quickly, and ignores re-deliveries of an event it already handled, using
the `X-Editbay-Event-Id` header (stable across retries).

    export EDITBAY_WEBHOOK_SECRET=$(editbay accounts webhook-secret --account default | tail -n1)
    python examples/webhook_receiver.py --port 9000
    # then submit with webhook_url="http://127.0.0.1:9000/hooks/editbay"
    # (a loopback receiver needs the server to run with EDITBAY_ALLOW_PRIVATE_URLS=true)
"""

from __future__ import annotations

import argparse
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from editbay.client import WebhookEvent, WebhookVerificationError, verify_webhook

MAX_BODY = 1 << 20  # webhook bodies are small; refuse anything larger


class SeenEvents:
    """The ids of recently handled events (bounded, thread-safe), for de-duplication."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """Record ``event_id``; True if it had not been seen before."""
        with self._lock:
            if event_id in self._ids:
                self._ids.move_to_end(event_id)
                return False
            self._ids[event_id] = None
            if len(self._ids) > self._capacity:
                self._ids.popitem(last=False)
            return True


def print_event(event: WebhookEvent) -> None:
    """The default handler: one line per finished job."""
    if event.error:
        detail = f"{event.error.code}: {event.error.message}"
    elif isinstance(event.output, dict):
        detail = event.output.get("url") or ""
    else:
        detail = event.output or ""
    print(f"job {event.job_id} {event.status} {detail}".rstrip(), flush=True)


def make_server(
    secret: str,
    host: str = "127.0.0.1",
    port: int = 9000,
    on_event: Callable[[WebhookEvent], object] = print_event,
) -> ThreadingHTTPServer:
    """A server that verifies, de-duplicates and hands each new event to ``on_event``."""
    seen = SeenEvents()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._answer(413, "body too large")
            raw_body = self.rfile.read(length)  # verify the exact bytes received, never re-serialised JSON
            try:
                event = verify_webhook(secret, self.headers, raw_body)
            except WebhookVerificationError as exc:
                return self._answer(400, f"rejected: {exc}")
            # an unknown id (a sender without the header) falls back to job id + status
            event_id = event.event_id or f"{event.job_id}:{event.status}"
            if not seen.first_time(event_id):
                return self._answer(200, "duplicate ignored")  # 2xx, so the sender stops retrying
            on_event(event)
            self._answer(200, "ok")

        def _answer(self, status: int, text: str) -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    secret = os.environ.get("EDITBAY_WEBHOOK_SECRET")
    if not secret:
        parser.error("set EDITBAY_WEBHOOK_SECRET to the account's webhook secret")
    server = make_server(secret, args.host, args.port)
    print(f"listening on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
