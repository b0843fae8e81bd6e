"""Scale-out: a 60 s 1080p clip with a grade, through the API, on PostgreSQL + S3 (moto server).

Runs, each a fresh database and bucket, the API with no embedded workers and `editbay worker`
processes that share nothing but PostgreSQL and S3 (own data/temp dirs). A "machine" is one core:
every worker is pinned to its own CPU with ``taskset`` and renders with one thread
(``EDITBAY_RENDER_THREADS=1``), so 2 workers on this 2-core box model 2 one-core machines.

  1. single pass, 1 worker            (segment-parallel rendering off)
  2. segmented, 1 worker              → the overhead of split + upload + join versus 1.
  3. segmented, 2 workers             → the speed-up versus 1.

Prints wall time submit → completed, the load average around each run, where the time went
(the parent's phases from its worker's log; each segment's claim latency and phases from its
task row) and the throughput model's inputs (see docs/performance.md, "Scale-out").

    .venv/bin/python bench/scaleout.py [--seconds 60] [--size 1920x1080] [--segment 10]
                                       [--runs single,seg1,seg2]
"""

from __future__ import annotations

import argparse
import os
import re
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


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time of a worker process itself (Python: queue, transfers, supervision) and of the
    children it has waited for (its ffmpeg runs). On a pinned one-thread worker their sum is the
    wall time the work would take on an otherwise idle core."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    tick = os.sysconf("SC_CLK_TCK")
    return (utime + stime) / tick, (cutime + cstime) / tick


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
                    assert parent is not None and parent.started_at is not None
                    children = s.execute(
                        select(Job).where(Job.parent_id == job_id).order_by(Job.segment_index)
                    ).scalars().all()
                    notes = list((parent.plan or {}).get("notes", []))
                    t0 = parent.created_at
                    segments = [
                        {
                            "run": float(c.run_seconds or 0),
                            "queued": (c.created_at - t0).total_seconds(),
                            "claim": (c.started_at - c.created_at).total_seconds() if c.started_at else 0.0,
                            "ended": (c.completed_at - t0).total_seconds() if c.completed_at else 0.0,
                            "timings": (c.output_meta or {}).get("timings", {}),
                            "handover": (c.output_meta or {}).get("handover", {}),
                        }
                        for c in children
                    ]
                    result = {
                        "wall": wall,
                        "run": parent.run_seconds,
                        "claim": (parent.started_at - t0).total_seconds(),
                        "ended": (parent.completed_at - t0).total_seconds() if parent.completed_at else 0.0,
                        "segments": segments,
                        "notes": notes,
                    }
                phases = [m.group(1) for p in procs for m in re.finditer(r"parent phases: (.*)", p.log())]
                result["phases"] = phases[-1] if phases else ""
                result["cpu_split"] = [cpu_seconds(p.pid) for p in procs]
                result["cpu"] = [py + ff for py, ff in result["cpu_split"]]
                return result
            finally:
                for p in procs:
                    p.stop()
                server.stop()
                engine.dispose()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f}"


def report(name: str, r: dict[str, Any]) -> None:
    """One run's wall time and, for a segmented run, where the time went."""
    count = len(r["segments"])
    extra = f", {count} segments" if count else ""
    cpu = " + ".join(f"{py + ff:.1f} (Python {py:.1f}, ffmpeg {ff:.1f})" for py, ff in r["cpu_split"])
    print(f"{name}: {r['wall']:6.1f} s wall ({r['run']:.1f} s run){extra}  [{r['load_before']} → "
          f"{r['load_after']}]; worker CPU {cpu} s", flush=True)
    if not count:
        return
    print(f"    parent: claimed after {r['claim']:.2f} s, ended at {r['ended']:.1f} s; phases: {r['phases']}")
    for i, seg in enumerate(r["segments"]):
        phases = ", ".join(f"{k} {v:.2f}" for k, v in seg["timings"].items())
        moved = "/".join(seg["handover"].get(side, "?") for side in ("input", "output"))
        print(f"    seg {i}: queued {seg['queued']:5.1f} s, claim {seg['claim']:.2f} s, "
              f"run {seg['run']:5.2f} s, ended {seg['ended']:5.1f} s  ({phases}; in/out {moved})")
    last = max(seg["ended"] for seg in r["segments"])
    print(f"    tail (last segment ended → parent ended): {r['ended'] - last:.2f} s; "
          f"client saw it {r['wall'] - r['ended']:.2f} s later")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--segment", type=float, default=10.0)
    parser.add_argument("--runs", default="single,seg1,seg2", help="which of single, seg1, seg2 to run")
    parser.add_argument("--clip", type=Path, default=Path(tempfile.gettempdir()) / "editbay-scaleout.mp4")
    args = parser.parse_args()
    name = f"{args.clip.stem}-{int(args.seconds)}s-{args.size}.mp4"
    clip = args.clip.with_name(name)
    if not clip.exists():
        print(f"making {clip} ({args.seconds:.0f} s {args.size}, keyframe every 2 s) ...", flush=True)
        make_clip(clip, args.seconds, args.size, gop=50)
    media = MediaServer()
    url = media.add("/clip.mp4", clip.read_bytes())
    plan = {"single": (1, False, "single pass, 1 worker "), "seg1": (1, True, "segmented,   1 worker "),
            "seg2": (2, True, "segmented,   2 workers")}
    results: dict[str, dict[str, Any]] = {}
    try:
        for run in args.runs.split(","):
            workers, segmented, label = plan[run]
            before = load()
            results[run] = one_run(url, workers, segmented, args.segment)
            results[run].update(load_before=before, load_after=load())
            report(label, results[run])
    finally:
        media.close()
    single, seg1, seg2 = (results.get(k) for k in ("single", "seg1", "seg2"))
    print()
    if single and seg2:
        print(f"speed-up 2 workers vs single pass : {single['wall'] / seg2['wall']:.2f}x")
    if seg1 and seg2:
        print(f"speed-up 2 workers vs 1 segmented : {seg1['wall'] / seg2['wall']:.2f}x")
    if single and seg1:
        overhead = seg1["wall"] - single["wall"]
        share = 100 * overhead / single["wall"]
        print(f"split+join overhead (1 worker)    : {overhead:+.1f} s ({share:+.1f} %)")
    if seg1:
        runs = [seg["run"] for seg in seg1["segments"]]
        print(f"per segment (download+render+upload): {statistics.mean(runs):.2f} s mean over {len(runs)}")
        print(f"fixed serial part (probe, split, upload, join, outputs): {seg1['wall'] - sum(runs):.1f} s")
    if single and seg2:  # load-independent: CPU of the busiest worker (ignores its waits: an upper bound)
        cpu_speedup = max(single["cpu"]) / max(seg2["cpu"])
        print(f"CPU-time speed-up, busiest worker (upper bound on idle cores): {cpu_speedup:.2f}x")
    if single and seg1:
        extra_cpu = sum(seg1["cpu"]) - sum(single["cpu"])
        print(f"split+join CPU overhead: {extra_cpu:+.1f} s ({100 * extra_cpu / sum(single['cpu']):+.1f} %)")
    if seg2:
        print("notes:", seg2["notes"])


if __name__ == "__main__":
    main()
