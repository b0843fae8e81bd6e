"""Hybrid routing, the upstream link, rate-limit back-off and the upstream deadline — against a
second editbay instance on loopback playing the PixelByte API (its own database, worker, ledger).

The upstream runs fixture providers (`editbay_test_providers`) in place of a generative model:
``passthrough`` for the standard slug, ``hang`` for the fast one (the deadline test).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from editbay.store import migrate
from procs import MediaServer, Proc, api, base_env, create_key, make_clip, start_server, wait_job, wait_until

pytestmark = pytest.mark.slow

STANDARD = "kling-plus/kling-o1-standard/video-edit"  # passthrough upstream: completes
FAST = "kling-plus/kling-o1-pro/video-edit-fast"  # hang upstream: never finishes
GENERATIVE = "make it black and white and replace the background with a beach"
LOCAL = "make it black and white"
PRICE = 30_000  # both kling slugs, flat per video (pricing.yaml)


@dataclass
class Upstream:
    server: Proc
    base: str
    key: str
    client: httpx.Client


@pytest.fixture
def media(tmp_path: Path) -> Iterator[tuple[MediaServer, str]]:
    server = MediaServer()
    url = server.add("/in.mp4", make_clip(tmp_path / "in.mp4", seconds=1.0).read_bytes())
    yield server, url
    server.close()


def start_upstream(tmp_path: Path, **settings: Any) -> Upstream:
    home = tmp_path / "upstream"
    home.mkdir()
    url = f"sqlite:///{home / 'upstream.db'}"
    migrate.upgrade(url)
    overrides = {STANDARD: "editbay_test_providers:passthrough", FAST: "editbay_test_providers:hang"}
    env = base_env(home, url, provider_overrides=overrides, **settings)
    key = create_key(env, account="reseller")
    server, base = start_server(env, home, workers=1)
    return Upstream(server, base, key, api(base, key))


@dataclass
class Downstream:
    server: Proc
    base: str
    client: httpx.Client


def start_downstream(tmp_path: Path, database_url: str, upstream: Upstream, **settings: Any) -> Downstream:
    env = base_env(
        tmp_path,
        database_url,
        routing="hybrid",
        upstream_base_url=upstream.base,
        upstream_api_key=upstream.key,
        upstream_poll_seconds=0.3,
        **settings,
    )
    server, base = start_server(env, tmp_path, workers=1)
    return Downstream(server, base, api(base, create_key(env)))


def get(client: httpx.Client, path: str, **params: Any) -> Any:
    """GET as a well-behaved client: a 429 (the rate-limited upstream) is waited out."""
    for _ in range(20):
        response = client.get(path, params=params)
        if response.status_code != 429:
            assert response.status_code == 200, response.text
            return response.json()
        time.sleep(float(response.headers["retry-after"]))
    raise AssertionError(f"GET {path} stayed rate-limited")


def ledger(client: httpx.Client, job_id: str) -> list[tuple[str, int, int]]:
    """The job's ledger entries: (kind, amount, held delta), sorted."""
    entries = get(client, "/v1/account/ledger", limit=100)["entries"]
    return sorted(
        (e["kind"], e["amountMicroCents"], e["heldDeltaMicroCents"]) for e in entries if e["jobId"] == job_id
    )


HELD_CAPTURED = [("capture", 0, -PRICE), ("hold", -PRICE, PRICE)]
HELD_REFUNDED = [("hold", -PRICE, PRICE), ("refund", PRICE, -PRICE)]


def submit(client: httpx.Client, model: str, prompt: str, video_url: str) -> str:
    response = client.post(
        "/v1/jobs/submit", json={"model": model, "input": {"prompt": prompt, "video_url": video_url}}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["jobId"])


def test_hybrid_sends_generative_clauses_upstream_and_links_the_upstream_job(tmp_path, database_url, media):
    _, video = media
    upstream = start_upstream(tmp_path)
    down = start_downstream(tmp_path, database_url, upstream)
    client = down.client
    try:
        # the dry run shows the decision and its reason before anything is paid
        remote = client.post(
            "/v1/jobs/estimate", json={"model": STANDARD, "input": {"prompt": GENERATIVE}}
        ).json()
        assert remote["routing"]["mode"] == "hybrid" and remote["routing"]["decision"] == "upstream"
        assert "replace the background with a beach" in remote["routing"]["reason"]
        assert remote["planError"] is None  # the upstream does what the local engine would refuse
        here = client.post("/v1/jobs/estimate", json={"model": STANDARD, "input": {"prompt": LOCAL}}).json()
        assert here["routing"]["decision"] == "local" and "supported" in here["routing"]["reason"]

        local_id = submit(client, STANDARD, LOCAL, video)
        remote_id = submit(client, STANDARD, GENERATIVE, video)
        local_job = wait_job(client, local_id, 90)
        job = wait_job(client, remote_id, 90)
        assert local_job["status"] == "completed", (local_job, down.server.log()[-3000:])
        assert job["status"] == "completed", (job, down.server.log()[-3000:])

        assert local_job["routing"]["decision"] == "local" and local_job["routing"].get("upstream") is None
        routing = job["routing"]
        assert routing["mode"] == "hybrid" and routing["decision"] == "upstream"
        assert routing["reason"] == remote["routing"]["reason"]  # decided at submit, from the plan
        link = routing["upstream"]
        assert link["host"] == upstream.base.removeprefix("http://")
        assert upstream.key not in str(job)  # the upstream's key is never shown
        assert job["output"].startswith(down.base)  # stored and served by us

        # the upstream ran exactly the generative job, under our job id as its Idempotency-Key
        [theirs] = get(upstream.client, "/v1/jobs")["jobs"]
        assert theirs["jobId"] == link["jobId"] and link["status"] == "completed"
        remote_job = get(upstream.client, f"/v1/jobs/{link['jobId']}")
        assert remote_job["costMicroCents"] == link["costMicroCents"] == PRICE
        assert link["refundedMicroCents"] == 0

        # both ledgers: each side held and captured its own price for its own job
        assert ledger(client, remote_id) == HELD_CAPTURED
        assert ledger(client, local_id) == HELD_CAPTURED
        assert ledger(upstream.client, link["jobId"]) == HELD_CAPTURED
    finally:
        down.server.stop()
        upstream.server.stop()


