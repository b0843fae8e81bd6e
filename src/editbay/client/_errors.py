"""Exceptions raised by the editbay SDK, and the one table that maps an HTTP status to a class.

EditbayAPIError                 code, message, request_id, status_code, details
  ├─ BadRequestError            400, 413, 422 (INVALID_INPUT, INVALID_MODEL_SLUG, ...)
  │    └─ ConflictError         409 (IDEMPOTENCY_KEY_REUSED)
  ├─ AuthenticationError        401 (UNAUTHORIZED, INVALID_API_KEY, API_KEY_EXPIRED, ...)
  ├─ InsufficientBalanceError   402
  ├─ PermissionDeniedError      403 (IP_NOT_WHITELISTED, OPERATION_NOT_ALLOWED, ...)
  ├─ NotFoundError              404 (JOB_NOT_FOUND, MODEL_NOT_FOUND, ...)
  ├─ RateLimitError             429 (RATE_LIMITED, CONCURRENT_JOBS_EXCEEDED), with retry_after
  ├─ ServerError                5xx
  ├─ APIConnectionError         no HTTP response (refused, reset, timed out) after the retries
  ├─ JobFailedError             a job ended `failed` or `cancelled` (code from the job's error)
  └─ WaitTimeoutError           `wait()` gave up before the job ended

WebhookVerificationError        (a ValueError) a webhook's signature or timestamp is not valid
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from editbay.client._types import Job

__all__ = [
    "APIConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EditbayAPIError",
    "InsufficientBalanceError",
    "JobFailedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "error_class_for_status",
]


class EditbayAPIError(Exception):
    """Root of every error the SDK raises about an API call or a job.

    Attributes mirror the API's error envelope: ``code`` (e.g. ``"JOB_NOT_FOUND"``), ``message``,
    ``request_id`` (the ``requestId`` / ``X-Request-Id`` to quote in a bug report), ``status_code``
    (``None`` when no HTTP response was received) and ``details``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "ERROR",
        status_code: int | None = None,
        request_id: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.details = details

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        if self.status_code is not None:
            text += f" (HTTP {self.status_code})"
        if self.request_id:
            text += f" [request {self.request_id}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"status_code={self.status_code!r}, request_id={self.request_id!r})"
        )


class BadRequestError(EditbayAPIError):
    """The request was refused as invalid (400, 413, 422)."""


class ConflictError(BadRequestError):
    """409: e.g. an ``Idempotency-Key`` reused with a different body."""


class AuthenticationError(EditbayAPIError):
    """401: no key, an unknown key, or an inactive or expired key."""


class InsufficientBalanceError(EditbayAPIError):
    """402: the account cannot pay for the job."""


class PermissionDeniedError(EditbayAPIError):
    """403: the key lacks a scope, the caller's IP is not allowed, or the model is not allowed."""


class NotFoundError(EditbayAPIError):
    """404: the job, model or file does not exist (or belongs to another account)."""


class RateLimitError(EditbayAPIError):
    """429: too many requests or too many concurrent jobs; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(EditbayAPIError):
    """5xx: the server failed or is unavailable."""


class APIConnectionError(EditbayAPIError):
    """No HTTP response could be obtained (connection refused or reset, timeout), even after retries."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("code", "CONNECTION_ERROR")
        super().__init__(message, **kwargs)


class JobFailedError(EditbayAPIError):
    """A job ended ``failed`` or ``cancelled``; ``job`` is its final state, ``code`` its error code."""

    def __init__(self, job: Job) -> None:
        error = job.error
        code = error.code if error and error.code else str(job.status).upper()
        message = error.message if error and error.message else f"job {job.job_id} ended {job.status}"
        super().__init__(message, code=code, request_id=getattr(job, "request_id", None))
        self.job = job


class WaitTimeoutError(EditbayAPIError):
    """``wait()`` reached its timeout before the job ended; ``job`` is the last state seen (or None)."""

    def __init__(self, job_id: str, timeout: float, job: Job | None = None) -> None:
        super().__init__(f"job {job_id} did not finish within {timeout:g} s", code="WAIT_TIMEOUT")
        self.job_id = job_id
        self.job = job


class WebhookVerificationError(ValueError):
    """A webhook delivery failed verification: missing header, bad signature or stale timestamp."""


_BY_STATUS: dict[int, type[EditbayAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientBalanceError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int) -> type[EditbayAPIError]:
    """The exception class for an HTTP error status (the one place this mapping lives)."""
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return ServerError
    if 400 <= status_code < 500:
        return BadRequestError
    return EditbayAPIError
