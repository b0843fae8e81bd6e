"""Retries and error mapping against a real HTTP server on 127.0.0.1 (no mocking of httpx)."""

from __future__ import annotations

import socket
import time

import pytest

from editbay.client import (
    APIConnectionError,
    AsyncClient,
    Client,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)

from .scripted_server import Reply, envelope

SUBMITTED = {
    "jobId": "job_1",
    "requestId": "req_1",
    "status": "pending",
    "estimatedCompletionTime": "2030-01-01T00:00:00.000Z",
    "costMicroCents": 30000,
}
FAST = RetryPolicy(max_retries=3, backoff_base=0.05, backoff_max=0.2)


def submit(client: Client, **kwargs):
    return client.submit(
        model="editbay/local/video-edit",
        prompt="make it black and white",
        video_url="https://example.com/in.mp4",
        **kwargs,
    )


def test_429_with_retry_after_then_503_then_200_succeeds_with_one_idempotency_key(server):
    server.script(
        "POST",
        "/v1/jobs/submit",
        Reply(429, envelope("RATE_LIMITED", "slow down"), headers={"Retry-After": "1"}),
        Reply(503, envelope("PUBSUB_PUBLISH_FAILED", "queue unavailable")),
        Reply(200, SUBMITTED),
    )
    with Client(server.url, "eb_test", retry=RetryPolicy(backoff_base=0.05)) as client:
        started = time.monotonic()
        result = submit(client)
        elapsed = time.monotonic() - started
    assert result.job_id == "job_1" and result.cost_micro_cents == 30000
    hits = server.hits("POST", "/v1/jobs/submit")
    assert len(hits) == 3
    assert elapsed >= 1.0  # Retry-After was honoured
    keys = {h.headers["idempotency-key"] for h in hits}
    assert len(keys) == 1 and keys != {""}
    assert all(h.headers["authorization"] == "Bearer eb_test" for h in hits)


def test_retries_give_up_with_the_last_error(server):
    server.script("GET", "/v1/jobs/job_1", Reply(503, envelope("SERVICE_UNAVAILABLE", "draining", "req_9")))
    with Client(server.url, "k", retry=FAST) as client, pytest.raises(ServerError) as info:
        client.get("job_1")
    assert (info.value.code, info.value.status_code, info.value.request_id) == (
        "SERVICE_UNAVAILABLE",
        503,
        "req_9",
    )
    assert len(server.hits("GET", "/v1/jobs/job_1")) == 4


def test_rate_limit_error_exposes_retry_after_when_retries_are_exhausted(server):
    server.script(
        "GET",
        "/v1/jobs/job_1",
        Reply(429, envelope("RATE_LIMITED", "too many"), headers={"Retry-After": "0"}),
    )
    with Client(server.url, "k", max_retries=1) as client, pytest.raises(RateLimitError) as info:
        client.get("job_1")
    assert info.value.retry_after == 0.0 and len(server.hits("GET", "/v1/jobs/job_1")) == 2


def test_submit_without_an_idempotency_key_is_not_retried(server):
    server.script(
        "POST", "/v1/jobs/submit", Reply(503, envelope("PUBSUB_PUBLISH_FAILED", "x")), Reply(200, SUBMITTED)
    )
    with Client(server.url, "k", retry=FAST) as client, pytest.raises(ServerError):
        submit(client, idempotency_key="")
    hits = server.hits("POST", "/v1/jobs/submit")
    assert len(hits) == 1 and "idempotency-key" not in hits[0].headers


def test_a_dropped_connection_is_retried_for_reads_but_not_for_cancel(server):
    server.script(
        "GET", "/v1/jobs/job_1", Reply(drop=True), Reply(200, {"jobId": "job_1", "status": "processing"})
    )
    server.script(
        "POST",
        "/v1/jobs/job_1/cancel",
        Reply(drop=True),
        Reply(200, {"jobId": "job_1", "status": "cancelled", "refundedMicroCents": 30000}),
    )
    with Client(server.url, "k", retry=FAST) as client:
        assert client.get("job_1").status == "processing"
        with pytest.raises(APIConnectionError) as info:
            client.cancel("job_1")
    assert info.value.code == "CONNECTION_ERROR" and info.value.status_code is None
    assert len(server.hits("GET", "/v1/jobs/job_1")) == 2
    assert len(server.hits("POST", "/v1/jobs/job_1/cancel")) == 1


def test_connection_refused_is_retried_then_raised():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: nothing listens there
    with Client(f"http://127.0.0.1:{port}", "k", retry=FAST) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError):
            client.get("job_1")
        assert time.monotonic() - started >= 0.05 * 0.5 * 3  # backed off between the tries


def test_error_envelope_is_mapped_for_real_responses(server):
    server.script(
        "GET",
        "/v1/jobs/job_x",
        Reply(
            404, envelope("JOB_NOT_FOUND", "job not found", "req_abc"), headers={"X-Request-Id": "req_abc"}
        ),
    )
    with Client(server.url, "k") as client, pytest.raises(NotFoundError) as info:
        client.get("job_x")
    assert (info.value.code, info.value.message, info.value.request_id) == (
        "JOB_NOT_FOUND",
        "job not found",
        "req_abc",
    )


def test_api_key_header_falls_back_to_the_environment(server, monkeypatch):
    monkeypatch.setenv("EDITBAY_BASE_URL", server.url)
    monkeypatch.setenv("EDITBAY_API_KEY", "eb_from_env")
    server.script("GET", "/v1/jobs/job_1", Reply(200, {"jobId": "job_1", "status": "pending"}))
    with Client() as client:
        client.get("job_1")
    assert server.requests[-1].headers["authorization"] == "Bearer eb_from_env"


@pytest.mark.anyio
async def test_async_client_retries_the_same_way(server):
    server.script(
        "POST",
        "/v1/jobs/submit",
        Reply(429, envelope("RATE_LIMITED", "slow down"), headers={"Retry-After": "1"}),
        Reply(503, envelope("SERVICE_UNAVAILABLE", "x")),
        Reply(200, SUBMITTED),
    )
    async with AsyncClient(server.url, "k", retry=RetryPolicy(backoff_base=0.05)) as client:
        started = time.monotonic()
        result = await client.submit(
            model="m", prompt="p", video_url="https://x/v.mp4", idempotency_key="my-key"
        )
        assert time.monotonic() - started >= 1.0
    assert result.job_id == "job_1"
    assert [h.headers["idempotency-key"] for h in server.hits("POST", "/v1/jobs/submit")] == ["my-key"] * 3
