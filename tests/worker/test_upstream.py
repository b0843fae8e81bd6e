"""Routing to an upstream: a second editbay (with its own worker) plays the PixelByte API."""

from __future__ import annotations

import pytest

from editbay.store import migrate
from procs import (
    MediaServer,
    api,
    base_env,
    create_key,
    make_clip,
    start_server,
    start_worker,
    wait_job,
    wait_until,
)

pytestmark = pytest.mark.slow


def test_upstream_routing_runs_the_job_elsewhere_and_stores_the_output(tmp_path, database_url):
    media = MediaServer()
    url = media.add("/in.mp4", make_clip(tmp_path / "in.mp4", seconds=1.0).read_bytes())
    (tmp_path / "up").mkdir()
    up_url = f"sqlite:///{tmp_path / 'up' / 'upstream.db'}"
    migrate.upgrade(up_url)
    up_env = base_env(tmp_path / "up", up_url, provider_overrides={"*": "editbay_test_providers:passthrough"})
    up_key = create_key(up_env, account="reseller")
    up_server, up_base = start_server(up_env, tmp_path / "up", workers=1)
    env = base_env(
        tmp_path, database_url, routing="upstream", upstream_base_url=up_base, upstream_api_key=up_key
    )
    server, base = start_server(env, tmp_path)
    worker = start_worker(env, tmp_path)
    try:
        client = api(base, create_key(env))
        body = {
            "model": "kling-plus/kling-o1-pro/video-edit-fast",
            "input": {"prompt": "make it black and white", "video_url": url},
        }
        job_id = client.post("/v1/jobs/submit", json=body).json()["jobId"]
        job = wait_job(client, job_id, 90)
        assert job["status"] == "completed", (job, worker.log()[-3000:])
        assert job["output"].startswith(base)  # stored and served by us, not by the upstream
        upstream = api(up_base, up_key)
        [remote] = upstream.get("/v1/jobs").json()["jobs"]
        assert remote["status"] == "completed"
        video = client.get(job["output"]).content
        assert (
            video[4:8] == b"ftyp"
            and client.get(job["outputs"][0]["thumbnail"]).content[:3] == b"\xff\xd8\xff"
        )

        missing = {"model": body["model"], "input": {**body["input"], "video_url": media.url("/missing.mp4")}}
        failed = wait_job(client, client.post("/v1/jobs/submit", json=missing).json()["jobId"], 90)
        assert failed["status"] == "failed" and failed["error"]["code"] == "INVALID_INPUT"
        assert failed["refundedMicroCents"] == failed["costMicroCents"]
        wait_until(lambda: len(upstream.get("/v1/jobs").json()["jobs"]) == 2, 5, what="second upstream job")
    finally:
        worker.stop()
        server.stop()
        up_server.stop()
        media.close()
