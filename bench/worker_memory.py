"""Worker memory across many jobs: the RSS of a standalone `editbay worker` must stay flat.

Runs ``--jobs`` (default 200) jobs through one worker process (SQLite, API without embedded
workers) and samples the worker's resident set size (/proc/<pid>/status VmRSS) as jobs finish.
``--provider local`` uses the real engine; ``passthrough`` (default) a plain ffmpeg transcode.

    .venv/bin/python bench/worker_memory.py [--jobs 200] [--provider passthrough|local]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from procs import (  # noqa: E402
    MediaServer,
    api,
    base_env,
    create_key,
    database,
    make_clip,
    start_server,
    start_worker,
    wait_until,
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--provider", choices=["passthrough", "local"], default="passthrough")
    parser.add_argument("--prompt", default="make it black and white")
    args = parser.parse_args()
    media = MediaServer()
    with tempfile.TemporaryDirectory() as tmp_dir, database("sqlite", Path(tmp_dir)) as url:
        tmp = Path(tmp_dir)
        clip = media.add("/clip.mp4", make_clip(tmp / "clip.mp4", seconds=1.0, size="320x240").read_bytes())
        overrides = (
            {}
            if args.provider == "local"
            else {"provider_overrides": {"*": "editbay_test_providers:passthrough"}}
        )
        env = base_env(tmp, url, rate_limit_per_minute=100000, output_retention_hours=0.0001, **overrides)
        key = create_key(env, balance=10**12)
        server, base = start_server(env, tmp, workers=0)
        worker = start_worker(env, tmp, 1)
        client = api(base, key)
        body = {"model": "editbay/local/video-edit", "input": {"prompt": args.prompt, "video_url": clip}}
        samples: list[tuple[int, float]] = [(0, rss_mb(worker.pid))]
        started = time.monotonic()
        try:
            batch = 10
            for done in range(batch, args.jobs + 1, batch):
                ids = [client.post("/v1/jobs/submit", json=body).json()["jobId"] for _ in range(batch)]
                for job_id in ids:
                    wait_until(
                        lambda j=job_id: (
                            client.get(f"/v1/jobs/{j}").json()["status"] in ("completed", "failed")
                        ),
                        120,
                        0.05,
                        "job end",
                    )
                samples.append((done, rss_mb(worker.pid)))
                print(f"after {done:4d} jobs: worker RSS {samples[-1][1]:7.1f} MB", flush=True)
            statuses = {client.get(f"/v1/jobs/{j}").json()["status"] for j in ids}
        finally:
            worker.stop()
            server.stop()
            media.close()
    warm = samples[min(2, len(samples) - 1)][1]  # after the first 20 jobs (imports, caches warmed)
    last = samples[-1][1]
    elapsed = time.monotonic() - started
    print(f"{args.jobs} jobs in {elapsed:.1f} s via {args.provider}; last batch: {sorted(statuses)}")
    print(
        f"RSS after warm-up {warm:.1f} MB, at the end {last:.1f} MB: growth {last - warm:+.1f} MB "
        f"({(last - warm) / warm * 100:+.1f}%)"
    )


if __name__ == "__main__":
    main()
