"""Suite 2 — API crash: `kill -9` the `editbay serve` process during a concurrent submit load,
restart it, repeat (EDITBAY_CHAOS_API_KILLS, 3 in CI). Every submission answered 200 exists
afterwards with its hold; there is no hold without a job; the queue then drains with a worker and
the ledger adds up."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from chaos.harness import ChaosStack, assert_money_invariants, knob, media_server, report, submit_body
from procs import api

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("chaos")]


def test_kill_9_api_during_submit_load(tmp_path, pg_url):
    kills = int(knob("api_kills", 3))
    settings = {
        "provider_overrides": {"*": "editbay_test_providers:noop"},
        "default_concurrent_jobs": 0,
        "rate_limit_per_minute": 1_000_000,
    }
    with media_server(tmp_path) as media:
        stack = ChaosStack(tmp_path, pg_url, settings)
        acknowledged: set[str] = set()
        outcomes = {"ok": 0, "transport_error": 0, "http_error": 0}
        errors: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def submitter() -> None:
            while not stop.is_set():
                client = api(stack.base, stack.key)
                try:
                    r = client.post("/v1/jobs/submit", json=submit_body(media), timeout=5)
                    with lock:
                        if r.status_code == 200:
                            acknowledged.add(r.json()["jobId"])
                            outcomes["ok"] += 1
                        else:
                            outcomes["http_error"] += 1
                            errors.append(f"{r.status_code} {r.text[:200]}")
                except httpx.HTTPError:
                    with lock:
                        outcomes["transport_error"] += 1
                    time.sleep(0.05)
                finally:
                    client.close()

        try:
            threads = [threading.Thread(target=submitter) for _ in range(4)]
            for t in threads:
                t.start()
            for _ in range(kills):
                time.sleep(knob("api_kill_interval", 2.0))
                stack.restart_server()  # kill -9 mid-load, then start again on the same port
            time.sleep(1.0)
            stop.set()
            for t in threads:
                t.join(30)
            # before any worker runs: every acknowledged job is pending with its hold
            held = {r[0] for r in stack.sql("SELECT job_id FROM ledger_entries WHERE kind = 'hold'")}
            missing = [j for j in acknowledged if j not in held]
            stack.worker(2)
            stack.wait_all_terminal(120)
            figures = stack.audit(acknowledged)
            figures.update(api_kills=kills, **outcomes, acknowledged_without_hold=len(missing))
            report("api-crash", figures)
            assert not errors, errors[:5]
            assert not missing, missing[:5]
            assert_money_invariants(figures)
            assert figures["ok"] > 0 and figures["transport_error"] > 0, figures
        except BaseException:
            print(stack.logs())
            raise
        finally:
            stop.set()
            stack.close()
