"""The editbay Python SDK: a client for editbay and any PixelByte-compatible video-edit job API.

    from editbay.client import Client

    with Client() as client:                     # EDITBAY_BASE_URL / EDITBAY_API_KEY
        video = client.upload("in.mp4")
        job = client.submit(model="editbay/local/video-edit", prompt="make it black and white",
                            video_url=video)
        job = client.wait(job, on_progress=lambda j: print(j.status, j.progress))
        client.download(job.raise_for_failure(), "out.mp4")

`AsyncClient` offers the same methods as coroutines. Both share one sans-IO core (request building,
response parsing, error mapping, retry decisions), so they behave identically.
"""

from editbay.client._async import AsyncClient, AsyncModels
from editbay.client._errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EditbayAPIError,
    InsufficientBalanceError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    WaitTimeoutError,
    WebhookVerificationError,
)
from editbay.client._retry import RetryPolicy
from editbay.client._sync import Client, Models
from editbay.client._types import (
    CancelResult,
    CostComponent,
    Estimate,
    Job,
    JobErrorInfo,
    JobOutput,
    JobStatus,
    JobSummary,
    Model,
    ModelVersion,
    SubmitResult,
    Upload,
    WebhookEvent,
)
from editbay.client._webhooks import sign_webhook, verify_webhook

__all__ = [
    # clients
    "AsyncClient",
    "AsyncModels",
    "Client",
    "Models",
    "RetryPolicy",
    # results
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
    # errors
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
    # webhooks
    "sign_webhook",
    "verify_webhook",
]
