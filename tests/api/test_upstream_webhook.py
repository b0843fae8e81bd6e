"""`POST /v1/upstream/webhook/{jobId}/{token}`: the upstream's webhook is accepted only with the
job's URL token and the upstream's valid, fresh signature; it counts a notification on a job that
has not ended (woken), is harmless on an ended one, and 404s for an unknown job. Signatures are
made with the same function the upstream editbay signs with."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from editbay.api.main import create_app
from editbay.jobs import lifecycle
from editbay.providers.upstream_webhook import callback_token, callback_url
from editbay.store.db import transaction
from editbay.store.models import Job
from editbay.webhooks.signing import signature

SECRET = "whsec_upstream_test"
PUBLIC = "https://editbay.example"


@pytest.fixture
def client(database_url: str, make_settings: Callable[..., Any]) -> Iterator[TestClient]:
    settings = make_settings(database_url, public_base_url=PUBLIC, upstream_webhook_secret=SECRET)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def running_job(client: TestClient, make_tenant: Callable[..., Any], submit_body: Callable[..., Any]) -> str:
    """A processing job (submitted, then claimed as a worker would)."""
    tenant = make_tenant(client.app.state.sessionmaker)
    job_id = str(client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"])
    with transaction(client.app.state.sessionmaker) as session:
        claimed = lifecycle.claim_next(session, "worker-1", 30)
        assert claimed is not None and claimed.id == job_id
    return job_id


def body_for(job_id: str) -> bytes:
    """What an upstream sends (its own job id; ours is in the URL)."""
    event = {"jobId": f"job_up_{job_id[-6:]}", "requestId": "req_1", "status": "completed"}
    return json.dumps(event).encode()


def signed(body: bytes, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    return {
        "X-PixelByte-Timestamp": stamp,
        "X-PixelByte-Signature": signature(secret, stamp, body),
        "Content-Type": "application/json",
    }


def path(client: TestClient, job_id: str, token: str | None = None) -> str:
    return f"/v1/upstream/webhook/{job_id}/{token or callback_token(client.app.state.settings, job_id)}"


def notifications(client: TestClient, job_id: str) -> int:
    with transaction(client.app.state.sessionmaker) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return int(job.upstream_notifications)


def test_a_signed_webhook_wakes_the_running_job_and_needs_no_api_key(client, running_job):
    body = body_for(running_job)
    response = client.post(path(client, running_job), content=body, headers=signed(body))
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "jobId": running_job, "woken": True}
    assert notifications(client, running_job) == 1
    again = client.post(path(client, running_job), content=body, headers=signed(body))  # a retry
    assert again.status_code == 200 and notifications(client, running_job) == 2


def _unsigned(_body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json"}


def _wrong_secret(body: bytes) -> dict[str, str]:
    return signed(body, secret="whsec_someone_else")


def _tampered(body: bytes) -> dict[str, str]:
    return signed(body.replace(b"completed", b"failed"))  # signed another body


def _expired(body: bytes) -> dict[str, str]:
    return signed(body, at=time.time() - 310)


def _from_the_future(body: bytes) -> dict[str, str]:
    return signed(body, at=time.time() + 310)


def _not_a_timestamp(body: bytes) -> dict[str, str]:
    return {**signed(body), "X-PixelByte-Timestamp": "yesterday"}


def _signature_only(body: bytes) -> dict[str, str]:
    headers = signed(body)
    del headers["X-PixelByte-Timestamp"]
    return headers


@pytest.mark.parametrize(
    "forge",
    [_unsigned, _wrong_secret, _tampered, _expired, _from_the_future, _not_a_timestamp, _signature_only],
)
def test_an_unproven_webhook_is_refused_401_and_changes_nothing(client, running_job, forge):
    body = body_for(running_job)
    response = client.post(path(client, running_job), content=body, headers=forge(body))
    assert response.status_code == 401, response.text
    envelope = response.json()
    assert envelope["success"] is False and envelope["requestId"].startswith("req_")
    assert envelope["error"]["code"] == "INVALID_WEBHOOK_SIGNATURE"
    assert notifications(client, running_job) == 0
    with transaction(client.app.state.sessionmaker) as session:
        assert session.get(Job, running_job).status == "processing"


def test_a_wrong_token_is_refused_even_when_signed(client, running_job):
    body = body_for(running_job)
    for token in ("0" * 32, callback_token(client.app.state.settings, "job_other"), "short"):
        response = client.post(path(client, running_job, token), content=body, headers=signed(body))
        assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_WEBHOOK_SIGNATURE"
    assert notifications(client, running_job) == 0


def test_late_webhooks_are_harmless_and_unknown_jobs_are_404(client, running_job):
    with transaction(client.app.state.sessionmaker) as session:
        lifecycle.fail(session, running_job, "worker-1", "UPSTREAM_FAILED", "gone")
    body = body_for(running_job)
    late = client.post(path(client, running_job), content=body, headers=signed(body))
    assert late.status_code == 200 and late.json()["woken"] is False
    assert notifications(client, running_job) == 0
    unknown = client.post(path(client, "job_nope"), content=body, headers=signed(body))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "JOB_NOT_FOUND"


def test_without_the_webhook_secret_every_call_is_refused(database_url, make_settings):
    settings = make_settings(database_url, public_base_url=PUBLIC)  # no upstream webhook secret
    assert callback_url(settings, "job_1") is None  # so no webhook is asked for either
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        body = body_for("job_1")
        response = client.post(path(client, "job_1"), content=body, headers=signed(body))
        assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_WEBHOOK_SIGNATURE"


def test_the_callback_url_needs_a_public_base_url_a_secret_and_the_switch(make_settings):
    on = make_settings(public_base_url=PUBLIC + "/", upstream_webhook_secret=SECRET)
    url = callback_url(on, "job_1")
    assert url == f"{PUBLIC}/v1/upstream/webhook/job_1/{callback_token(on, 'job_1')}"
    token = callback_token(on, "job_1")
    assert token != callback_token(on, "job_2") and len(token) == 32
    assert callback_url(make_settings(upstream_webhook_secret=SECRET), "job_1") is None  # no public URL
    off = make_settings(public_base_url=PUBLIC, upstream_webhook_secret=SECRET, upstream_webhook=False)
    assert callback_url(off, "job_1") is None


def test_the_endpoint_is_documented_without_key_security(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/upstream/webhook/{jobId}/{token}"]["post"]
    assert "security" not in operation or operation["security"] == []
    assert "401" in operation["responses"] and "404" in operation["responses"]
