"""An accepted upstream webhook wakes the job's provider (``RunContext.wakeup``): through the
count on the job row, which any process sees, and through the notification, which wakes the
supervisors at once. In-process workers with the ``wakeup`` fixture provider."""

from __future__ import annotations

import time

from editbay.store import queue
from editbay.store.db import make_engine, transaction
from editbay.store.models import Job
from editbay.store.notify import TOPIC_CANCEL, local_waker, notify_upstream_changed
from editbay.worker.pool import WorkerPool
from editbay.worker.services import Services
from procs import wait_until


def start_pool(make_settings, database_url: str) -> WorkerPool:
    settings = make_settings(
        database_url,
        provider_overrides={"*": "editbay_test_providers:wakeup"},
        lease_seconds=5,
        heartbeat_seconds=0.3,
        poll_interval_seconds=0.2,
    )
    services = Services.from_settings(settings, make_engine(database_url))
    return WorkerPool(services, 1, deliver_webhooks=False).start()


def job_row(sessions, job_id: str) -> Job:
    with transaction(sessions) as session:
        job = session.get(Job, job_id)
        session.expunge(job)
        return job


def count_notification(sessions, job_id: str) -> None:
    """What the webhook endpoint writes, without its notification (as seen from another process
    on SQLite, where notifications stay in-process)."""
    with transaction(sessions) as session:
        assert queue.count_upstream_notification(session, job_id)


def test_a_notification_counted_in_the_database_wakes_the_running_job(
    make_settings, database_url, sessions, make_job
):
    job_id = make_job(cost=1000)
    pool = start_pool(make_settings, database_url)
    try:
        wait_until(lambda: job_row(sessions, job_id).status == "processing", 10, what="processing")
        time.sleep(1.0)
        assert job_row(sessions, job_id).status == "processing"  # nothing wakes it by itself
        counted = time.monotonic()
        count_notification(sessions, job_id)
        wait_until(lambda: job_row(sessions, job_id).status == "completed", 5, 0.02, what="completed")
        assert time.monotonic() - counted < 1.5  # the supervisor's row check, not a timeout
        job = job_row(sessions, job_id)
        assert job.upstream_notifications == 1 and job.plan["wokenAfter"] >= 1.0
    finally:
        pool.shutdown(0)


def test_notifications_counted_before_the_claim_do_not_wake_the_new_attempt(
    make_settings, database_url, sessions, make_job
):
    job_id = make_job(cost=1000)
    count_notification(sessions, job_id)  # e.g. the upstream's webhook for an earlier attempt
    pool = start_pool(make_settings, database_url)
    try:
        wait_until(lambda: job_row(sessions, job_id).status == "processing", 10, what="processing")
        time.sleep(1.0)
        assert job_row(sessions, job_id).status == "processing"
        count_notification(sessions, job_id)
        wait_until(lambda: job_row(sessions, job_id).status == "completed", 5, 0.02, what="completed")
        assert job_row(sessions, job_id).upstream_notifications == 2
    finally:
        pool.shutdown(0)


def test_an_ended_job_counts_no_notification(sessions, make_job, account):
    from editbay.jobs import lifecycle

    job_id = make_job(cost=1000)
    with transaction(sessions) as session:
        lifecycle.cancel(session, account, job_id)
    with transaction(sessions) as session:
        assert not queue.count_upstream_notification(session, job_id)
        assert not queue.count_upstream_notification(session, "job_unknown")
    assert job_row(sessions, job_id).upstream_notifications == 0


def test_the_notification_rings_the_supervisors_once_committed(sessions, make_job):
    job_id = make_job(cost=1000)
    waker = local_waker(sessions.kw["bind"], TOPIC_CANCEL)
    before = waker.generation
    session = sessions()
    try:
        queue.count_upstream_notification(session, job_id)
        notify_upstream_changed(session)
        session.rollback()  # not committed: nobody is woken
    finally:
        session.close()
    assert waker.generation == before
    with transaction(sessions) as session:
        queue.count_upstream_notification(session, job_id)
        notify_upstream_changed(session)
        assert waker.generation == before  # not before the commit
    assert waker.generation == before + 1
