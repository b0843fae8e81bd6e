"""Webhook signatures: ``X-PixelByte-Signature: sha256=HMAC-SHA256(secret, f"{timestamp}.{body}")``.

`signature` signs editbay's own deliveries; `check` is the receiver's side of the same contract
(editbay receiving its upstream's webhooks, `providers.upstream_webhook`, and the tests checking
editbay's deliveries). The SDK (`editbay.client`) carries its own copy of the check so that it
stands alone.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "x-pixelbyte-signature"
TIMESTAMP_HEADER = "x-pixelbyte-timestamp"
#: how far a webhook's timestamp may be from now (api.md: "older than 5 minutes")
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: float = TOLERANCE_SECONDS,
    now: float | None = None,
) -> str | None:
    """Why a received webhook is refused, or None when its signature is valid and its timestamp
    within ``tolerance`` seconds of now (either way: older, or from the future). During a secret
    rotation a sender may sign twice (``sha256=a, sha256=b``): one matching signature suffices.
    Signatures are compared in constant time; non-ASCII header values are refused, not raised."""
    lower = {k.lower(): v for k, v in headers.items()}
    stamp = lower.get(TIMESTAMP_HEADER, "").strip()
    sent = lower.get(SIGNATURE_HEADER, "")
    if not stamp or not sent:
        return "missing X-PixelByte-Timestamp or X-PixelByte-Signature header"
    if not stamp.isascii() or not stamp.isdigit():
        return "X-PixelByte-Timestamp is not Unix seconds"
    age = (time.time() if now is None else now) - int(stamp)
    if abs(age) > tolerance:
        return f"the webhook's timestamp is {age:.0f} s from now (tolerance {tolerance:g} s)"
    wanted = signature(secret, stamp, body).encode()
    offered = [part.strip().encode("utf-8", "replace") for part in sent.split(",") if part.strip()]
    if not any(hmac.compare_digest(wanted, candidate) for candidate in offered):
        return "the webhook signature does not match its body"
    return None


def verify(
    secret: str, headers: Mapping[str, str], body: bytes, tolerance: float = TOLERANCE_SECONDS
) -> bool:
    """`check` as a yes/no."""
    return check(secret, headers, body, tolerance) is None
