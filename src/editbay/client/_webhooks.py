"""Webhook signature verification: HMAC-SHA256 over ``"{timestamp}.{raw body}"`` with the account's
webhook secret, sent as ``X-PixelByte-Signature: sha256=<hex>`` next to ``X-PixelByte-Timestamp``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from editbay.client._errors import WebhookVerificationError
from editbay.client._types import WebhookEvent

__all__ = [
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "sign_webhook",
    "verify_webhook",
]

SIGNATURE_HEADER = "X-PixelByte-Signature"
TIMESTAMP_HEADER = "X-PixelByte-Timestamp"
EVENT_ID_HEADER = "X-Editbay-Event-Id"


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def _header(headers: Any, name: str) -> str | None:
    """A header by case-insensitive name from a dict, an httpx/Starlette/email header object or pairs."""
    getter = getattr(headers, "get", None)
    if callable(getter):
        for candidate in (name, name.lower()):
            value = getter(candidate)
            if value is not None:
                return str(value)
    pairs = headers.items() if hasattr(headers, "items") else headers
    try:
        for key, value in pairs:
            if str(key).lower() == name.lower():
                return str(value)
    except (TypeError, ValueError):
        pass
    return None


def sign_webhook(secret: str | bytes, timestamp: int | str, raw_body: str | bytes) -> str:
    """The ``X-PixelByte-Signature`` value for a body (``sha256=<hex>``); used by tests and senders."""
    message = _as_bytes(str(timestamp)) + b"." + _as_bytes(raw_body)
    return "sha256=" + hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def verify_webhook(
    secret: str | bytes,
    headers: Mapping[str, str],
    raw_body: str | bytes,
    tolerance: float = 300,
    *,
    now: float | None = None,
) -> WebhookEvent:
    """Check a webhook delivery and return its parsed event, or raise `WebhookVerificationError`.

    ``raw_body`` must be the bytes exactly as received (not re-serialised JSON). The timestamp must
    be within ``tolerance`` seconds of now (older deliveries could be replays); the signature is
    compared in constant time. The event's ``event_id`` is the ``X-Editbay-Event-Id`` header, which
    stays the same across retries: use it to de-duplicate.
    """
    if not secret:
        raise WebhookVerificationError("no webhook secret configured")
    signature = _header(headers, SIGNATURE_HEADER)
    timestamp = _header(headers, TIMESTAMP_HEADER)
    if not signature:
        raise WebhookVerificationError(f"missing {SIGNATURE_HEADER} header")
    if not timestamp:
        raise WebhookVerificationError(f"missing {TIMESTAMP_HEADER} header")
    try:
        sent_at = int(timestamp.strip())
    except ValueError:
        raise WebhookVerificationError(f"{TIMESTAMP_HEADER} is not Unix seconds: {timestamp!r}") from None
    age = (time.time() if now is None else now) - sent_at
    if abs(age) > tolerance:
        raise WebhookVerificationError(
            f"timestamp is {age:.0f} s away from now (tolerance {tolerance:g} s): stale or replayed"
        )
    expected = sign_webhook(secret, timestamp.strip(), raw_body)
    # several signatures may be sent during secret rotation: "sha256=a, sha256=b"
    candidates = [part.strip() for part in signature.split(",") if part.strip()]
    if not any(hmac.compare_digest(expected.encode(), c.encode()) for c in candidates):
        raise WebhookVerificationError("signature does not match the body (wrong secret or altered body)")
    try:
        data = json.loads(_as_bytes(raw_body))
        event = WebhookEvent.model_validate(data)
    except (ValueError, ValidationError) as exc:
        raise WebhookVerificationError(f"signed body is not a webhook event: {exc}") from exc
    event.event_id = _header(headers, EVENT_ID_HEADER) or event.event_id
    return event
