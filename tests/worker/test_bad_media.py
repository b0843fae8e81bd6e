"""Bad media through the real local engine in a separate `editbay worker`: each job fails
INVALID_INPUT with a refund, and the same worker then completes a good job."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pytest
from sqlalchemy import select

from editbay.store.db import make_engine, make_sessionmaker, transaction
from editbay.store.models import LedgerEntry
from procs import MediaServer, api, base_env, create_key, make_clip, start_server, start_worker, wait_job

pytestmark = pytest.mark.slow


def _png(path: Path) -> bytes:
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run(
        [
            exe,
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=64x64",
            "-frames:v",
            "1",
            str(path),
        ],
        check=True,
    )
    return path.read_bytes()


@pytest.fixture(scope="module")
def bad_media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MediaServer, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("bad")
    server = MediaServer()
    good = make_clip(tmp / "good.mp4", seconds=1.0).read_bytes()
    wide = make_clip(tmp / "wide.mp4", seconds=0.2, size="4160x64", audio=False).read_bytes()
    urls = {
        "zero bytes": server.add("/zero.mp4", b""),
        "truncated mp4": server.add("/truncated.mp4", good[: len(good) // 2]),
        "html page": server.add(
            "/page.mp4", b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html"
        ),
        "image as video": server.add("/image.mp4", _png(tmp / "i.png"), "video/mp4"),
        "huge dimensions": server.add("/wide.mp4", wide),
        "good": server.add("/good.mp4", good),
    }
    yield server, urls
    server.close()


def test_bad_media_fails_invalid_input_with_refund_and_the_worker_goes_on(tmp_path, database_url, bad_media):
    _, urls = bad_media
    env = base_env(tmp_path, database_url)
    key = create_key(env)
    server, base = start_server(env, tmp_path)
    worker = start_worker(env, tmp_path, 1)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    try:
        client = api(base, key)
        ids = {}
        for name, url in urls.items():
            body = {
                "model": "editbay/local/video-edit",
                "input": {"prompt": "make it black and white", "video_url": url},
            }
            ids[name] = client.post("/v1/jobs/submit", json=body).json()["jobId"]
        for name, job_id in ids.items():
            job = wait_job(client, job_id, 180)
            if name == "good":
                assert job["status"] == "completed", (job, worker.log()[-3000:])
                continue
            assert job["status"] == "failed", (name, job)
            assert job["error"]["code"] == "INVALID_INPUT", (name, job["error"])
            assert job["refundedMicroCents"] == job["costMicroCents"] > 0
            with transaction(sessions) as s:
                kinds = list(
                    s.execute(select(LedgerEntry.kind).where(LedgerEntry.job_id == job_id)).scalars()
                )
            assert kinds == ["hold", "refund"], name
        assert worker.alive()
        assert "Traceback" not in worker.log()
    finally:
        worker.stop()
        server.stop()
        engine.dispose()
