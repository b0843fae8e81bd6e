"""Resolve a job's input URL to a local file: uploads are read from storage directly (checked to
belong to the job's account), anything else goes through the SSRF-safe fetcher."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy.orm import Session, sessionmaker

from editbay.errors import EditbayError, ErrorCode
from editbay.net.fetch import fetch_to_file, require_kind
from editbay.net.guard import Resolver
from editbay.settings import Settings
from editbay.storage.base import Storage
from editbay.store import files as file_queries
from editbay.store.db import transaction
from editbay.store.models import utcnow

UPLOAD_PATH = re.compile(r"/uploads/(file_[0-9a-f]{32})/")


def upload_id_of(url: str) -> str | None:
    """The upload's file id when ``url`` is a ``fileUrl`` handed out by the upload endpoint."""
    try:
        path = urlparse(url).path
    except ValueError:
        return None
    match = UPLOAD_PATH.search(path)
    return match.group(1) if match else None


def make_fetcher(
    settings: Settings,
    storage: Storage,
    sessions: sessionmaker[Session],
    account_id: str,
    resolver: Resolver | None = None,
) -> Callable[[str, Path, str, str], Path]:
    """A ``fetch(url, dest, kind, what) -> path`` bound to one job's account."""

    def fetch(url: str, dest: Path, kind: str, what: str) -> Path:
        file_id = upload_id_of(url)
        if file_id is not None:
            return _from_upload(file_id, dest, kind, what)
        fetch_to_file(
            url,
            dest,
            kind=kind,
            max_bytes=settings.fetch_max_bytes,
            timeout=settings.fetch_timeout_seconds,
            allow_private=settings.allow_private_urls,
            resolver=resolver,
            what=what,
        )
        return dest

    def _from_upload(file_id: str, dest: Path, kind: str, what: str) -> Path:
        with transaction(sessions) as session:
            record = file_queries.get_account_file(session, account_id, file_id)
            if record is None or record.kind != "upload" or record.status == "deleted":
                raise EditbayError(ErrorCode.INVALID_INPUT, f"{what}: the uploaded file does not exist")
            if record.expires_at is not None and record.expires_at < utcnow():
                raise EditbayError(ErrorCode.INVALID_INPUT, f"{what}: the upload has expired")
            key, limit = record.storage_key, record.max_size_bytes
        max_bytes = min(limit or settings.fetch_max_bytes, settings.fetch_max_bytes)
        storage.download_to(key, dest, max_bytes=max_bytes)
        require_kind(dest, kind, what)
        return dest

    return fetch
