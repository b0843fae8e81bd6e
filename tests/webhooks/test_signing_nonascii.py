"""A receiver-side signature check must answer False, not raise, on non-ASCII header values."""

import time

from editbay.webhooks import signing


def test_non_ascii_signature_is_rejected_not_raised():
    ts = str(int(time.time()))
    headers = {"X-PixelByte-Timestamp": ts, "X-PixelByte-Signature": "sha256=é"}
    assert signing.verify("secret", headers, b"{}") is False


def test_one_matching_signature_of_a_rotation_list_suffices_and_each_refusal_says_why():
    now = 1_800_000_000
    body = b'{"jobId":"job_1"}'
    good = signing.signature("new", now, body)
    old = signing.signature("old", now, body)
    headers = {"X-PixelByte-Timestamp": str(now), "X-PixelByte-Signature": f"{old}, {good}"}
    assert signing.check("new", headers, body, now=now) is None
    assert signing.check("old", headers, body, now=now) is None
    assert "does not match" in (signing.check("other", headers, body, now=now) or "")
    assert "does not match" in (signing.check("new", headers, body + b" ", now=now) or "")
    assert "from now" in (signing.check("new", headers, body, now=now + 301) or "")
    assert "from now" in (signing.check("new", headers, body, now=now - 301) or "")  # from the future
    assert signing.check("new", headers, body, now=now + 299) is None
    assert "missing" in (signing.check("new", {"X-PixelByte-Timestamp": str(now)}, body, now=now) or "")
    stamp = {**headers, "X-PixelByte-Timestamp": "1.8e9"}
    assert "Unix seconds" in (signing.check("new", stamp, body, now=now) or "")
