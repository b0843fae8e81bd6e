"""Uploads: ``POST /v1/uploads/presign`` → PUT the bytes → use ``fileUrl`` as ``video_url``/``images``.

With local storage editbay serves the PUT itself (``PUT /v1/uploads/{fileId}?expires&signature``,
no API key — the signature is the credential): same Content-Type as presigned (400
INVALID_CONTENT_TYPE), at most ``maxSize`` bytes (413 PAYLOAD_TOO_LARGE, whether announced or
found while streaming), within 15 minutes (403). With S3 the PUT goes to a presigned S3 URL;
the size limit is then enforced when the worker reads the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from editbay.api.deps import SubmitAuth
from editbay.errors import EditbayError, ErrorCode
from editbay.jobs.clock import iso_ms
from editbay.settings import Settings
from editbay.storage import LocalStorage, safe_filename, signing
from editbay.store import files as file_queries
from editbay.store.db import transaction
from editbay.store.models import StoredFile, new_id, utcnow

router = APIRouter(tags=["uploads"])

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
VIDEO_TYPES = {"video/mp4", "video/webm", "video/quicktime"}
AUDIO_TYPES = {"audio/mpeg", "audio/wav"}
CONTENT_TYPES = IMAGE_TYPES | VIDEO_TYPES | AUDIO_TYPES


class UploadTicket(BaseModel):
    uploadUrl: str  # noqa: N815 - wire names
    fileUrl: str  # noqa: N815
    fileId: str  # noqa: N815
    expiresAt: str  # noqa: N815
    maxSize: int  # noqa: N815


class PresignResponse(BaseModel):
    success: bool
    data: UploadTicket


class UploadedFile(BaseModel):
    fileId: str  # noqa: N815
    size: int


class UploadResponse(BaseModel):
    success: bool
    data: UploadedFile


def max_size_for(content_type: str, settings: Settings) -> int:
    """The byte limit for one upload of this type."""
    return settings.upload_max_image_bytes if content_type in IMAGE_TYPES else settings.upload_max_video_bytes


def _validated(payload: Any) -> tuple[str, str]:
    if not isinstance(payload, dict):
        raise EditbayError(
            ErrorCode.VALIDATION_ERROR, "the body must be a JSON object with filename and contentType"
        )
    filename, content_type = payload.get("filename"), payload.get("contentType")
    if not isinstance(filename, str) or not filename.strip() or len(filename) > 255:
        raise EditbayError(
            ErrorCode.VALIDATION_ERROR, "filename is required (1..255 characters)", {"field": "filename"}
        )
    if not isinstance(content_type, str) or not content_type.strip():
        raise EditbayError(ErrorCode.VALIDATION_ERROR, "contentType is required", {"field": "contentType"})
    normalized = content_type.split(";", 1)[0].strip().lower()
    if normalized not in CONTENT_TYPES:
        raise EditbayError(
            ErrorCode.INVALID_CONTENT_TYPE,
            f"contentType {content_type!r} is not accepted; use one of {', '.join(sorted(CONTENT_TYPES))}",
            {"field": "contentType", "allowed": sorted(CONTENT_TYPES)},
        )
    return filename.strip(), normalized


def _presign(state: Any, account_id: str, filename: str, content_type: str) -> dict[str, Any]:
    settings: Settings = state.settings
    storage = state.storage
    file_id = new_id("file")
    key = f"uploads/{file_id}/{safe_filename(filename)}"
    now = utcnow()
    url_seconds = settings.upload_url_minutes * 60
    max_size = max_size_for(content_type, settings)
    record = StoredFile(
        id=file_id,
        account_id=account_id,
        kind="upload",
        filename=filename[:255],
        content_type=content_type,
        storage_key=key,
        max_size_bytes=max_size,
        status="pending",
        created_at=now,
        expires_at=now + timedelta(minutes=settings.upload_retention_minutes),
    )
    with transaction(state.sessionmaker) as session:
        file_queries.insert_file(session, record)
    return {
        "uploadUrl": storage.upload_url_for(key, file_id, content_type, url_seconds),
        "fileUrl": storage.url_for(key, settings.upload_retention_minutes * 60),
        "fileId": file_id,
        "expiresAt": iso_ms(now + timedelta(seconds=url_seconds)),
        "maxSize": max_size,
    }


@router.post(
    "/v1/uploads/presign",
    response_model=PresignResponse,
    summary="Get a URL to upload a file to",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["filename", "contentType"],
                        "properties": {
                            "filename": {"type": "string", "minLength": 1, "maxLength": 255},
                            "contentType": {"type": "string", "enum": sorted(CONTENT_TYPES)},
                        },
                    }
                }
            },
        }
    },
)
async def presign(request: Request, auth: SubmitAuth) -> JSONResponse:
    try:
        payload = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EditbayError(ErrorCode.VALIDATION_ERROR, "the body must be JSON") from exc
    filename, content_type = _validated(payload)
    data = await run_in_threadpool(_presign, request.app.state, auth.account_id, filename, content_type)
    return JSONResponse({"success": True, "data": data})


def _load_upload(state: Any, file_id: str) -> StoredFile:
    with state.read_sessionmaker() as session:
        record = file_queries.get_file(session, file_id)
        if record is None or record.kind != "upload" or record.status == "deleted":
            raise EditbayError(ErrorCode.NOT_FOUND, "no such upload")
        if record.expires_at is not None and record.expires_at < utcnow():
            raise EditbayError(ErrorCode.FORBIDDEN, "the upload has expired")
        session.expunge(record)
        return record


def _mark_uploaded(state: Any, file_id: str, size: int) -> None:
    with transaction(state.sessionmaker) as session:
        file_queries.mark_uploaded(session, file_id, size)


def _too_large(limit: int) -> EditbayError:
    return EditbayError(
        ErrorCode.PAYLOAD_TOO_LARGE, f"the file is larger than {limit} bytes", {"maxSize": limit}
    )


@router.put(
    "/v1/uploads/{fileId}",
    response_model=UploadResponse,
    summary="Upload the bytes (signed URL from presign; local storage only)",
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}},
)
async def put_upload(
    fileId: str,  # noqa: N803 - wire name
    request: Request,
    expires: Annotated[str | None, Query(max_length=20)] = None,
    signature: Annotated[str | None, Query(max_length=128)] = None,
) -> JSONResponse:
    state = request.app.state
    storage = state.storage
    if not isinstance(storage, LocalStorage):
        raise EditbayError(ErrorCode.NOT_FOUND, "uploads go to the object store's presigned URL")
    signing.verify(storage.secret, "put", fileId, expires, signature)
    record = await run_in_threadpool(_load_upload, state, fileId)
    sent_type = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if sent_type != record.content_type:
        raise EditbayError(
            ErrorCode.INVALID_CONTENT_TYPE,
            f"Content-Type must be {record.content_type!r}, as presigned",
            {"expected": record.content_type},
        )
    limit = int(record.max_size_bytes or max_size_for(record.content_type, state.settings))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    tmp, dest = storage.open_writer(record.storage_key)
    size = 0
    try:
        idle = float(state.settings.upload_idle_timeout_seconds)
        chunks = request.stream().__aiter__()
        with open(tmp, "wb") as out:
            while True:
                try:
                    chunk = await asyncio.wait_for(chunks.__anext__(), idle)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise EditbayError(
                        ErrorCode.INVALID_INPUT,
                        f"upload stalled: no data for {idle:g} s",
                        {"reason": "timeout", "receivedBytes": size},
                    ) from None
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                out.write(chunk)
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    await run_in_threadpool(_mark_uploaded, state, fileId, size)
    return JSONResponse({"success": True, "data": {"fileId": fileId, "size": size}})
