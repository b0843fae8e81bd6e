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


def test_segment_tasks_are_not_jobs_to_the_api_metrics_or_eta(client: TestClient, tenant, submit_body):
    """A segment-parallel job's child tasks: 404 JOB_NOT_FOUND by id (get and cancel), not listed,
    not in the job counts or queue depth (own gauge and model label), never in the ETA history."""
    from editbay.jobs import lifecycle
    from editbay.providers.segment import SEGMENT_SLUG
    from editbay.store import queries
    from editbay.store.db import transaction

    sessions = client.app.state.sessionmaker
    r = client.post("/v1/jobs/submit", json=submit_body(), headers=tenant.headers)
    assert r.status_code == 200, r.text
    parent_id = r.json()["jobId"]
    with transaction(sessions) as session:
        parent = lifecycle.claim_next(session, "w-parent", 30)
        assert parent is not None and parent.id == parent_id
        tasks = [{"segment": {"index": i}} for i in range(3)]
        children = lifecycle.spawn_children(session, parent, SEGMENT_SLUG, tasks)
    with transaction(sessions) as session:  # one child ran for a long time: not an ETA sample
        child = lifecycle.claim_next(session, "w-child", 30, parent_id=parent_id)
        assert child is not None and child.id in children
        assert lifecycle.complete(session, child.id, "w-child", [], {"segment": 0}, run_seconds=900.0)

    for child_id in children:
        got = client.get(f"/v1/jobs/{child_id}", headers=tenant.headers)
        assert got.status_code == 404 and got.json()["error"]["code"] == "JOB_NOT_FOUND", got.text
        cancelled = client.post(f"/v1/jobs/{child_id}/cancel", headers=tenant.headers)
        assert cancelled.status_code == 404 and cancelled.json()["error"]["code"] == "JOB_NOT_FOUND"
    assert client.get(f"/v1/jobs/{parent_id}", headers=tenant.headers).json()["status"] == "processing"
    listed = client.get("/v1/jobs", headers=tenant.headers).json()
    assert [j["jobId"] for j in listed["jobs"]] == [parent_id]

    text = client.get("/metrics").text
    assert "editbay_queue_depth 0.0" in text  # the parent is processing; its pending children are not jobs
    assert "editbay_segment_queue_depth 2.0" in text
    assert 'editbay_jobs{status="processing"} 1.0' in text and 'editbay_jobs{status="pending"} 0.0' in text
    assert f'editbay_jobs_by_model{{model="{SEGMENT_SLUG}",status="pending"}} 2.0' in text
    assert 'editbay_render_duration_seconds{stat="count"} 0.0' in text  # the child's run is not a job's
    with sessions() as session:
        assert queries.count_queue(session) == (0, 1)
        assert queries.recent_run_seconds(session, None) == []
        assert queries.recent_run_seconds(session, SEGMENT_SLUG) == []
