"""Wire schemas (and so the OpenAPI spec), named by role: JobSubmit → JobSubmitted, JobPublic,
JobList; EstimateRequest → EstimatePublic; ModelPublic / ModelList; AccountPublic / LedgerList;
and ErrorEnvelope, the body of every error response."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from editbay.jobs.catalog import SLUG_PATTERN
from editbay.jobs.inputs import OutputFile, VideoEditEstimateInput, VideoEditInput

#: public https targets, as the schema shows them (`jobs.submit.check_webhook_url` decides)
WEBHOOK_URL_PATTERN = (
    r"^https://[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:[0-9]{1,5})?([/?#]\S*)?$"
)

JobStatusName = Literal["pending", "processing", "completed", "failed", "cancelled"]


class ErrorBody(BaseModel):
    code: str = Field(examples=["INVALID_INPUT"])
    message: str = Field(examples=["input.video_url: must be an http(s) URL"])
    details: dict[str, Any] = Field(default_factory=dict, examples=[{"field": "input.video_url"}])


class ErrorEnvelope(BaseModel):
    """Every error of every endpoint."""

    success: Literal[False] = False
    error: ErrorBody
    requestId: str


# ---- jobs ------------------------------------------------------------------------------------


class JobSubmit(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model": "kling-plus/kling-o1-pro/video-edit-fast",
                    "input": {
                        "prompt": "Add cinematic color grading with teal and orange tones",
                        "video_url": "https://example.com/video.mp4",
                        "aspect_ratio": "16:9",
                    },
                }
            ]
        }
    )

    model: str = Field(
        description="Model slug, e.g. kling-plus/kling-o1-pro/video-edit-fast.",
        json_schema_extra={"pattern": SLUG_PATTERN},
    )
    version: str | None = Field(default=None, description="Model version; the current one when absent.")
    input: VideoEditInput
    webhookUrl: str | None = Field(
        default=None,
        description="HTTPS URL notified when the job completes, fails or is cancelled.",
        json_schema_extra={"format": "uri", "pattern": WEBHOOK_URL_PATTERN},
    )


class JobError(BaseModel):
    code: str
    message: str


class UpstreamLink(BaseModel):
    """The job's counterpart on the upstream provider (never the upstream's key)."""

    host: str = Field(description="Host (and port) of the upstream API the job was sent to.")
    jobId: str | None = Field(default=None, description="The upstream's job id.")
    status: str | None = Field(default=None, description="The upstream job's last known status.")
    costMicroCents: int | None = Field(default=None, description="What the upstream charged for it.")
    refundedMicroCents: int | None = Field(default=None, description="What the upstream refunded.")
    rateLimitedRetries: int = Field(default=0, description="Upstream 429 answers waited out.")


class JobRouting(BaseModel):
    """Where the job runs and why (extension)."""

    mode: Literal["local", "upstream", "hybrid"] = Field(description="The model's effective routing.")
    decision: Literal["local", "upstream"] | None = Field(
        default=None, description="Where it runs: the local engine or the upstream provider."
    )
    reason: str | None = Field(default=None, description="Why (for hybrid: the clause sent upstream).")
    upstream: UpstreamLink | None = Field(default=None, description="The linked upstream job, if any.")


class JobPublic(BaseModel):
    """`GET /v1/jobs/{jobId}`: the contract's fields plus editbay's extensions."""

    jobId: str
    status: JobStatusName
    progress: int = Field(ge=0, le=100)
    output: str | None
    outputs: list[OutputFile] | None
    error: JobError | None
    createdAt: str
    completedAt: str | None
    model: str
    costMicroCents: int
    refundedMicroCents: int
    startedAt: str | None
    expiresAt: str | None
    plan: dict[str, Any] | None
    attempts: int
    skipped: list[dict[str, Any]] | None
    routing: JobRouting | None = None


class JobSubmitted(BaseModel):
    """Submit response. With `Prefer: wait=N` it also carries the job's GET fields."""

    jobId: str
    requestId: str
    status: JobStatusName
    estimatedCompletionTime: str
    costMicroCents: int


class JobListItem(BaseModel):
    jobId: str
    status: JobStatusName
    progress: int
    model: str
    createdAt: str
    completedAt: str | None


class JobList(BaseModel):
    jobs: list[JobListItem]
    nextCursor: str | None
    hasMore: bool


class EstimateRequest(BaseModel):
    model: str = Field(description="Model slug.", json_schema_extra={"pattern": SLUG_PATTERN})
    version: str | None = None
    input: VideoEditEstimateInput | None = None


class CostComponent(BaseModel):
    component: str
    costMicroCents: int


class EstimatePublic(BaseModel):
    baseCostMicroCents: int
    estimatedCostMicroCents: int
    breakdown: list[CostComponent]
    hasDiscount: bool
    outputSeconds: float | None = Field(default=None, description="Seconds priced (per-second models).")
    plan: dict[str, Any] | None = Field(
        default=None, description="The parsed edit plan (when input.prompt is given)."
    )
    planError: JobError | None = Field(
        default=None, description="The error the job would end with (UNSUPPORTED_EDIT), if any."
    )
    routing: JobRouting | None = Field(
        default=None, description="Where the job would run and why (hybrid: decided from the plan)."
    )


# ---- models ----------------------------------------------------------------------------------


class ModelVersion(BaseModel):
    versionId: str
    status: Literal["active", "deprecated", "disabled", "deleted"]
    inputSchema: dict[str, Any]
    outputSchema: dict[str, Any]


class RateLimitsPublic(BaseModel):
    requestsPerMinute: int
    requestsPerDay: int


class ModelPublic(BaseModel):
    id: str
    slug: str
    providerId: str
    providerName: str
    name: str
    description: str
    category: str
    currentVersion: str
    versions: list[ModelVersion]
    pricing: dict[str, Any]
    rateLimits: RateLimitsPublic
    processingTimeSeconds: float
    routing: str


class ModelList(BaseModel):
    models: list[ModelPublic]


# ---- account ---------------------------------------------------------------------------------


class AccountPublic(BaseModel):
    accountId: str
    name: str
    balanceMicroCents: int
    heldMicroCents: int
    concurrentJobLimit: int
    activeJobs: int


class LedgerEntryPublic(BaseModel):
    id: str
    kind: Literal["topup", "hold", "capture", "refund"]
    amountMicroCents: int
    heldDeltaMicroCents: int
    balanceAfterMicroCents: int
    jobId: str | None
    note: str
    createdAt: str


class LedgerList(BaseModel):
    entries: list[LedgerEntryPublic]
    nextCursor: str | None
    hasMore: bool
