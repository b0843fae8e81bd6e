"""`Idempotency-Key` on submit: the same key and body within 24 h replay the first response; the
same key with another body is refused (409 IDEMPOTENCY_KEY_REUSED)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from editbay.errors import EditbayError, ErrorCode
from editbay.store import queries
from editbay.store.models import IdempotencyRecord

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255
#: 1..255 visible ASCII characters, inner spaces allowed (the OpenAPI document shows it)
IDEMPOTENCY_KEY_PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise EditbayError(
            ErrorCode.INVALID_INPUT,
            f"Idempotency-Key: must be 1..{MAX_KEY_LENGTH} printable characters",
            {"field": "Idempotency-Key"},
        )
    return key


def request_hash(body: dict[str, Any]) -> str:
    """A fingerprint of the request body that ignores key order and whitespace."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lookup(
    session: Session, account_id: str, key: str, fingerprint: str, at: datetime
) -> dict[str, Any] | None:
    """The stored response for a replay, None for a fresh key, or 409 for a different body."""
    record = queries.get_idempotency(session, account_id, key)
    if record is None:
        return None
    if record.created_at < at - RETENTION:
        queries.delete_idempotency(session, account_id, key)
        session.flush()
        return None
    if record.request_hash != fingerprint:
        raise key_reused()
    return dict(record.response)


def key_reused() -> EditbayError:
    return EditbayError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was already used with a different request body",
        {"field": "Idempotency-Key"},
    )


def record(
    account_id: str, key: str, fingerprint: str, job_id: str, response: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """The row that remembers a submit's response under its key (`queries.insert_idempotency_rows`)."""
    return {
        "account_id": account_id,
        "key": key,
        "request_hash": fingerprint,
        "job_id": job_id,
        "status_code": 200,
        "response": response,
        "created_at": at,
    }


def remember(
    session: Session,
    account_id: str,
    key: str,
    fingerprint: str,
    job_id: str,
    response: dict[str, Any],
    at: datetime,
) -> None:
    queries.insert_idempotency(
        session,
        IdempotencyRecord(
            account_id=account_id,
            key=key,
            request_hash=fingerprint,
            job_id=job_id,
            status_code=200,
            response=response,
            created_at=at,
        ),
    )
