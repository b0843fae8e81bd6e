"""Typed results of the API: Pydantic models that read the camelCase wire names and keep extra fields.

Every model tolerates fields it does not know (``extra="allow"``), so a newer server or another
PixelByte-compatible API never breaks the SDK; ``model_dump(by_alias=True)`` gives the wire form back.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from editbay.client._errors import JobFailedError

__all__ = [
    "CancelResult",
    "CostComponent",
    "Estimate",
    "Job",
    "JobErrorInfo",
    "JobOutput",
    "JobStatus",
    "JobSummary",
    "Model",
    "ModelVersion",
    "SubmitResult",
    "Upload",
    "WebhookEvent",
]


class _Wire(BaseModel):
    model_config = ConfigDict(
        extra="allow", alias_generator=to_camel, populate_by_name=True, protected_namespaces=()
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready wire form (camelCase names, extra fields kept)."""
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)


class JobStatus(StrEnum):
    """A job's lifecycle state (values compare equal to the wire strings)."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


class JobErrorInfo(_Wire):
    """Why a job failed: ``code`` (e.g. ``UNSUPPORTED_EDIT``) and a human ``message``."""

    code: str | None = None
    message: str | None = None


class JobOutput(_Wire):
    """One output file of a job (signed, expiring URLs)."""

    url: str | None = None
    type: str | None = None
    thumbnail: str | None = None
    poster_image: str | None = None


class Job(_Wire):
    """A job as ``GET /v1/jobs/{jobId}`` returns it (editbay's extension fields are optional)."""

    job_id: str
    status: str = JobStatus.PENDING
    progress: int | None = None
    output: Any = None
    outputs: list[JobOutput] | None = None
    error: JobErrorInfo | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None
    model: str | None = None
    cost_micro_cents: int | None = None
    refunded_micro_cents: int | None = None
    started_at: datetime | None = None
    expires_at: datetime | None = None
    plan: dict[str, Any] | None = None
    attempts: int | None = None
    skipped: list[dict[str, Any]] | None = None

    @property
    def is_terminal(self) -> bool:
        """True once the job is ``completed``, ``failed`` or ``cancelled``."""
        return self.status in TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        """True when the job completed."""
        return self.status == JobStatus.COMPLETED

    def raise_for_failure(self) -> Job:
        """Raise `JobFailedError` if the job failed or was cancelled; otherwise return the job."""
        if self.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            raise JobFailedError(self)
        return self

    @property
    def output_url(self) -> str | None:
        """The URL of the first output, whichever shape the server used for it."""
        if isinstance(self.output, str) and self.output:
            return self.output
        if isinstance(self.output, dict):
            url = self.output.get("url") or self.output.get("videoUrl")
            if isinstance(url, str):
                return url
        for item in self.outputs or []:
            if item.url:
                return item.url
        return None


class SubmitResult(Job):
    """The answer to a submit: the job id, its status, the estimated completion time and the cost.

    With ``Prefer: wait=N`` the server also includes the job's GET fields, which this model keeps.
    """

    request_id: str | None = None
    estimated_completion_time: datetime | None = None


class JobSummary(_Wire):
    """One row of ``GET /v1/jobs``."""

    job_id: str
    status: str = JobStatus.PENDING
    progress: int | None = None
    model: str | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None


class CancelResult(_Wire):
    """The answer to a cancel."""

    job_id: str
    status: str = JobStatus.CANCELLED
    refunded_micro_cents: int | None = None


class CostComponent(_Wire):
    """One line of an estimate's breakdown."""

    component: str = ""
    cost_micro_cents: int = 0


class Estimate(_Wire):
    """The cost of a job before submitting it, and (editbay extension) the parsed edit plan."""

    base_cost_micro_cents: int | None = None
    estimated_cost_micro_cents: int | None = None
    breakdown: list[CostComponent] = Field(default_factory=list)
    has_discount: bool | None = None
    discounted: Any = None
    plan: dict[str, Any] | None = None

    @property
    def cost_usd(self) -> float | None:
        """The estimated cost in US dollars (1,000,000 micro-cents = $1)."""
        cost = self.estimated_cost_micro_cents
        return None if cost is None else cost / 1_000_000


class ModelVersion(_Wire):
    """A version of a model, with its input and output JSON Schemas."""

    version_id: str | None = None
    status: str | None = None
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    pricing: Any = None
    rate_limits: dict[str, Any] | None = None
    processing_time_seconds: Any = None


class Model(_Wire):
    """A model as ``GET /v1/models/{modelId}`` describes it."""

    id: str | None = None
    slug: str | None = None
    provider_id: str | None = None
    provider_name: str | None = None
    name: str | None = None
    description: str | None = None
    category: str | None = None
    current_version: Any = None
    versions: list[ModelVersion] = Field(default_factory=list)
    pricing: Any = None
    rate_limits: dict[str, Any] | None = None
    processing_time_seconds: Any = None


class Upload(_Wire):
    """A presigned upload slot: PUT the bytes to ``upload_url``, then use ``file_url`` as input."""

    upload_url: str
    file_url: str
    file_id: str | None = None
    expires_at: datetime | None = None
    max_size: int | None = None


class WebhookEvent(_Wire):
    """A verified webhook delivery's body (a job that ended), plus its event id when sent."""

    job_id: str
    request_id: str | None = None
    status: str
    output: Any = None
    outputs: list[JobOutput] | None = None
    error: JobErrorInfo | None = None
    completed_at: datetime | None = None
    event_id: str | None = None
