"""`wait()`: following Server-Sent Events with progress callbacks, and falling back to polling."""

from __future__ import annotations

import time

import pytest

from editbay.client import AsyncClient, Client, Job, WaitTimeoutError

from .scripted_server import Reply, envelope, sse

SSE_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
DONE = {"jobId": "job_1", "status": "completed", "progress": 100, "output": "http://127.0.0.1/o.mp4"}


def job(status: str, progress: int) -> dict:
    return {"jobId": "job_1", "status": status, "progress": progress}


def event_stream() -> Reply:
    return Reply(
        200,
        headers=SSE_HEADERS,
        stream=[
            b": connected\n\n",
            sse("status", job("pending", 0), "1"),
            0.05,
            sse("status", job("processing", 0), "2"),
            0.05,
            sse("progress", job("processing", 25), "3"),
            0.05,
            sse("progress", job("processing", 25), "4"),
            sse("progress", job("processing", 80), "5"),
            0.05,
            sse("status", DONE, "6"),
        ],
    )


def test_wait_follows_the_event_stream_and_reports_each_change(server):
    server.script("GET", "/v1/jobs/job_1/events", event_stream())
    server.script("GET", "/v1/jobs/job_1", Reply(200, {**DONE, "costMicroCents": 30000}))
    seen: list[tuple[str, int | None]] = []
    with Client(server.url, "k") as client:
        final = client.wait("job_1", timeout=10, on_progress=lambda j: seen.append((j.status, j.progress)))
    assert final.status == "completed" and final.output_url == "http://127.0.0.1/o.mp4"
    assert final.cost_micro_cents == 30000  # the authoritative GET after the terminal event
    assert seen == [
        ("pending", 0),
        ("processing", 0),
        ("processing", 25),
        ("processing", 80),
        ("completed", 100),
    ]
    events = server.hits("GET", "/v1/jobs/job_1/events")
    assert len(events) == 1 and events[0].headers["accept"] == "text/event-stream"
    assert len(server.hits("GET", "/v1/jobs/job_1")) == 1  # no polling


def test_wait_reconnects_with_last_event_id_when_the_stream_breaks(server):
    server.script(
        "GET",
        "/v1/jobs/job_1/events",
        Reply(200, headers=SSE_HEADERS, stream=[sse("progress", job("processing", 40), "7")]),
        Reply(200, headers=SSE_HEADERS, stream=[sse("status", DONE, "8")]),
    )
    server.script("GET", "/v1/jobs/job_1", Reply(200, DONE))
    seen: list[int | None] = []
    with Client(server.url, "k", poll_interval=0.05) as client:
        final = client.wait("job_1", timeout=10, on_progress=lambda j: seen.append(j.progress))
    assert final.status == "completed" and seen == [40, 100]
    hits = server.hits("GET", "/v1/jobs/job_1/events")
    assert "last-event-id" not in hits[0].headers and hits[1].headers["last-event-id"] == "7"


@pytest.mark.parametrize(
    "missing",
    [
        Reply(404, envelope("NOT_FOUND", "no route")),
        Reply(405, envelope("METHOD_NOT_ALLOWED", "nope")),
        Reply(200, {"jobId": "job_1"}),  # not an event stream at all
    ],
)
def test_wait_falls_back_to_polling_without_an_event_stream(server, missing):
    server.script("GET", "/v1/jobs/job_1/events", missing)
    server.script(
        "GET",
        "/v1/jobs/job_1",
        Reply(200, job("pending", 0)),
        Reply(200, job("processing", 50)),
        Reply(200, job("processing", 50)),
        Reply(200, DONE),
    )
    seen: list[tuple[str, int | None]] = []
    with Client(server.url, "k", poll_interval=0.05) as client:
        final = client.wait("job_1", timeout=10, on_progress=lambda j: seen.append((j.status, j.progress)))
        assert final.status == "completed"
        if missing.status in (404, 405):  # remembered: the next wait polls straight away
            client.wait("job_1", timeout=5)
            assert len(server.hits("GET", "/v1/jobs/job_1/events")) == 1
    assert seen == [("pending", 0), ("processing", 50), ("completed", 100)]


