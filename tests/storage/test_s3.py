"""S3 storage against a real `moto_server` on loopback: objects, presigned URLs, and a whole job."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest

from editbay.errors import EditbayError
from editbay.settings import Settings
from editbay.storage import S3Storage, get_storage
from procs import (
    MediaServer,
    api,
    base_env,
    create_key,
    make_clip,
    moto_server,
    start_server,
    start_worker,
    wait_job,
)

CREDS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(moto: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    name = f"eb-{os.urandom(4).hex()}"
    boto3.client("s3", endpoint_url=moto, region_name="us-east-1").create_bucket(Bucket=name)
    return name


def test_objects_and_presigned_urls(moto, bucket, tmp_path):
    storage = get_storage(
        Settings(data_dir=tmp_path, storage_url=f"s3://{bucket}/pre/fix", s3_endpoint_url=moto)
    )
    assert isinstance(storage, S3Storage) and not storage.served_by_editbay
    src = tmp_path / "a.mp4"
    src.write_bytes(b"hello video")
    assert storage.put_file("outputs/job_1/output.mp4", src, "video/mp4") == 11
    assert storage.size("outputs/job_1/output.mp4") == 11 and storage.size("nope/x") is None
    url = storage.url_for("outputs/job_1/output.mp4", 300)
    assert f"/{bucket}/pre/fix/outputs/job_1/output.mp4" in url  # path-style
    assert httpx.get(url, trust_env=False).content == b"hello video"
    put = storage.upload_url_for("uploads/file_x/a.png", "file_x", "image/png", 300)
    assert (
        httpx.put(put, content=b"\x89PNG", headers={"content-type": "image/png"}, trust_env=False).status_code
        == 200
    )
    dest = tmp_path / "back"
    assert storage.download_to("uploads/file_x/a.png", dest) == 4 and dest.read_bytes() == b"\x89PNG"
    with pytest.raises(EditbayError, match="larger"):
        storage.download_to("outputs/job_1/output.mp4", dest, max_bytes=5)
    storage.delete("outputs/job_1/output.mp4")
    assert storage.size("outputs/job_1/output.mp4") is None
    with pytest.raises(EditbayError, match="does not exist"):
        storage.download_to("outputs/job_1/output.mp4", dest)
    storage.check_writable()


@pytest.mark.slow
def test_a_job_with_s3_storage_end_to_end(moto, bucket, tmp_path, database_url):
    media = MediaServer()
    try:
        url = media.add("/clip.mp4", make_clip(tmp_path / "c.mp4", seconds=1).read_bytes())
        env = base_env(
            tmp_path,
            database_url,
            storage_url=f"s3://{bucket}/eb",
            s3_endpoint_url=moto,
            provider_overrides={"*": "editbay_test_providers:passthrough"},
        )
        env.update(CREDS)
        server, base = start_server(env, tmp_path)
        worker = start_worker(env, tmp_path)
        try:
            client = api(base, create_key(env))
            # upload through a presigned S3 PUT, then use the fileUrl as the input
            ticket = client.post(
                "/v1/uploads/presign", json={"filename": "in.mp4", "contentType": "video/mp4"}
            )
            data = ticket.json()["data"]
            assert data["uploadUrl"].startswith(moto)
            clip = httpx.get(url, trust_env=False).content
            assert (
                httpx.put(
                    data["uploadUrl"], content=clip, headers={"content-type": "video/mp4"}, trust_env=False
                ).status_code
                == 200
            )
            for video_url in (url, data["fileUrl"]):
                body = {
                    "model": "editbay/local/video-edit",
                    "input": {"prompt": "black and white", "video_url": video_url},
                }
                job = wait_job(client, client.post("/v1/jobs/submit", json=body).json()["jobId"], 60)
                assert job["status"] == "completed", (job, worker.log()[-2000:])
                assert job["output"].startswith(f"{moto}/{bucket}/eb/outputs/")
                assert httpx.get(job["output"], trust_env=False).content[4:8] == b"ftyp"
                assert (
                    httpx.get(job["outputs"][0]["thumbnail"], trust_env=False).content[:3] == b"\xff\xd8\xff"
                )
            assert not Path(tmp_path, "data", "files").exists()  # nothing went to the local folder
        finally:
            worker.stop()
            server.stop()
    finally:
        media.close()
