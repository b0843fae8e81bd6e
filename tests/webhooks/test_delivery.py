"""Webhook delivery: body and signature per the contract, retries, and the guard on targets."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from editbay.client import verify_webhook
from editbay.store.db import transaction
from editbay.store.models import WebhookAttempt, WebhookEvent, utcnow
from editbay.webhooks.signing import signature, verify
from procs import Receiver


def event_of(services, job_id):
    with transaction(services.sessions) as s:
        event = s.execute(select(WebhookEvent).where(WebhookEvent.job_id == job_id)).scalar_one()
        attempts = (
            s.execute(select(WebhookAttempt).where(WebhookAttempt.event_id == event.id)).scalars().all()
        )
        s.expunge_all()
        return event, list(attempts)


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def test_completed_job_body_headers_and_signature(make_services, finished_job, deliver, receiver):
    services = make_services(allow_private_urls=True)
    job_id, secret = finished_job(services, receiver.url)
    assert deliver(services) == 1
    [hook] = receiver.requests
    body = json.loads(hook.body)
    assert list(body) == ["jobId", "requestId", "status", "output", "outputs", "completedAt"]
    assert body["jobId"] == job_id and body["requestId"] == "req_hook" and body["status"] == "completed"
    output = body["output"]
    assert output["url"] == output["videoUrl"] == body["outputs"][0]["url"]
    assert output["thumbnail"] and output["posterImage"]
    assert output["metadata"] == {"width": 640, "height": 360, "durationSeconds": 6.0, "format": "mp4"}
    assert body["completedAt"].endswith("Z")
    ts = hook.headers["X-PixelByte-Timestamp"]
    assert hook.headers["X-PixelByte-Signature"] == signature(secret, ts, hook.body)
    assert verify(secret, hook.headers, hook.body) and verify_webhook(secret, hook.headers, hook.body)
    assert not verify("whsec_other", hook.headers, hook.body)
    event, attempts = event_of(services, job_id)
    assert (
        hook.headers["X-Editbay-Event-Id"] == event.id and hook.headers["X-Editbay-Delivery-Attempt"] == "1"
    )
    assert event.status == "sent" and [a.status_code for a in attempts] == [200]


def test_failed_job_body_carries_the_error(make_services, finished_job, deliver, receiver):
    services = make_services(allow_private_urls=True)
    finished_job(services, receiver.url, ok=False)
    deliver(services)
    body = json.loads(receiver.requests[0].body)
    assert body["status"] == "failed" and "output" not in body
    assert body["error"] == {"code": "UNSUPPORTED_EDIT", "message": "cannot add a dragon"}


def test_non_2xx_is_retried_on_the_scaled_schedule(make_services, finished_job, deliver, receiver):
    receiver.status = 503
    services = make_services(allow_private_urls=True, webhook_time_scale=1.0)
    job_id, _ = finished_job(services, receiver.url)
    before = utcnow()
    deliver(services)
    event, attempts = event_of(services, job_id)
    assert event.status == "pending" and event.attempts == 1 and attempts[0].status_code == 503
    delay = (event.next_attempt_at - before).total_seconds()
    assert 0.9 <= delay <= 2.0  # first retry after 1 s
    assert deliver(services) == 0  # not due yet


def test_redirects_are_not_followed(make_services, finished_job, deliver, receiver):
    target = Receiver().start()

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(307)
            self.send_header("location", target.url)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        services = make_services(allow_private_urls=True)
        job_id, _ = finished_job(services, f"http://127.0.0.1:{srv.server_address[1]}/hook")
        deliver(services)
        _, attempts = event_of(services, job_id)
        assert attempts[0].status_code == 307 and "redirect" in attempts[0].error
        assert target.requests == []
    finally:
        srv.shutdown()
        srv.server_close()
        target.stop()


def test_timeout_is_recorded(make_services, finished_job, deliver):
    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        services = make_services(allow_private_urls=True, webhook_timeout_seconds=0.3)
        job_id, _ = finished_job(services, f"http://127.0.0.1:{srv.server_address[1]}/hook")
        deliver(services)
        _, attempts = event_of(services, job_id)
        assert attempts[0].status_code is None and attempts[0].error.startswith("timeout")
        assert attempts[0].latency_ms < 1400
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", "http://169.254.169.254/hook", "https://10.0.0.1/hook"]
)
def test_targets_go_through_the_ssrf_guard(make_services, finished_job, deliver, url):
    services = make_services(allow_private_urls=False)
    job_id, _ = finished_job(services, url)
    deliver(services)
    _, attempts = event_of(services, job_id)
    assert attempts[0].error.startswith("blocked:") and attempts[0].status_code is None


def test_connection_refused_then_failed_after_the_last_retry(make_services, finished_job, deliver):
    services = make_services(allow_private_urls=True, webhook_time_scale=0.0)
    job_id, _ = finished_job(services, "http://127.0.0.1:9/hook")
    for _ in range(6):
        assert deliver(services) == 1
    event, attempts = event_of(services, job_id)
    assert event.status == "failed" and len(attempts) == 6
    assert all(a.error.startswith(("refused", "connect")) for a in attempts)
    assert deliver(services) == 0
