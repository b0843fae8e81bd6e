"""Contract tests: every example of docs/api.md replayed with exact field names and types."""

from __future__ import annotations

import re
import urllib.parse

from fastapi.testclient import TestClient

KLING = "kling-plus/kling-o1-pro/video-edit-fast"
KLING_STD = "kling-plus/kling-o1-standard/video-edit"
LOCAL = "editbay/local/video-edit"

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
JOB_GET_FIELDS = {
    "jobId",
    "status",
    "progress",
    "output",
    "outputs",
    "error",
    "createdAt",
    "completedAt",
    # extensions
    "model",
    "costMicroCents",
    "refundedMicroCents",
    "startedAt",
    "expiresAt",
    "plan",
    "attempts",
    "skipped",
    "routing",
}


def test_seed_example_submit_returns_the_documented_fields(client: TestClient, tenant, submit_body) -> None:
    # the seed page's curl example, verbatim
    body = {
        "model": "kling-plus/kling-o1-pro/video-edit-fast",
        "input": {
            "prompt": "Add cinematic color grading with teal and orange tones",
            "video_url": "https://example.com/video.mp4",
            "aspect_ratio": "16:9",
        },
    }
    r = client.post("/v1/jobs/submit", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    data = r.json()
    assert set(data) == {"jobId", "requestId", "status", "estimatedCompletionTime", "costMicroCents"}
    assert data["jobId"].startswith("job_")
    assert data["requestId"] == r.headers["X-Request-Id"]
    assert data["status"] == "pending"
    assert ISO_MS.match(data["estimatedCompletionTime"])
    assert data["costMicroCents"] == 30000 and isinstance(data["costMicroCents"], int)


def test_get_job_has_contract_fields_and_extensions(client: TestClient, tenant, submit_body) -> None:
    job_id = client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
    r = client.get(f"/v1/jobs/{job_id}", headers=tenant.headers)
    assert r.status_code == 200
    data = r.json()
    assert set(data) == JOB_GET_FIELDS
    assert data["jobId"] == job_id
    assert data["status"] == "pending"
    assert data["progress"] == 0
    assert data["output"] is None and data["outputs"] is None and data["error"] is None
    assert ISO_MS.match(data["createdAt"]) and data["completedAt"] is None
    assert data["model"] == KLING
    assert data["costMicroCents"] == 30000 and data["refundedMicroCents"] == 0
    assert data["attempts"] == 0
    assert data["routing"] == {
        "mode": "local",
        "decision": "local",
        "reason": "the model's routing is local: the local engine runs it",
    }


def test_completed_job_serialises_signed_output_urls(client: TestClient, tenant, submit_body) -> None:
    from editbay.store.db import transaction
    from editbay.store.models import Job

    job_id = client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
    with transaction(client.app.state.sessionmaker) as session:
        job = session.get(Job, job_id)
        job.status = "completed"
        job.progress = 100
        job.outputs = [
            {
                "video": f"outputs/{job_id}/out.mp4",
                "thumbnail": f"outputs/{job_id}/t.jpg",
                "poster": f"outputs/{job_id}/p.jpg",
            }
        ]
    data = client.get(f"/v1/jobs/{job_id}", headers=tenant.headers).json()
    assert data["status"] == "completed"
    out = data["outputs"][0]
    assert set(out) == {"url", "type", "thumbnail", "posterImage"}
    assert out["type"] == "video"
    assert data["output"] == out["url"]
    assert f"outputs/{job_id}/out.mp4" in out["url"] and "signature=" in out["url"]
    assert "t.jpg" in out["thumbnail"] and "p.jpg" in out["posterImage"]


def test_list_jobs_shape_newest_first(client: TestClient, tenant, submit_body) -> None:
    ids = [
        client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
        for _ in range(3)
    ]
    r = client.get("/v1/jobs", headers=tenant.headers)
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"jobs", "nextCursor", "hasMore"}
    assert [j["jobId"] for j in data["jobs"]] == ids[::-1]
    assert set(data["jobs"][0]) == {"jobId", "status", "progress", "model", "createdAt", "completedAt"}
    assert data["nextCursor"] is None and data["hasMore"] is False


