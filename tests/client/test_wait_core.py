"""The sans-IO half of `wait()`: the SSE decoder and the tracker both clients share."""

from __future__ import annotations

import json

import pytest

from editbay.client import Job, WaitTimeoutError
from editbay.client._wait import ServerSentEvent, SSEDecoder, WaitTracker, is_event_stream, sse_missing


def decode_all(text: str) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [decoder.decode(line) for line in text.split("\n")]
    return [e for e in events if e is not None]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_decoder_reads_events_ids_and_multiline_data():
    events = decode_all(
        ": keep-alive\n\n"
        'event: progress\nid: 7\ndata: {"progress": 40}\n\n'
        "data: line one\ndata: line two\nretry: 1500\n\n"
        'event: status\r\ndata:{"status":"completed"}\r\n\r\n'
    )
    assert events[0] == ServerSentEvent("progress", '{"progress": 40}', "7", None)
    assert events[1] == ServerSentEvent("message", "line one\nline two", None, 1500)
    assert events[2].event == "status" and events[2].json() == {"status": "completed"}


def test_decoder_remembers_the_last_event_id():
    decoder = SSEDecoder()
    for line in ["id: 3", "data: x", "", "data: y", ""]:
        decoder.decode(line)
    assert decoder.last_event_id == "3"


def test_event_stream_detection():
    assert is_event_stream(200, "text/event-stream; charset=utf-8")
    assert not is_event_stream(200, "application/json")
    assert not is_event_stream(404, "text/event-stream")
    assert sse_missing(405, "METHOD_NOT_ALLOWED")
    assert sse_missing(404, "NOT_FOUND")
    assert not sse_missing(404, "JOB_NOT_FOUND")  # the job is missing, not the endpoint


def test_progress_callback_fires_once_per_change():
    seen: list[tuple[str, int | None]] = []
    tracker = WaitTracker("job_1", None, lambda j: seen.append((j.status, j.progress)))
    for status, progress in [
        ("pending", 0),
        ("pending", 0),
        ("processing", 10),
        ("processing", 10),
        ("processing", 55),
        ("completed", 100),
    ]:
        terminal = tracker.observe(Job(job_id="job_1", status=status, progress=progress))
    assert terminal
    assert seen == [("pending", 0), ("processing", 10), ("processing", 55), ("completed", 100)]


def test_deadline_raises_with_the_last_job_seen():
    clock = FakeClock()
    tracker = WaitTracker("job_1", 5.0, clock=clock)
    tracker.observe(Job(job_id="job_1", status="processing", progress=30))
    clock.now += 4.9
    tracker.check_deadline()
    assert tracker.remaining() == pytest.approx(0.1)
    clock.now += 0.2
    with pytest.raises(WaitTimeoutError) as info:
        tracker.check_deadline()
    assert info.value.code == "WAIT_TIMEOUT" and info.value.job and info.value.job.progress == 30
    assert tracker.remaining() == 0.0


def test_events_merge_over_the_last_state_and_unknown_events_are_ignored():
    tracker = WaitTracker("job_1", None)
    first = tracker.job_from_event(
        ServerSentEvent(
            "status",
            json.dumps({"jobId": "job_1", "status": "processing", "progress": 5, "model": "m"}),
            id="1",
        )
    )
    assert first and first.model == "m"
    tracker.observe(first)
    partial = tracker.job_from_event(ServerSentEvent("progress", '{"progress": 60}', id="2"))
    assert partial and (partial.status, partial.progress, partial.model) == ("processing", 60, "m")
    assert tracker.last_event_id == "2"
    assert tracker.job_from_event(ServerSentEvent("ping", "{}")) is None
    assert tracker.job_from_event(ServerSentEvent("progress", "not json")) is None
    wrapped = tracker.job_from_event(ServerSentEvent("status", '{"job": {"status": "completed"}}'))
    assert wrapped and wrapped.status == "completed"


def test_poll_delay_backs_off_while_idle_resets_on_change_and_respects_the_deadline():
    clock = FakeClock()
    tracker = WaitTracker("job_1", 60.0, poll_interval=1.0, poll_max=3.0, clock=clock)
    assert [tracker.next_poll_delay() for _ in range(4)] == [1.0, 1.5, 2.25, 3.0]
    tracker.observe(Job(job_id="job_1", status="processing", progress=1))
    assert tracker.next_poll_delay() == 1.0
    clock.now += 59.5
    assert tracker.next_poll_delay() == pytest.approx(0.5)
    assert tracker.read_timeout(30.0) == pytest.approx(0.5)
    assert WaitTracker("j", None).read_timeout(30.0) == 30.0
