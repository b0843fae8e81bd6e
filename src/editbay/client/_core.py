"""The sans-IO core shared by `Client` and `AsyncClient`: configuration, request building, response
parsing and error mapping. Nothing here sends a byte; the two clients only move the bytes it describes.
"""

from __future__ import annotations

import json
import mimetypes
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urljoin, urlsplit

from pydantic import BaseModel, ValidationError

from editbay import __version__
from editbay.client._errors import (
    EditbayAPIError,
    JobFailedError,
    RateLimitError,
    error_class_for_status,
)
from editbay.client._retry import RetryMode, RetryPolicy, parse_retry_after
from editbay.client._types import (
    CancelResult,
    Estimate,
    Job,
    JobStatus,
    JobSummary,
    Model,
    SubmitResult,
    Upload,
)

__all__ = ["DEFAULT_BASE_URL", "Call", "ClientCore", "JobPage", "RequestSpec", "job_id_of"]

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
BASE_URL_ENV = "EDITBAY_BASE_URL"
API_KEY_ENV = "EDITBAY_API_KEY"
EXTRA_CONTENT_TYPES = {".mov": "video/quicktime", ".webm": "video/webm", ".webp": "image/webp"}


@dataclass(frozen=True)
class RequestSpec:
    """A request to make: method, URL (absolute, or a path under the base URL), query, body, headers."""

    method: str
    url: str
    params: dict[str, str] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    retry: RetryMode = RetryMode.IDEMPOTENT


@dataclass(frozen=True)
class Call(Generic[T]):
    """A request plus the function turning a successful response's JSON payload into a result."""

    request: RequestSpec
    parse: Callable[[Any], T]


@dataclass(frozen=True)
class JobPage:
    """One page of ``GET /v1/jobs``."""

    jobs: list[JobSummary]
    next_cursor: str | None
    has_more: bool


def _validate(model: type[BaseModel], payload: Any) -> Any:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise EditbayAPIError(
            f"unexpected response shape for {model.__name__}: {exc.errors()[0].get('msg', exc)}",
            code="INVALID_RESPONSE",
        ) from exc


def _parser(model: type[BaseModel]) -> Callable[[Any], Any]:
    return lambda payload: _validate(model, payload)


