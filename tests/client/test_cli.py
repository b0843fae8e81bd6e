"""The client commands, driven through Typer against a scripted server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from editbay.cli import client_cmds

from .scripted_server import Recorded, Reply, envelope, sse

SSE_HEADERS = {"Content-Type": "text/event-stream"}


@pytest.fixture
def cli(server):
    app = typer.Typer()
    client_cmds.register(app)
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None):
        environment = {"EDITBAY_BASE_URL": server.url, "EDITBAY_API_KEY": "eb_cli", **(env or {})}
        return runner.invoke(app, list(args), env=environment)

    return run


def done(output: str) -> dict:
    return {
        "jobId": "job_1",
        "status": "completed",
        "progress": 100,
        "output": output,
        "costMicroCents": 30000,
    }


def test_submit_uploads_a_file_waits_and_downloads(cli, server, tmp_path):
    clip = tmp_path / "in.mp4"
    clip.write_bytes(b"fake video")
    out = tmp_path / "out.mp4"
    output_url = f"{server.url}/files/out.mp4"

    def presign(request: Recorded) -> Reply:
        return Reply(
            200,
            {
                "success": True,
                "data": {
                    "uploadUrl": f"{server.url}/put/f1",
                    "fileUrl": f"{server.url}/files/f1",
                    "fileId": "f1",
                },
            },
        )

    server.route("POST", "/v1/uploads/presign", presign)
    server.script("PUT", "/put/f1", Reply(200, {}))
    server.script(
        "POST",
        "/v1/jobs/submit",
        Reply(200, {"jobId": "job_1", "status": "pending", "costMicroCents": 30000}),
    )
    server.script(
        "GET",
        "/v1/jobs/job_1/events",
        Reply(
            200,
            headers=SSE_HEADERS,
            stream=[
                sse("progress", {"jobId": "job_1", "status": "processing", "progress": 50}, "1"),
                sse("status", done(output_url), "2"),
            ],
        ),
    )
    server.script("GET", "/v1/jobs/job_1", Reply(200, done(output_url)))
    server.script("GET", "/files/out.mp4", Reply(200, body=b"edited video"))

    result = cli(
        "submit",
        str(clip),
        "make it black and white",
        "--aspect-ratio",
        "9:16",
        "--mute",
        "--image",
        "https://example.com/logo.png",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"edited video"
    assert result.stdout.strip().splitlines()[-1] == str(out)
    body = json.loads(server.hits("POST", "/v1/jobs/submit")[0].body)
    assert body == {
        "model": "editbay/local/video-edit",
        "input": {
            "prompt": "make it black and white",
            "video_url": f"{server.url}/files/f1",
            "images": ["https://example.com/logo.png"],
            "keep_original_sound": False,
            "aspect_ratio": "9:16",
        },
    }
    assert server.hits("POST", "/v1/jobs/submit")[0].headers["authorization"] == "Bearer eb_cli"


def test_submit_without_wait_prints_the_job_id(cli, server):
    server.script("POST", "/v1/jobs/submit", Reply(200, {"jobId": "job_7", "status": "pending"}))
    result = cli("submit", "https://example.com/in.mp4", "speed it up 2x", "--model", "m/x")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "job_7"
    assert json.loads(server.hits("POST", "/v1/jobs/submit")[0].body)["model"] == "m/x"


def test_submit_json_reports_the_submit_result(cli, server):
    server.script(
        "POST", "/v1/jobs/submit", Reply(200, {"jobId": "job_7", "status": "pending", "costMicroCents": 1})
    )
    result = cli("submit", "https://example.com/in.mp4", "mute it", "--json")
    assert json.loads(result.stdout) == {"jobId": "job_7", "status": "pending", "costMicroCents": 1}


def test_a_failed_job_exits_non_zero_with_its_code_and_message(cli, server):
    failed = {
        "jobId": "job_1",
        "status": "failed",
        "progress": 0,
        "error": {"code": "UNSUPPORTED_EDIT", "message": "cannot do: add a dragon"},
    }
    server.script("POST", "/v1/jobs/submit", Reply(200, {"jobId": "job_1", "status": "pending"}))
    server.script("GET", "/v1/jobs/job_1/events", Reply(405, envelope("METHOD_NOT_ALLOWED", "no")))
    server.script("GET", "/v1/jobs/job_1", Reply(200, failed))
    result = cli("submit", "https://example.com/in.mp4", "add a dragon", "--wait")
    assert result.exit_code == 1
    assert "UNSUPPORTED_EDIT" in result.stderr and "cannot do: add a dragon" in result.stderr
    as_json = cli("jobs", "watch", "job_1", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["error"]["code"] == "UNSUPPORTED_EDIT"


def test_api_errors_exit_non_zero_with_code_message_and_request_id(cli, server):
    server.script("GET", "/v1/jobs/job_404", Reply(404, envelope("JOB_NOT_FOUND", "job not found", "req_77")))
    result = cli("jobs", "get", "job_404")
    assert result.exit_code == 1
    assert "JOB_NOT_FOUND" in result.stderr and "job not found" in result.stderr and "req_77" in result.stderr
    as_json = cli("jobs", "get", "job_404", "--json")
    assert json.loads(as_json.stdout)["error"] == {
        "code": "JOB_NOT_FOUND",
        "message": "job not found",
        "requestId": "req_77",
        "status": 404,
    }


def test_a_missing_local_file_is_a_usage_error(cli, tmp_path):
    result = cli("submit", str(tmp_path / "nope.mp4"), "make it black and white")
    assert result.exit_code == 2


def test_jobs_list_paginates_and_limits(cli, server):
    pages = {
        None: {
            "jobs": [{"jobId": "job_3", "status": "completed"}, {"jobId": "job_2", "status": "failed"}],
            "nextCursor": "c2",
            "hasMore": True,
        },
        "c2": {"jobs": [{"jobId": "job_1", "status": "pending"}], "nextCursor": None, "hasMore": False},
    }
    server.route("GET", "/v1/jobs", lambda r: Reply(200, pages[r.query.get("cursor")]))
    result = cli("jobs", "list", "--json", "--limit", "0")
    assert [j["jobId"] for j in json.loads(result.stdout)["jobs"]] == ["job_3", "job_2", "job_1"]
    table = cli("jobs", "list", "--limit", "2", "--status", "completed")
    assert table.exit_code == 0 and "job_3" in table.stdout and "job_1" not in table.stdout
    assert server.hits("GET", "/v1/jobs")[-1].query["status"] == "completed"


def test_jobs_get_shows_details_and_plan(cli, server):
    server.script(
        "GET",
        "/v1/jobs/job_1",
        Reply(
            200,
            {
                **done("http://h/o.mp4"),
                "model": "editbay/local/video-edit",
                "plan": {
                    "operations": [
                        {
                            "op": "grade",
                            "style": "black_white",
                            "strength": 1.0,
                            "source": "make it black and white",
                            "confidence": 1.0,
                        }
                    ],
                    "unsupported": [],
                },
            },
        ),
    )
    result = cli("jobs", "get", "job_1")
    assert result.exit_code == 0, result.output
    for text in ("completed", "$0.03", "http://h/o.mp4", "grade", "style=black_white"):
        assert text in result.stdout


def test_jobs_cancel(cli, server):
    server.script(
        "POST",
        "/v1/jobs/job_1/cancel",
        Reply(200, {"jobId": "job_1", "status": "cancelled", "refundedMicroCents": 30000}),
    )
    result = cli("jobs", "cancel", "job_1")
    assert result.exit_code == 0 and "refunded $0.03" in result.stdout
    assert json.loads(cli("jobs", "cancel", "job_1", "--json").stdout)["refundedMicroCents"] == 30000


def test_jobs_watch_follows_a_job_to_completion(cli, server):
    server.script(
        "GET",
        "/v1/jobs/job_1/events",
        Reply(
            200,
            headers=SSE_HEADERS,
            stream=[
                sse("progress", {"jobId": "job_1", "status": "processing", "progress": 30}),
                sse("status", done("http://h/o.mp4")),
            ],
        ),
    )
    server.script("GET", "/v1/jobs/job_1", Reply(200, done("http://h/o.mp4")))
    result = cli("jobs", "watch", "job_1")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "http://h/o.mp4"
    assert "processing" in result.stderr and "completed" in result.stderr


def test_models_lists_and_shows_one(cli, server):
    model = {
        "id": "mdl_1",
        "slug": "editbay/local/video-edit",
        "name": "Local engine",
        "providerName": "editbay",
        "versions": [
            {
                "versionId": "v1",
                "status": "active",
                "inputSchema": {
                    "type": "object",
                    "required": ["prompt"],
                    "properties": {"prompt": {"type": "string"}},
                },
            }
        ],
    }
    server.script("GET", "/v1/models", Reply(200, {"models": [model]}))
    server.script("GET", "/v1/models/editbay/local/video-edit", Reply(200, model))
    listing = cli("models")
    assert listing.exit_code == 0 and "editbay/local/video-edit" in listing.stdout
    detail = cli("models", "editbay/local/video-edit")
    assert detail.exit_code == 0 and "prompt" in detail.stdout and "Local engine" in detail.stdout
    assert json.loads(cli("models", "--json").stdout)[0]["slug"] == "editbay/local/video-edit"


def test_estimate_shows_cost_and_the_plan(cli, server):
    server.script(
        "POST",
        "/v1/jobs/estimate",
        Reply(
            200,
            {
                "baseCostMicroCents": 30000,
                "estimatedCostMicroCents": 30000,
                "hasDiscount": False,
                "breakdown": [{"component": "base", "costMicroCents": 30000}],
                "plan": {
                    "operations": [{"op": "speed", "factor": 2.0, "source": "speed it up 2x"}],
                    "unsupported": [{"clause": "add a dragon", "reason": "needs a generative model"}],
                },
            },
        ),
    )
    result = cli("estimate", "speed it up 2x and add a dragon")
    assert result.exit_code == 0, result.output
    for text in ("$0.03", "speed", "factor=2.0", "add a dragon", "needs a generative model"):
        assert text in result.stdout
    as_json = json.loads(cli("estimate", "speed it up 2x", "--json").stdout)
    assert as_json["estimatedCostMicroCents"] == 30000 and as_json["plan"]["operations"][0]["op"] == "speed"


def test_base_url_and_api_key_options_override_the_environment(cli, server):
    server.script("GET", "/v1/jobs/job_1", Reply(200, done("http://h/o.mp4")))
    result = cli(
        "jobs",
        "get",
        "job_1",
        "--base-url",
        server.url,
        "--api-key",
        "eb_flag",
        env={"EDITBAY_BASE_URL": "http://127.0.0.1:9", "EDITBAY_API_KEY": "eb_env"},
    )
    assert result.exit_code == 0, result.output
    assert server.requests[-1].headers["authorization"] == "Bearer eb_flag"


def test_help_lists_every_client_command(cli):
    result = cli("--help")
    for command in ("submit", "jobs", "models", "estimate"):
        assert command in result.stdout
    assert cli("jobs", "--help").exit_code == 0
