"""The service's error codes, their HTTP statuses, and the one root exception.

    EditbayError                      (code, HTTP status, message, details)
      ├─ raised by api/ (auth, validation, limits), jobs/ (billing, state), worker/ (job failures)
      └─ mapped to the wire envelope in exactly one place: `api.errors`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INVALID_CONTENT_TYPE = "INVALID_CONTENT_TYPE"
    INVALID_MODEL_SLUG = "INVALID_MODEL_SLUG"
    MODEL_NOT_FOUND = "MODEL_NOT_FOUND"
    MODEL_VERSION_NOT_FOUND = "MODEL_VERSION_NOT_FOUND"
    MODEL_VERSION_NOT_ACTIVE = "MODEL_VERSION_NOT_ACTIVE"
    MODEL_ACCESS_DENIED = "MODEL_ACCESS_DENIED"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    UNAUTHORIZED = "UNAUTHORIZED"
    INVALID_API_KEY = "INVALID_API_KEY"
    API_KEY_INACTIVE = "API_KEY_INACTIVE"
    API_KEY_EXPIRED = "API_KEY_EXPIRED"
    IP_NOT_WHITELISTED = "IP_NOT_WHITELISTED"
    OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"
    UNAUTHORIZED_ACCESS = "UNAUTHORIZED_ACCESS"
    JOB_NOT_FOUND = "JOB_NOT_FOUND"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    FORBIDDEN = "FORBIDDEN"
    JOB_CANNOT_BE_CANCELLED = "JOB_CANNOT_BE_CANCELLED"
    CONCURRENT_JOBS_EXCEEDED = "CONCURRENT_JOBS_EXCEEDED"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_WEBHOOK_URL = "INVALID_WEBHOOK_URL"
    INVALID_WEBHOOK_SIGNATURE = "INVALID_WEBHOOK_SIGNATURE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    PUBSUB_PUBLISH_FAILED = "PUBSUB_PUBLISH_FAILED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    # job failure codes (a failed job's error.code)
    UNSUPPORTED_EDIT = "UNSUPPORTED_EDIT"
    RENDER_FAILED = "RENDER_FAILED"
    TIMEOUT = "TIMEOUT"
    UPSTREAM_FAILED = "UPSTREAM_FAILED"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_INPUT: 400,
    ErrorCode.VALIDATION_ERROR: 400,
    ErrorCode.INVALID_CONTENT_TYPE: 400,
    ErrorCode.INVALID_MODEL_SLUG: 400,
    ErrorCode.MODEL_NOT_FOUND: 404,
    ErrorCode.MODEL_VERSION_NOT_FOUND: 404,
    ErrorCode.MODEL_VERSION_NOT_ACTIVE: 400,
    ErrorCode.MODEL_ACCESS_DENIED: 403,
    ErrorCode.INSUFFICIENT_BALANCE: 402,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.INVALID_API_KEY: 401,
    ErrorCode.API_KEY_INACTIVE: 401,
    ErrorCode.API_KEY_EXPIRED: 401,
    ErrorCode.IP_NOT_WHITELISTED: 403,
    ErrorCode.OPERATION_NOT_ALLOWED: 403,
    ErrorCode.UNAUTHORIZED_ACCESS: 403,
    ErrorCode.JOB_NOT_FOUND: 404,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.JOB_CANNOT_BE_CANCELLED: 400,
    ErrorCode.CONCURRENT_JOBS_EXCEEDED: 429,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INVALID_WEBHOOK_URL: 400,
    ErrorCode.INVALID_WEBHOOK_SIGNATURE: 401,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.PUBSUB_PUBLISH_FAILED: 503,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.UNSUPPORTED_EDIT: 400,
    ErrorCode.RENDER_FAILED: 500,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.UPSTREAM_FAILED: 502,
}


class EditbayError(Exception):
    """Root of every domain error; carries a wire error code and details."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]
