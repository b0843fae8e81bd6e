"""The `Storage` interface: where uploads and job outputs live, and how clients reach them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol, runtime_checkable

from editbay.errors import EditbayError, ErrorCode

_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


def check_key(key: str) -> str:
    """Keys are relative slash-separated names without empty, dot-leading or ``..`` segments."""
    if not key or len(key) > 500 or not _KEY.match(key):
        raise EditbayError(ErrorCode.NOT_FOUND, "no such file")
    return key


def check_prefix(prefix: str) -> str:
    """A folder prefix: a valid key followed by ``/`` (never empty: no "delete everything")."""
    if not prefix.endswith("/"):
        raise ValueError(f"a folder prefix ends with '/': {prefix!r}")
    check_key(prefix[:-1])
    return prefix


def safe_filename(name: str, default: str = "file") -> str:
    """A filename reduced to characters that are safe in a key and a URL."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-")[:100]
    return cleaned or default


@runtime_checkable
class Storage(Protocol):
    """Blob storage for uploads and outputs, with URLs clients can use directly."""

    #: True when editbay itself serves this storage's URLs (local directory backend).
    served_by_editbay: bool

    def put_file(self, key: str, path: Path, content_type: str) -> int:
        """Store the file at ``key``; returns its size in bytes."""
        ...

    def download_to(self, key: str, dest: Path, max_bytes: int | None = None) -> int:
        """Copy the object to ``dest``; raises INVALID_INPUT when missing or over ``max_bytes``."""
        ...

    def size(self, key: str) -> int | None:
        """The object's size, or None when it does not exist."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object (no error when it is already gone)."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object whose key starts with ``prefix`` (a folder, ending in ``/``);
        returns how many were removed."""
        ...

    def list_folders(self, prefix: str) -> list[str]:
        """The names of the folders directly under ``prefix`` (ending in ``/``), e.g. the job ids
        under ``work/``."""
        ...

    def url_for(self, key: str, expires_in: float, filename: str | None = None) -> str:
        """A GET URL for the object, valid for ``expires_in`` seconds."""
        ...

    def upload_url_for(self, key: str, file_id: str, content_type: str, expires_in: float) -> str:
        """A PUT URL for an upload, valid for ``expires_in`` seconds."""
        ...

    def check_writable(self) -> None:
        """Raise if the storage cannot be written (readiness probe)."""
        ...
