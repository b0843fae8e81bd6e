"""Suite 7 — security through the public HTTP API of a real `editbay serve`:

* the SSRF table of tests/net/test_guard.py, submitted as `video_url` and as `webhookUrl`;
* tenant isolation: every operation of /openapi.json called by a second account on the first's job,
  file and upload (an operation missing from the classification below fails the test);
* the scope matrix: one key per scope × every operation;
* brute force: job ids are 128-bit random; guessed ids, tampered / expired / re-targeted signed file
  URLs are refused;
* request size caps (announced and streamed) and slowloris-style stalled uploads.
"""

from __future__ import annotations

import re
import secrets
import socket
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from chaos.harness import ChaosStack, media_server, report, submit_body
from procs import api, create_key, wait_job

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("chaos")]

SETTINGS = {
    "provider_overrides": {"*": "editbay_test_providers:passthrough"},
    "default_concurrent_jobs": 0,
    "rate_limit_per_minute": 1_000_000,
    "upload_idle_timeout_seconds": 2,
}


def sqlite(tmp: Path, name: str) -> str:
    from editbay.store import migrate

    url = f"sqlite:///{tmp / name}"
    migrate.upgrade(url)
    return url


def ssrf_table() -> list[str]:
    from tests_net_guard import FORBIDDEN  # type: ignore[import-not-found]

    return [
        u for u in FORBIDDEN if not urlsplit(u).hostname or not urlsplit(u).hostname.endswith(".test")
    ] + [
        "http://localhost/",
        "http://localhost:5432/",
    ]


