"""Suite 3 — database outage during load. The API answers 503 SERVICE_UNAVAILABLE with the error
envelope while PostgreSQL is unreachable, recovers without a restart, and no job is lost or stuck
(leases expire and jobs resume).

Two ways to take the database away:
* default (``make test``): the API and worker processes reach PostgreSQL through a loopback TCP
  proxy, which is cut (every connection dropped, new ones refused) — the shared server is untouched;
* ``EDITBAY_CHAOS_DB=1`` (``make chaos-db``): the real server is stopped with
  ``pg_ctlcluster … stop`` and ALWAYS started again in a ``finally`` block. Only for a machine where
  nobody else uses the server at that moment.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from chaos.harness import (
    ChaosStack,
    TcpProxy,
    assert_money_invariants,
    knob,
    media_server,
    report,
    submit_body,
    via_proxy,
)
from procs import api, postgres_available, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("chaos")]
REAL_STOP = os.environ.get("EDITBAY_CHAOS_DB") == "1"


def _pg_ctl(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        timeout=60,
    )


def test_database_outage_503_then_recovery(tmp_path: Path, pg_url: str):
    outage = knob("db_outage_seconds", 4.0)
    proxy = TcpProxy()
    settings = {
        "provider_overrides": {"*": "editbay_test_providers:slow"},
        "default_concurrent_jobs": 0,
        "rate_limit_per_minute": 1_000_000,
        "auth_cache_seconds": 0,
        "max_attempts": 20,
    }
    app_url = pg_url if REAL_STOP else via_proxy(pg_url, proxy)
    with media_server(tmp_path) as media:
        stack = ChaosStack(tmp_path, pg_url, settings, app_database_url=app_url)
        stack.env["EDITBAY_TEST_SLOW_SECONDS"] = "0.5"
        stack.worker(2)
        acknowledged: set[str] = set()
        phase = {"name": "before"}
        seen: dict[str, Counter[str]] = {
            "before": Counter(), "stopping": Counter(), "down": Counter(), "after": Counter()
        }
        bad: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def record(r: httpx.Response, what: str) -> None:
            name = phase["name"]
            with lock:
                seen[name][f"{what} {r.status_code}"] += 1
                if r.status_code == 503:
                    body = r.json()
                    if body.get("success") is not False or body["error"]["code"] != "SERVICE_UNAVAILABLE":
                        bad.append(f"bad 503 envelope: {r.text[:200]}")
                    if not r.headers.get("x-request-id"):
                        bad.append("503 without X-Request-Id")
                elif r.status_code != 200:
                    bad.append(f"{name} {what} {r.status_code} {r.text[:200]}")
                elif name == "down" and what == "submit":
                    bad.append(f"200 while the database was down: {r.text[:200]}")

        def load() -> None:
            client = api(stack.base, stack.key)
            try:
                while not stop.is_set():
                    try:
                        r = client.post("/v1/jobs/submit", json=submit_body(media), timeout=10)
                        record(r, "submit")
                        if r.status_code == 200:
                            with lock:
                                acknowledged.add(r.json()["jobId"])
                            record(client.get(f"/v1/jobs/{r.json()['jobId']}", timeout=10), "get")
                        record(client.get("/v1/jobs?limit=5", timeout=10), "list")
                    except httpx.HTTPError as exc:
                        with lock:
                            seen[phase["name"]][f"transport {type(exc).__name__}"] += 1
                    time.sleep(0.25)
            finally:
                client.close()

        threads = [threading.Thread(target=load) for _ in range(3)]
        restarted = True
        try:
            for t in threads:
                t.start()
            time.sleep(3)
            # a submit already in flight while the server shuts down may still commit: "down"
            # starts once the stop has returned (the server is gone) or the proxy is cut
            phase["name"] = "stopping"
            if REAL_STOP:
                restarted = False
                _pg_ctl("stop")
            else:
                proxy.cut()
            phase["name"] = "down"
            down_at = time.monotonic()
            time.sleep(outage)
            phase["name"] = "after"
            if REAL_STOP:
                _pg_ctl("start")
                restarted = True
                wait_until(postgres_available, 60, 0.2, "postgres back")
            else:
                proxy.restore()
            up_at = time.monotonic()

            def healthy() -> bool:
                try:
                    return stack.client.get("/v1/jobs?limit=1", timeout=5).status_code == 200
                except httpx.HTTPError:
                    return False

            wait_until(healthy, 30, 0.1, "API recovery")
            recovery = time.monotonic() - up_at
            time.sleep(3)
            stop.set()
            for t in threads:
                t.join(30)
            drain = stack.wait_all_terminal(120)
            stack.engine.dispose()
            figures = stack.audit(acknowledged)
            figures.update(
                mode="pg_ctlcluster stop" if REAL_STOP else "tcp proxy cut",
                outage_seconds=round(up_at - down_at, 1),
                recovery_seconds=round(recovery, 2),
                drain_seconds=drain,
                responses={k: dict(v) for k, v in seen.items()},
                server_restarted=False,
            )
            report("db-outage", figures)
            assert not bad, bad[:5]
            assert sum(v for k, v in seen["down"].items() if " 503" in k) > 0, seen
            assert seen["after"]["submit 200"] > 0, seen
            assert stack.server.alive(), "the API process must survive the outage"
            assert all(w.alive() for w in stack.workers), "workers must survive the outage"
            assert figures["by_status"].get("completed", 0) == figures["jobs_in_db"], figures
            assert_money_invariants(figures)
            assert json.dumps(figures)
        except BaseException:
            print(stack.logs())
            raise
        finally:
            stop.set()
            if not restarted:
                _pg_ctl("start")  # never leave the shared server down
            proxy.close()
            stack.close()
