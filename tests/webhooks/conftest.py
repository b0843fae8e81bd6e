"""Fixtures: a finished job with an outbox event, and a deliverer bound to test settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from editbay.jobs import billing, lifecycle
from editbay.store.db import make_engine, transaction
from editbay.store.models import Account, Job
from editbay.webhooks.delivery import Deliverer
from editbay.worker.services import Services


@pytest.fixture
def make_services(make_settings, database_url) -> Callable[..., Services]:
    def factory(**overrides: Any) -> Services:
        values = {"webhook_timeout_seconds": 2.0, "webhook_time_scale": 0.01, **overrides}
        return Services.from_settings(make_settings(database_url, **values), make_engine(database_url))

    return factory


@pytest.fixture
def finished_job() -> Callable[..., tuple[str, str]]:
    """``finished_job(services, url, ok=True)`` → (job id, account webhook secret)."""

    def factory(services: Services, url: str, ok: bool = True) -> tuple[str, str]:
        with transaction(services.sessions) as s:
            acc = Account(name="hooks", balance_microcents=0, held_microcents=0)
            s.add(acc)
            s.flush()
            billing.topup(s, acc.id, 100_000)
            job = Job(
                account_id=acc.id,
                request_id="req_hook",
                model_slug="m",
                input={},
                webhook_url=url,
                cost_microcents=1000,
            )
            s.add(job)
            s.flush()
            billing.hold(s, acc.id, job.id, 1000)
            job_id, secret = job.id, acc.webhook_secret
        with transaction(services.sessions) as s:
            lifecycle.claim_next(s, "w", 30)
            if ok:
                outputs = [
                    {
                        "type": "video",
                        "video": f"outputs/{job_id}/output.mp4",
                        "thumbnail": f"outputs/{job_id}/thumbnail.jpg",
                        "poster": f"outputs/{job_id}/poster.jpg",
                    }
                ]
                meta = {"width": 640, "height": 360, "durationSeconds": 6.0, "format": "mp4"}
                lifecycle.complete(s, job_id, "w", outputs, meta, {"operations": []})
            else:
                lifecycle.fail(s, job_id, "w", "UNSUPPORTED_EDIT", "cannot add a dragon")
        return job_id, secret

    return factory


@pytest.fixture
def deliver() -> Callable[[Services], int]:
    def run(services: Services) -> int:
        deliverer = Deliverer(services)
        try:
            return deliverer.run_once()
        finally:
            deliverer._pool.shutdown()
            deliverer.close()

    return run
