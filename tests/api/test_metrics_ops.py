"""The operational metrics (editbay.api.metrics_ops) are exposed and read from the database."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_metrics_expose_queue_ledger_webhooks_and_render_figures(
    lite_client: TestClient, lite_tenant, submit_body
):
    r = lite_client.post("/v1/jobs/submit", json=submit_body(), headers=lite_tenant.headers)
    assert r.status_code == 200, r.text
    text = lite_client.get("/metrics").text
    assert (
        'editbay_jobs_by_model{model="kling-plus/kling-o1-pro/video-edit-fast",status="pending"} 1.0' in text
    )
    assert "editbay_queue_depth 1.0" in text
    assert (
        'editbay_ledger_microcents{kind="hold"} -30000.0' in text
        or 'editbay_ledger_microcents{kind="hold"}' in text
    )
    for name in (
        "editbay_pickup_latency_seconds",
        "editbay_render_duration_seconds",
        "editbay_render_speed_realtime",
        "editbay_webhook_attempts_total",
        "editbay_http_request_duration_seconds_bucket",
    ):
        assert name in text, name
