"""`verify_webhook`: HMAC-SHA256 over "{timestamp}.{raw body}", constant-time, with a freshness window."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from editbay.client import WebhookVerificationError, sign_webhook, verify_webhook

SECRET = "whsec_test_secret"
BODY = json.dumps(
    {
        "jobId": "job_1",
        "requestId": "req_1",
        "status": "completed",
        "output": {
            "url": "https://h/o.mp4",
            "videoUrl": "https://h/o.mp4",
            "thumbnail": "https://h/t.jpg",
            "posterImage": "https://h/p.jpg",
            "metadata": {"width": 640, "height": 360, "durationSeconds": 2.0, "format": "mp4"},
        },
        "completedAt": "2025-01-01T00:00:00.000Z",
    },
    separators=(",", ":"),
).encode()


def signed_headers(body: bytes = BODY, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "X-PixelByte-Timestamp": str(ts),
        "X-PixelByte-Signature": f"sha256={digest}",
        "X-Editbay-Event-Id": "evt_1",
        "X-Editbay-Delivery-Attempt": "1",
    }


def test_valid_delivery_returns_the_parsed_event():
    event = verify_webhook(SECRET, signed_headers(), BODY)
    assert (event.job_id, event.status, event.event_id) == ("job_1", "completed", "evt_1")
    assert event.output["metadata"]["width"] == 640
    assert verify_webhook(SECRET.encode(), signed_headers(), BODY.decode()).job_id == "job_1"


def test_sign_webhook_matches_the_documented_formula():
    headers = signed_headers(timestamp=1700000000)
    assert sign_webhook(SECRET, 1700000000, BODY) == headers["X-PixelByte-Signature"]


def test_header_names_are_case_insensitive():
    lowered = {k.lower(): v for k, v in signed_headers().items()}
    assert verify_webhook(SECRET, lowered, BODY).event_id == "evt_1"
    assert verify_webhook(SECRET, list(signed_headers().items()), BODY).job_id == "job_1"


def test_tampered_body_is_rejected():
    tampered = BODY.replace(b'"completed"', b'"failed"')
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify_webhook(SECRET, signed_headers(), tampered)


def test_wrong_secret_is_rejected():
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify_webhook("another_secret", signed_headers(), BODY)


def test_stale_timestamp_is_rejected_even_with_a_valid_signature():
    old = signed_headers(timestamp=int(time.time()) - 301)
    with pytest.raises(WebhookVerificationError, match="stale"):
        verify_webhook(SECRET, old, BODY)
    assert verify_webhook(SECRET, old, BODY, tolerance=600).job_id == "job_1"


def test_timestamp_far_in_the_future_is_rejected():
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, signed_headers(timestamp=int(time.time()) + 3600), BODY)


def test_replaying_a_signature_with_another_timestamp_fails():
    headers = signed_headers(timestamp=int(time.time()) - 10)
    headers["X-PixelByte-Timestamp"] = str(int(time.time()))
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify_webhook(SECRET, headers, BODY)


@pytest.mark.parametrize("missing", ["X-PixelByte-Signature", "X-PixelByte-Timestamp"])
def test_missing_headers_are_rejected_by_name(missing):
    headers = signed_headers()
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match=missing):
        verify_webhook(SECRET, headers, BODY)


def test_malformed_values_are_rejected():
    headers = signed_headers()
    headers["X-PixelByte-Timestamp"] = "yesterday"
    with pytest.raises(WebhookVerificationError, match="Unix seconds"):
        verify_webhook(SECRET, headers, BODY)
    headers = signed_headers()
    headers["X-PixelByte-Signature"] = "md5=abc"
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, headers, BODY)
    with pytest.raises(WebhookVerificationError, match="secret"):
        verify_webhook("", signed_headers(), BODY)


def test_a_signed_body_that_is_not_an_event_is_rejected():
    with pytest.raises(WebhookVerificationError, match="not a webhook event"):
        verify_webhook(SECRET, signed_headers(b"[1, 2]"), b"[1, 2]")


def test_one_of_several_signatures_may_match_during_secret_rotation():
    headers = signed_headers()
    headers["X-PixelByte-Signature"] = "sha256=" + "0" * 64 + ", " + headers["X-PixelByte-Signature"]
    assert verify_webhook(SECRET, headers, BODY).job_id == "job_1"
