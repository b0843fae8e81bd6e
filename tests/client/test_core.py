"""The sans-IO core: configuration, request building, response parsing and error mapping."""

from __future__ import annotations

import json
import uuid

import pytest

from editbay.client import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EditbayAPIError,
    InsufficientBalanceError,
    Job,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from editbay.client._core import ClientCore, build_input, guess_content_type
from editbay.client._retry import RetryMode
from editbay.client._types import Upload


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def test_base_url_and_key_fall_back_to_environment(monkeypatch):
    monkeypatch.setenv("EDITBAY_BASE_URL", "https://edit.example.com/")
    monkeypatch.setenv("EDITBAY_API_KEY", "eb_env")
    core = ClientCore()
    assert core.base_url == "https://edit.example.com/"
    assert core.api_key == "eb_env"
    explicit = ClientCore("http://127.0.0.1:9000", "eb_arg")
    assert (explicit.base_url, explicit.api_key) == ("http://127.0.0.1:9000/", "eb_arg")


def test_default_base_url_is_the_local_server():
    assert ClientCore().base_url == "http://127.0.0.1:8000/"


def test_base_url_with_v1_or_a_path_prefix_resolves_paths_once():
    assert ClientCore("https://api.example.com/v1").url("v1/jobs") == "https://api.example.com/v1/jobs"
    assert ClientCore("https://gw.example.com/editbay/").url("v1/jobs") == (
        "https://gw.example.com/editbay/v1/jobs"
    )
    assert ClientCore("http://h").url("https://cdn.example.com/x.mp4") == "https://cdn.example.com/x.mp4"


def test_api_key_is_sent_only_to_the_api_origin():
    core = ClientCore("http://127.0.0.1:8000", "eb_secret")
    assert core.headers(core.url("v1/jobs"))["Authorization"] == "Bearer eb_secret"
    assert core.headers("http://127.0.0.1:8000/files/x?sig=1")["Authorization"] == "Bearer eb_secret"
    assert "Authorization" not in core.headers("https://bucket.s3.amazonaws.com/x?X-Amz-Signature=1")
    assert "Authorization" not in core.headers("http://127.0.0.1:8001/files/x")
    assert "Authorization" not in ClientCore("http://h", "").headers("http://h/v1/jobs")


def test_submit_builds_the_wire_body_with_an_automatic_idempotency_key():
    core = ClientCore("http://h", "k")
    job_input = build_input(
        prompt="make it black and white",
        video_url="https://x/v.mp4",
        images=["https://x/logo.png", {"url": "https://x/b.png"}],
        keep_original_sound=False,
        aspect_ratio="9:16",
        strict=False,
    )
    call = core.submit(model="m/slug", input=job_input, webhook_url="https://hook", version="v2")
    spec = call.request
    assert (spec.method, spec.url) == ("POST", "http://h/v1/jobs/submit")
    assert spec.json == {
        "model": "m/slug",
        "version": "v2",
        "webhookUrl": "https://hook",
        "input": {
            "prompt": "make it black and white",
            "video_url": "https://x/v.mp4",
            "images": ["https://x/logo.png", {"url": "https://x/b.png"}],
            "keep_original_sound": False,
            "aspect_ratio": "9:16",
            "strict": False,
        },
    }
    uuid.UUID(spec.headers["Idempotency-Key"])
    assert spec.retry is RetryMode.IDEMPOTENT
    assert (
        core.submit(model="m", input={}).request.headers["Idempotency-Key"] != spec.headers["Idempotency-Key"]
    )


def test_submit_keeps_a_given_key_and_is_never_retried_without_one():
    core = ClientCore("http://h", "k")
    assert core.submit(model="m", input={}, idempotency_key="abc").request.headers["Idempotency-Key"] == "abc"
    keyless = core.submit(model="m", input={}, idempotency_key="").request
    assert "Idempotency-Key" not in keyless.headers
    assert keyless.retry is RetryMode.NEVER
    assert core.submit(model="m", input={}, prefer_wait=20).request.headers["Prefer"] == "wait=20"


def test_build_input_leaves_out_fields_not_given():
    assert build_input(prompt="p", video_url="v") == {"prompt": "p", "video_url": "v"}
    assert build_input(prompt="p", extra={"duration": 5}) == {"prompt": "p", "duration": 5}


def test_cancel_is_only_retried_when_the_server_cannot_have_acted():
    assert ClientCore("http://h").cancel("job_1").request.retry is RetryMode.REJECTED_ONLY


def test_ids_and_slugs_are_url_encoded_in_paths():
    core = ClientCore("http://h")
    assert core.get_job("job/../x").request.url == "http://h/v1/jobs/job%2F..%2Fx"
    assert core.get_model("kling-plus/kling-o1-pro/video-edit-fast").request.url == (
        "http://h/v1/models/kling-plus%2Fkling-o1-pro%2Fvideo-edit-fast"
    )


def test_list_jobs_query_uses_the_wire_names():
    spec = ClientCore("http://h").list_jobs(status="completed", model="m/x", cursor="c1", limit=50).request
    assert spec.params == {"limit": "50", "status": "completed", "modelId": "m/x", "cursor": "c1"}


def test_job_page_stops_when_has_more_is_false_even_with_a_cursor():
    parse = ClientCore("http://h").list_jobs().parse
    page = parse({"jobs": [{"jobId": "job_1", "status": "pending"}], "nextCursor": "c", "hasMore": False})
    assert page.next_cursor is None and [j.job_id for j in page.jobs] == ["job_1"]
    assert parse({"jobs": [], "nextCursor": "c2", "hasMore": True}).next_cursor == "c2"
    assert parse({"jobs": [], "nextCursor": None}).next_cursor is None


