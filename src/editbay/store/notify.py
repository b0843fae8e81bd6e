"""Wake-ups for workers: PostgreSQL NOTIFY or an in-process event for SQLite (being written)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def notify_job_available(session: Session) -> None:
    """Tell workers a job is runnable; sent when the caller's transaction commits."""
    return None
