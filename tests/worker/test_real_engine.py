"""The whole path with the real local engine: API + separate `editbay worker` → a real edit →
signed webhook → the output downloads and shows the edit; an unsupported edit fails cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import av
import httpx
import numpy as np
import pytest

from editbay.client import verify_webhook
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


def chroma_spread(path: Path) -> float:
    """Mean distance of the U/V planes from neutral grey (0 for a black-and-white video)."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="yuv420p")
    h = frame.shape[0] * 2 // 3
    chroma = frame[h:].astype(np.int16)
    return float(np.abs(chroma - 128).mean())


def test_real_engine_end_to_end(tmp_path, database_url):
    media = MediaServer()
    receiver = Receiver().start()
    clip = make_clip(tmp_path / "in.mp4", seconds=2.0)
    url = media.add("/in.mp4", clip.read_bytes())
    env = base_env(tmp_path, database_url)
    key = create_key(env)
    secret = webhook_secret(env)
    server, base = start_server(env, tmp_path)
    worker = start_worker(env, tmp_path, 1)
    try:
        client = api(base, key)
        body = {
            "model": "kling-plus/kling-o1-pro/video-edit-fast",
            "input": {"prompt": "make it black and white", "video_url": url},
            "webhookUrl": receiver.url,
        }
        job = wait_job(client, client.post("/v1/jobs/submit", json=body).json()["jobId"], 240)
        assert job["status"] == "completed", (job, worker.log()[-3000:])
        assert job["plan"] and job["plan"]["operations"]
        wait_until(lambda: receiver.requests, 20, what="webhook")
        hook = receiver.requests[0]
        verify_webhook(secret, hook.headers, hook.body)
        payload = json.loads(hook.body)
        assert payload["status"] == "completed" and payload["output"]["metadata"]["width"] == 320
        out = tmp_path / "out.mp4"
        out.write_bytes(httpx.get(payload["output"]["url"], trust_env=False, timeout=60).content)
        assert chroma_spread(clip) > 5 and chroma_spread(out) < 2
        thumb = httpx.get(job["outputs"][0]["thumbnail"], trust_env=False)
        assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"

        refused = {
            "model": "editbay/local/video-edit",
            "input": {"prompt": "replace the background with a beach", "video_url": url},
        }
        failed = wait_job(client, client.post("/v1/jobs/submit", json=refused).json()["jobId"], 120)
        assert failed["status"] == "failed" and failed["error"]["code"] == "UNSUPPORTED_EDIT"
        assert "background" in failed["error"]["message"]
        assert failed["refundedMicroCents"] == failed["costMicroCents"]
    finally:
        worker.stop()
        server.stop()
        receiver.stop()
        media.close()


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(stat.parent.name))
    return kids


def test_cancelling_a_real_render_kills_ffmpeg_and_refunds(tmp_path, database_url):
    media = MediaServer()
    clip = make_clip(tmp_path / "long.mp4", seconds=60.0, size="640x360")
    url = media.add("/long.mp4", clip.read_bytes())
    env = base_env(tmp_path, database_url)
    server, base = start_server(env, tmp_path)
    worker = start_worker(env, tmp_path, 1)
    try:
        client = api(base, create_key(env))
        body = {
            "model": "editbay/local/video-edit",
            "input": {"prompt": "make it black and white, blur it and add film grain", "video_url": url},
        }
        job_id = client.post("/v1/jobs/submit", json=body).json()["jobId"]

        def rendering() -> bool:
            job = client.get(f"/v1/jobs/{job_id}").json()
            assert job["status"] in ("pending", "processing"), job
            return job["progress"] >= 6 and bool(_children(worker.pid))

        wait_until(rendering, 60, 0.05, "the render to be under way")
        response = client.post(f"/v1/jobs/{job_id}/cancel")
        assert response.json()["status"] == "cancelled"
        job = wait_job(client, job_id, 5)
        assert job["status"] == "cancelled" and job["refundedMicroCents"] == job["costMicroCents"]
        assert job["outputs"] is None
        wait_until(lambda: not _children(worker.pid), 3, what="ffmpeg to be gone")
        assert worker.alive()
    finally:
        worker.stop()
        server.stop()
        media.close()
