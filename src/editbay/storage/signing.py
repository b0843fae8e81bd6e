"""Signed, expiring URLs for files editbay serves itself: HMAC-SHA256 over (purpose, subject,
expiry) with the service secret, verified in constant time."""

from __future__ import annotations

import hashlib
import hmac
import time

from editbay.errors import EditbayError, ErrorCode


def sign(secret: str, purpose: str, subject: str, expires: int) -> str:
    """The hex signature for ``purpose`` (``get`` / ``put``) of ``subject`` until ``expires``."""
    message = f"{purpose}\n{subject}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def expiry(expires_in: float, now: float | None = None) -> int:
    """Unix time ``expires_in`` seconds from now (rounded up)."""
    return int((now if now is not None else time.time()) + expires_in + 0.999)


def verify(secret: str, purpose: str, subject: str, expires: str | int | None, signature: str | None) -> None:
    """Raise FORBIDDEN (403) unless the signature matches and has not expired."""
    try:
        exp = int(expires) if expires is not None else 0
    except (TypeError, ValueError):
        exp = 0
    expected = sign(secret, purpose, subject, exp)
    if not signature or not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise EditbayError(ErrorCode.FORBIDDEN, "the URL's signature is not valid")
    if exp < time.time():
        raise EditbayError(ErrorCode.FORBIDDEN, "the URL has expired")
