"""Storage for uploads and outputs: a local directory (served by editbay) or S3-compatible.

get_storage(settings) -> Storage      # chosen by EDITBAY_STORAGE_URL
"""

from __future__ import annotations

import threading
from pathlib import Path

from editbay.settings import Settings
from editbay.storage.base import Storage, check_key, safe_filename
from editbay.storage.local import LocalStorage
from editbay.storage.s3 import S3Storage, parse_s3_url

__all__ = ["LocalStorage", "S3Storage", "Storage", "check_key", "get_storage", "safe_filename"]

_cache: dict[tuple[str, str, str, str], Storage] = {}
_lock = threading.Lock()


def get_storage(settings: Settings) -> Storage:
    """The storage backend for these settings (one instance per configuration)."""
    url = settings.resolved_storage_url
    secret = settings.ensure_secret()
    key = (url, settings.s3_endpoint_url, settings.base_url, secret)
    with _lock:
        storage = _cache.get(key)
        if storage is None:
            if url.startswith("s3://"):
                bucket, prefix = parse_s3_url(url)
                storage = S3Storage(bucket, prefix, settings.s3_endpoint_url or None)
            else:
                storage = LocalStorage(Path(url.removeprefix("file://")), settings.base_url, secret)
            _cache[key] = storage
        return storage
