"""One test per error code the API itself produces, each checking the exact envelope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from editbay.api.main import create_app
from editbay.jobs.catalog import DEFAULT_PRICING_FILE
from editbay.store.db import transaction
from editbay.store.models import Account, ApiKey

KLING = "kling-plus/kling-o1-pro/video-edit-fast"


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "error", "requestId"}
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    assert body["requestId"] == response.headers["X-Request-Id"]
    if field is not None:
        assert body["error"]["details"]["field"] == field
        assert body["error"]["message"].startswith(field)
    return body


def custom_pricing(tmp_path: Path, edit: Any) -> str:
    data = yaml.safe_load(DEFAULT_PRICING_FILE.read_text())
    edit(data["models"])
    path = tmp_path / "pricing.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


# ---- validation ------------------------------------------------------------------------------


def test_invalid_input_missing_prompt_names_the_field(lite_client, lite_tenant, submit_body) -> None:
    body = submit_body()
    del body["input"]["prompt"]
    assert_error(
        lite_client.post("/v1/jobs/submit", json=body, headers=lite_tenant.headers),
        400,
        "INVALID_INPUT",
        "input.prompt",
    )


def test_invalid_input_prompt_too_long(lite_client, lite_tenant, submit_body) -> None:
    r = lite_client.post("/v1/jobs/submit", json=submit_body(prompt="x" * 2501), headers=lite_tenant.headers)
    assert_error(r, 400, "INVALID_INPUT", "input.prompt")


def test_invalid_input_unknown_fields_are_all_named(lite_client, lite_tenant, submit_body) -> None:
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(videourl="x", aspect="1:1"), headers=lite_tenant.headers
    )
    body = assert_error(r, 400, "INVALID_INPUT")
    assert set(body["error"]["details"]["fields"]) == {"input.videourl", "input.aspect"}
    assert "input.videourl" in body["error"]["message"] and "input.aspect" in body["error"]["message"]


def test_invalid_input_too_many_images_and_bad_aspect(lite_client, lite_tenant, submit_body) -> None:
    images = [f"https://example.com/{i}.png" for i in range(11)]
    r = lite_client.post("/v1/jobs/submit", json=submit_body(images=images), headers=lite_tenant.headers)
    assert_error(r, 400, "INVALID_INPUT", "input.images")
    r = lite_client.post("/v1/jobs/submit", json=submit_body(aspect_ratio="2:1"), headers=lite_tenant.headers)
    assert_error(r, 400, "INVALID_INPUT", "input.aspect_ratio")
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(images=["file:///etc/passwd"]), headers=lite_tenant.headers
    )
    assert_error(r, 400, "INVALID_INPUT", "input.images[0]")


def test_invalid_json_and_missing_body(lite_client, lite_tenant) -> None:
    headers = {**lite_tenant.headers, "content-type": "application/json"}
    assert_error(
        lite_client.post("/v1/jobs/submit", content=b"{nope", headers=headers), 400, "INVALID_INPUT", "body"
    )
    assert_error(
        lite_client.post("/v1/jobs/submit", headers=lite_tenant.headers), 400, "INVALID_INPUT", "body"
    )


def test_invalid_query_parameter(lite_client, lite_tenant) -> None:
    assert_error(
        lite_client.get("/v1/jobs?limit=1000", headers=lite_tenant.headers), 400, "INVALID_INPUT", "limit"
    )
    assert_error(
        lite_client.get("/v1/jobs?cursor=zzz", headers=lite_tenant.headers), 400, "INVALID_INPUT", "cursor"
    )
    assert_error(
        lite_client.get("/v1/jobs?status=done", headers=lite_tenant.headers), 400, "INVALID_INPUT", "status"
    )


def test_invalid_idempotency_key(lite_client, lite_tenant, submit_body) -> None:
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(), headers={**lite_tenant.headers, "Idempotency-Key": "x" * 300}
    )
    assert_error(r, 400, "INVALID_INPUT", "Idempotency-Key")


# ---- models ----------------------------------------------------------------------------------


def test_invalid_model_slug(lite_client, lite_tenant, submit_body) -> None:
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(model="Not A Slug!"), headers=lite_tenant.headers
    )
    assert_error(r, 400, "INVALID_MODEL_SLUG", "model")


def test_model_not_found(lite_client, lite_tenant, submit_body) -> None:
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(model="acme/nothing/here"), headers=lite_tenant.headers
    )
    assert_error(r, 404, "MODEL_NOT_FOUND", "model")
    assert_error(
        lite_client.get("/v1/models/acme/nothing", headers=lite_tenant.headers), 404, "MODEL_NOT_FOUND"
    )


def test_model_version_not_found(lite_client, lite_tenant, submit_body) -> None:
    body = {**submit_body(), "version": "9.9"}
    assert_error(
        lite_client.post("/v1/jobs/submit", json=body, headers=lite_tenant.headers),
        404,
        "MODEL_VERSION_NOT_FOUND",
        "version",
    )


@pytest.fixture
def restricted_client(tmp_path, sqlite_url, make_settings, make_tenant):
    def edit(models: list[dict[str, Any]]) -> None:
        models[0]["versions"].append({"versionId": "0.9", "status": "disabled"})
        models[1]["accounts"] = ["vip"]

    settings = make_settings(sqlite_url, pricing_file=custom_pricing(tmp_path, edit))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield (
            client,
            make_tenant(client.app.state.sessionmaker),
            make_tenant(client.app.state.sessionmaker, "vip"),
        )


def test_model_version_not_active(restricted_client, submit_body) -> None:
    client, tenant, _ = restricted_client
    body = {**submit_body(), "version": "0.9"}
    assert_error(
        client.post("/v1/jobs/submit", json=body, headers=tenant.headers),
        400,
        "MODEL_VERSION_NOT_ACTIVE",
        "version",
    )


def test_model_access_denied(restricted_client, submit_body) -> None:
    client, tenant, vip = restricted_client
    body = submit_body(model="kling-plus/kling-o1-standard/video-edit")
    assert_error(
        client.post("/v1/jobs/submit", json=body, headers=tenant.headers), 403, "MODEL_ACCESS_DENIED"
    )
    assert client.post("/v1/jobs/submit", json=body, headers=vip.headers).status_code == 200


# ---- money and limits ------------------------------------------------------------------------


def test_insufficient_balance(lite_client, make_tenant, submit_body) -> None:
    poor = make_tenant(lite_client.app.state.sessionmaker, balance=29_999)
    assert_error(
        lite_client.post("/v1/jobs/submit", json=submit_body(), headers=poor.headers),
        402,
        "INSUFFICIENT_BALANCE",
    )
    assert lite_client.get("/v1/account", headers=poor.headers).json()["balanceMicroCents"] == 29_999


def test_concurrent_jobs_exceeded(lite_client, make_tenant, submit_body) -> None:
    tenant = make_tenant(lite_client.app.state.sessionmaker, concurrent_job_limit=2)
    for _ in range(2):
        assert (
            lite_client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).status_code == 200
        )
    assert_error(
        lite_client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers),
        429,
        "CONCURRENT_JOBS_EXCEEDED",
    )


def test_invalid_webhook_url(lite_client, lite_tenant, submit_body) -> None:
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://localhost/hook", "not a url"):
        body = {**submit_body(), "webhookUrl": url}
        assert_error(
            lite_client.post("/v1/jobs/submit", json=body, headers=lite_tenant.headers),
            400,
            "INVALID_WEBHOOK_URL",
            "webhookUrl",
        )
    ok = {**submit_body(), "webhookUrl": "https://example.com/hook"}
    assert lite_client.post("/v1/jobs/submit", json=ok, headers=lite_tenant.headers).status_code == 200


def test_private_webhook_allowed_with_dev_setting(
    sqlite_url, make_settings, make_tenant, submit_body
) -> None:
    with TestClient(create_app(make_settings(sqlite_url, allow_private_urls=True))) as client:
        tenant = make_tenant(client.app.state.sessionmaker)
        body = {**submit_body(), "webhookUrl": "http://127.0.0.1:9/hook"}
        assert client.post("/v1/jobs/submit", json=body, headers=tenant.headers).status_code == 200


def test_idempotency_key_reused(lite_client, lite_tenant, submit_body) -> None:
    headers = {**lite_tenant.headers, "Idempotency-Key": "k-1"}
    assert lite_client.post("/v1/jobs/submit", json=submit_body(), headers=headers).status_code == 200
    r = lite_client.post(
        "/v1/jobs/submit", json=submit_body(prompt="make it black and white"), headers=headers
    )
    assert_error(r, 409, "IDEMPOTENCY_KEY_REUSED")


def test_payload_too_large_by_content_length(lite_client, lite_tenant) -> None:
    big = b'{"x":"' + b"a" * 2_000_000 + b'"}'
    r = lite_client.post(
        "/v1/jobs/submit", content=big, headers={**lite_tenant.headers, "content-type": "application/json"}
    )
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


def test_payload_too_large_when_streamed_without_length(lite_client, lite_tenant) -> None:
    def chunks():
        for _ in range(40):
            yield b"a" * 64_000

    r = lite_client.post(
        "/v1/jobs/submit",
        content=chunks(),
        headers={**lite_tenant.headers, "content-type": "application/json"},
    )
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


def test_pubsub_publish_failed_rolls_back_job_and_hold(
    lite_client, lite_tenant, submit_body, monkeypatch
) -> None:
    from editbay.store import notify

    def broken(session: Any) -> None:
        raise ConnectionError("notify channel down")

    monkeypatch.setattr(notify, "job_wakeup", broken)  # what the submit path calls
    assert_error(
        lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers),
        503,
        "PUBSUB_PUBLISH_FAILED",
    )
    account = lite_client.get("/v1/account", headers=lite_tenant.headers).json()
    assert account["balanceMicroCents"] == 1_000_000 and account["heldMicroCents"] == 0
    assert lite_client.get("/v1/jobs", headers=lite_tenant.headers).json()["jobs"] == []


# ---- auth ------------------------------------------------------------------------------------


def test_unauthorized_without_key(lite_client) -> None:
    assert_error(lite_client.get("/v1/jobs"), 401, "UNAUTHORIZED")


def test_invalid_api_key(lite_client, lite_tenant) -> None:
    assert_error(
        lite_client.get("/v1/jobs", headers={"Authorization": "Bearer nope"}), 401, "INVALID_API_KEY"
    )
    forged = lite_tenant.key[:-4] + "AAAA"
    assert_error(
        lite_client.get("/v1/jobs", headers={"Authorization": f"Bearer {forged}"}), 401, "INVALID_API_KEY"
    )
    assert_error(
        lite_client.get("/v1/jobs", headers={"Authorization": f"Basic {lite_tenant.key}"}),
        401,
        "INVALID_API_KEY",
    )


def test_api_key_inactive(lite_client, lite_tenant) -> None:
    with transaction(lite_client.app.state.sessionmaker) as session:
        session.get(ApiKey, lite_tenant.key_id).active = False
    assert_error(lite_client.get("/v1/jobs", headers=lite_tenant.headers), 401, "API_KEY_INACTIVE")


def test_api_key_expired(lite_client, make_tenant) -> None:
    from datetime import timedelta

    from editbay.jobs.clock import now

    tenant = make_tenant(lite_client.app.state.sessionmaker, expires_at=now() - timedelta(seconds=1))
    assert_error(lite_client.get("/v1/jobs", headers=tenant.headers), 401, "API_KEY_EXPIRED")


def test_ip_not_whitelisted(lite_client, make_tenant) -> None:
    tenant = make_tenant(lite_client.app.state.sessionmaker, ip_allowlist=["10.0.0.0/8"])
    assert_error(lite_client.get("/v1/jobs", headers=tenant.headers), 403, "IP_NOT_WHITELISTED")


def test_operation_not_allowed(lite_client, make_tenant, submit_body) -> None:
    tenant = make_tenant(lite_client.app.state.sessionmaker, scopes=["check_status"])
    assert_error(
        lite_client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers),
        403,
        "OPERATION_NOT_ALLOWED",
    )


def test_unauthorized_access_for_disabled_account(lite_client, lite_tenant) -> None:
    with transaction(lite_client.app.state.sessionmaker) as session:
        session.get(Account, lite_tenant.account_id).active = False
    assert_error(lite_client.get("/v1/jobs", headers=lite_tenant.headers), 403, "UNAUTHORIZED_ACCESS")


def test_job_not_found(lite_client, lite_tenant) -> None:
    assert_error(
        lite_client.get("/v1/jobs/job_doesnotexist", headers=lite_tenant.headers), 404, "JOB_NOT_FOUND"
    )


def test_rate_limited_has_retry_after(sqlite_url, make_settings, make_tenant) -> None:
    with TestClient(create_app(make_settings(sqlite_url, rate_limit_per_minute=3))) as client:
        tenant = make_tenant(client.app.state.sessionmaker)
        for remaining in (2, 1, 0):
            r = client.get("/v1/jobs", headers=tenant.headers)
            assert r.status_code == 200
            assert r.headers["X-RateLimit-Limit"] == "3"
            assert r.headers["X-RateLimit-Remaining"] == str(remaining)
        r = client.get("/v1/jobs", headers=tenant.headers)
        assert_error(r, 429, "RATE_LIMITED")
        assert int(r.headers["Retry-After"]) >= 1
        assert r.headers["X-RateLimit-Remaining"] == "0" and "X-RateLimit-Reset" in r.headers


# ---- routing and server errors -------------------------------------------------------------


def test_unknown_route_and_wrong_method(lite_client, lite_tenant) -> None:
    assert_error(lite_client.get("/v1/nothing"), 404, "NOT_FOUND")
    r = lite_client.delete("/v1/jobs/submit", headers=lite_tenant.headers)
    assert_error(r, 405, "METHOD_NOT_ALLOWED")


def test_internal_error_is_enveloped(lite_client, lite_tenant, monkeypatch) -> None:
    from editbay.store import queries

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(queries, "list_account_jobs", boom)
    body = assert_error(lite_client.get("/v1/jobs", headers=lite_tenant.headers), 500, "INTERNAL_ERROR")
    assert "exploded" not in body["error"]["message"]  # internals do not leak


def test_readyz_unavailable_when_storage_is_not_writable(lite_client, monkeypatch) -> None:
    def broken() -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(lite_client.app.state.storage, "check_writable", broken)
    body = assert_error(lite_client.get("/readyz"), 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["checks"]["storage"].startswith("failed")


def test_405_allow_header_lists_every_method_on_the_path(lite_client) -> None:
    r = lite_client.request("OPTIONS", "/v1/jobs/estimate")
    assert r.status_code == 405 and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert r.headers["Allow"] == "POST"  # the literal route wins over GET /v1/jobs/{jobId}
    r = lite_client.delete("/v1/jobs/job_x")
    assert r.headers["Allow"] == "GET"
