"""Run a job on a PixelByte-compatible upstream (the hosted API, or another editbay).

Submit with ``Idempotency-Key: <our job id>`` (a retried attempt after a crash reuses the same
upstream job instead of paying twice) → poll until it ends (progress mirrored, our cancel
forwarded) → download the outputs through the SSRF-safe fetcher → store them in our storage.
With upstream webhooks on (`Settings.upstream_webhook_enabled`) the submit carries a
``webhookUrl`` back to us (`upstream_webhook`); the accepted webhook wakes the wait
(``RunContext.wakeup``) so the job is read at once, and polling slows to
``EDITBAY_UPSTREAM_WEBHOOK_POLL_SECONDS``, the fallback should a webhook be lost.
The upstream job is linked on ours as it happens (``routing.upstream``: host, job id, status,
its cost), never with the upstream's key.

Failures: a 429 is waited out (``Retry-After`` or ``X-RateLimit-Reset``, capped; exponential
back-off with jitter without them) and retried; transport errors and 5xx answers are retried a few
times; all of it within ``EDITBAY_UPSTREAM_TIMEOUT_SECONDS`` (and the job's own timeout), after
which the upstream job is cancelled. Whatever then fails ends the job ``UPSTREAM_FAILED`` (and so
refunded) — except an upstream job failing ``INVALID_INPUT`` or ``UNSUPPORTED_EDIT``, which is
about the request itself and keeps its code. ``hybrid`` routing (`HybridProvider`) follows the
decision recorded at submit (`jobs.routing`).
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from editbay.errors import ErrorCode
from editbay.net.fetch import fetch_to_file
from editbay.providers.base import JobCancelled, JobFailed, JobSpec, ProviderResult, RunContext
from editbay.providers.local import LocalEngineProvider
from editbay.providers.upstream_webhook import callback_url

log = logging.getLogger(__name__)

#: upstream job failure codes that describe the request itself (kept); the rest → UPSTREAM_FAILED
KEPT_FAILURE_CODES = {"INVALID_INPUT", "UNSUPPORTED_EDIT"}
TRANSIENT_TRIES = 4  # consecutive transport errors / 5xx answers before giving up
REQUEST_TIMEOUT_SECONDS = 30.0
CANCEL_TIMEOUT_SECONDS = 10.0
WAKEUP_CHECK_SECONDS = 0.1  # how soon a poll wait notices a wake-up


class _Deadline(Exception):
    """The upstream job's time (EDITBAY_UPSTREAM_TIMEOUT_SECONDS) is over."""


def backoff_seconds(attempt: int, cap: float, rng: random.Random | None = None) -> float:
    """Exponential back-off with jitter: 0.5..1 × min(cap, 2^(attempt-1)) seconds."""
    base = min(cap, 2.0 ** max(0, attempt - 1))
    return base * (rng or random).uniform(0.5, 1.0)


