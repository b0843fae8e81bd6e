"""Suite 8 — load and soak: mixed traffic (submit, poll, list, SSE, cancel, account, models)
against one `editbay serve` process with its embedded worker (real passthrough renders of a small
clip) for EDITBAY_CHAOS_LOAD_SECONDS (60 s in `make test`, 180 s in `make chaos-load`, 1800 s in
`make chaos-soak`). Figures: p50/p99 per request kind, error rate (must be 0), RSS growth of the
server process tree after warm-up (< 10 %), fd growth (none)."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

import httpx
import pytest

from chaos.harness import (
    ChaosStack,
    assert_money_invariants,
    fd_count,
    knob,
    media_server,
    percentile,
    report,
    rss_kb,
    submit_body,
)
from procs import api

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("chaos")]

EXPECTED = {  # statuses that are correct answers, per kind
    "cancel": {200, 400},  # 400 JOB_CANNOT_BE_CANCELLED when it already ended
}


def test_mixed_traffic_soak(tmp_path):
    duration = knob("load_seconds", 60)
    url = f"sqlite:///{tmp_path / 'load.db'}"
    from editbay.store import migrate

    migrate.upgrade(url)
    settings = {
        "provider_overrides": {"*": "editbay_test_providers:passthrough"},
        "default_concurrent_jobs": 0,
        "rate_limit_per_minute": 1_000_000,
        "log_level": "WARNING",
    }
    with media_server(tmp_path, seconds=1.0) as media:
        stack = ChaosStack(tmp_path, url, settings, embedded_workers=1)
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        jobs: list[str] = []
        acknowledged: set[str] = set()
        lock = threading.Lock()
        stop = threading.Event()
        deadline = time.monotonic() + duration

        def timed(kind: str, fn) -> httpx.Response | None:  # noqa: ANN001
            t0 = time.perf_counter()
            try:
                r = fn()
            except httpx.HTTPError as exc:
                with lock:
                    errors.append(f"{kind}: {type(exc).__name__} {exc}")
                return None
            with lock:
                latencies[kind].append(time.perf_counter() - t0)
                if r.status_code not in EXPECTED.get(kind, {200}):
                    errors.append(f"{kind}: {r.status_code} {r.text[:200]}")
            return r

        def submitter() -> None:
            client = api(stack.base, stack.key)
            while not stop.is_set() and time.monotonic() < deadline:
                r = timed("submit", lambda: client.post("/v1/jobs/submit", json=submit_body(media)))
                if r is not None and r.status_code == 200:
                    with lock:
                        jobs.append(r.json()["jobId"])
                        acknowledged.add(r.json()["jobId"])
                # keep the queue short: the embedded worker renders ~2-4 jobs/s on this machine
                time.sleep(random.uniform(0.4, 0.8))
            client.close()

        def reader() -> None:
            client = api(stack.base, stack.key)
            while not stop.is_set() and time.monotonic() < deadline:
                with lock:
                    job = random.choice(jobs) if jobs else None
                roll = random.random()
                if job and roll < 0.5:
                    timed("poll", lambda: client.get(f"/v1/jobs/{job}"))
                elif roll < 0.75:
                    timed("list", lambda: client.get("/v1/jobs", params={"limit": 20}))
                elif roll < 0.85:
                    timed("account", lambda: client.get("/v1/account"))
                else:
                    timed("models", lambda: client.get("/v1/models"))
                time.sleep(0.02)
            client.close()

        def canceller() -> None:
            client = api(stack.base, stack.key)
            while not stop.is_set() and time.monotonic() < deadline:
                time.sleep(random.uniform(1.0, 3.0))
                with lock:
                    job = jobs[-1] if jobs else None
                if job:
                    timed("cancel", lambda: client.post(f"/v1/jobs/{job}/cancel"))
            client.close()

        def sse() -> None:
            client = api(stack.base, stack.key)
            while not stop.is_set() and time.monotonic() < deadline:
                with lock:
                    job = jobs[-1] if jobs else None
                if not job:
                    time.sleep(0.2)
                    continue
                t0 = time.perf_counter()
                try:
                    with client.stream("GET", f"/v1/jobs/{job}/events", timeout=60) as r:
                        events = [line for line in r.iter_lines() if line.startswith("event:")]
                    with lock:
                        latencies["sse_stream"].append(time.perf_counter() - t0)
                        if r.status_code != 200 or not events:
                            errors.append(f"sse: {r.status_code} {events[-1:]}")
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"sse: {type(exc).__name__} {exc}")
            client.close()

        pid = stack.server.pid
        samples: list[tuple[float, int, int]] = []
        threads = [
            threading.Thread(target=f) for f in (submitter, submitter, reader, reader, reader, canceller, sse)
        ]
        try:
            for t in threads:
                t.start()
            started = time.monotonic()
            while time.monotonic() < deadline:
                samples.append((time.monotonic() - started, rss_kb(pid), fd_count(pid)))
                time.sleep(min(5.0, max(1.0, duration / 60)))
            stop.set()
            for t in threads:
                t.join(90)
            stack.wait_all_terminal(120)
            # warm-up = first quarter; compare the mean of the first and last three samples after it
            steady = [s for s in samples if s[0] >= duration * 0.25] or samples
            head, tail = steady[:3], steady[-3:]
            rss0 = sum(s[1] for s in head) / len(head)
            rss1 = sum(s[1] for s in tail) / len(tail)
            fd0 = min(s[2] for s in head)
            # Leaks are what stays open once the traffic has stopped: in-flight connections
            # (SSE streams, keep-alives) close within seconds, so sample after they settle.
            settle_until = time.monotonic() + 10
            fd1 = fd_count(pid)
            while fd1 > fd0 + 3 and time.monotonic() < settle_until:
                time.sleep(0.5)
                fd1 = fd_count(pid)
            total = sum(len(v) for v in latencies.values())
            figures = {
                "seconds": duration,
                "requests": total,
                "errors": len(errors),
                "error_rate": len(errors) / max(1, total),
                "latency_ms": {
                    k: {
                        "n": len(v),
                        "p50": round(percentile(v, 50) * 1000, 1),
                        "p99": round(percentile(v, 99) * 1000, 1),
                    }
                    for k, v in sorted(latencies.items())
                },
                "rss_mb_after_warmup": round(rss0 / 1024, 1),
                "rss_mb_end": round(rss1 / 1024, 1),
                "rss_growth_pct": round(100 * (rss1 - rss0) / rss0, 1),
                "fds_after_warmup": fd0,
                "fds_end": fd1,
            }
            money = stack.audit(acknowledged)
            figures["jobs"] = money["by_status"]
            report("load-soak", figures)
            assert not errors, errors[:10]
            assert figures["rss_growth_pct"] < 10, figures
            assert fd1 <= fd0 + 3, figures
            assert_money_invariants(money)
        except BaseException:
            print(stack.logs())
            raise
        finally:
            stop.set()
            stack.close()
