"""Submit extras: estimatedCompletionTime from history and queue depth, `Prefer: wait=N`,
per-model rate limits, and pricing from the data file."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from editbay.api.main import create_app
from editbay.api.ratelimit import TokenBuckets
from editbay.api.routes.jobs import parse_prefer_wait
from editbay.jobs import catalog
from editbay.jobs.catalog import DEFAULT_PRICING_FILE
from editbay.jobs.clock import now
from editbay.store.db import transaction
from editbay.store.models import Job, WorkerRecord

KLING = "kling-plus/kling-o1-pro/video-edit-fast"


def eta_seconds(response: Any) -> float:
    eta = datetime.fromisoformat(response.json()["estimatedCompletionTime"].replace("Z", "+00:00"))
    return (eta - now()).total_seconds()


def test_eta_uses_the_nominal_time_without_history(lite_client, lite_tenant, submit_body) -> None:
    r = lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers)
    assert 110 <= eta_seconds(r) <= 121  # processingTimeSeconds: 120, nothing ahead


def test_eta_follows_recent_real_durations_and_queue_depth(lite_client, lite_tenant, submit_body) -> None:
    sessions = lite_client.app.state.sessionmaker
    done = [
        lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers).json()["jobId"]
        for _ in range(3)
    ]
    with transaction(sessions) as session:
        for job_id in done:
            job = session.get(Job, job_id)
            job.status, job.run_seconds, job.completed_at = "completed", 10.0, now()
        session.add(WorkerRecord(id="w1", hostname="h", pid=1, last_heartbeat_at=now()))
    alone = eta_seconds(lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers))
    assert 8 <= alone <= 11  # 10 s of real history, one free worker
    for _ in range(4):  # queue up: 1 worker, 5 pending ahead
        lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers)
    queued = eta_seconds(lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers))
    assert 55 <= queued <= 61  # 5 ahead × 10 s + its own 10 s


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("wait=5", 5),
        ("respond-async, wait=10", 10),
        ("wait=600", 60),
        ("wait=0", None),
        ("handling=lenient", None),
        (None, None),
    ],
)
def test_parse_prefer_wait(header, expected) -> None:
    assert parse_prefer_wait(header) == expected


def test_prefer_wait_returns_when_the_job_ends(lite_client, lite_tenant, submit_body) -> None:
    sessions = lite_client.app.state.sessionmaker

    def finish_soon() -> None:
        time.sleep(0.5)
        with transaction(sessions) as session:
            job = session.query(Job).filter(Job.account_id == lite_tenant.account_id).one()
            job.status, job.progress, job.completed_at = "completed", 100, now()
            job.outputs = [{"video": f"outputs/{job.id}/out.mp4"}]

    threading.Thread(target=finish_soon).start()
    started = time.monotonic()
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(), headers={**lite_tenant.headers, "Prefer": "wait=10"}
    )
    elapsed = time.monotonic() - started
    assert r.status_code == 200 and 0.4 < elapsed < 5
    data = r.json()
    assert data["status"] == "completed" and data["progress"] == 100
    assert data["output"] and data["outputs"][0]["type"] == "video"
    assert {"requestId", "estimatedCompletionTime", "costMicroCents", "createdAt"} <= set(data)
    assert r.headers["Preference-Applied"] == "wait=10"


def test_prefer_wait_gives_up_after_n_seconds(lite_client, lite_tenant, submit_body) -> None:
    started = time.monotonic()
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(), headers={**lite_tenant.headers, "Prefer": "wait=1"}
    )
    assert 0.9 < time.monotonic() - started < 3
    assert r.json()["status"] == "pending" and "progress" in r.json()


def test_without_prefer_the_response_is_immediate(lite_client, lite_tenant, submit_body) -> None:
    r = lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers)
    assert "progress" not in r.json()


def test_token_bucket_refills_over_time() -> None:
    clock = [0.0]
    buckets = TokenBuckets(clock=lambda: clock[0])
    assert [buckets.take("k", 2).allowed for _ in range(3)] == [True, True, False]
    denied = buckets.take("k", 2)
    assert denied.retry_after == 30 and denied.headers()["Retry-After"] == "30"
    clock[0] += 30
    assert buckets.take("k", 2).allowed
    assert not buckets.take("k", 2).allowed
    assert buckets.take("other", 2).allowed  # buckets are per key


def test_per_model_rate_limit(tmp_path, sqlite_url, make_settings, make_tenant, submit_body) -> None:
    data = yaml.safe_load(DEFAULT_PRICING_FILE.read_text())
    data["models"][0]["rateLimits"]["requestsPerMinute"] = 2
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(data))
    with TestClient(create_app(make_settings(sqlite_url, pricing_file=str(tmp_path / "p.yaml")))) as client:
        tenant = make_tenant(client.app.state.sessionmaker)
        codes = [
            client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        other_model = submit_body(model="editbay/local/video-edit")
        assert client.post("/v1/jobs/submit", json=other_model, headers=tenant.headers).status_code == 200


def test_per_second_pricing_with_factors_from_the_data_file() -> None:
    entry = catalog.ModelEntry.model_validate(
        {
            "slug": "acme/x/y",
            "id": "mdl_x",
            "name": "x",
            "providerId": "acme",
            "providerName": "Acme",
            "pricing": {
                "unit": "second",
                "baseCostMicroCents": 1000,
                "assumedSeconds": 8,
                "factors": [
                    {"component": "vertical", "multiplier": 1.5, "when": {"aspect_ratio": ["9:16"]}},
                    {"component": "silent", "multiplier": 0.5, "when": {"keep_original_sound": False}},
                ],
            },
        }
    )
    assert catalog.quote(entry, {}, 12.0).total == 12_000
    assert catalog.quote(entry, {}, None).total == 8_000  # assumedSeconds
    q = catalog.quote(entry, {"aspect_ratio": "9:16", "keep_original_sound": False}, 10.0)
    assert q.total == 7_500
    assert sum(c["costMicroCents"] for c in q.breakdown) == q.total


def test_kling_and_local_prices(lite_client, lite_tenant) -> None:
    for model, price in (
        (KLING, 30000),
        ("kling-plus/kling-o1-standard/video-edit", 30000),
        ("editbay/local/video-edit", 10000),
    ):
        r = lite_client.post("/v1/jobs/estimate", json={"model": model}, headers=lite_tenant.headers)
        assert r.json()["estimatedCostMicroCents"] == price


def test_description_names_the_upstream_when_one_is_configured(
    sqlite_url, make_settings, make_tenant
) -> None:
    settings = make_settings(sqlite_url, upstream_base_url="https://api.example.com", routing="upstream")
    with TestClient(create_app(settings)) as client:
        tenant = make_tenant(client.app.state.sessionmaker)
        kling = client.get(f"/v1/models/{KLING}", headers=tenant.headers).json()
        local = client.get("/v1/models/editbay/local/video-edit", headers=tenant.headers).json()
    assert "upstream" in kling["description"] and kling["routing"] == "upstream"
    assert local["routing"] == "local"


def test_models_are_resynced_from_the_file(lite_client, lite_tenant) -> None:
    ids = {m["id"] for m in lite_client.get("/v1/models", headers=lite_tenant.headers).json()["models"]}
    assert ids == {m.id for m in catalog.load_catalog(lite_client.app.state.settings).models}


def test_estimate_with_a_prompt_returns_the_plan_and_flags_unsupported_clauses(
    lite_client, lite_tenant
) -> None:
    body = {"model": KLING, "input": {"prompt": "make it black and white and replace the sky with a beach"}}
    data = lite_client.post("/v1/jobs/estimate", json=body, headers=lite_tenant.headers).json()
    assert data["estimatedCostMicroCents"] == 30000
    assert [op["op"] for op in data["plan"]["operations"]] == ["grade"]
    assert data["plan"]["unsupported"][0]["clause"] == "replace the sky with a beach"
    assert data["planError"]["code"] == "UNSUPPORTED_EDIT"
    ok = {"model": KLING, "input": {"prompt": "make it black and white", "aspect_ratio": "9:16"}}
    data = lite_client.post("/v1/jobs/estimate", json=ok, headers=lite_tenant.headers).json()
    assert data["planError"] is None and data["plan"]["operations"]


def test_estimate_rejects_unknown_input_fields(lite_client, lite_tenant) -> None:
    body = {"model": KLING, "input": {"promt": "typo"}}
    r = lite_client.post("/v1/jobs/estimate", json=body, headers=lite_tenant.headers)
    assert r.status_code == 400 and r.json()["error"]["details"]["field"] == "input.promt"


def test_estimate_accepts_explicit_nulls(lite_client, lite_tenant) -> None:
    body = {
        "model": KLING,
        "version": None,
        "input": {"aspect_ratio": None, "images": [], "prompt": "make it warm", "video_url": None},
    }
    r = lite_client.post("/v1/jobs/estimate", json=body, headers=lite_tenant.headers)
    assert r.status_code == 200, r.text