def test_estimate_shape(client: TestClient, tenant, submit_body) -> None:
    r = client.post("/v1/jobs/estimate", json={"model": KLING}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    data = r.json()
    assert {"baseCostMicroCents", "estimatedCostMicroCents", "breakdown", "hasDiscount"} <= set(data)
    assert data["baseCostMicroCents"] == 30000 and data["estimatedCostMicroCents"] == 30000
    assert data["hasDiscount"] is False
    assert all(set(c) == {"component", "costMicroCents"} for c in data["breakdown"])
    assert sum(c["costMicroCents"] for c in data["breakdown"]) == data["estimatedCostMicroCents"]
    assert data.get("plan") is None


def test_models_list_and_detail_by_slug_path_encoded_slug_and_id(
    client: TestClient, tenant, submit_body
) -> None:
    r = client.get("/v1/models", headers=tenant.headers)
    assert r.status_code == 200
    slugs = {m["slug"] for m in r.json()["models"]}
    assert slugs == {KLING, KLING_STD, LOCAL}
    by_path = client.get(f"/v1/models/{KLING}", headers=tenant.headers).json()
    by_encoded = client.get("/v1/models/" + urllib.parse.quote(KLING, safe=""), headers=tenant.headers).json()
    by_id = client.get(f"/v1/models/{by_path['id']}", headers=tenant.headers).json()
    assert by_path == by_encoded == by_id
    for field in (
        "id",
        "slug",
        "providerId",
        "providerName",
        "name",
        "description",
        "category",
        "currentVersion",
        "versions",
        "pricing",
        "rateLimits",
        "processingTimeSeconds",
    ):
        assert field in by_path, field
    version = by_path["versions"][0]
    assert set(version) >= {"versionId", "status", "inputSchema", "outputSchema"}
    assert version["status"] == "active"
    assert set(version["inputSchema"]["properties"]) == {
        "prompt",
        "video_url",
        "images",
        "keep_original_sound",
        "aspect_ratio",
        "strict",
    }
    assert set(by_path["rateLimits"]) == {"requestsPerMinute", "requestsPerDay"}
    assert by_path["pricing"]["baseCostMicroCents"] == 30000
    assert "local" in by_path["description"]  # honest about where it runs


def test_model_input_schema_is_the_validating_model(client: TestClient, tenant, submit_body) -> None:
    from editbay.jobs.inputs import VideoEditInput

    detail = client.get(f"/v1/models/{KLING}", headers=tenant.headers).json()
    assert detail["versions"][0]["inputSchema"] == VideoEditInput.model_json_schema()


def test_account_and_ledger_shapes(client: TestClient, tenant, submit_body) -> None:
    client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers)
    account = client.get("/v1/account", headers=tenant.headers).json()
    assert {"accountId", "balanceMicroCents", "heldMicroCents", "concurrentJobLimit"} <= set(account)
    assert account["accountId"] == tenant.account_id
    assert account["balanceMicroCents"] == 1_000_000 - 30000 and account["heldMicroCents"] == 30000
    ledger = client.get("/v1/account/ledger", headers=tenant.headers).json()
    assert set(ledger) == {"entries", "nextCursor", "hasMore"}
    assert [e["kind"] for e in ledger["entries"]] == ["hold", "topup"]


def test_error_envelope_example_exactly(client: TestClient, tenant, submit_body) -> None:
    r = client.post(
        "/v1/jobs/submit", json=submit_body(video_url="ftp://example.com/v.mp4"), headers=tenant.headers
    )
    assert r.status_code == 400
    body = r.json()
    assert body == {
        "success": False,
        "error": {
            "code": "INVALID_INPUT",
            "message": "input.video_url: must be an http(s) URL",
            "details": {"field": "input.video_url"},
        },
        "requestId": r.headers["X-Request-Id"],
    }
    assert body["requestId"].startswith("req_")


def test_x_api_key_header_works_like_bearer(client: TestClient, tenant, submit_body) -> None:
    r = client.get("/v1/jobs", headers={"x-api-key": tenant.key})
    assert r.status_code == 200


def test_request_id_echoed_when_well_formed_and_replaced_otherwise(
    client: TestClient, tenant, submit_body
) -> None:
    r = client.get("/v1/jobs", headers={**tenant.headers, "X-Request-Id": "my-trace.42"})
    assert r.headers["X-Request-Id"] == "my-trace.42"
    r = client.get("/v1/jobs", headers={**tenant.headers, "X-Request-Id": "bad id with spaces"})
    assert r.headers["X-Request-Id"].startswith("req_")
    r = client.get("/no/such/route")
    assert r.headers["X-Request-Id"].startswith("req_")
    assert r.json()["requestId"] == r.headers["X-Request-Id"]


def test_images_accept_urls_and_url_objects(client: TestClient, tenant, submit_body) -> None:
    body = submit_body(
        images=["https://example.com/a.png", {"url": "https://example.com/logo.png"}],
        keep_original_sound=False,
        strict=False,
    )
    r = client.post("/v1/jobs/submit", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
