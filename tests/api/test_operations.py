"""Operations surface: OpenAPI (every error documented with the envelope), health, readiness,
metrics, structured logs."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient

from editbay.api.logs import ContextFilter, JsonFormatter


def test_openapi_documents_the_error_envelope_for_every_operation(lite_client: TestClient) -> None:
    spec = lite_client.get("/openapi.json").json()
    assert "ErrorEnvelope" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)
            for status in ("400", "401", "404", "429", "500"):
                ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorEnvelope"), (method, path, status)


def test_openapi_marks_authenticated_operations(lite_client: TestClient) -> None:
    spec = lite_client.get("/openapi.json").json()
    assert {"bearerAuth", "apiKeyHeader"} <= set(spec["components"]["securitySchemes"])
    assert spec["paths"]["/v1/jobs/submit"]["post"]["security"]
    assert "security" not in spec["paths"]["/healthz"]["get"]
    submit_schema = spec["components"]["schemas"]["JobSubmit"]
    assert set(submit_schema["properties"]) == {"model", "version", "input", "webhookUrl"}


def test_docs_page_is_served(lite_client: TestClient) -> None:
    r = lite_client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


def test_health_and_readiness(lite_client: TestClient) -> None:
    assert lite_client.get("/healthz").json() == {"status": "ok"}
    ready = lite_client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert set(ready["checks"]) == {"database", "storage", "ffmpeg"}


def test_metrics_count_requests_and_jobs_by_status(lite_client: TestClient, lite_tenant, submit_body) -> None:
    lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers)
    lite_client.get("/v1/jobs/job_missing", headers=lite_tenant.headers)
    text = lite_client.get("/metrics").text
    assert 'editbay_http_requests_total{method="POST",route="/v1/jobs/submit",status="200"} 1.0' in text
    assert 'route="/v1/jobs/{jobId}",status="404"' in text
    assert 'editbay_jobs{status="pending"} 1.0' in text
    assert 'editbay_jobs{status="completed"} 0.0' in text
    assert "editbay_http_request_duration_seconds_bucket" in text


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []
        self.addFilter(ContextFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_logs_carry_request_account_and_job_ids(lite_client: TestClient, lite_tenant, submit_body) -> None:
    handler = _Lines()
    logger = logging.getLogger("editbay")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        r = lite_client.post(
            "/v1/jobs/submit", json=submit_body(), headers={**lite_tenant.headers, "X-Request-Id": "trace-1"}
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    submitted = [line for line in handler.lines if line["msg"] == "job submitted"]
    assert submitted, handler.lines
    assert submitted[0]["jobId"] == r.json()["jobId"]
    assert submitted[0]["accountId"] == lite_tenant.account_id
    assert submitted[0]["requestId"] == "trace-1"
    access = [line for line in handler.lines if line["logger"] == "editbay.api.access"]
    assert access and access[0]["status"] == 200 and access[0]["requestId"] == "trace-1"
    assert access[0]["accountId"] == lite_tenant.account_id and access[0]["jobId"] == r.json()["jobId"]
