"""The upstream's webhook, end to end: a second editbay on loopback plays the PixelByte API and
sends its real signed webhook to our `POST /v1/upstream/webhook/{jobId}/{token}`. Our API and our
worker are separate processes, so the wake-up crosses processes (LISTEN/NOTIFY on PostgreSQL, the
job row's count on SQLite). The fallback poll is set long, so a job that ends quickly was woken.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from editbay.providers.upstream_webhook import callback_token
from editbay.settings import Settings
from editbay.store import migrate
from editbay.webhooks.signing import signature
from procs import (
    MediaServer,
    Proc,
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

STANDARD = "kling-plus/kling-o1-standard/video-edit"  # passthrough upstream: completes in seconds
FAST = "kling-plus/kling-o1-pro/video-edit-fast"  # hang upstream: never finishes
PROMPT = "make it black and white"
LONG_POLL = 60.0  # the fallback poll of the webhook tests: never reached by a woken job


@dataclass
class Upstream:
    server: Proc
    base: str
    key: str
    secret: str  # its account's webhook signing secret
    client: httpx.Client


@dataclass
class Downstream:
    server: Proc
    worker: Proc
    base: str
    env: dict[str, str]
    client: httpx.Client

    def log(self) -> str:
        return self.server.log() + self.worker.log()


@pytest.fixture
def video(tmp_path: Path) -> Iterator[str]:
    server = MediaServer()
    yield server.add("/in.mp4", make_clip(tmp_path / "in.mp4", seconds=1.0).read_bytes())
    server.close()


def start_upstream(tmp_path: Path) -> Upstream:
    home = tmp_path / "upstream"
    home.mkdir()
    url = f"sqlite:///{home / 'upstream.db'}"
    migrate.upgrade(url)
    overrides = {STANDARD: "editbay_test_providers:passthrough", FAST: "editbay_test_providers:hang"}
    env = base_env(home, url, provider_overrides=overrides)
    key = create_key(env, account="reseller")
    secret = webhook_secret(env, account="reseller")
    server, base = start_server(env, home, workers=1)
    return Upstream(server, base, key, secret, api(base, key))


def start_downstream(tmp_path: Path, database_url: str, upstream: Upstream, **settings: Any) -> Downstream:
    """Our API (no workers) and one standalone worker process, sending every job upstream."""
    values = {"upstream_webhook_secret": upstream.secret, "upstream_webhook_poll_seconds": LONG_POLL}
    env = base_env(
        tmp_path,
        database_url,
        routing="upstream",
        upstream_base_url=upstream.base,
        upstream_api_key=upstream.key,
        **{**values, **settings},
    )
    server, base = start_server(env, tmp_path, workers=0)
    worker = start_worker(env, tmp_path)
    return Downstream(server, worker, base, env, api(base, create_key(env)))


class Stacks:
    """``stacks(**settings) -> (upstream, downstream)``; every process started through it (and
    any handed to `track`) is stopped after the test."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.tmp_path, self.database_url = tmp_path, database_url
        self.procs: list[Proc] = []

    def __call__(self, **settings: Any) -> tuple[Upstream, Downstream]:
        upstream = start_upstream(self.tmp_path)
        self.track(upstream.server)
        down = start_downstream(self.tmp_path, self.database_url, upstream, **settings)
        self.track(down.worker)
        self.track(down.server)
        return upstream, down

    def track(self, proc: Proc) -> Proc:
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


@pytest.fixture
def stacks(tmp_path: Path, database_url: str) -> Iterator[Stacks]:
    started = Stacks(tmp_path, database_url)
    yield started
    started.stop()


def submit(client: httpx.Client, model: str, video: str) -> str:
    response = client.post(
        "/v1/jobs/submit", json={"model": model, "input": {"prompt": PROMPT, "video_url": video}}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["jobId"])


def link_of(client: httpx.Client, job_id: str) -> dict[str, Any]:
    return dict((client.get(f"/v1/jobs/{job_id}").json().get("routing") or {}).get("upstream") or {})


