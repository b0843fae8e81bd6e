"""Opaque cursors for keyset pagination (base64url JSON; clients must not parse them)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from editbay.errors import EditbayError, ErrorCode


def encode(value: list[Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise bad_cursor() from exc
    if not isinstance(value, list):
        raise bad_cursor()
    return value


def bad_cursor() -> EditbayError:
    return EditbayError(
        ErrorCode.INVALID_INPUT, "cursor: not a cursor returned by this endpoint", {"field": "cursor"}
    )


def encode_job_cursor(created_at: datetime, job_id: str) -> str:
    return encode(["j", created_at.isoformat(), job_id])


def decode_job_cursor(cursor: str) -> tuple[datetime, str]:
    value = decode(cursor)
    try:
        tag, created, job_id = value
        if tag != "j" or not isinstance(job_id, str):
            raise ValueError(tag)
        return datetime.fromisoformat(created), job_id
    except (ValueError, TypeError) as exc:
        raise bad_cursor() from exc


def encode_ledger_cursor(entry_id: int) -> str:
    return encode(["l", entry_id])


def decode_ledger_cursor(cursor: str) -> int:
    value = decode(cursor)
    if len(value) != 2 or value[0] != "l" or not isinstance(value[1], int):
        raise bad_cursor()
    return int(value[1])
