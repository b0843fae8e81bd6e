"""Deliver outbox events: claim due → sign → POST (SSRF-guarded, no redirects) → log the attempt.

Retries on non-2xx, timeout or connection error after the configured schedule (1, 4, 16, 64,
256 s, scaled by ``webhook_time_scale``); after the last retry the event is ``failed``. Every
attempt is kept (status code, latency, error). The event id is stable across attempts.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx

from editbay.errors import EditbayError
from editbay.net.guard import guarded_send, make_client
from editbay.store import outbox
from editbay.store.db import transaction
from editbay.store.models import Account, Job, utcnow
from editbay.webhooks.body import build_body
from editbay.webhooks.signing import signature
from editbay.worker.loop import new_worker_id
from editbay.worker.services import Services

log = logging.getLogger(__name__)

BATCH = 8
USER_AGENT = "editbay-webhooks/1"


def describe_error(exc: BaseException) -> str:
    """A short, stable description of why an attempt failed."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: {text}"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            return f"tls: {text}"
        if "refused" in lowered:
            return f"refused: {text}"
        return f"connect: {text}"
    if isinstance(exc, EditbayError):
        return f"blocked: {exc.message}"
    return f"{type(exc).__name__}: {text}"


class Deliverer:
    """Sends due webhook events; several processes can run one each (events are leased)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.owner = "wh:" + new_worker_id(0)
        self._client = make_client(services.settings.webhook_timeout_seconds)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="editbay-webhook-send")

    def run(self, stop: threading.Event, *, burst: bool = False) -> None:
        """Deliver until ``stop`` (burst: until nothing is due right now)."""
        try:
            while not stop.is_set():
                generation = self.services.webhooks_waker.generation
                sent = self.run_once()
                if sent:
                    continue
                if burst:
                    return
                self.services.webhooks_waker.wait(self._idle_seconds(), since=generation)
        finally:
            self._pool.shutdown(wait=True)

    def _idle_seconds(self) -> float:
        poll = self.services.settings.poll_interval_seconds
        try:
            with transaction(self.services.reads) as session:
                due = outbox.next_due_at(session)
        except Exception:
            log.exception("reading the outbox failed")
            return poll
        if due is None:
            return poll
        return max(0.01, min(poll, (due - utcnow()).total_seconds()))

    def run_once(self) -> int:
        """Claim and send the events due now; returns how many were attempted."""
        try:
            claimed = self._claim()
        except Exception:
            log.exception("claiming webhook events failed")
            return 0
        if claimed:
            list(self._pool.map(self._deliver_safely, claimed))
        return len(claimed)

    def _claim(self) -> list[str]:
        lease = self.services.settings.webhook_timeout_seconds + 30
        now = utcnow()
        with transaction(self.services.sessions) as session:
            return [
                e
                for e in outbox.find_due(session, now, BATCH)
                if outbox.lease_event(session, e, self.owner, now, lease)
            ]

    def _deliver_safely(self, event_id: str) -> None:
        try:
            self.deliver(event_id)
        except Exception:
            log.exception("delivering webhook event %s failed unexpectedly", event_id)

    def deliver(self, event_id: str) -> None:
        """One attempt for one leased event, then record it."""
        settings = self.services.settings
        with transaction(self.services.reads) as session:
            event = outbox.get_event(session, event_id)
            if event is None:
                return
            job = session.get(Job, event.job_id)
            account = session.get(Account, event.account_id)
            secret = account.webhook_secret if account else ""
            body = build_body(event, job, self.services.storage, settings)
            url, round_attempts = event.url, event.attempts
            total = outbox.count_attempts(session, event_id) + 1
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-PixelByte-Timestamp": str(ts),
            "X-PixelByte-Signature": signature(secret, ts, body),
            "X-Editbay-Event-Id": event_id,
            "X-Editbay-Delivery-Attempt": str(total),
        }
        status_code, error, latency_ms = self._post(url, body, headers)
        self._record(event_id, total, round_attempts + 1, status_code, latency_ms, error)

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None, float]:
        settings = self.services.settings
        schemes = ("http", "https") if settings.allow_private_urls else ("https",)
        started = time.monotonic()
        try:
            response = guarded_send(
                self._client,
                "POST",
                url,
                allow_private=settings.allow_private_urls,
                resolver=self.services.resolver,
                schemes=schemes,
                what="webhookUrl",
                content=body,
                headers=headers,
                timeout=settings.webhook_timeout_seconds,
            )
            response.close()
        except Exception as exc:
            return None, describe_error(exc), (time.monotonic() - started) * 1000
        latency = (time.monotonic() - started) * 1000
        if 200 <= response.status_code < 300:
            return response.status_code, None, latency
        if response.is_redirect:
            return response.status_code, "redirect: not followed", latency
        return response.status_code, f"http {response.status_code}", latency

    def _record(
        self,
        event_id: str,
        total: int,
        round_attempt: int,
        status_code: int | None,
        latency_ms: float,
        error: str | None,
    ) -> None:
        settings = self.services.settings
        now = utcnow()
        values: dict[str, Any] = {"attempts": round_attempt, "last_error": error}
        if error is None:
            values.update(status="sent", delivered_at=now)
        elif round_attempt <= len(settings.webhook_retry_schedule):
            delay = settings.webhook_retry_schedule[round_attempt - 1] * settings.webhook_time_scale
            values["next_attempt_at"] = now + timedelta(seconds=delay)
        else:
            values["status"] = "failed"
        with transaction(self.services.sessions) as session:
            outbox.record_attempt(
                session, event_id, self.owner, total, status_code, latency_ms, error, values
            )
        log.info(
            "webhook %s attempt %d: %s",
            event_id,
            total,
            "sent" if error is None else error,
        )

    def close(self) -> None:
        self._client.close()
