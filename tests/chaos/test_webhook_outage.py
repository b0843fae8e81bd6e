"""Suite 4 — webhook receiver outage: the receiver is down (connection refused) for the first
attempt and the first four retry steps of every event, then comes back on the same port (time-scaled
schedule: EDITBAY_WEBHOOK_TIME_SCALE=0.05 → 0.05, 0.2, 0.8, 3.2, 12.8 s). Every event is then
delivered (100 %), with a valid signature, its stable event id, and can be de-duplicated by it."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from chaos.harness import ChaosStack, knob, media_server, report, submit_body
from editbay.client import verify_webhook
from procs import Receiver, wait_until, webhook_secret

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("chaos")]


def test_receiver_down_for_four_retry_steps_then_up(tmp_path, pg_url):
    jobs = int(knob("webhook_jobs", 10))
    settings = {
        "provider_overrides": {"*": "editbay_test_providers:noop"},
        "default_concurrent_jobs": 0,
        "rate_limit_per_minute": 1_000_000,
        "webhook_time_scale": 0.05,
    }
    receiver = Receiver()  # not started: connection refused
    with media_server(tmp_path) as media:
        stack = ChaosStack(tmp_path, pg_url, settings, embedded_workers=1)
        try:
            secret = webhook_secret(stack.admin_env)
            ids = set()
            for _ in range(jobs):
                r = stack.client.post("/v1/jobs/submit", json=submit_body(media, webhookUrl=receiver.url))
                assert r.status_code == 200, r.text
                ids.add(r.json()["jobId"])
            stack.wait_all_terminal(60)

            def all_failed_five_times() -> bool:
                rows = stack.sql("SELECT attempts FROM webhook_events")
                return len(rows) == jobs and all(a >= 5 for (a,) in rows)

            wait_until(all_failed_five_times, 60, 0.1, "five refused attempts per event")
            receiver.start()  # up again, before the sixth (last) attempt
            wait_until(
                lambda: stack.sql("SELECT count(*) FROM webhook_events WHERE status = 'sent'")[0][0] == jobs,
                60,
                0.2,
                "every event sent",
            )
            by_event: Counter[str] = Counter()
            bad_signatures = 0
            job_of_event: dict[str, str] = {}
            for hook in receiver.requests:
                try:
                    event = verify_webhook(secret, hook.headers, hook.body)
                except Exception:
                    bad_signatures += 1
                    continue
                by_event[event.event_id] += 1
                job_of_event[event.event_id] = json.loads(hook.body)["jobId"]
            attempts = [a for (a,) in stack.sql("SELECT attempts FROM webhook_events")]
            errors = Counter(
                e for (e,) in stack.sql("SELECT error FROM webhook_attempts WHERE error IS NOT NULL")
            )
            figures = {
                "events": jobs,
                "delivered_events": len(by_event),
                "delivered_pct": 100.0 * len(by_event) / jobs,
                "http_requests_received": len(receiver.requests),
                "duplicates_received": sum(n - 1 for n in by_event.values()),
                "bad_signatures": bad_signatures,
                "attempts_per_event": dict(Counter(attempts)),
                "attempt_errors": dict(errors),
                "failed_events": stack.sql("SELECT count(*) FROM webhook_events WHERE status = 'failed'")[0][
                    0
                ],
            }
            report("webhook-outage", figures)
            assert bad_signatures == 0, figures
            assert set(job_of_event.values()) == ids, figures  # every job's event reached the handler
            assert len(by_event) == jobs and figures["failed_events"] == 0, figures
            assert all(a == 6 for a in attempts), figures  # five refused, the sixth delivered
        except BaseException:
            print(stack.logs())
            raise
        finally:
            receiver.stop()
            stack.close()
