"""The webhook request body, built from the outbox event's snapshot and the finished job."""

from __future__ import annotations

import json
from typing import Any

from editbay.jobs.outputs import public_outputs, webhook_output
from editbay.settings import Settings
from editbay.storage.base import Storage
from editbay.store.models import Job, WebhookEvent


def build_body(event: WebhookEvent, job: Job | None, storage: Storage, settings: Settings) -> bytes:
    """``{"jobId", "requestId", "status", "output"?, "outputs"?, "error"?, "completedAt"}`` as bytes.

    Output URLs are signed fresh for each attempt (they expire; the job's keys do not).
    """
    snapshot = dict(event.payload or {})
    body: dict[str, Any] = {
        "jobId": snapshot.get("jobId", event.job_id),
        "requestId": snapshot.get("requestId"),
        "status": snapshot.get("status"),
    }
    if job is not None and snapshot.get("status") == "completed":
        outputs = public_outputs(job, storage, settings)
        body["output"] = webhook_output(job, outputs)
        body["outputs"] = outputs
    if snapshot.get("error"):
        body["error"] = snapshot["error"]
    body["completedAt"] = snapshot.get("completedAt")
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