def notifications(database_url: str, job_id: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = text("SELECT upstream_notifications FROM jobs WHERE id = :id")
            return int(conn.execute(query, {"id": job_id}).scalar_one())
    finally:
        engine.dispose()


def deliveries(upstream: Upstream, upstream_job_id: str) -> list[dict[str, Any]]:
    response = upstream.client.get(f"/v1/jobs/{upstream_job_id}/webhooks")
    assert response.status_code == 200, response.text
    return list(response.json()["deliveries"])


def test_the_upstreams_signed_webhook_finishes_the_job_long_before_the_poll(stacks, database_url, video):
    upstream, down = stacks()
    started = time.monotonic()
    job_id = submit(down.client, STANDARD, video)
    job = wait_job(down.client, job_id, 40)
    elapsed = time.monotonic() - started
    assert job["status"] == "completed", (job, down.log()[-3000:])
    assert elapsed < LONG_POLL / 4, elapsed  # woken by the webhook, not by the fallback poll
    link = job["routing"]["upstream"]
    assert link["webhook"] is True and link["webhookWakeups"] >= 1 and link["status"] == "completed"
    assert job["output"].startswith(down.base) and down.client.get(job["output"]).content[4:8] == b"ftyp"
    assert "woken by the upstream's webhook" in down.worker.log()
    assert notifications(database_url, job_id) >= 1

    # the upstream really sent its signed webhook to our endpoint, which took it at once
    [delivery] = deliveries(upstream, link["jobId"])
    assert delivery["url"].startswith(f"{down.base}/v1/upstream/webhook/{job_id}/")
    assert delivery["status"] == "sent" and delivery["attemptLog"][0]["statusCode"] == 200
    token = delivery["url"].rsplit("/", 1)[1]
    assert token not in json.dumps(job)  # the URL token is not shown to the client


def test_forged_webhooks_are_refused_and_leave_the_waiting_job_alone(stacks, database_url, video):
    upstream, down = stacks()
    job_id = submit(down.client, FAST, video)  # the upstream's job hangs: ours waits on it
    wait_until(lambda: link_of(down.client, job_id).get("jobId"), 30, what="the upstream job linked")
    settings = Settings(secret_key=down.env["EDITBAY_SECRET_KEY"])
    url = f"{down.base}/v1/upstream/webhook/{job_id}/{callback_token(settings, job_id)}"
    body = json.dumps({"jobId": link_of(down.client, job_id)["jobId"], "status": "completed"}).encode()
    now = int(time.time())

    def headers(secret: str, stamp: int, signed_body: bytes) -> dict[str, str]:
        return {
            "X-PixelByte-Timestamp": str(stamp),
            "X-PixelByte-Signature": signature(secret, stamp, signed_body),
        }

    forgeries = {
        "unsigned": {},
        "wrong secret": headers("whsec_forged", now, body),
        "tampered body": headers(upstream.secret, now, body.replace(b"completed", b"failed")),
        "expired timestamp": headers(upstream.secret, now - 600, body),
    }
    for what, forged in forgeries.items():
        response = httpx.post(url, content=body, headers=forged, trust_env=False)
        assert response.status_code == 401, (what, response.text)
        assert response.json()["error"]["code"] == "INVALID_WEBHOOK_SIGNATURE", what
    wrong_token = url.rsplit("/", 1)[0] + "/" + "0" * 32
    response = httpx.post(wrong_token, content=body, headers=headers(upstream.secret, now, body))
    assert response.status_code == 401
    time.sleep(1.0)  # a wake-up would have reached the worker by now
    job = down.client.get(f"/v1/jobs/{job_id}").json()
    assert job["status"] == "processing" and job["routing"]["upstream"]["webhookWakeups"] == 0
    assert notifications(database_url, job_id) == 0

    # the genuine article wakes the worker (another process) — which finds the job still running
    response = httpx.post(url, content=body, headers=headers(upstream.secret, int(time.time()), body))
    assert response.status_code == 200 and response.json()["woken"] is True
    wait_until(lambda: link_of(down.client, job_id).get("webhookWakeups") == 1, 5, what="the wake-up")
    assert down.client.get(f"/v1/jobs/{job_id}").json()["status"] == "processing"

    down.client.post(f"/v1/jobs/{job_id}/cancel")
    assert wait_job(down.client, job_id, 30)["status"] == "cancelled"
    late = httpx.post(url, content=body, headers=headers(upstream.secret, int(time.time()), body))
    assert late.status_code == 200 and late.json()["woken"] is False


def test_a_lost_webhook_still_finishes_by_the_fallback_poll(stacks, database_url, video):
    # we hold the wrong secret: the upstream's real webhook is refused (401), i.e. lost
    upstream, down = stacks(upstream_webhook_secret="whsec_stale", upstream_webhook_poll_seconds=6)
    started = time.monotonic()
    job_id = submit(down.client, STANDARD, video)
    job = wait_job(down.client, job_id, 40)
    elapsed = time.monotonic() - started
    assert job["status"] == "completed", (job, down.log()[-3000:])
    assert elapsed >= 6  # nothing but the fallback poll could finish it
    link = job["routing"]["upstream"]
    assert link["webhook"] is True and link["webhookWakeups"] == 0
    assert notifications(database_url, job_id) == 0
    [delivery] = deliveries(upstream, link["jobId"])
    assert delivery["attemptLog"] and all(a["statusCode"] == 401 for a in delivery["attemptLog"])


def test_a_retried_attempt_resubmits_the_same_body_after_the_setting_changed(stacks, video, tmp_path):
    """The first attempt's upstream submit carried a webhook URL; its worker dies and the next
    one runs with upstream webhooks off. The retry resubmits under the same Idempotency-Key, so it
    must send the same body (with the URL): the upstream then answers with the same job instead
    of a 409."""
    upstream, down = stacks()
    job_id = submit(down.client, FAST, video)  # the upstream's job hangs: ours waits on it
    first = wait_until(lambda: link_of(down.client, job_id).get("jobId"), 30, what="the upstream job linked")
    assert link_of(down.client, job_id)["webhook"] is True
    down.worker.kill9()
    env = {k: v for k, v in down.env.items() if k != "EDITBAY_UPSTREAM_WEBHOOK_SECRET"}
    down.worker = stacks.track(start_worker(env, tmp_path))

    def retried_and_polled() -> dict[str, Any] | None:
        # the first attempt never polled (its fallback poll is LONG_POLL): a "processing" status
        # comes from the retried attempt's poll — webhooks off now, so it polls every second
        job = down.client.get(f"/v1/jobs/{job_id}").json()
        ended = job["status"] in ("completed", "failed", "cancelled")
        polled = job["routing"]["upstream"].get("status") == "processing"
        return job if job["attempts"] == 2 and (ended or polled) else None

    retried = wait_until(retried_and_polled, 30, what="the retried attempt polling the upstream")
    assert retried["status"] == "processing", (retried, down.log()[-3000:])
    link = retried["routing"]["upstream"]
    assert link["jobId"] == first and link["webhook"] is True
    assert len(upstream.client.get("/v1/jobs").json()["jobs"]) == 1  # one upstream job, not two
    down.client.post(f"/v1/jobs/{job_id}/cancel")
    assert wait_job(down.client, job_id, 30)["status"] == "cancelled"


@pytest.mark.parametrize(("before", "now"), [(True, False), (False, True), (None, True), (None, False)])
def test_the_webhook_decision_of_an_earlier_attempt_is_kept(tmp_path, before, now):
    """Unit view of the same rule, both ways: the earlier attempt's recorded decision wins; with
    no earlier submit the setting decides; the wait follows the setting as it is now."""
    from editbay.providers.base import JobSpec, RunContext
    from editbay.providers.upstream import _Run
    from editbay.storage import get_storage

    settings = Settings(
        data_dir=tmp_path,
        secret_key="s",
        public_base_url="http://127.0.0.1:9",
        upstream_base_url="http://127.0.0.1:8",
        upstream_webhook_secret="whsec_x" if now else "",
    )
    routing: dict[str, Any] = {"mode": "upstream"}
    if before is not None:
        routing["upstream"] = {"host": "127.0.0.1:8", **({"webhook": True} if before else {})}
    spec = JobSpec("job_1", "acc", STANDARD, {"prompt": PROMPT}, attempt=2, routing=routing)
    context = RunContext(workdir=tmp_path, storage=get_storage(settings), settings=settings)
    with httpx.Client() as client:
        run = _Run(client, spec, context, dict(routing))
    sent = now if before is None else before
    assert (run.webhook_url is not None) is sent
    assert run.woken is (sent and now)
