"""The segment sweeper removes the pieces (`work/<job>/`) of jobs that ended long enough ago, on
local storage and on S3 (a real moto server), and keeps those of running or just-ended jobs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from editbay.store.db import make_engine, transaction
from editbay.store.models import Account, Job, utcnow
from editbay.worker.services import Services
from editbay.worker.sweeper import sweep_segment_work
from procs import moto_s3

CREDS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(params=["local", "s3"])
def storage_settings(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    if request.param == "local":
        yield {}
        return
    for key, value in CREDS.items():
        monkeypatch.setenv(key, value)
    with moto_s3() as (endpoint, bucket):
        yield {"storage_url": f"s3://{bucket}/eb", "s3_endpoint_url": endpoint}


PIECES = ("a1/seg-0000.in.mp4", "a1/seg-0000.out.mp4", "a2/thumbnail.jpg")


def test_pieces_of_ended_jobs_are_swept_and_live_ones_kept(
    make_settings, database_url, storage_settings, tmp_path: Path
):
    settings = make_settings(database_url, segment_sweep_grace_seconds=600, **storage_settings)
    services = Services.from_settings(settings, make_engine(database_url))
    storage = services.storage
    src = tmp_path / "piece"
    src.write_bytes(b"piece")
    now, long_ago = utcnow(), utcnow() - timedelta(hours=2)
    ids: dict[str, str] = {}
    with transaction(services.sessions) as s:
        account = Account(name="sweep", balance_microcents=0, held_microcents=0)
        s.add(account)
        s.flush()
        for name, status, ended in [
            ("running", "processing", None),
            ("pending", "pending", None),
            ("just_failed", "failed", now),
            ("completed_long_ago", "completed", long_ago),
            ("cancelled_long_ago", "cancelled", long_ago),
            ("failed_long_ago", "failed", long_ago),
        ]:
            job = Job(account_id=account.id, request_id=f"req_{name}", model_slug="editbay/local/video-edit",
                      status=status, completed_at=ended)
            s.add(job)
            s.flush()
            ids[name] = job.id
    ids["gone"] = "job_no_longer_in_the_database"
    for job_id in ids.values():
        for piece in PIECES:
            storage.put_file(f"work/{job_id}/{piece}", src, "video/mp4")
    storage.put_file(f"outputs/{ids['completed_long_ago']}/output.mp4", src, "video/mp4")

    assert sorted(storage.list_folders("work/")) == sorted(ids.values())
    assert sweep_segment_work(services) == 4 * len(PIECES)
    kept = {name for name, job_id in ids.items() if storage.size(f"work/{job_id}/{PIECES[0]}") is not None}
    assert kept == {"running", "pending", "just_failed"}
    for name in kept:
        assert all(storage.size(f"work/{ids[name]}/{piece}") == 5 for piece in PIECES)
    assert storage.size(f"outputs/{ids['completed_long_ago']}/output.mp4") == 5  # outputs are not touched
    assert sweep_segment_work(services) == 0

    # once the grace has passed for the job that just failed, its pieces go too
    services.settings = settings.model_copy(update={"segment_sweep_grace_seconds": 0})
    assert sweep_segment_work(services) == len(PIECES)
    assert sorted(storage.list_folders("work/")) == sorted([ids["running"], ids["pending"]])


def test_delete_prefix_stops_at_the_folder_boundary(make_settings, sqlite_url, storage_settings, tmp_path):
    storage = Services.from_settings(make_settings(sqlite_url, **storage_settings)).storage
    src = tmp_path / "f"
    src.write_bytes(b"x")
    for key in ("work/job_1/a1/p.mp4", "work/job_1/a2/p.mp4", "work/job_10/a1/p.mp4", "work/job_1.mp4"):
        storage.put_file(key, src, "video/mp4")
    assert storage.delete_prefix("work/job_1/") == 2
    assert storage.size("work/job_10/a1/p.mp4") == 1 and storage.size("work/job_1.mp4") == 1
    assert storage.list_folders("work/") == ["job_10"]
    assert storage.delete_prefix("work/job_1/") == 0
    with pytest.raises(ValueError):
        storage.delete_prefix("work")  # not a folder: refused rather than matching "work*"
