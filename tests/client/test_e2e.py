"""End to end: the SDK and the CLI (in a subprocess) against a real `editbay serve` on 127.0.0.1.

One server (SQLite, one embedded worker) per module. The clip is generated with ffmpeg; the result of
"make it black and white" must really be greyscale (mean chroma deviation from neutral ≈ 0).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from editbay.client import AsyncClient, Client, Job, JobFailedError, WebhookEvent
from procs import EDITBAY, base_env, create_key, database, make_clip, start_server, wait_until, webhook_secret

pytestmark = pytest.mark.slow

MODEL = "editbay/local/video-edit"
BW = "make it black and white"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver.py"


class Live:
    """A running server: its URL, an API key, the environment for CLI subprocesses, a test clip."""

    def __init__(self, base: str, key: str, env: dict[str, str], clip: Path, tmp: Path) -> None:
        self.base, self.key, self.env, self.clip, self.tmp = base, key, env, clip, tmp

    def client(self) -> Client:
        return Client(self.base, self.key, poll_interval=0.2)

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "EDITBAY_BASE_URL": self.base, "EDITBAY_API_KEY": self.key, "COLUMNS": "200"}
        return subprocess.run(
            [*_editbay(), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=self.tmp
        )


def _editbay() -> list[str]:
    """The `editbay` command (a shim adding the client commands until `editbay.cli` lists them)."""
    from editbay.cli import app

    if any(c.name == "submit" for c in app.registered_commands):
        return [EDITBAY]
    shim = "from editbay.cli import app, client_cmds; client_cmds.register(app); app(prog_name='editbay')"
    return [sys.executable, "-c", shim]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("e2e")
    with database("sqlite", tmp) as url:
        env = base_env(tmp, url)
        key = create_key(env, account="sdk")
        proc, base = start_server(env, tmp, workers=1)
        try:
            yield Live(base, key, env, make_clip(tmp / "clip.mp4", seconds=2.0), tmp)
        finally:
            proc.stop()


def chroma_deviation(path: Path) -> float:
    """Mean |U-128|,|V-128| over every frame: 0 for a perfectly grey video."""
    deviations = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            planes = frame.to_ndarray(format="yuv420p")
            chroma = planes[frame.height :].astype(np.int16)
            deviations.append(float(np.abs(chroma - 128).mean()))
    assert deviations, f"no video frames in {path}"
    return float(np.mean(deviations))


def test_sdk_uploads_submits_waits_and_downloads_a_greyscale_result(live: Live, tmp_path: Path) -> None:
    assert chroma_deviation(live.clip) > 5  # the input is colourful
    seen: list[tuple[str, int | None]] = []
    with live.client() as client:
        video_url = client.upload(live.clip)
        submitted = client.submit(model=MODEL, prompt=BW, video_url=video_url)
        assert submitted.status == "pending" and submitted.cost_micro_cents
        job = client.wait(submitted, timeout=180, on_progress=lambda j: seen.append((j.status, j.progress)))
        assert job.status == "completed", job.error
        out = client.download(job, tmp_path / "bw.mp4")
        assert submitted.job_id in [j.job_id for j in client.list(status="completed")]
    assert seen[-1] == ("completed", 100)
    assert chroma_deviation(out) < 1.5


def test_async_client_runs_the_same_flow(live: Live, tmp_path: Path) -> None:
    import anyio

    async def flow() -> Path:
        async with AsyncClient(live.base, live.key, poll_interval=0.2) as client:
            video_url = await client.upload(live.clip)
            submitted = await client.submit(model=MODEL, prompt=BW, video_url=video_url)
            job = await client.wait(submitted.job_id, timeout=180)
            return await client.download(job.raise_for_failure(), tmp_path)

    out = anyio.run(flow)
    assert out.suffix == ".mp4" and chroma_deviation(out) < 1.5


def test_sdk_reports_an_unsupported_edit_as_a_failed_job(live: Live) -> None:
    with live.client() as client:
        video_url = client.upload(live.clip)
        job = client.wait(client.submit(model=MODEL, prompt="add a dragon", video_url=video_url), timeout=120)
        assert job.status == "failed" and job.error and job.error.code == "UNSUPPORTED_EDIT"
        with pytest.raises(JobFailedError) as info:
            client.download(job, live.tmp / "never.mp4")
    assert info.value.code == "UNSUPPORTED_EDIT"


def test_sdk_reads_models_and_estimates(live: Live) -> None:
    with live.client() as client:
        slugs = {m.slug for m in client.models.list()}
        assert {MODEL, "kling-plus/kling-o1-pro/video-edit-fast"} <= slugs
        assert client.models.get("kling-plus/kling-o1-pro/video-edit-fast").versions
        estimate = client.estimate(model=MODEL, prompt=BW)
    assert estimate.estimated_cost_micro_cents is not None and estimate.plan is not None
    assert "black" in json.dumps(estimate.plan)


def test_signed_webhook_reaches_the_example_receiver(live: Live) -> None:
    spec = importlib.util.spec_from_file_location("webhook_receiver_e2e", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    events: list[WebhookEvent] = []
    receiver = module.make_server(webhook_secret(live.env, account="sdk"), "127.0.0.1", 0, events.append)
    thread = threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        hook = f"http://127.0.0.1:{receiver.server_address[1]}/hooks/editbay"
        with live.client() as client:
            video_url = client.upload(live.clip)
            job = client.submit(model=MODEL, prompt=BW, video_url=video_url, webhook_url=hook)
            client.wait(job, timeout=180)
        wait_until(lambda: events, 60, 0.1, "the webhook")
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert events[0].job_id == job.job_id and events[0].status == "completed" and events[0].event_id


def test_cli_submit_uploads_waits_and_downloads(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "cli-bw.mp4"
    done = live.cli("submit", str(live.clip), BW, "--model", MODEL, "-o", str(out), "--json")
    assert done.returncode == 0, done.stderr
    job = Job.model_validate(json.loads(done.stdout))
    assert job.status == "completed" and out.exists(), done.stderr
    assert chroma_deviation(out) < 1.5
    assert "completed" in done.stderr  # the progress display's status

    listed = live.cli("jobs", "list", "--json", "--status", "completed")
    assert job.job_id in [j["jobId"] for j in json.loads(listed.stdout)["jobs"]]
    got = live.cli("jobs", "get", job.job_id)
    assert got.returncode == 0 and job.job_id in got.stdout and "completed" in got.stdout
    watched = live.cli("jobs", "watch", job.job_id, "--json")
    assert watched.returncode == 0 and json.loads(watched.stdout)["status"] == "completed"


def test_cli_failure_exits_non_zero_with_code_and_message(live: Live) -> None:
    done = live.cli("submit", str(live.clip), "add a dragon", "--wait")
    assert done.returncode == 1, done.stderr
    assert "UNSUPPORTED_EDIT" in done.stderr, done.stderr
    missing = live.cli("jobs", "get", "job_does_not_exist")
    assert missing.returncode == 1 and "JOB_NOT_FOUND" in missing.stderr, missing.stderr
    bad_key = live.cli("jobs", "list", "--api-key", "eb_wrong")
    assert bad_key.returncode == 1 and "INVALID_API_KEY" in bad_key.stderr, bad_key.stderr


def test_cli_models_and_estimate(live: Live) -> None:
    models = live.cli("models", "--json")
    assert models.returncode == 0 and MODEL in {m["slug"] for m in json.loads(models.stdout)}
    assert MODEL in live.cli("models").stdout
    detail = live.cli("models", MODEL)
    assert detail.returncode == 0 and "prompt" in detail.stdout
    estimate = live.cli("estimate", BW, "--json")
    assert estimate.returncode == 0, estimate.stderr
    assert json.loads(estimate.stdout)["plan"] is not None
    table = live.cli("estimate", BW)
    assert table.returncode == 0 and "plan" in table.stdout and "$" in table.stdout


def test_cli_cancel_stops_a_job(live: Live) -> None:
    with live.client() as client:
        video_url = client.upload(live.clip)
        # a long edit, so there is time to cancel it
        job = client.submit(model=MODEL, prompt="loop it 50 times", video_url=video_url, strict=False)
    done = live.cli("jobs", "cancel", job.job_id, "--json")
    if done.returncode == 1:  # it ended before the cancel arrived: the API says so
        assert "JOB_CANNOT_BE_CANCELLED" in done.stderr, done.stderr
        return
    assert json.loads(done.stdout)["status"] == "cancelled", done.stderr
    with live.client() as client:
        assert client.wait(job.job_id, timeout=60).status == "cancelled"
