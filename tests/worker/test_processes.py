"""Real processes: `editbay serve` (no embedded workers) + separate `editbay worker` processes on
the same database, a webhook receiver and a media server on loopback."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from editbay.client import verify_webhook
from editbay.store.db import make_engine, make_sessionmaker, transaction
from editbay.store.models import Account, LedgerEntry, WebhookEvent
from procs import (
    MediaServer,
    Receiver,
    api,
    base_env,
    create_key,
    make_clip,
    start_server,
    start_worker,
    wait_job,
    wait_until,
    webhook_secret,
)

pytestmark = pytest.mark.slow
LOCAL = "editbay/local/video-edit"


class Stack:
    """Server + workers + receiver for one test; everything is stopped at the end."""

    def __init__(self, tmp: Path, database_url: str, media: MediaServer, **settings: Any) -> None:
        self.tmp, self.url, self.media = tmp, database_url, media
        self.env = base_env(tmp, database_url, **settings)
        self.key = create_key(self.env)
        self.secret = webhook_secret(self.env)
        self.server, self.base = start_server(self.env, tmp)
        self.client = api(self.base, self.key)
        self.workers: list[Any] = []
        self.receiver = Receiver().start()
        engine = make_engine(database_url)
        self.sessions = make_sessionmaker(engine)

    def worker(self, concurrency: int = 1, *extra: str) -> Any:
        proc = start_worker(self.env, self.tmp, concurrency, *extra)
        self.workers.append(proc)
        return proc

    def submit(self, **input: Any) -> str:
        body = {
            "model": LOCAL,
            "input": {"prompt": "make it black and white", **input},
            "webhookUrl": self.receiver.url,
        }
        response = self.client.post("/v1/jobs/submit", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["jobId"])

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.client.get(f"/v1/jobs/{job_id}").json())

    def ledger(self, job_id: str) -> list[str]:
        with transaction(self.sessions) as s:
            return list(
                s.execute(
                    select(LedgerEntry.kind).where(LedgerEntry.job_id == job_id).order_by(LedgerEntry.id)
                ).scalars()
            )

    def account(self) -> tuple[int, int]:
        with transaction(self.sessions) as s:
            acc = s.execute(select(Account)).scalars().first()
            return acc.balance_microcents, acc.held_microcents

    def events(self, job_id: str) -> int:
        with transaction(self.sessions) as s:
            return int(
                s.execute(
                    select(func.count()).select_from(WebhookEvent).where(WebhookEvent.job_id == job_id)
                ).scalar_one()
            )

    def close(self) -> None:
        for proc in self.workers:
            proc.stop()
        self.server.stop()
        self.receiver.stop()
        self.sessions.kw["bind"].dispose()

    def logs(self) -> str:
        return "\n".join(p.log()[-4000:] for p in [self.server, *self.workers])


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaServer]:
    server = MediaServer()
    clip = make_clip(tmp_path_factory.mktemp("media") / "clip.mp4", seconds=2.0)
    server.add("/clip.mp4", clip.read_bytes())
    yield server
    server.close()


@pytest.fixture
def stack(
    tmp_path: Path, database_url: str, media: MediaServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    stacks: list[Stack] = []

    def make(**settings: Any) -> Stack:
        settings.setdefault("provider_overrides", {"*": "editbay_test_providers:passthrough"})
        s = Stack(tmp_path, database_url, media, **settings)
        stacks.append(s)
        return s

    yield make
    for s in stacks:
        print(s.logs())  # shown by pytest only when the test failed
        s.close()


def received_for(receiver: Receiver, job_id: str) -> list[Any]:
    return [r for r in receiver.requests if json.loads(r.body).get("jobId") == job_id]


def test_submit_runs_on_a_separate_worker_and_calls_back(stack, media):
    s = stack()
    s.worker()
    job_id = s.submit(video_url=media.url("/clip.mp4"))
    job = wait_job(s.client, job_id, 60)
    assert job["status"] == "completed", job
    wait_until(lambda: received_for(s.receiver, job_id), 15, what="webhook")
    hook = received_for(s.receiver, job_id)[0]
    event = verify_webhook(s.secret, hook.headers, hook.body)
    body = json.loads(hook.body)
    assert body["status"] == "completed" and body["output"]["videoUrl"] == body["output"]["url"]
    assert (
        hook.headers["X-Editbay-Event-Id"] == event.event_id
        and hook.headers["X-Editbay-Delivery-Attempt"] == "1"
    )
    download = httpx.get(body["output"]["url"], trust_env=False, timeout=30)
    assert download.status_code == 200 and download.content[4:8] == b"ftyp"
    assert httpx.get(job["output"], trust_env=False).content == download.content
    assert s.ledger(job_id) == ["hold", "capture"]


def test_kill_9_mid_job_another_worker_finishes_it_once(stack, media):
    s = stack(lease_seconds=2, provider_overrides={"*": "editbay_test_providers:slow"})
    s.env["EDITBAY_TEST_SLOW_SECONDS"] = "3"
    first = s.worker()
    job_id = s.submit(video_url=media.url("/clip.mp4"))
    wait_until(lambda: s.job(job_id)["status"] == "processing", 30, what="processing")
    time.sleep(0.5)
    first.kill9()
    s.worker()
    job = wait_job(s.client, job_id, 90)
    assert job["status"] == "completed" and job["attempts"] == 2, job
    assert s.ledger(job_id) == ["hold", "capture"]
    assert s.events(job_id) == 1
    wait_until(lambda: received_for(s.receiver, job_id), 15, what="webhook")
    time.sleep(0.5)
    assert len(received_for(s.receiver, job_id)) == 1
    assert s.account()[1] == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


def test_cancel_pending_and_processing_jobs(stack, media, tmp_path):
    s = stack(provider_overrides={"*": "editbay_test_providers:hang"})
    marks = tmp_path / "marks"
    marks.mkdir()
    s.env["EDITBAY_TEST_MARK_DIR"] = str(marks)
    balance_before = s.account()[0]
    pending = s.submit(video_url=media.url("/clip.mp4"))
    cancelled = s.client.post(f"/v1/jobs/{pending}/cancel").json()
    assert cancelled == {
        "jobId": pending,
        "status": "cancelled",
        "refundedMicroCents": s.job(pending)["costMicroCents"],
    }
    assert s.client.post(f"/v1/jobs/{pending}/cancel").json()["error"]["code"] == "JOB_CANNOT_BE_CANCELLED"
    s.worker()
    running = s.submit(video_url=media.url("/clip.mp4"))
    wait_until(lambda: s.job(running)["status"] == "processing", 30, what="processing")
    started = time.monotonic()
    response = s.client.post(f"/v1/jobs/{running}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    job = wait_job(s.client, running, 5)
    assert job["status"] == "cancelled" and time.monotonic() - started < 2.0
    render_pid = int((marks / f"{running}.pid").read_text())
    wait_until(lambda: not _alive(render_pid), 2, what="the render process to be killed")
    assert job["refundedMicroCents"] == job["costMicroCents"]
    assert s.ledger(running) == ["hold", "refund"] and s.ledger(pending) == ["hold", "refund"]
    assert s.account() == (balance_before, 0)
    wait_until(
        lambda: received_for(s.receiver, running) and received_for(s.receiver, pending), 15, what="webhooks"
    )
    assert json.loads(received_for(s.receiver, running)[0].body)["status"] == "cancelled"


def test_webhook_receiver_down_then_up_gets_the_same_event(stack, media):
    s = stack(webhook_time_scale=0.05)
    s.receiver.stop()
    s.worker()
    job_id = s.submit(video_url=media.url("/clip.mp4"))
    assert wait_job(s.client, job_id, 60)["status"] == "completed"

    def attempts() -> list[dict[str, Any]]:
        deliveries = s.client.get(f"/v1/jobs/{job_id}/webhooks").json()["deliveries"]
        return deliveries[0]["attemptLog"] if deliveries else []

    wait_until(lambda: len(attempts()) >= 2, 15, what="two failed attempts")
    assert all(a["error"] and a["statusCode"] is None for a in attempts())
    s.receiver.start()
    wait_until(lambda: received_for(s.receiver, job_id), 30, what="delivery after recovery")
    hooks = received_for(s.receiver, job_id)

    def sent() -> dict[str, Any] | None:
        first = s.client.get(f"/v1/jobs/{job_id}/webhooks").json()["deliveries"][0]
        return first if first["status"] == "sent" else None

    delivery = wait_until(sent, 10, what="the attempt to be recorded")
    assert delivery["eventId"] == hooks[0].headers["X-Editbay-Event-Id"]
    assert int(hooks[0].headers["X-Editbay-Delivery-Attempt"]) >= 3
    redo = s.client.post(f"/v1/jobs/{job_id}/webhooks/redeliver").json()
    assert redo["eventId"] == delivery["eventId"]
    wait_until(lambda: len(received_for(s.receiver, job_id)) == 2, 15, what="redelivery")
    assert len({h.headers["X-Editbay-Event-Id"] for h in received_for(s.receiver, job_id)}) == 1


def test_webhook_receiver_down_for_good_fails_after_the_fifth_retry(stack, media):
    s = stack(webhook_time_scale=0.01)
    s.receiver.status = 500
    s.worker()
    job_id = s.submit(video_url=media.url("/clip.mp4"))
    assert wait_job(s.client, job_id, 60)["status"] == "completed"

    def delivery() -> dict[str, Any]:
        return dict(s.client.get(f"/v1/jobs/{job_id}/webhooks").json()["deliveries"][0])

    wait_until(lambda: delivery()["status"] == "failed", 30, 0.2, what="failed delivery")
    log = delivery()["attemptLog"]
    assert len(log) == 6 and all(a["statusCode"] == 500 for a in log)
    assert len(received_for(s.receiver, job_id)) == 6


def test_sigterm_lets_the_running_job_finish(stack, media):
    s = stack(provider_overrides={"*": "editbay_test_providers:slow"})
    s.env["EDITBAY_TEST_SLOW_SECONDS"] = "1.5"
    worker = s.worker()
    job_id = s.submit(video_url=media.url("/clip.mp4"))
    wait_until(lambda: s.job(job_id)["status"] == "processing", 30, what="processing")
    worker.signal(signal.SIGTERM)
    worker.popen.wait(30)
    assert worker.popen.returncode == 0
    assert s.job(job_id)["status"] == "completed"


def test_workers_endpoint_lists_live_workers_for_admins_only(stack, media):
    s = stack(provider_overrides={"*": "editbay_test_providers:hang"})
    admin = api(s.base, create_key(s.env, scopes="admin"))
    assert s.client.get("/v1/workers").json()["error"]["code"] == "OPERATION_NOT_ALLOWED"
    proc = s.worker(2)
    job_id = s.submit(video_url=media.url("/clip.mp4"))
    wait_until(lambda: s.job(job_id)["status"] == "processing", 30, what="processing")
    wait_until(
        lambda: any(w["status"] == "busy" for w in admin.get("/v1/workers").json()["workers"]),
        10,
        what="busy",
    )
    workers = admin.get("/v1/workers").json()["workers"]
    assert len(workers) == 2 and {w["pid"] for w in workers} == {proc.pid}
    assert [w["currentJobId"] for w in workers if w["status"] == "busy"] == [job_id]
    proc.kill9()
    s.workers.remove(proc)
    time.sleep(float(s.env["EDITBAY_LEASE_SECONDS"]) + 0.5)
    assert admin.get("/v1/workers").json()["workers"] == []


def test_sse_streams_progress_and_ends_after_the_terminal_event(stack, media):
    s = stack(provider_overrides={"*": "editbay_test_providers:slow"})
    s.env["EDITBAY_TEST_SLOW_SECONDS"] = "1.5"
    s.worker()
    job_id = s.submit(video_url=media.url("/clip.mp4"))
    events: list[tuple[str, str, dict[str, Any]]] = []
    with s.client.stream("GET", f"/v1/jobs/{job_id}/events", timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        current: dict[str, str] = {}
        for line in response.iter_lines():
            if not line:
                if "data" in current:
                    events.append((current["id"], current["event"], json.loads(current["data"])))
                current = {}
                continue
            name, _, value = line.partition(": ")
            current[name] = value
    kinds = [e[1] for e in events]
    assert kinds[0] == "status" and kinds[-1] == "status" and "progress" in kinds
    assert events[-1][2]["status"] == "completed"
    ids = [int(e[0]) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # reconnecting after the terminal event yields nothing more; from an earlier id, the end again
    with s.client.stream(
        "GET", f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": events[-1][0]}
    ) as again:
        assert "event:" not in again.read().decode()
    with s.client.stream(
        "GET", f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": events[0][0]}
    ) as resumed:
        text = resumed.read().decode()
        assert text.count("event: status") == 1 and '"status":"completed"' in text
