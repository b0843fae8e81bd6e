"""The upstream's webhook: the callback URL a job's upstream submit carries, and the check of a call.

The upstream calls ``POST /v1/upstream/webhook/{jobId}/{token}`` when its job ends. Two proofs
are required, both compared in constant time:

* ``token`` = HMAC-SHA256(``EDITBAY_SECRET_KEY``, job id), cut to 32 hex digits: per job,
  unguessable, and the same on every attempt (a retried attempt resubmits the same body under the
  same ``Idempotency-Key``, which the upstream answers with the same job);
* the webhook signature of the wire contract: ``X-PixelByte-Signature: sha256=<hex>`` with
  ``<hex>`` = HMAC-SHA256(``EDITBAY_UPSTREAM_WEBHOOK_SECRET``, ``"{timestamp}.{raw body}"``) and
  ``X-PixelByte-Timestamp`` within `TOLERANCE_SECONDS` of now (older, or future, is refused).

The body is never trusted for the result: an accepted call only wakes the job's upstream wait,
and the worker then reads the upstream job with its own key. So a replay within the tolerance
costs at most one extra status request.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from editbay.errors import EditbayError, ErrorCode
from editbay.settings import Settings
from editbay.webhooks.signing import TOLERANCE_SECONDS, check

PATH_PREFIX = "/v1/upstream/webhook"
TOKEN_HEX_DIGITS = 32


def callback_token(settings: Settings, job_id: str) -> str:
    """The job's URL token: HMAC of its id under editbay's own secret (not the upstream's)."""
    key = settings.ensure_secret().encode()
    digest = hmac.new(key, f"upstream-webhook:{job_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:TOKEN_HEX_DIGITS]


def callback_url(settings: Settings, job_id: str, *, enabled: bool | None = None) -> str | None:
    """The ``webhookUrl`` for the job's upstream submit, or None when webhooks are off
    (``enabled``; by default `Settings.upstream_webhook_enabled`)."""
    if not (settings.upstream_webhook_enabled if enabled is None else enabled):
        return None
    return f"{settings.base_url}{PATH_PREFIX}/{job_id}/{callback_token(settings, job_id)}"


def _refuse(message: str) -> EditbayError:
    return EditbayError(ErrorCode.INVALID_WEBHOOK_SIGNATURE, message)


def verify(
    settings: Settings,
    job_id: str,
    token: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
) -> None:
    """Accept a call to the job's callback URL or raise 401 ``INVALID_WEBHOOK_SIGNATURE``."""
    secret = settings.upstream_webhook_secret
    if not settings.upstream_webhook or not secret:
        raise _refuse("upstream webhooks are not enabled here (EDITBAY_UPSTREAM_WEBHOOK_SECRET)")
    expected = callback_token(settings, job_id)
    if not hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace")):
        raise _refuse("the webhook URL's token does not match the job")
    why = check(secret, headers, body, TOLERANCE_SECONDS, now)
    if why is not None:
        raise _refuse(why)