@pytest.fixture(autouse=True)
def _guard_table(monkeypatch):
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "net" / "test_guard.py"
    spec = importlib.util.spec_from_file_location("tests_net_guard", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(__import__("sys").modules, "tests_net_guard", module)


def test_ssrf_table_through_the_public_api(tmp_path: Path):
    (tmp_path / "s").mkdir()
    stack = ChaosStack(
        tmp_path / "s",
        sqlite(tmp_path, "ssrf.db"),
        {"allow_private_urls": "false", "default_concurrent_jobs": 0, "rate_limit_per_minute": 1_000_000},
        embedded_workers=1,
    )
    try:
        refused_at_submit = refused_at_fetch = 0
        leaks = []
        for url in ssrf_table():
            body = {
                "model": "editbay/local/video-edit",
                "input": {"prompt": "make it black and white", "video_url": url},
            }
            r = stack.client.post("/v1/jobs/submit", json=body)
            if r.status_code == 400:
                refused_at_submit += 1
                continue
            assert r.status_code == 200, (url, r.text)
            job = wait_job(stack.client, r.json()["jobId"], 60)
            assert job["status"] == "failed" and job["error"]["code"] == "INVALID_INPUT", (url, job)
            assert job["refundedMicroCents"] == job["costMicroCents"]
            refused_at_fetch += 1
        hooks_refused = 0
        for url in [
            "http://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1/",
            "http://10.0.0.1/",
            "https://[::1]/",
        ]:
            body = submit_body_public(url)
            r = stack.client.post("/v1/jobs/submit", json=body)
            assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_WEBHOOK_URL", (url, r.text)
            hooks_refused += 1
        report(
            "security-ssrf",
            {
                "input_urls": len(ssrf_table()),
                "refused_at_submit": refused_at_submit,
                "refused_at_fetch": refused_at_fetch,
                "webhook_urls_refused": hooks_refused,
                "leaks": leaks,
            },
        )
    finally:
        stack.close()


def submit_body_public(webhook: str) -> dict:
    return {
        "model": "editbay/local/video-edit",
        "input": {"prompt": "make it black and white", "video_url": "https://example.com/v.mp4"},
        "webhookUrl": webhook,
    }


# every operation of the OpenAPI document, classified; a new operation must be added here
JOB_SCOPED = {
    ("get", "/v1/jobs/{jobId}"),
    ("post", "/v1/jobs/{jobId}/cancel"),
    ("get", "/v1/jobs/{jobId}/events"),
    ("get", "/v1/jobs/{jobId}/webhooks"),
    ("post", "/v1/jobs/{jobId}/webhooks/redeliver"),
}
ACCOUNT_VIEWS = {("get", "/v1/jobs"), ("get", "/v1/account"), ("get", "/v1/account/ledger")}
NO_TENANT_DATA = {
    ("post", "/v1/jobs/submit"),
    ("post", "/v1/jobs/estimate"),
    ("get", "/v1/models"),
    ("get", "/v1/models/{model_id}"),
    ("post", "/v1/uploads/presign"),
    ("get", "/v1/workers"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
}
CAPABILITY_URLS = {  # signed links; the upstream's callback carries a per-job HMAC token + signature
    ("put", "/v1/uploads/{fileId}"),
    ("get", "/v1/files/{key}"),
    ("post", "/v1/upstream/webhook/{jobId}/{token}"),
}
SCOPE_OF = {
    ("post", "/v1/jobs/submit"): "submit_job",
    ("post", "/v1/jobs/{jobId}/cancel"): "submit_job",
    ("post", "/v1/jobs/{jobId}/webhooks/redeliver"): "submit_job",
    ("post", "/v1/uploads/presign"): "submit_job",
    ("get", "/v1/jobs/{jobId}"): "check_status",
    ("get", "/v1/jobs"): "check_status",
    ("post", "/v1/jobs/estimate"): "check_status",
    ("get", "/v1/jobs/{jobId}/events"): "check_status",
    ("get", "/v1/jobs/{jobId}/webhooks"): "check_status",
    ("get", "/v1/models"): "list_models",
    ("get", "/v1/models/{model_id}"): "list_models",
    ("get", "/v1/workers"): "admin",
}


def test_isolation_scopes_brute_force_caps_and_slow_uploads(tmp_path: Path):
    with media_server(tmp_path) as media:
        stack = ChaosStack(tmp_path, sqlite(tmp_path, "sec.db"), SETTINGS, embedded_workers=1)
        try:
            a = stack.client
            b = api(stack.base, create_key(stack.admin_env, account="mallory"))
            r = a.post("/v1/jobs/submit", json=submit_body(media, webhookUrl="http://127.0.0.1:9/hook"))
            job_id = r.json()["jobId"]
            job = wait_job(a, job_id, 60)
            assert job["status"] == "completed", job
            account_a = a.get("/v1/account").json()["accountId"]
            ops = {(m, p) for p, item in a.get("/openapi.json").json()["paths"].items() for m in item}
            unclassified = ops - JOB_SCOPED - ACCOUNT_VIEWS - NO_TENANT_DATA - CAPABILITY_URLS
            assert not unclassified, f"classify these operations for the isolation sweep: {unclassified}"
            # the upstream callback of a real job, with a guessed token: refused, nothing revealed
            guessed = b.post(f"/v1/upstream/webhook/{job_id}/{'0' * 32}", content=b"{}")
            assert guessed.status_code == 401, guessed.text
            assert guessed.json()["error"]["code"] == "INVALID_WEBHOOK_SIGNATURE"
            assert job_id not in guessed.json()["error"]["message"]

            # --- tenant isolation -------------------------------------------------------------
            isolation = {}
            for method, path in sorted(JOB_SCOPED):
                r = b.request(method.upper(), path.replace("{jobId}", job_id))
                isolation[f"{method.upper()} {path}"] = r.status_code
                assert r.status_code == 404 and r.json()["error"]["code"] == "JOB_NOT_FOUND", (path, r.text)
            for method, path in sorted(ACCOUNT_VIEWS):
                r = b.request(method.upper(), path)
                isolation[f"{method.upper()} {path}"] = r.status_code
                assert r.status_code == 200 and job_id not in r.text and account_a not in r.text, (
                    path,
                    r.text,
                )
            assert a.get(f"/v1/jobs/{job_id}").json()["status"] == "completed"  # B's cancel did nothing
            # A's upload: B cannot use A's fileUrl as an input
            up = a.post("/v1/uploads/presign", json={"filename": "a.mp4", "contentType": "video/mp4"}).json()[
                "data"
            ]
            assert (
                httpx.put(
                    up["uploadUrl"],
                    content=media.routes["/clip.mp4"][2],
                    headers={"content-type": "video/mp4"},
                    trust_env=False,
                ).status_code
                == 200
            )
            r = b.post(
                "/v1/jobs/submit",
                json={
                    "model": "editbay/local/video-edit",
                    "input": {"prompt": "make it black and white", "video_url": up["fileUrl"]},
                },
            )
            if r.status_code == 200:
                foreign = wait_job(b, r.json()["jobId"], 60)
                assert foreign["status"] == "failed", foreign
                isolation["foreign fileUrl as input"] = foreign["error"]["code"]
            else:
                isolation["foreign fileUrl as input"] = r.status_code

            # --- scope matrix ------------------------------------------------------------------
            matrix = {}
            for scope in ("submit_job", "check_status", "list_models", "admin"):
                client = api(stack.base, create_key(stack.admin_env, scopes=scope))
                for (method, path), needed in sorted(SCOPE_OF.items()):
                    url = path.replace("{jobId}", job_id).replace("{model_id}", "editbay/local/video-edit")
                    kwargs = {"json": submit_body(media)} if path.endswith("submit") else {}
                    if path.endswith("presign"):
                        kwargs = {"json": {"filename": "a.mp4", "contentType": "video/mp4"}}
                    if path.endswith("estimate"):
                        kwargs = {"json": {"model": "editbay/local/video-edit"}}
                    r = client.request(method.upper(), url, timeout=30, **kwargs)
                    denied = r.status_code == 403 and r.json()["error"]["code"] == "OPERATION_NOT_ALLOWED"
                    matrix[f"{scope} {method.upper()} {path}"] = r.status_code
                    if scope == needed:
                        assert not denied, (scope, path, r.text)
                    else:
                        # another account's job is 404 before the scope check only if the scope passed
                        assert denied, (scope, path, r.status_code, r.text)
                client.close()

            # --- brute force: ids and signed URLs -------------------------------------------------
            ids = [a.post("/v1/jobs/submit", json=submit_body(media)).json()["jobId"] for _ in range(30)]
            hexes = [re.fullmatch(r"job_([0-9a-f]+)", i).group(1) for i in ids]
            assert all(len(h) >= 32 for h in hexes), ids  # ≥ 128 random bits
            assert len({h[:8] for h in hexes}) == len(hexes), "ids share prefixes: not random"
            guesses = [f"job_{secrets.token_hex(16)}" for _ in range(200)]
            guessed = sum(a.get(f"/v1/jobs/{g}").status_code != 404 for g in guesses)
            assert guessed == 0
            out = job["output"]
            assert httpx.get(out, trust_env=False).status_code == 200
            parts = urlsplit(out)
            q = {k: v[0] for k, v in parse_qs(parts.query).items()}
            base = f"{parts.scheme}://{parts.netloc}{parts.path}"
            sig = q["signature"]
            tampered = {
                "flipped signature": {**q, "signature": sig[:-1] + ("0" if sig[-1] != "0" else "1")},
                "extended expiry": {**q, "expires": str(int(q["expires"]) + 3600)},
                "expired": {**q, "expires": str(int(time.time()) - 10)},
                "no signature": {"expires": q["expires"]},
            }
            file_checks = {}
            for what, params in tampered.items():
                status = httpx.get(f"{base}?{urlencode(params)}", trust_env=False).status_code
                file_checks[what] = status
                assert status == 403, (what, status)
            other = base.replace("output.mp4", "thumbnail.jpg")
            file_checks["signature reused on another key"] = httpx.get(
                f"{other}?{urlencode(q)}", trust_env=False
            ).status_code
            assert file_checks["signature reused on another key"] == 403
            traversal = base.replace("outputs/", "outputs/../../")
            file_checks["path traversal"] = httpx.get(
                f"{traversal}?{urlencode(q)}", trust_env=False
            ).status_code
            assert file_checks["path traversal"] in (403, 404)

            # --- request size caps ---------------------------------------------------------------
            big = {
                "model": "editbay/local/video-edit",
                "input": {"prompt": "x" * (2 * 1024 * 1024), "video_url": "https://e.com/a.mp4"},
            }
            announced = a.post("/v1/jobs/submit", json=big)
            assert announced.status_code == 413 and announced.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"

            def chunks():
                for _ in range(40):
                    yield b"x" * 65536

            streamed = a.post(
                "/v1/jobs/submit", content=chunks(), headers={"content-type": "application/json"}
            )
            assert streamed.status_code == 413, streamed.text

            # --- slowloris-style upload: a few bytes, then silence -------------------------------
            up = a.post("/v1/uploads/presign", json={"filename": "s.mp4", "contentType": "video/mp4"}).json()[
                "data"
            ]
            target = urlsplit(up["uploadUrl"])
            sock = socket.create_connection((target.hostname, target.port), timeout=30)
            started = time.monotonic()
            sock.sendall(
                f"PUT {target.path}?{target.query} HTTP/1.1\r\nHost: {target.netloc}\r\n"
                f"Content-Type: video/mp4\r\nContent-Length: 1000000\r\n\r\n".encode()
                + b"\x00" * 100
            )
            answer = b""
            try:
                while True:
                    data = sock.recv(65536)
                    if not data:
                        break
                    answer += data
                    if b"\r\n\r\n" in answer and b"stalled" in answer:
                        break
            except TimeoutError:
                pass
            stalled_after = time.monotonic() - started
            sock.close()
            assert b" 400 " in answer.split(b"\r\n", 1)[0] and b"stalled" in answer, answer[:300]
            assert stalled_after < 10, stalled_after
            leftovers = list((tmp_path / "data" / "files").rglob("*.tmp*"))
            assert not leftovers, leftovers
            report(
                "security",
                {
                    "operations_in_openapi": len(ops),
                    "isolation": isolation,
                    "scope_matrix_cells": len(matrix),
                    "guessed_job_ids_found": guessed,
                    "job_id_hex_chars": len(hexes[0]),
                    "signed_url_checks": file_checks,
                    "body_cap": {"announced": announced.status_code, "streamed": streamed.status_code},
                    "stalled_upload_dropped_after_s": round(stalled_after, 1),
                },
            )
            b.close()
        except BaseException:
            print(stack.logs())
            raise
        finally:
            stack.close()
