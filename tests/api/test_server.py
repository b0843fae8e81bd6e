"""Against a real `editbay serve` subprocess on a free loopback port (SQLite and PostgreSQL):
the dev-account bootstrap, submit/get over real HTTP, and concurrent submits that never overdraw."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from editbay.jobs import billing
from editbay.store import queries
from editbay.store.db import make_engine, make_sessionmaker, transaction

pytestmark = pytest.mark.slow  # each test starts a server process

KLING = "kling-plus/kling-o1-pro/video-edit-fast"
BODY = {
    "model": KLING,
    "input": {"prompt": "make it black and white", "video_url": "https://example.com/v.mp4"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, base_url: str, key: str, database_url: str, process: subprocess.Popen) -> None:
        self.base_url, self.key, self.database_url, self.process = base_url, key, database_url, process


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    env = {
        **os.environ,
        "EDITBAY_DATA_DIR": str(tmp_path / "data"),
        "EDITBAY_DATABASE_URL": database_url,
        "EDITBAY_WORKERS": "0",
        "EDITBAY_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "EDITBAY_DEFAULT_BALANCE_MICROCENTS": str(10 * 30_000 + 5_000),
        "EDITBAY_DEFAULT_CONCURRENT_JOBS": "100",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "editbay"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if line.startswith("editbay listening"):
                break
        key = next((ln for ln in lines if ln.startswith("eb_")), None)
        assert key, "\n".join(lines)
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield Server(base, key, database_url, process)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_served_submit_get_and_concurrent_submits_never_overdraw(server: Server) -> None:
    headers = {"Authorization": f"Bearer {server.key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        first = client.post("/v1/jobs/submit", json=BODY)
        assert first.status_code == 200, first.text
        assert client.get(f"/v1/jobs/{first.json()['jobId']}").json()["status"] == "pending"

        def submit(_: int) -> int:
            return client.post("/v1/jobs/submit", json=BODY).status_code

        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(submit, range(24)))
        assert codes.count(200) == 9 and codes.count(402) == 15, codes
        account = client.get("/v1/account").json()
        assert account["balanceMicroCents"] == 5_000 and account["heldMicroCents"] == 300_000
    engine = make_engine(server.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            assert queries.ledger_sums(session, account["accountId"]) == (5_000, 300_000)
    finally:
        engine.dispose()


def test_served_idempotent_retries_under_concurrency(server: Server) -> None:
    headers = {"Authorization": f"Bearer {server.key}", "Idempotency-Key": "net-retry"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda _: client.post("/v1/jobs/submit", json=BODY), range(8)))
        assert {r.status_code for r in responses} == {200}
        assert len({r.json()["jobId"] for r in responses}) == 1
        assert len(client.get("/v1/jobs").json()["jobs"]) == 1


def test_served_errors_carry_the_envelope_and_request_id(server: Server) -> None:
    r = httpx.post(f"{server.base_url}/v1/jobs/submit", json=BODY, headers={"X-Request-Id": "abc-123"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "UNAUTHORIZED" and r.json()["requestId"] == "abc-123"
    engine = make_engine(server.database_url)
    try:  # the bootstrap account is real: top it up through the ledger and see the balance move
        with transaction(make_sessionmaker(engine)) as session:
            account = queries.get_account_by_name(session, "dev")
            billing.topup(session, account.id, 1)
    finally:
        engine.dispose()
    balance = httpx.get(f"{server.base_url}/v1/account", headers={"x-api-key": server.key}).json()[
        "balanceMicroCents"
    ]
    assert balance == 10 * 30_000 + 5_001
