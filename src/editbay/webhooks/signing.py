"""Webhook signatures: ``X-PixelByte-Signature: sha256=HMAC-SHA256(secret, f"{timestamp}.{body}")``."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, headers: Mapping[str, str], body: bytes, tolerance: float = 300) -> bool:
    """Receiver-side check: a valid signature on a timestamp no older than ``tolerance`` seconds."""
    lower = {k.lower(): v for k, v in headers.items()}
    ts = lower.get("x-pixelbyte-timestamp", "")
    sig = lower.get("x-pixelbyte-signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, ts, body).encode(), sig.encode("utf-8", "replace"))
