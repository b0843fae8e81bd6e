"""Suite 1 — worker crash: PostgreSQL, two `editbay worker` processes, a stream of jobs, and
`kill -9` of a random worker mid-render (then restarted), N times (EDITBAY_CHAOS_KILLS: 20 in
`make chaos-worker`, 4 in CI). No job is lost, none is charged twice, the ledger adds up."""

from __future__ import annotations

import random
import threading
import time

import pytest

from chaos.harness import ChaosStack, assert_money_invariants, knob, media_server, report, submit_body
from procs import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("chaos")]


def test_kill_9_workers_mid_render(tmp_path, pg_url):
    kills = int(knob("kills", 4))
    jobs_total = int(knob("crash_jobs", max(12, kills * 3)))
    settings = {
        "provider_overrides": {"*": "editbay_test_providers:slow"},
        "max_attempts": 50,  # a job may be hit by several kills; it must still end once, charged once
        "default_concurrent_jobs": 0,
        "rate_limit_per_minute": 100_000,
    }
    with media_server(tmp_path) as media:
        stack = ChaosStack(tmp_path, pg_url, settings)
        stack.env["EDITBAY_TEST_SLOW_SECONDS"] = "1.5"
        try:
            workers = [stack.worker(), stack.worker()]
            acknowledged: set[str] = set()
            stop = threading.Event()

            def submitter() -> None:
                for _ in range(jobs_total):
                    if stop.is_set():
                        return
                    r = stack.client.post("/v1/jobs/submit", json=submit_body(media))
                    assert r.status_code == 200, r.text
                    acknowledged.add(r.json()["jobId"])
                    time.sleep(random.uniform(0.1, 0.6))

            feeder = threading.Thread(target=submitter)
            feeder.start()
            mid_render = 0
            for _ in range(kills):
                victim_index = random.randrange(len(workers))
                victim = workers[victim_index]
                # wait until the victim holds a lease (it is rendering), then kill it
                try:
                    wait_until(
                        lambda v=victim: any(f":{v.pid}:" in o for o in stack.processing_owners()),
                        20,
                        0.05,
                        "victim busy",
                    )
                    mid_render += 1
                    time.sleep(random.uniform(0.1, 1.0))
                except TimeoutError:
                    pass
                victim.kill9()
                workers[victim_index] = stack.worker()
            feeder.join(300)
            stop.set()
            waited = stack.wait_all_terminal(timeout=120 + jobs_total * 3)
            figures = stack.audit(acknowledged)
            attempts = stack.sql("SELECT coalesce(max(attempts), 0), coalesce(sum(attempts), 0) FROM jobs")[0]
            figures.update(
                kills=kills,
                kills_mid_render=mid_render,
                max_attempts_of_a_job=attempts[0],
                total_attempts=attempts[1],
                drain_seconds=waited,
            )
            report("worker-crash", figures)
            assert_money_invariants(figures)
            assert figures["by_status"].get("completed", 0) == len(acknowledged), figures
            assert mid_render >= kills // 2, figures
        except BaseException:
            print(stack.logs())
            raise
        finally:
            stack.close()
