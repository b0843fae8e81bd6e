"""Idempotency-Key on submit: replays, conflicts, concurrency and the 24 h window."""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi.testclient import TestClient

from editbay.store.db import transaction
from editbay.store.models import IdempotencyRecord


def test_same_key_same_body_replays_the_first_response_without_a_new_job(
    client: TestClient, tenant, submit_body
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "order-17"}
    first = client.post("/v1/jobs/submit", json=submit_body(), headers=headers)
    second = client.post("/v1/jobs/submit", json=submit_body(), headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(client.get("/v1/jobs", headers=tenant.headers).json()["jobs"]) == 1
    account = client.get("/v1/account", headers=tenant.headers).json()
    assert account["heldMicroCents"] == 30000  # held once


def test_key_order_and_whitespace_do_not_change_the_fingerprint(client: TestClient, tenant) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "k", "content-type": "application/json"}
    a = b'{"model":"kling-plus/kling-o1-pro/video-edit-fast","input":{"prompt":"warm","video_url":"https://e.com/v.mp4"}}'
    b = (
        b'{ "input": {"video_url": "https://e.com/v.mp4", "prompt": "warm"},'
        b'  "model": "kling-plus/kling-o1-pro/video-edit-fast" }'
    )
    r1 = client.post("/v1/jobs/submit", content=a, headers=headers)
    r2 = client.post("/v1/jobs/submit", content=b, headers=headers)
    assert r1.status_code == r2.status_code == 200
    assert r1.json()["jobId"] == r2.json()["jobId"]


def test_same_key_different_body_conflicts_and_creates_nothing(
    client: TestClient, tenant, submit_body
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "order-18"}
    assert client.post("/v1/jobs/submit", json=submit_body(), headers=headers).status_code == 200
    r = client.post("/v1/jobs/submit", json=submit_body(prompt="mute it"), headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(client.get("/v1/jobs", headers=tenant.headers).json()["jobs"]) == 1


def test_keys_are_per_account(client: TestClient, tenant, make_tenant, submit_body) -> None:
    other = make_tenant(client.app.state.sessionmaker)
    a = client.post(
        "/v1/jobs/submit", json=submit_body(), headers={**tenant.headers, "Idempotency-Key": "same"}
    )
    b = client.post(
        "/v1/jobs/submit", json=submit_body(), headers={**other.headers, "Idempotency-Key": "same"}
    )
    assert a.status_code == b.status_code == 200
    assert a.json()["jobId"] != b.json()["jobId"]


def test_concurrent_same_key_submits_create_one_job(client: TestClient, tenant, submit_body) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "race"}
    barrier = threading.Barrier(8)
    responses = []

    def go() -> None:
        barrier.wait()
        responses.append(client.post("/v1/jobs/submit", json=submit_body(), headers=headers))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.json()["jobId"] for r in responses}) == 1
    assert len(client.get("/v1/jobs", headers=tenant.headers).json()["jobs"]) == 1
    assert client.get("/v1/account", headers=tenant.headers).json()["heldMicroCents"] == 30000


def test_a_key_older_than_24_hours_starts_a_new_job(client: TestClient, tenant, submit_body) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "old"}
    first = client.post("/v1/jobs/submit", json=submit_body(), headers=headers).json()
    with transaction(client.app.state.sessionmaker) as session:
        record = session.get(IdempotencyRecord, (tenant.account_id, "old"))
        record.created_at = record.created_at - timedelta(hours=24, seconds=1)
    second = client.post("/v1/jobs/submit", json=submit_body(prompt="another edit"), headers=headers)
    assert second.status_code == 200
    assert second.json()["jobId"] != first["jobId"]


def test_failed_submit_is_not_remembered(client: TestClient, make_tenant, submit_body) -> None:
    poor = make_tenant(client.app.state.sessionmaker, balance=10)
    headers = {**poor.headers, "Idempotency-Key": "retry-me"}
    assert client.post("/v1/jobs/submit", json=submit_body(), headers=headers).status_code == 402
    with transaction(client.app.state.sessionmaker) as session:
        from editbay.jobs import billing

        billing.topup(session, poor.account_id, 100_000)
    assert client.post("/v1/jobs/submit", json=submit_body(), headers=headers).status_code == 200
