"""Scale-out: a 60 s 1080p clip with a grade, through the API, on PostgreSQL + S3 (moto server).

Runs, each a fresh database and bucket, the API with no embedded workers and `editbay worker`
processes that share nothing but PostgreSQL and S3 (own data/temp dirs). A "machine" is one core:
every worker is pinned to its own CPU with ``taskset`` and renders with one thread
(``EDITBAY_RENDER_THREADS=1``), so 2 workers on this 2-core box model 2 one-core machines.

  1. single pass, 1 worker            (segment-parallel rendering off)
  2. segmented, 1 worker              → the overhead of split + upload + join versus 1.
  3. segmented, 2 workers             → the speed-up versus 1.

Prints wall time submit → completed, the parent's and each segment's run time, and the
throughput model's inputs (see docs/performance.md, "Scale-out").

    .venv/bin/python bench/scaleout.py [--seconds 60] [--size 1920x1080] [--segment 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlalchemy import select  # noqa: E402

from editbay.store.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from editbay.store.models import Job  # noqa: E402
from procs import (  # noqa: E402
    EDITBAY,
    MediaServer,
    api,
    base_env,
    create_key,
    database,
    machine_env,
    make_clip,
    moto_s3,
    s3_env,
    spawn,
    start_server,
    wait_job,
    wait_until,
)

PROMPT = "give it a cinematic teal and orange grade"


def pinned_worker(env: dict[str, str], tmp: Path, name: str, cpu: int) -> Any:
    env = {**machine_env(env, tmp, name), "EDITBAY_RENDER_THREADS": "1"}
    proc = spawn(name, ["taskset", "-c", str(cpu), EDITBAY, "worker", "--concurrency", "1"], env, tmp)
    wait_until(lambda: "editbay worker:" in proc.log() or not proc.alive(), 60, 0.05, "worker start")
    if not proc.alive():
        raise RuntimeError(proc.log())
    return proc


def one_run(clip_url: str, workers: int, segmented: bool, segment_seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_dir, moto_s3() as (endpoint, bucket):
        tmp = Path(tmp_dir)
        with database("postgres", tmp) as url:
            settings = {
                "segment_threshold_seconds": 30 if segmented else 0,
                "segment_seconds": segment_seconds,
                "lease_seconds": 30,
                "heartbeat_seconds": 2,
                "job_timeout_seconds": 3600,
            }
            env = s3_env(base_env(tmp, url, **settings), endpoint, bucket)
            key = create_key(env, balance=10**12)
            server, base = start_server(machine_env(env, tmp, "api"), tmp)
            procs = [pinned_worker(env, tmp, f"m{i}", i % 2) for i in range(workers)]
            engine = make_engine(url)
            try:
                client = api(base, key)
                body = {
                    "model": "editbay/local/video-edit",
                    "input": {"prompt": PROMPT, "video_url": clip_url},
                }
                started = time.monotonic()
                response = client.post("/v1/jobs/submit", json=body)
                if response.status_code != 200:
                    detail = f"{response.status_code} {response.text}"
                    raise RuntimeError(f"submit: {detail}\n{server.log()[-4000:]}")
                job_id = response.json()["jobId"]
                job = wait_job(client, job_id, 3600)
                wall = time.monotonic() - started
                if job["status"] != "completed":
                    raise RuntimeError(f"{job}\n" + "\n".join(p.log()[-3000:] for p in procs))
                with transaction(make_sessionmaker(engine)) as s:
                    parent = s.get(Job, job_id)
                    children = s.execute(
                        select(Job.run_seconds).where(Job.parent_id == job_id).order_by(Job.segment_index)
                    ).scalars().all()
                    notes = list((parent.plan or {}).get("notes", []))
                    run = parent.run_seconds
                return {"wall": wall, "run": run, "segments": [float(c) for c in children], "notes": notes}
            finally:
                for p in procs:
                    p.stop()
                server.stop()
                engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--segment", type=float, default=10.0)
    parser.add_argument("--clip", type=Path, default=Path(tempfile.gettempdir()) / "editbay-scaleout.mp4")
    args = parser.parse_args()
    name = f"{args.clip.stem}-{int(args.seconds)}s-{args.size}.mp4"
    clip = args.clip.with_name(name)
    if not clip.exists():
        print(f"making {clip} ({args.seconds:.0f} s {args.size}, keyframe every 2 s) ...", flush=True)
        make_clip(clip, args.seconds, args.size, gop=50)
    media = MediaServer()
    url = media.add("/clip.mp4", clip.read_bytes())
    try:
        single = one_run(url, 1, False, args.segment)
        print(f"single pass, 1 worker : {single['wall']:6.1f} s wall ({single['run']:.1f} s run)", flush=True)
        seg1 = one_run(url, 1, True, args.segment)
        count = len(seg1["segments"])
        print(f"segmented,   1 worker : {seg1['wall']:6.1f} s wall, {count} segments", flush=True)
        seg2 = one_run(url, 2, True, args.segment)
        print(f"segmented,   2 workers: {seg2['wall']:6.1f} s wall", flush=True)
    finally:
        media.close()
    per_segment = statistics.mean(seg1["segments"])
    overhead = seg1["wall"] - single["wall"]
    fixed = seg1["wall"] - sum(seg1["segments"])
    print()
    print(f"speed-up 2 workers vs single pass : {single['wall'] / seg2['wall']:.2f}x")
    print(f"speed-up 2 workers vs 1 segmented : {seg1['wall'] / seg2['wall']:.2f}x")
    print(f"split+join overhead (1 worker)    : {overhead:+.1f} s ({100 * overhead / single['wall']:+.1f} %)")
    print(f"per segment (download+render+upload): {per_segment:.2f} s mean over {len(seg1['segments'])}")
    print(f"fixed serial part (probe, split, upload, join, outputs): {fixed:.1f} s")
    print("notes:", seg2["notes"])


if __name__ == "__main__":
    main()