def test_payload_unwraps_the_success_data_envelope():
    core = ClientCore("http://h")
    data = {"uploadUrl": "http://h/u", "fileUrl": "http://h/f", "fileId": "file_1"}
    assert core.payload(200, {}, body({"success": True, "data": data})) == data
    assert core.payload(200, {}, body({"jobId": "job_1"})) == {"jobId": "job_1"}
    assert core.payload(204, {}, b"") is None
    with pytest.raises(EditbayAPIError) as info:
        core.payload(200, {}, b"<html>")
    assert info.value.code == "INVALID_RESPONSE"


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "INVALID_INPUT", BadRequestError),
        (401, "INVALID_API_KEY", AuthenticationError),
        (402, "INSUFFICIENT_BALANCE", InsufficientBalanceError),
        (403, "OPERATION_NOT_ALLOWED", PermissionDeniedError),
        (404, "JOB_NOT_FOUND", NotFoundError),
        (409, "IDEMPOTENCY_KEY_REUSED", ConflictError),
        (413, "PAYLOAD_TOO_LARGE", BadRequestError),
        (429, "RATE_LIMITED", RateLimitError),
        (500, "INTERNAL_ERROR", ServerError),
        (503, "PUBSUB_PUBLISH_FAILED", ServerError),
    ],
)
def test_error_envelope_becomes_the_family_exception(status, code, cls):
    envelope = {
        "success": False,
        "requestId": "req_42",
        "error": {"code": code, "message": "input.video_url: bad", "details": {"field": "x"}},
    }
    error = ClientCore("http://h").error_from_response(status, {"retry-after": "3"}, body(envelope))
    assert type(error) is cls
    assert (error.code, error.message, error.request_id, error.status_code) == (
        code,
        "input.video_url: bad",
        "req_42",
        status,
    )
    assert error.details == {"field": "x"}
    assert code in str(error) and "req_42" in str(error)
    if cls is RateLimitError:
        assert error.retry_after == 3.0


def test_error_without_envelope_still_carries_status_and_request_id():
    core = ClientCore("http://h")
    error = core.error_from_response(502, {"x-request-id": "req_h"}, b"Bad Gateway")
    assert isinstance(error, ServerError)
    assert (error.code, error.message, error.request_id) == ("HTTP_502", "Bad Gateway", "req_h")
    fastapi = core.error_from_response(405, {}, body({"detail": "Method Not Allowed"}))
    assert (fastapi.code, fastapi.message) == ("HTTP_405", "Method Not Allowed")


def test_typed_results_read_camel_case_and_keep_unknown_fields():
    job = Job.model_validate(
        {
            "jobId": "job_1",
            "status": "completed",
            "progress": 100,
            "output": "http://h/o.mp4",
            "outputs": [{"url": "http://h/o.mp4", "type": "video", "thumbnail": "t", "posterImage": "p"}],
            "createdAt": "2025-01-02T03:04:05.678Z",
            "costMicroCents": 30000,
            "futureField": {"a": 1},
        }
    )
    assert job.job_id == "job_1" and job.cost_micro_cents == 30000 and job.is_terminal
    assert job.outputs and job.outputs[0].poster_image == "p"
    assert job.created_at and job.created_at.microsecond == 678000
    assert job.to_wire()["futureField"] == {"a": 1}
    assert job.to_wire()["jobId"] == "job_1"


def test_output_url_reads_every_output_shape():
    assert Job(job_id="j", output="http://a").output_url == "http://a"
    assert Job(job_id="j", output={"videoUrl": "http://b"}).output_url == "http://b"
    assert Job.model_validate({"jobId": "j", "outputs": [{"url": "http://c"}]}).output_url == "http://c"
    assert Job(job_id="j").output_url is None


def test_download_refuses_failed_and_unfinished_jobs():
    failed = Job.model_validate(
        {
            "jobId": "j",
            "status": "failed",
            "error": {"code": "UNSUPPORTED_EDIT", "message": "cannot add a dragon"},
        }
    )
    with pytest.raises(JobFailedError) as info:
        ClientCore.output_url(failed)
    assert (info.value.code, info.value.message, info.value.job) == (
        "UNSUPPORTED_EDIT",
        "cannot add a dragon",
        failed,
    )
    with pytest.raises(EditbayAPIError) as pending:
        ClientCore.output_url(Job(job_id="j", status="processing"))
    assert pending.value.code == "JOB_NOT_COMPLETED"
    with pytest.raises(JobFailedError) as cancelled:
        Job(job_id="j", status="cancelled").raise_for_failure()
    assert cancelled.value.code == "CANCELLED"


def test_download_target_names_the_file_inside_a_directory(tmp_path):
    assert ClientCore.download_target("job_1", "http://h/f/out.mp4?sig=1", tmp_path) == tmp_path / "job_1.mp4"
    assert ClientCore.download_target("job_1", "http://h/x", tmp_path / "a.mp4") == tmp_path / "a.mp4"


def test_upload_put_uses_the_presigned_type_and_a_known_length():
    core = ClientCore("http://h", "k")
    upload = Upload(upload_url="/v1/uploads/file_1?sig=abc", file_url="http://h/f/file_1")
    spec = core.put_upload(upload, "video/mp4", 1234)
    assert (spec.method, spec.url) == ("PUT", "http://h/v1/uploads/file_1?sig=abc")
    assert spec.headers["Content-Type"] == "video/mp4" and spec.headers["Content-Length"] == "1234"


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("a.mp4", "video/mp4"),
        ("a.MOV", "video/quicktime"),
        ("a.webm", "video/webm"),
        ("a.png", "image/png"),
        ("a.jpg", "image/jpeg"),
        ("a.unknownext", "application/octet-stream"),
    ],
)
def test_content_type_is_guessed_from_the_file_name(name, ctype):
    assert guess_content_type(name) == ctype
