"""Retention: the sweeper deletes expired outputs and uploads, and keeps the rest."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from editbay.store.db import make_engine, transaction
from editbay.store.models import Account, StoredFile, utcnow
from editbay.worker.runner import remove_stale_workdirs
from editbay.worker.services import Services
from editbay.worker.sweeper import sweep_once


def test_sweeper_deletes_only_expired_files(make_settings, database_url, tmp_path):
    services = Services.from_settings(make_settings(database_url), make_engine(database_url))
    src = tmp_path / "f"
    src.write_bytes(b"data")
    now = utcnow()
    with transaction(services.sessions) as s:
        acc = Account(name="r", balance_microcents=0, held_microcents=0)
        s.add(acc)
        s.flush()
        for key, kind, expires in [
            ("outputs/job_old/output.mp4", "output", now - timedelta(hours=1)),
            ("uploads/file_old/a.mp4", "upload", now - timedelta(minutes=1)),
            ("outputs/job_new/output.mp4", "output", now + timedelta(days=1)),
        ]:
            services.storage.put_file(key, src, "video/mp4")
            s.add(
                StoredFile(account_id=acc.id, kind=kind, storage_key=key, status="ready", expires_at=expires)
            )
    assert sweep_once(services) == 2
    assert services.storage.size("outputs/job_old/output.mp4") is None
    assert services.storage.size("uploads/file_old/a.mp4") is None
    assert services.storage.size("outputs/job_new/output.mp4") == 4
    with transaction(services.sessions) as s:
        states = dict(s.execute(select(StoredFile.storage_key, StoredFile.status)).all())
    assert (
        states["outputs/job_old/output.mp4"] == "deleted" and states["outputs/job_new/output.mp4"] == "ready"
    )
    assert sweep_once(services) == 0


def test_temp_dirs_of_dead_processes_are_removed(make_settings, sqlite_url):
    services = Services.from_settings(make_settings(sqlite_url))
    root = services.settings.data_dir / "tmp"
    (root / "job-999999-job_x-abc").mkdir(parents=True)
    (root / "unrelated").mkdir()
    assert remove_stale_workdirs(services) == 1
    assert sorted(p.name for p in root.iterdir()) == ["unrelated"]
