"""Files served by editbay: signed links work, and tampered, foreign or expired links do not."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

from editbay.errors import EditbayError
from editbay.storage import signing


@pytest.fixture
def stored(serve, sqlite_url, tmp_path):
    server = serve(sqlite_url)
    storage = server.server.config.app.state.storage
    src = tmp_path / "o.mp4"
    src.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"x" * 1000)
    storage.put_file("outputs/job_a/output.mp4", src, "video/mp4")
    storage.put_file("outputs/job_b/output.mp4", src, "video/mp4")
    return server, storage


def _with(url: str, **params: str) -> str:
    parsed = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()} | params
    return parsed._replace(query=urlencode(query)).geturl()


def test_signed_link_downloads(stored):
    server, storage = stored
    response = httpx.get(storage.url_for("outputs/job_a/output.mp4", 60), trust_env=False)
    assert response.status_code == 200 and response.content.startswith(b"\x00\x00\x00\x18ftyp")
    assert response.headers["content-type"] == "video/mp4"


def test_tampered_signature_is_forbidden(stored):
    _, storage = stored
    url = storage.url_for("outputs/job_a/output.mp4", 60)
    sig = parse_qs(urlparse(url).query)["signature"][0]
    flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
    response = httpx.get(_with(url, signature=flipped), trust_env=False)
    assert response.status_code == 403 and response.json()["error"]["code"] == "FORBIDDEN"


def test_signature_of_one_file_does_not_open_another(stored):
    _, storage = stored
    url = storage.url_for("outputs/job_a/output.mp4", 60)
    response = httpx.get(url.replace("job_a", "job_b"), trust_env=False)
    assert response.status_code == 403


def test_extending_the_expiry_breaks_the_signature(stored):
    _, storage = stored
    url = storage.url_for("outputs/job_a/output.mp4", 60)
    response = httpx.get(_with(url, expires=str(int(time.time()) + 10**6)), trust_env=False)
    assert response.status_code == 403


def test_expired_link_is_forbidden(stored):
    _, storage = stored
    url = storage.url_for("outputs/job_a/output.mp4", 1)
    time.sleep(2.1)
    response = httpx.get(url, trust_env=False)
    assert response.status_code == 403 and "expired" in response.json()["error"]["message"]


def test_missing_signature_and_traversal(stored):
    server, storage = stored
    assert httpx.get(f"{server.base}/v1/files/outputs/job_a/output.mp4", trust_env=False).status_code == 403
    traversal = httpx.get(
        f"{server.base}/v1/files/outputs/..%2F..%2Fsecret_key?expires=1&signature=x", trust_env=False
    )
    assert traversal.status_code in (403, 404)


def test_deleted_file_is_not_found(stored):
    _, storage = stored
    url = storage.url_for("outputs/job_b/output.mp4", 60)
    storage.delete("outputs/job_b/output.mp4")
    assert httpx.get(url, trust_env=False).status_code == 404


def test_verify_rejects_garbage():
    exp = signing.expiry(60)
    good = signing.sign("s", "get", "k", exp)
    signing.verify("s", "get", "k", str(exp), good)
    for args in (
        ("t", "get", "k", str(exp), good),
        ("s", "put", "k", str(exp), good),
        ("s", "get", "k", "abc", good),
        ("s", "get", "k", str(exp), None),
        ("s", "get", "k", str(exp), "é" + good[1:]),  # non-ASCII must be a 403, not a crash
    ):
        with pytest.raises(EditbayError):
            signing.verify(*args)
