"""A receiver-side signature check must answer False, not raise, on non-ASCII header values."""

import time

from editbay.webhooks import signing


def test_non_ascii_signature_is_rejected_not_raised():
    ts = str(int(time.time()))
    headers = {"X-PixelByte-Timestamp": ts, "X-PixelByte-Signature": "sha256=é"}
    assert signing.verify("secret", headers, b"{}") is False
