"""Uploads per the contract: presign, PUT (type, size, expiry), then use fileUrl as video_url."""

from __future__ import annotations

import time

import httpx
import pytest

from procs import api, make_clip, wait_job

LOCAL = "editbay/local/video-edit"


@pytest.fixture
def setup(serve, database_url, make_tenant):
    def start(**overrides):
        server = serve(database_url, **overrides)
        tenant = make_tenant(server.server.config.app.state.sessionmaker)
        return server, api(server.base, tenant.key), tenant

    return start


def presign(client, filename="clip.mp4", content_type="video/mp4"):
    return client.post("/v1/uploads/presign", json={"filename": filename, "contentType": content_type})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"contentType": "video/mp4"}, "VALIDATION_ERROR"),
        ({"filename": "a.mp4"}, "VALIDATION_ERROR"),
        ({"filename": "", "contentType": "video/mp4"}, "VALIDATION_ERROR"),
        ([1, 2], "VALIDATION_ERROR"),
        ({"filename": "a.exe", "contentType": "application/x-msdownload"}, "INVALID_CONTENT_TYPE"),
        ({"filename": "a.html", "contentType": "text/html"}, "INVALID_CONTENT_TYPE"),
    ],
)
def test_presign_validation(setup, body, code):
    _, client, _ = setup()
    response = client.post("/v1/uploads/presign", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_presign_then_put_then_download(setup, tmp_path):
    _, client, _ = setup()
    response = presign(client, "my clip (1).mp4")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (
        set(data) == {"uploadUrl", "fileUrl", "fileId", "expiresAt", "maxSize"} and response.json()["success"]
    )
    assert data["fileId"].startswith("file_") and data["maxSize"] >= 100 * 1024 * 1024
    clip = make_clip(tmp_path / "c.mp4", seconds=0.5, audio=False).read_bytes()
    put = httpx.put(data["uploadUrl"], content=clip, headers={"content-type": "video/mp4"}, trust_env=False)
    assert put.status_code == 200, put.text
    assert httpx.get(data["fileUrl"], trust_env=False).content == clip
    assert presign(client, "logo.png", "image/png").json()["data"]["maxSize"] == 10 * 1024 * 1024


def test_put_with_another_content_type_is_refused(setup):
    _, client, _ = setup()
    data = presign(client).json()["data"]
    put = httpx.put(data["uploadUrl"], content=b"x", headers={"content-type": "video/webm"}, trust_env=False)
    assert put.status_code == 400 and put.json()["error"]["code"] == "INVALID_CONTENT_TYPE"


def test_oversize_put_is_413_announced_or_streamed(setup):
    _, client, _ = setup(upload_max_image_bytes=1000)
    data = presign(client, "a.png", "image/png").json()["data"]
    announced = httpx.put(
        data["uploadUrl"], content=b"x" * 1001, headers={"content-type": "image/png"}, trust_env=False
    )
    assert announced.status_code == 413 and announced.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"

    def chunks():
        for _ in range(10):
            yield b"y" * 500

    streamed = httpx.put(
        data["uploadUrl"], content=chunks(), headers={"content-type": "image/png"}, trust_env=False
    )
    assert streamed.status_code == 413
    ok = httpx.put(
        data["uploadUrl"], content=b"z" * 1000, headers={"content-type": "image/png"}, trust_env=False
    )
    assert ok.status_code == 200


def test_expired_or_tampered_upload_url_is_403(setup):
    _, client, _ = setup(upload_url_minutes=1 / 60)
    data = presign(client).json()["data"]
    tampered = data["uploadUrl"].replace("signature=", "signature=0")
    assert (
        httpx.put(tampered, content=b"x", headers={"content-type": "video/mp4"}, trust_env=False).status_code
        == 403
    )
    time.sleep(2.2)
    expired = httpx.put(
        data["uploadUrl"], content=b"x", headers={"content-type": "video/mp4"}, trust_env=False
    )
    assert expired.status_code == 403


def test_uploaded_file_runs_as_video_url_only_for_its_account(setup, tmp_path, make_tenant):
    server, client, _ = setup(
        workers=1,
        allow_private_urls=True,
        poll_interval_seconds=0.2,
        provider_overrides={"*": "editbay_test_providers:passthrough"},
    )
    data = presign(client).json()["data"]
    clip = make_clip(tmp_path / "c.mp4", seconds=0.5).read_bytes()
    httpx.put(data["uploadUrl"], content=clip, headers={"content-type": "video/mp4"}, trust_env=False)
    body = {"model": LOCAL, "input": {"prompt": "make it black and white", "video_url": data["fileUrl"]}}
    job = wait_job(client, client.post("/v1/jobs/submit", json=body).json()["jobId"], 60)
    assert job["status"] == "completed", job
    stranger = api(server.base, make_tenant(server.server.config.app.state.sessionmaker).key)
    other = wait_job(stranger, stranger.post("/v1/jobs/submit", json=body).json()["jobId"], 60)
    assert other["status"] == "failed" and other["error"]["code"] == "INVALID_INPUT"