def build_input(
    *,
    prompt: str | None = None,
    video_url: str | None = None,
    images: Sequence[str | Mapping[str, Any]] | None = None,
    keep_original_sound: bool | None = None,
    aspect_ratio: str | None = None,
    strict: bool | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``input`` object of a submit or estimate, leaving out fields not given."""
    fields: dict[str, Any] = {
        "prompt": prompt,
        "video_url": video_url,
        "images": [dict(i) if isinstance(i, Mapping) else i for i in images] if images is not None else None,
        "keep_original_sound": keep_original_sound,
        "aspect_ratio": aspect_ratio,
        "strict": strict,
    }
    result = {k: v for k, v in fields.items() if v is not None}
    result.update(extra or {})
    return result


def guess_content_type(path: str | os.PathLike[str]) -> str:
    """The Content-Type for an upload, from the file name (``application/octet-stream`` if unknown)."""
    suffix = Path(path).suffix.lower()
    if suffix in EXTRA_CONTENT_TYPES:
        return EXTRA_CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(str(path))
    return guessed or "application/octet-stream"


def job_id_of(job: str | Job | JobSummary) -> str:
    """The id of a job given as an id string or as a job object."""
    return job if isinstance(job, str) else job.job_id


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


class ClientCore:
    """Everything about talking to the API that does not depend on sync or async IO."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        user_agent: str | None = None,
    ) -> None:
        resolved = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        if resolved.endswith("/v1"):  # paths below already start with v1/
            resolved = resolved[: -len("/v1")]
        self.base_url = resolved + "/"
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        self.retry = retry or RetryPolicy()
        self.user_agent = user_agent or f"editbay-python/{__version__}"

    # ---- URLs and headers ---------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        """An absolute URL: paths resolve under the base URL (which may itself carry a path prefix)."""
        if urlsplit(path_or_url).scheme:
            return path_or_url
        return urljoin(self.base_url, path_or_url.lstrip("/"))

    def is_api_origin(self, url: str) -> bool:
        """True when ``url`` points at the API's own scheme, host and port."""
        return _origin(self.url(url)) == _origin(self.base_url)

    def headers(self, url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Headers for a request; the API key is only ever sent to the API's own origin."""
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if self.api_key and self.is_api_origin(url):
            headers["Authorization"] = f"Bearer {self.api_key}"
        headers.update(extra or {})
        return headers

    # ---- responses ----------------------------------------------------------------------------

    def error_from_response(
        self, status_code: int, headers: Mapping[str, str], content: bytes
    ) -> EditbayAPIError:
        """The exception for an error response, from the API's envelope when there is one."""
        code, message, details = f"HTTP_{status_code}", "", None
        request_id = headers.get("x-request-id")
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, dict):
                code = str(error.get("code") or code)
                message = str(error.get("message") or "")
                details = error.get("details")
            elif isinstance(error, str):
                message = error
            elif "detail" in body:  # a bare FastAPI/Starlette error
                message = body["detail"] if isinstance(body["detail"], str) else json.dumps(body["detail"])
            if not message and isinstance(body.get("message"), str):
                message = body["message"]
            request_id = body.get("requestId") or request_id
        if not message:
            message = content[:300].decode("utf-8", "replace").strip() or f"HTTP {status_code}"
        kwargs: dict[str, Any] = dict(
            code=code, status_code=status_code, request_id=request_id, details=details
        )
        cls = error_class_for_status(status_code)
        if cls is RateLimitError:
            retry_after = parse_retry_after(headers.get("retry-after"))
            return RateLimitError(message, retry_after=retry_after, **kwargs)
        return cls(message, **kwargs)

    def payload(self, status_code: int, headers: Mapping[str, str], content: bytes) -> Any:
        """The JSON payload of a response (``{"success": true, "data": …}`` unwrapped), or raise."""
        if status_code >= 400:
            raise self.error_from_response(status_code, headers, content)
        if not content:
            return None
        try:
            body = json.loads(content)
        except ValueError as exc:
            raise EditbayAPIError(
                "the server's response is not JSON",
                code="INVALID_RESPONSE",
                status_code=status_code,
                request_id=headers.get("x-request-id"),
            ) from exc
        if isinstance(body, dict) and body.get("success") is True and isinstance(body.get("data"), dict):
            return body["data"]
        return body

    # ---- jobs ---------------------------------------------------------------------------------

    def submit(
        self,
        *,
        model: str,
        input: dict[str, Any],
        version: str | None = None,
        webhook_url: str | None = None,
        idempotency_key: str | None = None,
        prefer_wait: int | None = None,
    ) -> Call[SubmitResult]:
        """``POST /v1/jobs/submit``. An idempotency key is generated when none is given (pass ``""`` to
        send none; such a submit is never retried, since a retry could create a second job)."""
        key = str(uuid.uuid4()) if idempotency_key is None else idempotency_key
        body: dict[str, Any] = {"model": model, "input": input}
        if version is not None:
            body["version"] = version
        if webhook_url is not None:
            body["webhookUrl"] = webhook_url
        extra = {"Idempotency-Key": key} if key else {}
        if prefer_wait is not None:
            extra["Prefer"] = f"wait={int(prefer_wait)}"
        url = self.url("v1/jobs/submit")
        spec = RequestSpec(
            "POST",
            url,
            json=body,
            headers=self.headers(url, extra),
            retry=RetryMode.IDEMPOTENT if key else RetryMode.NEVER,
        )
        return Call(spec, _parser(SubmitResult))

    def get_job(self, job_id: str) -> Call[Job]:
        """``GET /v1/jobs/{jobId}``."""
        url = self.url(f"v1/jobs/{quote(job_id, safe='')}")
        return Call(RequestSpec("GET", url, headers=self.headers(url)), _parser(Job))

    def cancel(self, job_id: str) -> Call[CancelResult]:
        """``POST /v1/jobs/{jobId}/cancel`` (retried only when the server cannot have acted on it)."""
        url = self.url(f"v1/jobs/{quote(job_id, safe='')}/cancel")
        spec = RequestSpec("POST", url, headers=self.headers(url), retry=RetryMode.REJECTED_ONLY)
        return Call(spec, _parser(CancelResult))

    def estimate(
        self, *, model: str, input: dict[str, Any] | None = None, version: str | None = None
    ) -> Call[Estimate]:
        """``POST /v1/jobs/estimate`` (read-only, so always safe to retry)."""
        body: dict[str, Any] = {"model": model}
        if version is not None:
            body["version"] = version
        if input:
            body["input"] = input
        url = self.url("v1/jobs/estimate")
        return Call(RequestSpec("POST", url, json=body, headers=self.headers(url)), _parser(Estimate))

    def list_jobs(
        self,
        *,
        status: str | None = None,
        model: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Call[JobPage]:
        """One page of ``GET /v1/jobs``."""
        params = {"limit": str(limit)}
        for name, value in (("status", status), ("modelId", model), ("cursor", cursor)):
            if value is not None:
                params[name] = str(value)
        url = self.url("v1/jobs")
        return Call(RequestSpec("GET", url, params=params, headers=self.headers(url)), self._parse_page)

    @staticmethod
    def _parse_page(payload: Any) -> JobPage:
        if not isinstance(payload, dict):
            raise EditbayAPIError("unexpected response shape for a job list", code="INVALID_RESPONSE")
        jobs = [_validate(JobSummary, item) for item in payload.get("jobs") or []]
        cursor = payload.get("nextCursor") or None
        has_more = bool(payload.get("hasMore", cursor is not None)) and cursor is not None
        return JobPage(jobs=jobs, next_cursor=cursor if has_more else None, has_more=has_more)

    def events(self, job_id: str, last_event_id: str | None = None) -> RequestSpec:
        """``GET /v1/jobs/{jobId}/events`` (Server-Sent Events), resuming after ``last_event_id``."""
        url = self.url(f"v1/jobs/{quote(job_id, safe='')}/events")
        extra = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id:
            extra["Last-Event-ID"] = last_event_id
        return RequestSpec("GET", url, headers=self.headers(url, extra))

    # ---- models -------------------------------------------------------------------------------

    def list_models(self) -> Call[list[Model]]:
        """``GET /v1/models``."""
        url = self.url("v1/models")

        def parse(payload: Any) -> list[Model]:
            items = payload.get("models") if isinstance(payload, dict) else payload
            return [_validate(Model, item) for item in items or []]

        return Call(RequestSpec("GET", url, headers=self.headers(url)), parse)

    def get_model(self, slug: str) -> Call[Model]:
        """``GET /v1/models/{modelId}`` with the slug URL-encoded, as PixelByte documents it."""
        url = self.url(f"v1/models/{quote(slug, safe='')}")

        def parse(payload: Any) -> Model:
            if isinstance(payload, dict) and isinstance(payload.get("model"), dict):
                payload = payload["model"]
            return _validate(Model, payload)

        return Call(RequestSpec("GET", url, headers=self.headers(url)), parse)

    # ---- files --------------------------------------------------------------------------------

    def presign(self, filename: str, content_type: str) -> Call[Upload]:
        """``POST /v1/uploads/presign``; creating an unused slot is harmless, so it is retried."""
        url = self.url("v1/uploads/presign")
        body = {"filename": filename, "contentType": content_type}
        return Call(RequestSpec("POST", url, json=body, headers=self.headers(url)), _parser(Upload))

    def put_upload(self, upload: Upload, content_type: str, size: int) -> RequestSpec:
        """The PUT of a file's bytes to a presigned URL (same Content-Type; a known length, no chunking)."""
        url = self.url(upload.upload_url)
        extra = {"Content-Type": content_type, "Content-Length": str(size)}
        return RequestSpec("PUT", url, headers=self.headers(url, extra))

    def download(self, url: str) -> RequestSpec:
        """The GET of an output file."""
        absolute = self.url(url)
        return RequestSpec("GET", absolute, headers=self.headers(absolute, {"Accept": "*/*"}))

    @staticmethod
    def output_url(job: Job) -> str:
        """The URL to download a finished job's output from, or the reason there is none."""
        if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            raise JobFailedError(job)
        url = job.output_url
        if url is None:
            raise EditbayAPIError(
                f"job {job.job_id} has no output yet (status {job.status})", code="JOB_NOT_COMPLETED"
            )
        return url

    @staticmethod
    def download_target(job_id: str, url: str, path: str | os.PathLike[str]) -> Path:
        """Where to write a download: ``path``, or ``path/<job id><ext>`` when it is a directory."""
        target = Path(path)
        if target.is_dir():
            suffix = Path(urlsplit(url).path).suffix or ".mp4"
            target = target / f"{job_id}{suffix}"
        return target
