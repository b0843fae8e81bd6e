"""`upload()` (presign, then PUT with the same Content-Type) and `download()` against real servers."""

from __future__ import annotations

import json

import pytest

from editbay.client import AsyncClient, BadRequestError, Client, Job, JobFailedError, NotFoundError

from .scripted_server import Recorded, Reply, ScriptedServer, envelope

CONTENT = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 5000  # ~1.3 MB, more than one chunk


def presign_to(storage_url: str):
    def handler(request: Recorded) -> Reply:
        meta = json.loads(request.body)
        return Reply(
            200,
            {
                "success": True,
                "data": {
                    "uploadUrl": f"{storage_url}/put/file_1?sig=abc",
                    "fileUrl": f"{storage_url}/files/file_1",
                    "fileId": "file_1",
                    "expiresAt": "2030-01-01T00:00:00.000Z",
                    "maxSize": 10**9,
                    "echo": meta,
                },
            },
        )

    return handler


def test_upload_presigns_then_puts_the_bytes_with_the_same_content_type(server, tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(CONTENT)
    server.route("POST", "/v1/uploads/presign", presign_to(server.url))
    server.script("PUT", "/put/file_1", Reply(200, {"success": True}))
    with Client(server.url, "eb_key") as client:
        file_url = client.upload(video)
    assert file_url == f"{server.url}/files/file_1"
    presign = server.hits("POST", "/v1/uploads/presign")[0]
    assert json.loads(presign.body) == {"filename": "clip.mp4", "contentType": "video/mp4"}
    put = server.hits("PUT", "/put/file_1")[0]
    assert put.body == CONTENT
    assert put.headers["content-type"] == "video/mp4"
    assert put.headers["content-length"] == str(len(CONTENT))
    assert "transfer-encoding" not in put.headers
    assert put.query == {"sig": "abc"}


def test_the_api_key_never_goes_to_another_origin(server, tmp_path):
    video = tmp_path / "clip.mov"
    video.write_bytes(b"moov")
    with ScriptedServer() as storage:
        server.route("POST", "/v1/uploads/presign", presign_to(storage.url))
        storage.script("PUT", "/put/file_1", Reply(200, body=b""))
        with Client(server.url, "eb_key") as client:
            client.upload(video)
        put = storage.hits("PUT", "/put/file_1")[0]
    assert server.hits("POST", "/v1/uploads/presign")[0].headers["authorization"] == "Bearer eb_key"
    assert "authorization" not in put.headers
    assert put.headers["content-type"] == "video/quicktime"


def test_a_refused_upload_raises_the_api_error(server, tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"x" * 10)
    server.route("POST", "/v1/uploads/presign", presign_to(server.url))
    server.script("PUT", "/put/file_1", Reply(413, envelope("PAYLOAD_TOO_LARGE", "over maxSize")))
    with Client(server.url, "k") as client, pytest.raises(BadRequestError) as info:
        client.upload(video)
    assert info.value.code == "PAYLOAD_TOO_LARGE" and info.value.status_code == 413


def test_download_fetches_the_job_and_writes_its_output(server, tmp_path):
    output = f"{server.url}/files/out.mp4?sig=1"
    server.script(
        "GET", "/v1/jobs/job_1", Reply(200, {"jobId": "job_1", "status": "completed", "output": output})
    )
    server.script("GET", "/files/out.mp4", Reply(200, body=CONTENT, headers={"Content-Type": "video/mp4"}))
    with Client(server.url, "k") as client:
        path = client.download("job_1", tmp_path / "result.mp4")
        in_dir = client.download(Job(job_id="job_1", status="completed", output=output), tmp_path)
    assert path == tmp_path / "result.mp4" and path.read_bytes() == CONTENT
    assert in_dir == tmp_path / "job_1.mp4" and in_dir.read_bytes() == CONTENT
    assert len(server.hits("GET", "/v1/jobs/job_1")) == 1  # the job object was used as is
    assert not list(tmp_path.glob("*.part"))


def test_download_of_a_failed_job_raises_its_error(server, tmp_path):
    server.script(
        "GET",
        "/v1/jobs/job_1",
        Reply(
            200,
            {
                "jobId": "job_1",
                "status": "failed",
                "error": {"code": "RENDER_FAILED", "message": "ffmpeg exited 1"},
            },
        ),
    )
    with Client(server.url, "k") as client, pytest.raises(JobFailedError) as info:
        client.download("job_1", tmp_path / "x.mp4")
    assert info.value.code == "RENDER_FAILED" and not (tmp_path / "x.mp4").exists()


def test_download_of_an_expired_output_raises_and_leaves_no_file(server, tmp_path):
    output = f"{server.url}/files/gone.mp4"
    server.script("GET", "/files/gone.mp4", Reply(404, envelope("JOB_NOT_FOUND", "expired")))
    with Client(server.url, "k") as client, pytest.raises(NotFoundError):
        client.download(Job(job_id="job_1", status="completed", output=output), tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
async def test_async_upload_and_download(server, tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(CONTENT)
    server.route("POST", "/v1/uploads/presign", presign_to(server.url))
    server.script("PUT", "/put/file_1", Reply(200, {}))
    server.script(
        "GET",
        "/v1/jobs/job_1",
        Reply(
            200, {"jobId": "job_1", "status": "completed", "outputs": [{"url": f"{server.url}/files/o.mp4"}]}
        ),
    )
    server.script("GET", "/files/o.mp4", Reply(200, body=CONTENT))
    async with AsyncClient(server.url, "k") as client:
        assert await client.upload(video) == f"{server.url}/files/file_1"
        path = await client.download("job_1", tmp_path / "out.mp4")
    assert server.hits("PUT", "/put/file_1")[0].body == CONTENT
    assert path.read_bytes() == CONTENT
