"""`api.hot`: GET /v1/jobs/{id} and POST /v1/jobs/submit served without FastAPI's per-request
machinery must answer exactly as the FastAPI routes do — same status, headers and body — for
good requests and for every error the two endpoints can produce."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from editbay.jobs import accounts
from editbay.store.db import transaction

DYNAMIC_HEADERS = {"x-ratelimit-remaining", "x-ratelimit-reset", "content-length"}
DYNAMIC_FIELDS = {"jobId", "estimatedCompletionTime", "createdAt"}


def exchange(client: TestClient, hot: bool, method: str, path: str, **kwargs: Any) -> Any:
    client.app.state.hot_routes.enabled = hot
    try:
        return client.request(method, path, **kwargs)
    finally:
        client.app.state.hot_routes.enabled = True


def normalised(response: Any) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in response.headers.items() if k not in DYNAMIC_HEADERS}
    try:
        body = response.json()
    except ValueError:
        return response.status_code, headers, response.text
    if isinstance(body, dict):
        body = {k: ("<dynamic>" if k in DYNAMIC_FIELDS else v) for k, v in body.items()}
    return response.status_code, headers, body


def assert_same(client: TestClient, method: str, path: str, **kwargs: Any) -> Any:
    """Send the request through both paths (with a fixed X-Request-Id) and compare."""
    headers = {"X-Request-Id": "req-compare-1", **kwargs.pop("headers", {})}
    fastapi = exchange(client, False, method, path, headers=headers, **kwargs)
    hot = exchange(client, True, method, path, headers=headers, **kwargs)
    assert normalised(hot) == normalised(fastapi), (hot.text, fastapi.text)
    assert [k for k in hot.headers] == [k for k in fastapi.headers]  # same headers, same order
    return hot


@pytest.fixture
def job_id(client: TestClient, tenant: Any, submit_body: Callable[..., dict[str, Any]]) -> str:
    return str(client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"])


def test_get_answers_alike(client: TestClient, tenant: Any, make_tenant: Any, job_id: str) -> None:
    other = make_tenant(client.app.state.sessionmaker)
    with transaction(client.app.state.sessionmaker) as session:
        _, status_only = accounts.create_key(session, tenant.account_id, scopes=["list_models"])
    cases = [
        (f"/v1/jobs/{job_id}", tenant.headers),
        (f"/v1/jobs/{job_id}", other.headers),  # another tenant's job: 404
        ("/v1/jobs/job_doesnotexist", tenant.headers),
        ("/v1/jobs/estimate", tenant.headers),  # a GET on a POST-only literal path
        ("/v1/jobs/submit", tenant.headers),
        (f"/v1/jobs/{job_id}", {}),  # no key: 401
        (f"/v1/jobs/{job_id}", {"Authorization": "Bearer eb_nope"}),
        (f"/v1/jobs/{job_id}", {"Authorization": "Basic xyz"}),
        (f"/v1/jobs/{job_id}", {"x-api-key": tenant.key}),
        (f"/v1/jobs/{job_id}", {"Authorization": f"Bearer {status_only}"}),  # missing scope: 403
    ]
    statuses = [assert_same(client, "GET", path, headers=headers).status_code for path, headers in cases]
    assert statuses == [200, 404, 404, 404, 404, 401, 401, 401, 200, 403]


def test_submit_answers_alike(client: TestClient, tenant: Any, make_tenant: Any, submit_body: Any) -> None:
    poor = make_tenant(client.app.state.sessionmaker, balance=10)
    good = json.dumps(submit_body()).encode()
    json_type = {"Content-Type": "application/json"}
    cases: list[tuple[dict[str, str], bytes]] = [
        ({**tenant.headers, **json_type}, good),
        ({**tenant.headers, "Content-Type": "application/json; charset=utf-8"}, good),
        ({**tenant.headers}, good),  # no content type: parsed as JSON (the app is not strict)
        ({**tenant.headers, "Content-Type": "text/plain"}, good),
        ({**tenant.headers, **json_type}, b"{not json"),
        ({**tenant.headers, **json_type}, b""),
        ({**tenant.headers, **json_type}, b"[1, 2]"),
        ({**tenant.headers, **json_type}, json.dumps(submit_body(video_url="ftp://x")).encode()),
        ({**tenant.headers, **json_type}, json.dumps({**submit_body(), "extra": 1}).encode()),
        ({**tenant.headers, **json_type}, json.dumps(submit_body(model="no/such-model")).encode()),
        ({**tenant.headers, **json_type}, json.dumps(submit_body(model="Bad Slug")).encode()),
        ({**tenant.headers, **json_type, "Idempotency-Key": " "}, good),
        ({**tenant.headers, **json_type, "Idempotency-Key": "k" * 300}, good),
        ({**poor.headers, **json_type}, good),  # 402
        ({**json_type}, good),  # 401
        ({**json_type}, b"{not json"),  # FastAPI parses the body before it authenticates
        ({"Authorization": "Bearer eb_nope", **json_type}, json.dumps({"model": 1}).encode()),
        ({**tenant.headers, **json_type}, json.dumps({**submit_body(), "webhookUrl": "http://x"}).encode()),
    ]
    statuses = [
        assert_same(client, "POST", "/v1/jobs/submit", headers=headers, content=body).status_code
        for headers, body in cases
    ]
    expected = [200, 200, 200, 400, 400, 400, 400, 400, 200, 404, 400, 400, 400, 402, 401, 400, 401, 400]
    assert statuses == expected


def test_submit_with_idempotency_key_and_prefer_answers_alike(
    client: TestClient, tenant: Any, submit_body: Any
) -> None:
    body = submit_body()
    headers = {**tenant.headers, "Idempotency-Key": "hot-1"}
    first = exchange(client, True, "POST", "/v1/jobs/submit", json=body, headers=headers)
    replay_fastapi = exchange(client, False, "POST", "/v1/jobs/submit", json=body, headers=headers)
    replay_hot = exchange(client, True, "POST", "/v1/jobs/submit", json=body, headers=headers)
    assert first.json()["jobId"] == replay_fastapi.json()["jobId"] == replay_hot.json()["jobId"]
    assert (
        replay_hot.headers["Idempotent-Replayed"] == replay_fastapi.headers["Idempotent-Replayed"] == "true"
    )
    waited = [
        exchange(
            client, hot, "POST", "/v1/jobs/submit", json=body, headers={**tenant.headers, "Prefer": "wait=1"}
        )
        for hot in (False, True)
    ]
    assert [r.headers["Preference-Applied"] for r in waited] == ["wait=1", "wait=1"]
    assert [sorted(r.json()) for r in waited][0] == sorted(waited[1].json())


def test_oversized_submit_is_413_on_both_paths(
    database_url: str, make_settings: Any, make_tenant: Any, submit_body: Any
) -> None:
    from editbay.api.main import create_app

    app = create_app(make_settings(database_url, max_body_bytes=200))
    with TestClient(app, raise_server_exceptions=False) as client:
        tenant = make_tenant(app.state.sessionmaker)
        big = json.dumps(submit_body(prompt="x" * 500)).encode()
        for headers in ({"Content-Type": "application/json"}, {"Transfer-Encoding": "chunked"}):
            response = assert_same(
                client, "POST", "/v1/jobs/submit", headers={**tenant.headers, **headers}, content=big
            )
            assert response.status_code == 413 and response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_the_hot_paths_are_the_routes_fastapi_would_pick(client: TestClient, tenant: Any) -> None:
    """No other route may answer these paths first (else the hot path would shadow it): FastAPI
    itself routes them to the same endpoints (seen in the metrics' route label)."""
    hot = client.app.state.hot_routes
    for method, path, template in (
        ("GET", "/v1/jobs/job_123", "/v1/jobs/{jobId}"),
        ("GET", "/v1/jobs/estimate", "/v1/jobs/{jobId}"),
        ("POST", "/v1/jobs/submit", "/v1/jobs/submit"),
    ):
        assert hot.match({"type": "http", "method": method, "path": path, "root_path": ""}) is not None
        response = exchange(client, False, method, path, headers=tenant.headers, content=b"{}")
        metrics = client.get("/metrics").text
        assert f'method="{method}",route="{template}",status="{response.status_code}"' in metrics, path
    for method, path in (
        ("HEAD", "/v1/jobs/x"),
        ("GET", "/v1/jobs/x/events"),
        ("GET", "/v1/jobs"),
        ("GET", "/v1/jobs/"),
        ("PUT", "/v1/jobs/submit"),
    ):
        assert hot.match({"type": "http", "method": method, "path": path, "root_path": ""}) is None
    assert hot.match({"type": "http", "method": "GET", "path": "/v1/jobs/x", "root_path": "/api"}) is None


def test_hot_requests_are_counted_under_their_route(client: TestClient, tenant: Any, job_id: str) -> None:
    client.get(f"/v1/jobs/{job_id}", headers=tenant.headers)
    metrics = client.get("/metrics").text
    assert 'route="/v1/jobs/{jobId}",status="200"' in metrics
    assert 'route="/v1/jobs/submit",status="200"' in metrics
    counters = dict(
        line.split(" ", 1) for line in metrics.splitlines() if line.startswith("editbay_submit_group")
    )
    assert float(counters["editbay_submit_groups_total"]) >= 1  # the fixture's submit, grouped
    assert float(counters["editbay_submit_group_requests_total"]) >= float(
        counters["editbay_submit_groups_total"]
    )


def test_hot_requests_enter_below_fastapis_stack(
    client: TestClient, tenant: Any, submit_body: Callable[..., dict[str, Any]]
) -> None:
    """Once started, the hot endpoints go straight to the request middleware (`EditbayAPI.front`);
    everything else still takes FastAPI's whole stack."""
    app: Any = client.app
    assert app.front is not None
    job = client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
    whole_stack = app.middleware_stack

    async def refuse(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError(f"FastAPI's stack entered for {scope['path']}")

    app.middleware_stack = refuse
    try:
        got = client.get(f"/v1/jobs/{job}", headers=tenant.headers)
        assert got.status_code == 200 and got.json()["jobId"] == job
        assert got.headers["x-request-id"] and got.headers["x-ratelimit-limit"]
        assert client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).status_code == 200
        assert client.get(f"/v1/jobs/{job}/missing", headers=tenant.headers).status_code == 500
    finally:
        app.middleware_stack = whole_stack
    assert client.get(f"/v1/jobs/{job}/missing", headers=tenant.headers).status_code == 404


def test_the_shortcut_closes_at_shutdown(lite_app: Any) -> None:
    with TestClient(lite_app):
        assert lite_app.front is not None
    assert lite_app.front is None


@pytest.mark.parametrize("why", ["telemetry", "root_path"])
def test_the_shortcut_stays_closed_when_fastapis_layers_matter(
    lite_app: Any, tenant: Any, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    """With FastAPI's native telemetry on (its middleware records every request) or a root path,
    every request takes FastAPI's stack."""
    if why == "telemetry":
        monkeypatch.setattr(lite_app._native_telemetry, "enabled", lambda: True)
    else:
        lite_app.root_path = "/edit"
    with TestClient(lite_app, raise_server_exceptions=False):
        assert lite_app.front is None
