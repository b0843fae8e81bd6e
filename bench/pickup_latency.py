"""Pickup latency: submit → processing, measured as the job's started_at − created_at.

Two set-ups, both over real HTTP on loopback:
  * SQLite, embedded workers (`editbay serve` with EDITBAY_WORKERS=2) — in-process wake-ups;
  * PostgreSQL, API with EDITBAY_WORKERS=0 plus a separate `editbay worker` — LISTEN/NOTIFY.
Jobs use the `noop` fixture provider so only the queue is measured. Target: median ≤ 50 ms.

    .venv/bin/python bench/pickup_latency.py [--jobs 100] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlalchemy import select  # noqa: E402

from editbay.store.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from editbay.store.models import Job  # noqa: E402
from procs import api, base_env, create_key, database, start_server, start_worker, wait_until  # noqa: E402

NOOP = {"*": "editbay_test_providers:noop"}


def measure(kind: str, jobs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        with database(kind, tmp) as url:
            env = base_env(
                tmp, url, provider_overrides=NOOP, poll_interval_seconds=5, rate_limit_per_minute=100000
            )
            key = create_key(env, balance=10**12)
            embedded = 2 if kind == "sqlite" else 0
            server, base = start_server(env, tmp, workers=embedded)
            worker = start_worker(env, tmp, 2) if kind == "postgres" else None
            try:
                client = api(base, key)
                body = {
                    "model": "editbay/local/video-edit",
                    "input": {"prompt": "make it black and white", "video_url": "http://127.0.0.1:9/a.mp4"},
                }
                ids = []
                for _ in range(jobs):
                    response = client.post("/v1/jobs/submit", json=body)
                    response.raise_for_status()
                    ids.append(response.json()["jobId"])
                    time.sleep(0.03)  # let the workers go idle again: measure wake-up, not backlog
                engine = make_engine(url)
                sessions = make_sessionmaker(engine)

                def all_started() -> bool:
                    with transaction(sessions) as s:
                        n = s.execute(
                            select(Job.id).where(Job.id.in_(ids), Job.started_at.is_not(None))
                        ).all()
                        return len(n) == len(ids)

                wait_until(all_started, 60, 0.1, "all jobs started")
                with transaction(sessions) as s:
                    rows = s.execute(select(Job.created_at, Job.started_at).where(Job.id.in_(ids))).all()
                engine.dispose()
                return [(started - created).total_seconds() * 1000 for created, started in rows]
            finally:
                if worker is not None:
                    worker.stop()
                server.stop()


def report(name: str, values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(round(0.99 * (len(values) - 1))))]
    return (
        f"{name:<34} n={len(values):<4} median={statistics.median(values):6.1f} ms  "
        f"p90={values[int(0.9 * (len(values) - 1))]:6.1f} ms  p99={p99:6.1f} ms  max={values[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    for kind, label in (("sqlite", "SQLite, embedded workers"), ("postgres", "PostgreSQL, separate worker")):
        if args.only and args.only != kind:
            continue
        print(report(label, measure(kind, args.jobs)), flush=True)


if __name__ == "__main__":
    main()
