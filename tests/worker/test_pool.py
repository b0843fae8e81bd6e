"""The worker loop in-process (burst and threaded), with fixture providers and real HTTP inputs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from editbay.jobs import lifecycle
from editbay.store.db import make_engine, transaction
from editbay.store.models import Job
from editbay.worker.pool import WorkerPool
from editbay.worker.services import Services
from procs import MediaServer, make_clip, wait_until

from .conftest import balances


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory):
    server = MediaServer()
    clip = make_clip(tmp_path_factory.mktemp("media") / "clip.mp4", seconds=1.0)
    server.add("/clip.mp4", clip.read_bytes())
    server.add("/page.html", b"<!doctype html><html><body>hi</body></html>", "text/html")
    yield server
    server.close()


def services_for(make_settings, database_url: str, provider: str, **overrides) -> Services:
    values = {
        "allow_private_urls": True,
        "provider_overrides": {"*": f"editbay_test_providers:{provider}"},
        "lease_seconds": 5,
        "heartbeat_seconds": 0.3,
        "poll_interval_seconds": 0.2,
        **overrides,
    }
    settings = make_settings(database_url, **values)
    return Services.from_settings(settings, make_engine(database_url))


def status_of(sessions, job_id: str) -> Job:
    with transaction(sessions) as session:
        job = session.get(Job, job_id)
        session.expunge(job)
        return job


def test_burst_worker_runs_jobs_and_stores_outputs(
    make_settings, database_url, sessions, make_job, media, account
):
    ids = [make_job(video_url=media.url("/clip.mp4"), cost=1000) for _ in range(2)]
    services = services_for(make_settings, database_url, "passthrough")
    pool = WorkerPool(services, 1, burst=True, deliver_webhooks=False).start()
    assert pool.join(60)
    for job_id in ids:
        job = status_of(sessions, job_id)
        assert job.status == "completed", (job.error_code, job.error_message)
        assert services.storage.size(job.outputs[0]["video"]) > 1000
        assert job.run_seconds and job.run_seconds > 0
    assert balances(sessions, account) == (1_000_000 - 2000, 0)
    assert not any(Path(services.settings.data_dir, "tmp").iterdir())  # temp dirs cleaned


def test_a_crashing_provider_fails_the_job_and_the_worker_goes_on(
    make_settings, database_url, sessions, make_job, account
):
    first, second = make_job(cost=1000), make_job(cost=1000)
    services = services_for(make_settings, database_url, "fail")
    assert WorkerPool(services, 1, burst=True, deliver_webhooks=False).start().join(30)
    for job_id in (first, second):
        job = status_of(sessions, job_id)
        assert job.status == "failed" and job.error_code == "INTERNAL_ERROR"
        assert "RuntimeError" in job.error_message and "fixture failure" not in job.error_message
    assert balances(sessions, account) == (1_000_000, 0)


def test_html_page_as_input_fails_invalid_input(make_settings, database_url, sessions, make_job, media):
    job_id = make_job(video_url=media.url("/page.html"))
    services = services_for(make_settings, database_url, "passthrough")
    assert WorkerPool(services, 1, burst=True, deliver_webhooks=False).start().join(30)
    job = status_of(sessions, job_id)
    assert job.status == "failed" and job.error_code == "INVALID_INPUT" and "web page" in job.error_message


def test_cancelling_a_processing_job_stops_it_within_a_second(
    make_settings, database_url, sessions, make_job, account
):
    job_id = make_job(cost=30_000)
    services = services_for(make_settings, database_url, "hang")
    pool = WorkerPool(services, 1, deliver_webhooks=False).start()
    try:
        wait_until(lambda: status_of(sessions, job_id).status == "processing", 10, what="processing")
        started = time.monotonic()
        with transaction(sessions) as session:
            lifecycle.cancel(session, account, job_id)
        wait_until(lambda: status_of(sessions, job_id).status == "cancelled", 5, 0.02, what="cancelled")
        assert time.monotonic() - started < 1.5
        assert balances(sessions, account) == (1_000_000, 0)
    finally:
        pool.shutdown(0)


def test_graceful_stop_gives_the_running_job_back(make_settings, database_url, sessions, make_job):
    job_id = make_job()
    services = services_for(make_settings, database_url, "hang")
    pool = WorkerPool(services, 1, deliver_webhooks=False).start()
    wait_until(lambda: status_of(sessions, job_id).status == "processing", 10, what="processing")
    assert pool.shutdown(grace_seconds=0.2, timeout=10)
    job = status_of(sessions, job_id)
    assert job.status == "pending" and job.attempts == 0 and job.lease_owner is None


def test_job_timeout_fails_with_timeout(make_settings, database_url, sessions, make_job, account):
    job_id = make_job(cost=1000)
    services = services_for(make_settings, database_url, "hang", job_timeout_seconds=0.5)
    assert WorkerPool(services, 1, burst=True, deliver_webhooks=False).start().join(30)
    job = status_of(sessions, job_id)
    assert job.status == "failed" and job.error_code == "TIMEOUT"
    assert balances(sessions, account) == (1_000_000, 0)


def test_notification_wakes_an_idle_worker_quickly(make_settings, database_url, sessions, make_job):
    from editbay.store.notify import notify_job_available

    services = services_for(make_settings, database_url, "passthrough", poll_interval_seconds=30)
    pool = WorkerPool(services, 1, deliver_webhooks=False).start()
    try:
        time.sleep(0.3)  # the worker is now waiting (30 s poll)
        job_id = make_job(video_url="http://127.0.0.1:9/none.mp4")
        with transaction(sessions) as session:
            notify_job_available(session)
        wait_until(lambda: status_of(sessions, job_id).status != "pending", 2, 0.01, what="pickup")
    finally:
        pool.shutdown(0)
