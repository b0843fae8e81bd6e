"""Local-directory storage: files under one root, served by editbay at signed expiring URLs.

GET URLs are ``{base}/v1/files/{key}?expires=…&signature=…`` (routes in `api.routes.files`);
upload PUT URLs are ``{base}/v1/uploads/{fileId}?expires=…&signature=…`` (`api.routes.uploads`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

from editbay.errors import EditbayError, ErrorCode
from editbay.storage import signing
from editbay.storage.base import check_key, check_prefix


class LocalStorage:
    """Blobs as files under ``root``; writes are atomic (temp file + rename)."""

    served_by_editbay = True

    def __init__(self, root: Path, base_url: str, secret: str) -> None:
        self.root = Path(root).resolve()
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    def path_for(self, key: str) -> Path:
        """The file path of ``key`` (never outside the root)."""
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise EditbayError(ErrorCode.NOT_FOUND, "no such file")
        return path

    def put_file(self, key: str, path: Path, content_type: str) -> int:
        dest = self.path_for(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".put-", dir=dest.parent)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return dest.stat().st_size

    def open_writer(self, key: str) -> tuple[Path, Path]:
        """(temp path, final path) for streaming writes; the caller renames when complete."""
        dest = self.path_for(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".put-", dir=dest.parent)
        os.close(fd)
        return Path(tmp), dest

    def download_to(self, key: str, dest: Path, max_bytes: int | None = None) -> int:
        src = self.path_for(key)
        if not src.is_file():
            raise EditbayError(ErrorCode.INVALID_INPUT, "the uploaded file does not exist (expired?)")
        size = src.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise EditbayError(ErrorCode.INVALID_INPUT, f"the file is larger than {max_bytes} bytes")
        shutil.copyfile(src, dest)
        return size

    def size(self, key: str) -> int | None:
        path = self.path_for(key)
        return path.stat().st_size if path.is_file() else None

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.root:  # drop now-empty folders (outputs/<job>/)
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def delete_prefix(self, prefix: str) -> int:
        folder = self.path_for(check_prefix(prefix)[:-1])
        if not folder.is_dir():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder, ignore_errors=True)
        parent = folder.parent
        while parent != self.root:  # drop now-empty parents (work/)
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
        return count

    def list_folders(self, prefix: str) -> list[str]:
        folder = self.path_for(check_prefix(prefix)[:-1])
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir())

    def url_for(self, key: str, expires_in: float, filename: str | None = None) -> str:
        exp = signing.expiry(expires_in)
        sig = signing.sign(self.secret, "get", check_key(key), exp)
        return f"{self.base_url}/v1/files/{quote(key)}?" + urlencode({"expires": exp, "signature": sig})

    def upload_url_for(self, key: str, file_id: str, content_type: str, expires_in: float) -> str:
        exp = signing.expiry(expires_in)
        sig = signing.sign(self.secret, "put", file_id, exp)
        return f"{self.base_url}/v1/uploads/{quote(file_id)}?" + urlencode({"expires": exp, "signature": sig})

    def check_writable(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-"):
            pass