def rate_limit_wait(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds a 429 asks to wait: ``Retry-After`` (seconds or an HTTP date), else
    ``X-RateLimit-Reset`` (seconds, or a Unix time when it is that large); None without either."""
    now = time.time() if now is None else now
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        with contextlib.suppress(TypeError, ValueError):
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    reset = headers.get("x-ratelimit-reset")
    if reset:
        try:
            seconds = float(reset)
        except ValueError:
            return None
        return max(0.0, seconds - now) if seconds > 1e9 else max(0.0, seconds)
    return None


class _Run:
    """One job's conversation with the upstream: requests with back-off, the link record."""

    def __init__(
        self, client: httpx.Client, job: JobSpec, context: RunContext, routing: dict[str, Any]
    ) -> None:
        s = context.settings
        self.client, self.job, self.context, self.routing = client, job, context, routing
        self.limit = min(s.upstream_timeout_seconds, s.job_timeout_seconds)
        self.deadline = time.monotonic() + self.limit
        # A retried attempt resubmits under the same Idempotency-Key, so it must send the very
        # body the first attempt sent — with or without a `webhookUrl` as that attempt decided
        # (recorded before its submit), even if the setting has changed since: a different body
        # would be refused by the upstream (409). The wait itself follows the setting as it is.
        previous = routing.get("upstream")
        submitted = isinstance(previous, dict) and "host" in previous
        decided = previous.get("webhook") is True if submitted else None  # type: ignore[union-attr]
        self.link: dict[str, Any] = {"host": urlsplit(s.upstream_base_url).netloc, "rateLimitedRetries": 0}
        self.routing["upstream"] = self.link
        self.webhook_url = callback_url(s, job.job_id, enabled=decided)  # has a token: never recorded
        self.woken = self.webhook_url is not None and s.upstream_webhook_enabled
        if self.webhook_url:
            self.link.update(webhook=True, webhookWakeups=0)

    def record(self, **values: Any) -> None:
        self.link.update({k: v for k, v in values.items() if v is not None})
        self.context.on_routing(dict(self.routing))

    def wait(self, seconds: float) -> None:
        """Sleep (cut short by a cancel); raise `_Deadline` if the sleep would pass the deadline."""
        if time.monotonic() + seconds > self.deadline:
            seconds = max(0.0, self.deadline - time.monotonic())
            if self.context.cancel.wait(seconds):
                raise JobCancelled()
            raise _Deadline()
        if self.context.cancel.wait(seconds):
            raise JobCancelled()

    def pause(self, seconds: float) -> bool:
        """`wait` up to ``seconds``, cut short by a wake-up (an accepted upstream webhook, see
        ``RunContext.wakeup``), which it consumes; True when woken."""
        wakeup = self.context.wakeup
        end = time.monotonic() + seconds
        while not wakeup.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.wait(min(left, WAKEUP_CHECK_SECONDS))
        wakeup.clear()
        return True

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The upstream's answer other than 429 / 5xx, which are waited out and retried (as are
        transport errors) until the deadline or, for errors, `TRANSIENT_TRIES` in a row."""
        cap = self.context.settings.upstream_max_backoff_seconds
        failures, limited = 0, 0
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise _Deadline()
            try:
                response = self.client.request(
                    method, path, timeout=min(REQUEST_TIMEOUT_SECONDS, remaining), **kwargs
                )
            except httpx.HTTPError as exc:
                failures += 1
                problem = f"unreachable ({type(exc).__name__})"
            else:
                if response.status_code == 429:
                    limited += 1
                    self.link["rateLimitedRetries"] += 1
                    asked = rate_limit_wait(response.headers)
                    delay = backoff_seconds(limited, cap) if asked is None else max(0.2, min(cap, asked))
                    log.info(
                        "job %s: upstream rate limit on %s %s; retrying in %.1f s",
                        self.job.job_id,
                        method,
                        path,
                        delay,
                        extra={"jobId": self.job.job_id},
                    )
                    self.wait(delay)
                    continue
                if response.status_code < 500:
                    return response
                failures += 1
                problem = _error_text(response)
            if failures >= TRANSIENT_TRIES:
                raise JobFailed(ErrorCode.UPSTREAM_FAILED, f"upstream {method} {path}: {problem}")
            log.warning(
                "job %s: upstream %s %s: %s (try %d of %d)",
                self.job.job_id,
                method,
                path,
                problem,
                failures,
                TRANSIENT_TRIES,
                extra={"jobId": self.job.job_id},
            )
            self.wait(backoff_seconds(failures, cap))

    def submit(self) -> str:
        body: dict[str, Any] = {"model": self.job.model_slug, "input": self.job.input}
        if self.webhook_url:
            body["webhookUrl"] = self.webhook_url
        self.record()  # the webhook decision, before the upstream can have seen it (see __init__)
        response = self.request(
            "POST", "/v1/jobs/submit", json=body, headers={"Idempotency-Key": self.job.job_id}
        )
        if response.status_code != 200:
            raise JobFailed(ErrorCode.UPSTREAM_FAILED, f"upstream refused the job: {_error_text(response)}")
        data = response.json()
        upstream_id = str(data["jobId"])
        self.record(
            jobId=upstream_id, status=data.get("status"), costMicroCents=_int(data.get("costMicroCents"))
        )
        return upstream_id

    def poll(self, upstream_id: str) -> dict[str, Any]:
        """Poll until the upstream job ends (sooner when its webhook wakes us); its final JSON
        when completed."""
        s = self.context.settings
        every = s.upstream_webhook_poll_seconds if self.woken else s.upstream_poll_seconds
        while True:
            if self.pause(every):
                self.record(webhookWakeups=self.link.get("webhookWakeups", 0) + 1)
                log.info(
                    "job %s: woken by the upstream's webhook",
                    self.job.job_id,
                    extra={"jobId": self.job.job_id},
                )
            response = self.request("GET", f"/v1/jobs/{upstream_id}")
            if response.status_code != 200:
                raise JobFailed(ErrorCode.UPSTREAM_FAILED, f"upstream status failed: {_error_text(response)}")
            job = response.json()
            self.context.on_progress(min(0.9, float(job.get("progress") or 0) / 100 * 0.9))
            status = job.get("status")
            if status == "processing" and self.link.get("status") != "processing":
                self.record(status=status)
            if status in ("completed", "failed", "cancelled"):
                self.record(
                    status=status,
                    costMicroCents=_int(job.get("costMicroCents")),
                    refundedMicroCents=_int(job.get("refundedMicroCents")),
                )
            if status == "completed":
                return dict(job)
            if status in ("failed", "cancelled"):
                error = job.get("error") or {}
                upstream_code = str(error.get("code") or status)
                code = (
                    upstream_code if upstream_code in KEPT_FAILURE_CODES else ErrorCode.UPSTREAM_FAILED.value
                )
                message = error.get("message") or f"the upstream job ended {status}"
                raise JobFailed(
                    ErrorCode(code),
                    f"upstream job {upstream_id} {status} ({upstream_code}): {message}",
                    job.get("plan"),
                )

    def cancel(self, upstream_id: str | None) -> None:
        """Ask the upstream to stop its job (best effort: our job ends either way)."""
        if upstream_id is None:
            return
        try:
            response = self.client.post(f"/v1/jobs/{upstream_id}/cancel", timeout=CANCEL_TIMEOUT_SECONDS)
            status = response.json().get("status") if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            log.warning(
                "job %s: could not cancel upstream job %s", self.job.job_id, upstream_id, exc_info=True
            )
            return
        self.record(status=status or self.link.get("status"))


class UpstreamProvider:
    """Forwards the edit to ``EDITBAY_UPSTREAM_BASE_URL``."""

    name = "upstream"

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        routing = dict(job.routing or {"mode": "upstream"})
        routing.setdefault("decision", "upstream")
        routing.setdefault("reason", "the model's routing is upstream: the upstream provider runs it")
        return self.run_routed(job, context, routing)

    def run_routed(self, job: JobSpec, context: RunContext, routing: dict[str, Any]) -> ProviderResult:
        """Run ``job`` upstream, recording the link in ``routing`` (the job's routing record)."""
        s = context.settings
        headers = {"Authorization": f"Bearer {s.upstream_api_key}"}
        with httpx.Client(
            base_url=s.upstream_base_url.rstrip("/"), headers=headers, trust_env=False
        ) as client:
            run = _Run(client, job, context, routing)
            upstream_id: str | None = None
            try:
                upstream_id = run.submit()
                final = run.poll(upstream_id)
            except JobCancelled:
                run.cancel(upstream_id)
                raise
            except JobFailed:
                if run.link.get("status") not in ("completed", "failed", "cancelled"):
                    run.cancel(upstream_id)  # given up on: it must not run (and bill) on
                raise
            except _Deadline:
                run.cancel(upstream_id)
                what = f"upstream job {upstream_id}" if upstream_id else "the upstream submit"
                raise JobFailed(
                    ErrorCode.UPSTREAM_FAILED,
                    f"{what} did not finish within {run.limit:g} s "
                    "(EDITBAY_UPSTREAM_TIMEOUT_SECONDS); cancelled",
                ) from None
            finally:
                run.record()
        return self._store(job, context, final)

    def _store(self, job: JobSpec, context: RunContext, final: dict[str, Any]) -> ProviderResult:
        outputs = final.get("outputs") or ([{"url": final["output"]}] if final.get("output") else [])
        if not outputs or not outputs[0].get("url"):
            raise JobFailed(ErrorCode.UPSTREAM_FAILED, "the upstream job completed without an output")
        first = outputs[0]
        prefix = f"outputs/{job.job_id}"
        video = self._fetch(first["url"], context.workdir / "upstream.mp4", "video", context)
        size = context.storage.put_file(f"{prefix}/output.mp4", video, "video/mp4")
        entry: dict[str, Any] = {
            "type": "video",
            "video": f"{prefix}/output.mp4",
            "contentType": "video/mp4",
            "sizeBytes": size,
        }
        for field, name in (("thumbnail", "thumbnail.jpg"), ("posterImage", "poster.jpg")):
            if first.get(field):
                try:
                    image = self._fetch(first[field], context.workdir / name, "image", context)
                except JobFailed:
                    continue  # an image we cannot fetch is not worth failing a finished edit
                key = f"{prefix}/{name}"
                context.storage.put_file(key, image, "image/jpeg")
                entry["thumbnail" if field == "thumbnail" else "poster"] = key
        meta = _probe_meta(video, size)
        context.on_progress(1.0)
        return ProviderResult(
            outputs=[entry], output_meta=meta, plan=final.get("plan"), skipped=final.get("skipped")
        )

    def _fetch(self, url: str, dest: Path, kind: str, context: RunContext) -> Path:
        s = context.settings
        try:
            fetch_to_file(
                url,
                dest,
                kind=kind,
                max_bytes=s.fetch_max_bytes,
                timeout=s.fetch_timeout_seconds,
                allow_private=s.allow_private_urls,
                what=f"upstream {kind}",
            )
        except Exception as exc:
            raise JobFailed(
                ErrorCode.UPSTREAM_FAILED, f"could not download the upstream output: {exc}"
            ) from exc
        return dest


class HybridProvider:
    """The decision recorded at submit (`jobs.routing`): the local engine for instructions it
    fully supports, the upstream for the rest — and the upstream, too, when the engine refuses
    at render time what the plan made without the media allowed."""

    name = "hybrid"

    def __init__(self) -> None:
        self.local = LocalEngineProvider()
        self.upstream = UpstreamProvider()

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        routing = dict(job.routing or {"mode": "hybrid"})
        if routing.get("decision") == "upstream":
            return self.upstream.run_routed(job, context, routing)
        try:
            return self.local.run(job, context)
        except JobFailed as exc:
            if exc.code != ErrorCode.UNSUPPORTED_EDIT:
                raise
            refusal = exc.message if len(exc.message) <= 300 else exc.message[:299] + "…"
        for leftover in context.workdir.iterdir():
            if leftover.is_file():
                leftover.unlink()
        routing.update(
            decision="upstream",
            reason=f"hybrid: the local engine refused it at render time ({refusal}); sent upstream",
        )
        context.on_routing(dict(routing))
        return self.upstream.run_routed(job, context, routing)


def _error_text(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return f"HTTP {response.status_code} {error.get('code', '')}: {error.get('message', '')}".strip()
    except ValueError:
        return f"HTTP {response.status_code}"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _probe_meta(path: Path, size: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"format": "mp4", "sizeBytes": size}
    try:
        from editbay.engine.media import probe

        info = probe(path)
        meta.update(
            width=info.width,
            height=info.height,
            durationSeconds=round(info.duration, 3),
            hasAudio=info.has_audio,
        )
    except Exception:  # metadata is best effort; the file itself passed the content sniff
        log.warning("could not probe an upstream output", exc_info=True)
    return meta
