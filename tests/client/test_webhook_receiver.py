"""The example receiver in `examples/` verifies signatures and ignores re-deliveries."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from editbay.client import WebhookEvent, sign_webhook

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver.py"
SECRET = "whsec_example"


@pytest.fixture
def receiver():
    spec = importlib.util.spec_from_file_location("webhook_receiver_example", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    events: list[WebhookEvent] = []
    server = module.make_server(SECRET, "127.0.0.1", 0, on_event=events.append)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/hooks", events
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def deliver(url: str, body: bytes, event_id: str, secret: str = SECRET) -> httpx.Response:
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-PixelByte-Timestamp": str(ts),
        "X-PixelByte-Signature": sign_webhook(secret, ts, body),
        "X-Editbay-Event-Id": event_id,
        "X-Editbay-Delivery-Attempt": "1",
    }
    return httpx.post(url, content=body, headers=headers)


BODY = json.dumps({"jobId": "job_1", "status": "completed", "output": {"url": "https://h/o.mp4"}}).encode()


def test_receiver_accepts_a_signed_event_once(receiver):
    url, events = receiver
    assert deliver(url, BODY, "evt_1").status_code == 200
    again = deliver(url, BODY, "evt_1")
    assert again.status_code == 200 and "duplicate" in again.text
    assert [(e.job_id, e.event_id) for e in events] == [("job_1", "evt_1")]
    assert deliver(url, BODY, "evt_2").status_code == 200
    assert len(events) == 2


def test_receiver_rejects_bad_signatures(receiver):
    url, events = receiver
    response = deliver(url, BODY, "evt_3", secret="not-the-secret")
    assert response.status_code == 400 and "signature" in response.text
    unsigned = httpx.post(url, content=BODY)
    assert unsigned.status_code == 400
    assert events == []
