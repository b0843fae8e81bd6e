"""GET /v1/jobs: keyset pagination (stable under concurrent inserts), filters; the ledger cursor."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from editbay.store.db import transaction
from editbay.store.models import Job

LOCAL = "editbay/local/video-edit"


def page_through(client: TestClient, headers: dict[str, str], query: str = "", on_page=None) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        url = f"/v1/jobs?limit=4{query}" + (f"&cursor={cursor}" if cursor else "")
        data = client.get(url, headers=headers).json()
        seen += [j["jobId"] for j in data["jobs"]]
        if on_page:
            on_page()
        if not data["hasMore"]:
            assert data["nextCursor"] is None
            return seen
        cursor = data["nextCursor"]


def test_pages_cover_every_job_once_newest_first(client: TestClient, tenant, submit_body) -> None:
    ids = [
        client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
        for _ in range(10)
    ]
    assert page_through(client, tenant.headers) == ids[::-1]


def test_pagination_is_stable_under_concurrent_inserts(client: TestClient, tenant, submit_body) -> None:
    ids = [
        client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
        for _ in range(9)
    ]
    inserted: list[str] = []

    def insert_more() -> None:  # another client submits while we page
        def go() -> None:
            r = client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers)
            inserted.append(r.json()["jobId"])

        threads = [threading.Thread(target=go) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    seen = page_through(client, tenant.headers, on_page=insert_more)
    assert len(seen) == len(set(seen)), "a job appeared twice"
    assert [j for j in seen if j in ids] == ids[::-1], "an original job was skipped or reordered"
    assert len(inserted) >= 6 and not set(inserted) & set(seen)


def test_same_timestamp_ties_are_broken_by_id(client: TestClient, tenant, submit_body) -> None:
    ids = [
        client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
        for _ in range(7)
    ]
    with transaction(client.app.state.sessionmaker) as session:
        first = session.get(Job, ids[0]).created_at
        for job_id in ids:
            session.get(Job, job_id).created_at = first
    seen = page_through(client, tenant.headers)
    assert seen == sorted(ids, reverse=True)


def test_filters_by_status_and_model(client: TestClient, tenant, submit_body) -> None:
    kling = client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
    local = client.post("/v1/jobs/submit", json=submit_body(model=LOCAL), headers=tenant.headers).json()[
        "jobId"
    ]
    with transaction(client.app.state.sessionmaker) as session:
        session.get(Job, kling).status = "completed"
    assert page_through(client, tenant.headers, "&status=completed") == [kling]
    assert page_through(client, tenant.headers, "&status=pending") == [local]
    assert page_through(client, tenant.headers, f"&modelId={LOCAL}") == [local]
    assert page_through(client, tenant.headers, "&modelId=mdl_editbay_local_video_edit") == [local]
    assert page_through(client, tenant.headers, "&status=failed") == []


def test_ledger_pagination(client: TestClient, tenant, submit_body) -> None:
    for _ in range(5):
        client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers)
    entries, cursor = [], None
    while True:
        data = client.get(
            "/v1/account/ledger?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=tenant.headers
        ).json()
        entries += data["entries"]
        if not data["hasMore"]:
            break
        cursor = data["nextCursor"]
    assert [e["kind"] for e in entries] == ["hold"] * 5 + ["topup"]
    assert sum(e["amountMicroCents"] for e in entries) == entries[0]["balanceAfterMicroCents"]
