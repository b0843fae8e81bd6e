"""A job as the wire shows it (`GET /v1/jobs/{id}`, list items, webhooks reuse `job_public`).

Output URLs are built from the job's `outputs` rows (`{"video": key, "thumbnail": key,
"poster": key}`) by the storage backend: signed expiring editbay links, or presigned S3 URLs.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse

from editbay.jobs.clock import iso_ms
from editbay.jobs.outputs import public_outputs
from editbay.settings import Settings
from editbay.store.models import Job


def job_outputs(job: Job, storage: Any, settings: Settings) -> list[dict[str, Any]] | None:
    """`[{"url", "type": "video", "thumbnail", "posterImage"}]` or None (one shared definition
    with the webhooks: `jobs.outputs.public_outputs`)."""
    return public_outputs(job, storage, settings)


def job_error(job: Job) -> dict[str, str] | None:
    if not job.error_code:
        return None
    return {"code": job.error_code, "message": job.error_message or ""}


def job_public(job: Job | Any, storage: Any, settings: Settings) -> dict[str, Any]:
    """The full job: the contract's fields plus editbay's extensions. ``job`` is a `Job` or a
    row of the jobs table (same attribute names)."""
    outputs = job_outputs(job, storage, settings)
    return {
        "jobId": job.id,
        "status": job.status,
        "progress": int(job.progress or 0),
        "output": outputs[0]["url"] if outputs else None,
        "outputs": outputs,
        "error": job_error(job),
        "createdAt": iso_ms(job.created_at),
        "completedAt": iso_ms(job.completed_at),
        "model": job.model_slug,
        "costMicroCents": int(job.cost_microcents),
        "refundedMicroCents": int(job.refunded_microcents or 0),
        "startedAt": iso_ms(job.started_at),
        "expiresAt": iso_ms(job.expires_at),
        "plan": job.plan,
        "attempts": int(job.attempts or 0),
        "skipped": job.skipped,
        "routing": job.routing,
    }


def job_list_item(job: Job) -> dict[str, Any]:
    return {
        "jobId": job.id,
        "status": job.status,
        "progress": int(job.progress or 0),
        "model": job.model_slug,
        "createdAt": iso_ms(job.created_at),
        "completedAt": iso_ms(job.completed_at),
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))


class CompactJSONResponse(JSONResponse):
    """`JSONResponse`, byte for byte, with one encoder built once (`json.dumps` with these options
    builds a new encoder per call): the hot routes' responses."""

    def render(self, content: Any) -> bytes:
        return _ENCODER.encode(content).encode("utf-8")