def test_upstream_rate_limits_are_waited_out_within_the_deadline(tmp_path, database_url, media):
    _, video = media
    # 20 requests per minute: a token every 3 s once the bucket is empty (real 429 + Retry-After)
    upstream = start_upstream(tmp_path, rate_limit_per_minute=20)
    down = start_downstream(tmp_path, database_url, upstream, upstream_timeout_seconds=120)
    client = down.client
    try:
        drained = 0
        while upstream.client.get("/v1/account").status_code != 429:
            drained += 1
            assert drained <= 25, "the upstream does not rate-limit"
        job_id = submit(client, STANDARD, GENERATIVE, video)
        job = wait_job(client, job_id, 120)
        assert job["status"] == "completed", (job, down.server.log()[-3000:])
        link = job["routing"]["upstream"]
        assert link["rateLimitedRetries"] >= 2  # the submit and at least one poll were told to wait
        assert link["status"] == "completed" and link["costMicroCents"] == PRICE
        assert "upstream rate limit on POST /v1/jobs/submit" in down.server.log()
        assert ledger(client, job_id) == HELD_CAPTURED
        assert ledger(upstream.client, link["jobId"]) == HELD_CAPTURED
    finally:
        down.server.stop()
        upstream.server.stop()


def test_an_upstream_job_past_the_deadline_fails_refunded_and_is_cancelled_upstream(
    tmp_path, database_url, media
):
    _, video = media
    upstream = start_upstream(tmp_path)
    down = start_downstream(tmp_path, database_url, upstream, upstream_timeout_seconds=4)
    client = down.client
    try:
        job_id = submit(client, FAST, GENERATIVE, video)
        job = wait_job(client, job_id, 60)
        assert job["status"] == "failed", job
        assert job["error"]["code"] == "UPSTREAM_FAILED" and "within 4 s" in job["error"]["message"]
        assert job["refundedMicroCents"] == job["costMicroCents"] == PRICE
        assert ledger(client, job_id) == HELD_REFUNDED

        remote_id = job["routing"]["upstream"]["jobId"]
        remote = wait_job(upstream.client, remote_id, 30)
        assert remote["status"] == "cancelled" and remote["refundedMicroCents"] == PRICE
        assert ledger(upstream.client, remote_id) == HELD_REFUNDED
    finally:
        down.server.stop()
        upstream.server.stop()


def test_without_an_upstream_hybrid_is_local_and_generative_clauses_fail_unsupported(
    tmp_path, database_url, media
):
    _, video = media
    env = base_env(tmp_path, database_url, routing="hybrid")  # no EDITBAY_UPSTREAM_BASE_URL
    server, base = start_server(env, tmp_path, workers=1)
    try:
        client = api(base, create_key(env))
        estimate = client.post(
            "/v1/jobs/estimate", json={"model": STANDARD, "input": {"prompt": GENERATIVE}}
        ).json()
        assert estimate["routing"]["mode"] == "local" and estimate["routing"]["decision"] == "local"
        assert "no upstream is configured" in estimate["routing"]["reason"]
        assert estimate["planError"]["code"] == "UNSUPPORTED_EDIT"
        job = wait_job(client, submit(client, STANDARD, GENERATIVE, video), 60)
        assert job["status"] == "failed" and job["error"]["code"] == "UNSUPPORTED_EDIT"
        assert "replace the background with a beach" in job["error"]["message"]
        assert job["refundedMicroCents"] == PRICE and job["routing"]["decision"] == "local"
        wait_until(lambda: ledger(client, job["jobId"]) == HELD_REFUNDED, 5, what="refund")
    finally:
        server.stop()


def test_an_unreachable_upstream_fails_the_job_upstream_failed_after_a_few_retries(
    tmp_path, database_url, media
):
    _, video = media
    upstream = start_upstream(tmp_path)
    down = start_downstream(tmp_path, database_url, upstream)
    client = down.client
    try:
        job_id = submit(client, FAST, GENERATIVE, video)  # the upstream's job hangs
        wait_until(
            lambda: (
                (client.get(f"/v1/jobs/{job_id}").json().get("routing") or {})
                .get("upstream", {})
                .get("jobId")
            ),
            60,
            what="the upstream job linked",
        )
        upstream.server.kill9()  # the upstream goes away mid-job: polls now fail to connect
        job = wait_job(client, job_id, 60)
        assert job["status"] == "failed", job
        assert (
            job["error"]["code"] == "UPSTREAM_FAILED"
            and "unreachable (ConnectError)" in job["error"]["message"]
        )
        assert job["refundedMicroCents"] == PRICE
        assert ledger(client, job_id) == HELD_REFUNDED
        assert down.server.log().count("(try ") == 3  # retried before giving up
    finally:
        down.server.stop()
        upstream.server.stop()
