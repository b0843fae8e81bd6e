"""`Client`: the blocking SDK. All request building, parsing and retry decisions live in the core;
this module only sends bytes with `httpx.Client`, sleeps between retries and reads streams.

Generated from `_async.py` by `scripts/gen_sync_client.py`: edit that file, then run the script.
"""

from __future__ import annotations

import builtins
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx

from editbay.client._core import Call, ClientCore, RequestSpec, build_input, guess_content_type, job_id_of
from editbay.client._errors import APIConnectionError, EditbayAPIError, ServerError
from editbay.client._retry import RetryPolicy
from editbay.client._types import CancelResult, Estimate, Job, JobSummary, Model, SubmitResult
from editbay.client._wait import (
    MAX_POLL_FAILURES,
    MAX_STREAM_FAILURES,
    SSE_IDLE_TIMEOUT,
    SSEDecoder,
    WaitTracker,
    is_event_stream,
    sse_missing,
)

__all__ = ["Client", "Models"]

T = TypeVar("T")
CHUNK = 1 << 20


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class Models:
    """``client.models``: the models the API serves."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(self) -> builtins.list[Model]:
        """All models (``GET /v1/models``)."""
        return self._client._call(self._client._core.list_models())

    def get(self, slug: str) -> Model:
        """One model by id or slug, e.g. ``"kling-plus/kling-o1-pro/video-edit-fast"``."""
        return self._client._call(self._client._core.get_model(slug))


class Client:
    """A blocking client for editbay and any PixelByte-compatible job API.

    ``base_url`` and ``api_key`` default to ``EDITBAY_BASE_URL`` / ``EDITBAY_API_KEY`` (and the base
    URL to ``http://127.0.0.1:8000``). Use it as a context manager, or call `close()`.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        poll_interval: float = 1.0,
        use_sse: bool = True,
        retry: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._core = ClientCore(base_url, api_key, retry=retry or RetryPolicy(max_retries=max_retries))
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self._http = http_client or httpx.Client(timeout=self._timeout)
        self._owns_http = http_client is None
        self._poll_interval = poll_interval
        self._use_sse = use_sse
        self.models = Models(self)

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._core.base_url

    def close(self) -> None:
        """Close the underlying connection pool (unless it was passed in)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- transport ----------------------------------------------------------------------------

    def _send(
        self,
        spec: RequestSpec,
        *,
        content: Callable[[], Iterator[bytes]] | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Send with retries as the policy decides; transport errors become `APIConnectionError`."""
        policy, attempt = self._core.retry, 0
        while True:
            request = self._http.build_request(
                spec.method,
                spec.url,
                params=spec.params,
                json=spec.json,
                headers=spec.headers,
                content=content() if content else None,
                timeout=timeout or self._timeout,
            )
            try:
                response = self._http.send(request, stream=stream, follow_redirects=follow_redirects)
            except httpx.TransportError as exc:
                delay = policy.after_error(attempt, exc, spec.retry)
                if delay is None:
                    raise APIConnectionError(f"{spec.method} {spec.url}: {exc!r}") from exc
            else:
                delay = policy.after_response(attempt, response.status_code, response.headers, spec.retry)
                if delay is None:
                    return response
                response.close()
            time.sleep(delay)
            attempt += 1

    def _call(self, call: Call[T]) -> T:
        response = self._send(call.request)
        return call.parse(self._core.payload(response.status_code, response.headers, response.content))

    # ---- jobs ---------------------------------------------------------------------------------

    def submit(
        self,
        *,
        model: str,
        prompt: str,
        video_url: str,
        images: Sequence[str | Mapping[str, Any]] | None = None,
        keep_original_sound: bool | None = None,
        aspect_ratio: str | None = None,
        webhook_url: str | None = None,
        idempotency_key: str | None = None,
        strict: bool | None = None,
        version: str | None = None,
        extra_input: Mapping[str, Any] | None = None,
        prefer_wait: int | None = None,
    ) -> SubmitResult:
        """Submit an edit job. An ``Idempotency-Key`` is generated when not given, which makes the
        submit safe to retry; ``extra_input`` adds fields for models with another input schema."""
        job_input = build_input(
            prompt=prompt,
            video_url=video_url,
            images=images,
            keep_original_sound=keep_original_sound,
            aspect_ratio=aspect_ratio,
            strict=strict,
            extra=extra_input,
        )
        return self._call(
            self._core.submit(
                model=model,
                input=job_input,
                version=version,
                webhook_url=webhook_url,
                idempotency_key=idempotency_key,
                prefer_wait=prefer_wait,
            )
        )

    def get(self, job_id: str | Job | JobSummary) -> Job:
        """The job's current state."""
        return self._call(self._core.get_job(job_id_of(job_id)))

    def cancel(self, job_id: str | Job | JobSummary) -> CancelResult:
        """Cancel a pending (or, on editbay, processing) job; its held credits are refunded."""
        return self._call(self._core.cancel(job_id_of(job_id)))

    def estimate(
        self,
        *,
        model: str,
        prompt: str | None = None,
        video_url: str | None = None,
        images: Sequence[str | Mapping[str, Any]] | None = None,
        keep_original_sound: bool | None = None,
        aspect_ratio: str | None = None,
        strict: bool | None = None,
        version: str | None = None,
        extra_input: Mapping[str, Any] | None = None,
    ) -> Estimate:
        """The cost of a job and, when ``prompt`` is given (editbay), the edit plan: a free dry run."""
        job_input = build_input(
            prompt=prompt,
            video_url=video_url,
            images=images,
            keep_original_sound=keep_original_sound,
            aspect_ratio=aspect_ratio,
            strict=strict,
            extra=extra_input,
        )
        return self._call(self._core.estimate(model=model, input=job_input, version=version))

    def list(
        self, status: str | None = None, model: str | None = None, *, page_size: int = 100
    ) -> Iterator[JobSummary]:
        """Every job, newest first, following ``nextCursor`` across pages as the iteration goes."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self._call(
                self._core.list_jobs(status=status, model=model, cursor=cursor, limit=page_size)
            )
            yield from page.jobs
            if page.next_cursor is None or page.next_cursor in seen:
                return
            cursor = page.next_cursor
            seen.add(cursor)

    # ---- waiting ------------------------------------------------------------------------------

    def wait(
        self,
        job_id: str | Job | JobSummary,
        timeout: float | None = None,
        on_progress: Callable[[Job], object] | None = None,
    ) -> Job:
        """Wait until the job ends and return its final state (check ``job.status``, or call
        ``job.raise_for_failure()``). Follows the server's event stream when it has one, and polls
        otherwise; ``on_progress(job)`` is called on every change of status or progress.
        Raises `WaitTimeoutError` when ``timeout`` seconds pass first."""
        tracker = WaitTracker(job_id_of(job_id), timeout, on_progress, poll_interval=self._poll_interval)
        if self._use_sse:
            job = self._wait_sse(tracker)
            if job is not None:
                return job
        return self._wait_poll(tracker)

    def _wait_sse(self, tracker: WaitTracker) -> Job | None:
        """Follow ``/events``; None means "poll instead" (no stream here, or it keeps breaking)."""
        failures = 0
        while failures < MAX_STREAM_FAILURES:
            tracker.check_deadline()
            spec = self._core.events(tracker.job_id, tracker.last_event_id)
            timeout = httpx.Timeout(self._timeout.connect, read=tracker.read_timeout(SSE_IDLE_TIMEOUT))
            got_event = False
            try:
                with self._http.stream("GET", spec.url, headers=spec.headers, timeout=timeout) as response:
                    if not is_event_stream(response.status_code, response.headers.get("content-type")):
                        response.read()
                        error = self._core.error_from_response(
                            response.status_code, response.headers, response.content
                        )
                        if sse_missing(response.status_code, error.code):
                            self._use_sse = False
                        return None
                    decoder = SSEDecoder()
                    for line in response.iter_lines():
                        event = decoder.decode(line)
                        job = tracker.job_from_event(event) if event is not None else None
                        got_event = got_event or event is not None
                        if job is not None and tracker.observe(job):
                            return self._final(tracker, job)
                        tracker.check_deadline()  # keep-alives must not extend the wait
            except httpx.ReadTimeout:
                tracker.check_deadline()
                continue  # idle: reconnect, resuming after the last event id
            except httpx.TransportError:
                failures += 1
                continue
            failures = 0 if got_event else failures + 1
            time.sleep(tracker.next_poll_delay())  # the server closed early: do not spin
        return None

    def _final(self, tracker: WaitTracker, job: Job) -> Job:
        """The authoritative final state (an event may carry fewer fields than ``GET``)."""
        try:
            final = self.get(tracker.job_id)
        except EditbayAPIError:
            return job
        if final.is_terminal:
            tracker.observe(final)
            return final
        return job

    def _wait_poll(self, tracker: WaitTracker) -> Job:
        failures = 0
        while True:
            try:
                job = self.get(tracker.job_id)
                failures = 0
                if tracker.observe(job):
                    return job
            except (APIConnectionError, ServerError):
                failures += 1
                if failures >= MAX_POLL_FAILURES:
                    raise
            tracker.check_deadline()
            time.sleep(tracker.next_poll_delay())

    # ---- files --------------------------------------------------------------------------------

    def upload(self, path: str | os.PathLike[str], *, content_type: str | None = None) -> str:
        """Upload a local file (presign, then PUT with the same Content-Type); returns its ``fileUrl``,
        usable as ``video_url`` or in ``images``."""
        file = Path(path)
        ctype = content_type or guess_content_type(file)
        upload = self._call(self._core.presign(file.name, ctype))
        spec = self._core.put_upload(upload, ctype, file.stat().st_size)
        response = self._send(spec, content=lambda: _file_chunks(file))
        self._core.payload(response.status_code, response.headers, response.content)
        return upload.file_url

    def download(self, job_or_id: str | Job | JobSummary, path: str | os.PathLike[str]) -> Path:
        """Download a completed job's output to ``path`` (a file, or a directory to name it in).

        Raises `JobFailedError` for a failed or cancelled job."""
        job = job_or_id if isinstance(job_or_id, Job) and job_or_id.output_url else self.get(job_or_id)
        url = ClientCore.output_url(job)
        target = ClientCore.download_target(job.job_id, url, path)
        partial = target.with_name(target.name + ".part")
        response = self._send(self._core.download(url), stream=True, follow_redirects=True)
        try:
            if response.status_code >= 400:
                response.read()
                self._core.payload(response.status_code, response.headers, response.content)
            with partial.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
        except httpx.TransportError as exc:
            partial.unlink(missing_ok=True)
            raise APIConnectionError(f"download of {url} broke off: {exc!r}") from exc
        finally:
            response.close()
        partial.replace(target)
        return target