def test_wait_falls_back_to_polling_when_the_stream_keeps_breaking(server):
    server.script("GET", "/v1/jobs/job_1/events", Reply(drop=True))
    server.script("GET", "/v1/jobs/job_1", Reply(200, job("processing", 10)), Reply(200, DONE))
    with Client(server.url, "k", poll_interval=0.05) as client:
        assert client.wait("job_1", timeout=10).status == "completed"
    assert len(server.hits("GET", "/v1/jobs/job_1/events")) == 2
    assert len(server.hits("GET", "/v1/jobs/job_1")) == 2


def test_wait_returns_failed_jobs_for_the_caller_to_inspect(server):
    failed = {
        "jobId": "job_1",
        "status": "failed",
        "progress": 0,
        "error": {"code": "UNSUPPORTED_EDIT", "message": "cannot: add a dragon"},
    }
    server.script(
        "GET", "/v1/jobs/job_1/events", Reply(200, headers=SSE_HEADERS, stream=[sse("status", failed, "1")])
    )
    server.script("GET", "/v1/jobs/job_1", Reply(200, failed))
    with Client(server.url, "k") as client:
        final = client.wait("job_1", timeout=5)
    assert final.status == "failed" and final.error and final.error.code == "UNSUPPORTED_EDIT"


def test_wait_times_out_on_a_silent_stream(server):
    server.script(
        "GET",
        "/v1/jobs/job_1/events",
        Reply(200, headers=SSE_HEADERS, stream=[sse("status", job("processing", 5), "1"), 3.0]),
    )
    with Client(server.url, "k") as client:
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError) as info:
            client.wait("job_1", timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert info.value.job and info.value.job.progress == 5


def test_keep_alive_comments_do_not_extend_the_wait(server):
    keep_alives: list[bytes | float] = [b": keep-alive\n\n", 0.1] * 40
    stream = [sse("status", job("processing", 5), "1"), *keep_alives]
    server.script("GET", "/v1/jobs/job_1/events", Reply(200, headers=SSE_HEADERS, stream=stream))
    with Client(server.url, "k") as client:
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError):
            client.wait("job_1", timeout=0.5)
    assert time.monotonic() - started < 2.0


def test_wait_times_out_while_polling(server):
    server.script("GET", "/v1/jobs/job_1", Reply(200, job("pending", 0)))
    with Client(server.url, "k", use_sse=False, poll_interval=0.05) as client:
        with pytest.raises(WaitTimeoutError):
            client.wait("job_1", timeout=0.4)
    assert server.hits("GET", "/v1/jobs/job_1/events") == []


def test_wait_accepts_a_job_object(server):
    server.script("GET", "/v1/jobs/job_1", Reply(200, DONE))
    with Client(server.url, "k", use_sse=False) as client:
        assert client.wait(Job(job_id="job_1"), timeout=5).succeeded


@pytest.mark.anyio
async def test_async_wait_follows_the_event_stream(server):
    server.script("GET", "/v1/jobs/job_1/events", event_stream())
    server.script("GET", "/v1/jobs/job_1", Reply(200, DONE))
    seen: list[int | None] = []
    async with AsyncClient(server.url, "k") as client:
        final = await client.wait("job_1", timeout=10, on_progress=lambda j: seen.append(j.progress))
    assert final.status == "completed" and seen == [0, 0, 25, 80, 100]


@pytest.mark.anyio
async def test_async_wait_falls_back_to_polling(server):
    server.script("GET", "/v1/jobs/job_1/events", Reply(404, envelope("NOT_FOUND", "no route")))
    calls = iter([job("pending", 0), job("processing", 30), DONE])
    server.route("GET", "/v1/jobs/job_1", lambda _r: Reply(200, next(calls, DONE)))
    async with AsyncClient(server.url, "k", poll_interval=0.05) as client:
        final = await client.wait("job_1", timeout=10)
    assert final.status == "completed"
