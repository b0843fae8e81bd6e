"""Retry decisions, without any IO: which failures are retried and how long the client waits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from editbay.client import RetryPolicy
from editbay.client._retry import RetryMode, parse_retry_after, request_was_sent

REQUEST = httpx.Request("GET", "http://127.0.0.1/")


def policy(**kwargs) -> RetryPolicy:
    return RetryPolicy(rng=random.Random(7), **kwargs)


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    p = policy(backoff_base=0.5, backoff_max=4.0)
    for attempt, ceiling in enumerate([0.5, 1.0, 2.0, 4.0, 4.0, 4.0]):
        delays = [p.backoff(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_retry_after_seconds_are_honoured_on_429_and_503():
    p = policy()
    for status in (429, 503):
        delay = p.after_response(0, status, {"retry-after": "2"}, RetryMode.IDEMPOTENT)
        assert delay is not None and 2.0 <= delay <= 2.1


def test_429_and_503_without_retry_after_back_off():
    delay = policy(backoff_base=1.0).after_response(1, 503, {}, RetryMode.IDEMPOTENT)
    assert delay is not None and 1.0 <= delay <= 2.0


@pytest.mark.parametrize("status", [200, 400, 401, 404, 409, 500, 502])
def test_other_statuses_are_not_retried(status):
    assert policy().after_response(0, status, {}, RetryMode.IDEMPOTENT) is None


def test_retries_stop_after_max_retries():
    p = policy(max_retries=2)
    assert p.after_response(1, 503, {}, RetryMode.IDEMPOTENT) is not None
    assert p.after_response(2, 503, {}, RetryMode.IDEMPOTENT) is None
    assert p.after_error(2, httpx.ConnectError("x", request=REQUEST), RetryMode.IDEMPOTENT) is None


def test_a_retry_after_longer_than_the_limit_is_not_waited_for():
    assert (
        policy(max_retry_after=10).after_response(0, 429, {"retry-after": "3600"}, RetryMode.IDEMPOTENT)
        is None
    )


def test_keyless_submits_are_never_retried():
    p = policy()
    assert p.after_response(0, 503, {}, RetryMode.NEVER) is None
    assert p.after_error(0, httpx.ConnectError("x", request=REQUEST), RetryMode.NEVER) is None


def test_requests_that_may_have_reached_the_server_are_only_retried_when_idempotent():
    p = policy()
    not_sent = httpx.ConnectError("refused", request=REQUEST)
    maybe_sent = httpx.ReadError("reset", request=REQUEST)
    assert not request_was_sent(not_sent) and request_was_sent(maybe_sent)
    assert p.after_error(0, not_sent, RetryMode.REJECTED_ONLY) is not None
    assert p.after_error(0, maybe_sent, RetryMode.REJECTED_ONLY) is None
    assert p.after_error(0, maybe_sent, RetryMode.IDEMPOTENT) is not None
    assert p.after_response(0, 429, {}, RetryMode.REJECTED_ONLY) is not None


def test_retry_after_parses_seconds_and_http_dates():
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
