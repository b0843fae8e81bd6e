"""Files editbay serves itself (local storage): signed, expiring GET links for outputs and uploads.

``GET /v1/files/{key}?expires=…&signature=…`` — no API key: the HMAC signature is the credential.
A bad or tampered signature and an expired link both get 403; a deleted file 404.
"""

from __future__ import annotations

import mimetypes
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from editbay.errors import EditbayError, ErrorCode
from editbay.storage import LocalStorage, check_key, signing

router = APIRouter(tags=["files"])


@router.get(
    "/v1/files/{key:path}",
    summary="Download a stored file through a signed link",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def get_file(
    key: str,
    request: Request,
    expires: Annotated[str | None, Query(max_length=20)] = None,
    signature: Annotated[str | None, Query(max_length=128)] = None,
) -> FileResponse:
    storage = request.app.state.storage
    if not isinstance(storage, LocalStorage):
        raise EditbayError(ErrorCode.NOT_FOUND, "files are served by the object store")
    check_key(key)
    signing.verify(storage.secret, "get", key, expires, signature)
    path = storage.path_for(key)
    if not path.is_file():
        raise EditbayError(ErrorCode.NOT_FOUND, "the file does not exist (it may have expired)")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})
