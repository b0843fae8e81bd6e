"""Named queries for stored files (uploads and job outputs) and their retention."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from editbay.store.models import StoredFile


def insert_file(session: Session, record: StoredFile) -> StoredFile:
    """Add a file record (an upload being presigned, or a job output)."""
    session.add(record)
    session.flush()
    return record


def get_file(session: Session, file_id: str) -> StoredFile | None:
    """A file record by id, whatever its account (the signed upload URL names it)."""
    return session.get(StoredFile, file_id)


def get_account_file(session: Session, account_id: str, file_id: str) -> StoredFile | None:
    """A file record by id, only if it belongs to the account."""
    return session.execute(
        select(StoredFile).where(StoredFile.id == file_id, StoredFile.account_id == account_id)
    ).scalar_one_or_none()


def mark_uploaded(session: Session, file_id: str, size: int) -> bool:
    """Guarded: a pending (or re-sent) upload becomes ready with its size."""
    result = session.execute(
        update(StoredFile)
        .where(StoredFile.id == file_id, StoredFile.kind == "upload", StoredFile.status != "deleted")
        .values(status="ready", size_bytes=size)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def find_expired(session: Session, now: datetime, limit: int = 200) -> Sequence[StoredFile]:
    """Files (uploads and outputs) past their expiry that are not deleted yet."""
    return (
        session.execute(
            select(StoredFile)
            .where(StoredFile.expires_at < now, StoredFile.status != "deleted")
            .order_by(StoredFile.expires_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )


def mark_deleted(session: Session, file_id: str) -> None:
    """The file's bytes are gone."""
    session.execute(
        update(StoredFile)
        .where(StoredFile.id == file_id)
        .values(status="deleted")
        .execution_options(synchronize_session=False)
    )
