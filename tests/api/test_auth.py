"""Authentication and authorisation: the scope matrix, IP allow-lists, expiry, key formats,
key caching, and tenant isolation."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from editbay.api.main import create_app
from editbay.jobs import accounts
from editbay.jobs.clock import now
from editbay.store import queries
from editbay.store.db import transaction
from editbay.store.models import ApiKey

KLING = "kling-plus/kling-o1-pro/video-edit-fast"

# endpoint → the scope it needs (None: any valid key)
ENDPOINTS: list[tuple[str, str, str | None]] = [
    ("POST", "/v1/jobs/submit", "submit_job"),
    ("GET", "/v1/jobs", "check_status"),
    ("GET", "/v1/jobs/{job}", "check_status"),
    ("POST", "/v1/jobs/estimate", "check_status"),
    ("GET", "/v1/models", "list_models"),
    ("GET", f"/v1/models/{KLING}", "list_models"),
    ("GET", "/v1/account", None),
]
SCOPE_SETS = [
    [],
    ["submit_job"],
    ["check_status"],
    ["list_models"],
    ["admin"],
    ["submit_job", "check_status"],
]


def call(
    client: TestClient, method: str, path: str, headers: dict[str, str], job_id: str, body: dict[str, Any]
) -> Any:
    path = path.replace("{job}", job_id)
    if method == "POST":
        payload = body if path.endswith("submit") else {"model": KLING}
        return client.post(path, json=payload, headers=headers)
    return client.get(path, headers=headers)


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids=lambda s: ",".join(s) or "empty")
def test_scope_matrix(lite_client: TestClient, make_tenant, submit_body, scopes: list[str]) -> None:
    owner = make_tenant(lite_client.app.state.sessionmaker)
    job_id = lite_client.post("/v1/jobs/submit", json=submit_body(), headers=owner.headers).json()["jobId"]
    tenant = make_tenant(lite_client.app.state.sessionmaker, name=owner.name, scopes=scopes)
    granted = set(scopes) if scopes else {"submit_job", "check_status", "list_models"}
    for method, path, needed in ENDPOINTS:
        r = call(lite_client, method, path, tenant.headers, job_id, submit_body())
        if needed is None or needed in granted:
            assert r.status_code == 200, (scopes, path, r.text)
        else:
            assert r.status_code == 403, (scopes, path, r.text)
            assert r.json()["error"]["code"] == "OPERATION_NOT_ALLOWED"


def test_empty_scopes_never_imply_admin() -> None:
    assert "admin" not in accounts.granted_scopes([])
    assert accounts.granted_scopes(["admin"]) == {"admin"}


@pytest.mark.parametrize(
    ("allowlist", "client_ip", "allowed"),
    [
        (["10.1.2.3"], "10.1.2.3", True),
        (["10.1.2.3"], "10.1.2.4", False),
        (["10.0.0.0/8"], "10.200.0.1", True),
        (["10.0.0.0/8", "192.168.1.0/24"], "192.168.1.77", True),
        (["192.168.1.0/24"], "192.168.2.1", False),
        (["2001:db8::/32"], "2001:db8::1", True),
        (["127.0.0.1"], "::ffff:127.0.0.1", True),
        ([], "203.0.113.9", True),
    ],
)
def test_ip_allowlist(sqlite_url, make_settings, make_tenant, allowlist, client_ip, allowed) -> None:
    app = create_app(make_settings(sqlite_url))
    with TestClient(app, client=(client_ip, 4242), raise_server_exceptions=False) as client:
        tenant = make_tenant(app.state.sessionmaker, ip_allowlist=allowlist)
        r = client.get("/v1/jobs", headers=tenant.headers)
        assert r.status_code == (200 if allowed else 403), r.text
        if not allowed:
            assert r.json()["error"]["code"] == "IP_NOT_WHITELISTED"


def test_key_that_expires_later_works_until_then(lite_client, make_tenant) -> None:
    tenant = make_tenant(lite_client.app.state.sessionmaker, expires_at=now() + timedelta(hours=1))
    assert lite_client.get("/v1/jobs", headers=tenant.headers).status_code == 200
    with transaction(lite_client.app.state.sessionmaker) as session:
        session.get(ApiKey, tenant.key_id).expires_at = now() - timedelta(seconds=1)
    assert lite_client.get("/v1/jobs", headers=tenant.headers).json()["error"]["code"] == "API_KEY_EXPIRED"


def test_only_a_hash_is_stored(lite_client, lite_tenant) -> None:
    with lite_client.app.state.read_sessionmaker() as session:
        row = session.get(ApiKey, lite_tenant.key_id)
        assert lite_tenant.key not in (row.key_hash, row.prefix)
        assert row.key_hash == accounts.hash_key(lite_tenant.key)
        assert lite_tenant.key.startswith(row.prefix) and len(row.prefix) < len(lite_tenant.key) // 2


def test_account_can_hold_several_active_keys(lite_client, make_tenant) -> None:
    first = make_tenant(lite_client.app.state.sessionmaker, name="rotating")
    second = make_tenant(lite_client.app.state.sessionmaker, name="rotating")
    assert first.account_id == second.account_id and first.key != second.key
    for tenant in (first, second):
        assert lite_client.get("/v1/account", headers=tenant.headers).json()["accountId"] == first.account_id


def test_revocation_is_seen_after_the_auth_cache_expires(sqlite_url, make_settings, make_tenant) -> None:
    app = create_app(make_settings(sqlite_url, auth_cache_seconds=60))
    with TestClient(app) as client:
        tenant = make_tenant(app.state.sessionmaker)
        assert client.get("/v1/jobs", headers=tenant.headers).status_code == 200
        with transaction(app.state.sessionmaker) as session:
            queries.deactivate_key(session, tenant.key_id)
        assert client.get("/v1/jobs", headers=tenant.headers).status_code == 200  # cached
        app.state.authenticator.invalidate()  # what the TTL does
        assert client.get("/v1/jobs", headers=tenant.headers).json()["error"]["code"] == "API_KEY_INACTIVE"


def test_other_tenants_job_is_answered_like_a_missing_one(
    client: TestClient, tenant, make_tenant, submit_body
) -> None:
    intruder = make_tenant(client.app.state.sessionmaker)
    job_id = client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers).json()["jobId"]
    theirs = client.get(f"/v1/jobs/{job_id}", headers=intruder.headers)
    missing = client.get("/v1/jobs/job_00000000000000000000000000000000", headers=intruder.headers)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "JOB_NOT_FOUND"
    assert client.get("/v1/jobs", headers=intruder.headers).json()["jobs"] == []
    assert client.get("/v1/account/ledger", headers=intruder.headers).json()["entries"][0]["jobId"] is None
    assert client.get(f"/v1/jobs/{job_id}", headers=tenant.headers).status_code == 200


class _CountingAuthenticator:
    """An `Authenticator` whose database read is counted and controllable (no database)."""

    @staticmethod
    def make(ttl: float) -> Any:
        import threading

        from editbay.api.auth import Authenticator

        class Counting(Authenticator):
            def __init__(self) -> None:
                super().__init__(None, None, ttl)  # type: ignore[arg-type]
                self.reads = 0
                self.release = threading.Event()
                self.release.set()
                self.answer: Any = "record-1"

            def load(self, prefix: str) -> Any:
                self.release.wait(5)
                self.reads += 1
                generation = self._generation
                record = self.answer
                with self._lock:
                    if generation == self._generation:
                        self._cache[prefix] = (time.monotonic() + self._ttl, record)
                return record

        return Counting()


def test_requests_missing_the_key_cache_share_one_lookup() -> None:
    auth = _CountingAuthenticator.make(ttl=60)
    auth.release.clear()

    async def main() -> list[Any]:
        waiting = [asyncio.ensure_future(auth.record("eb_abc")) for _ in range(20)]
        await asyncio.sleep(0.05)
        auth.release.set()
        return await asyncio.gather(*waiting)

    assert asyncio.run(main()) == ["record-1"] * 20
    assert auth.reads == 1


def test_a_key_about_to_expire_is_read_again_in_the_background_while_served() -> None:
    auth = _CountingAuthenticator.make(ttl=1.0)

    async def main() -> tuple[Any, Any, Any]:
        first = await auth.record("eb_abc")
        auth.answer = "record-2"
        auth._cache["eb_abc"] = (time.monotonic() + 0.1, first)  # in the last fifth of its life
        served = await auth.record("eb_abc")  # still the cached row; a refresh starts
        await asyncio.sleep(0.1)
        return first, served, await auth.record("eb_abc")

    assert asyncio.run(main()) == ("record-1", "record-1", "record-2")
    assert auth.reads == 2


def test_an_expired_key_is_never_served_from_the_cache() -> None:
    auth = _CountingAuthenticator.make(ttl=1.0)

    async def main() -> Any:
        await auth.record("eb_abc")
        auth.answer = None  # revoked
        auth._cache["eb_abc"] = (time.monotonic() - 0.01, "record-1")
        return await auth.record("eb_abc")

    assert asyncio.run(main()) is None
