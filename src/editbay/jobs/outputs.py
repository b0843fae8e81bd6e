"""A finished job's outputs: how they are stored on the job row and how clients see them.

Stored (``Job.outputs``), one entry per output file, storage keys only — URLs expire, keys don't
(the shape `api.serialize.job_outputs` reads):
    {"type": "video", "video": "outputs/<job>/output.mp4", "thumbnail": "…/thumbnail.jpg",
     "poster": "…/poster.jpg", "contentType": "video/mp4", "sizeBytes": 123}
``Job.output_meta``: {"width", "height", "durationSeconds", "format", "hasAudio", "sizeBytes"}.

Public (GET job, webhooks): fresh signed/presigned URLs from the storage backend.
"""

from __future__ import annotations

from typing import Any

from editbay.settings import Settings
from editbay.storage.base import Storage
from editbay.store.models import Job


def _url(storage: Storage, key: str | None, settings: Settings) -> str | None:
    return storage.url_for(key, settings.download_url_minutes * 60) if key else None


def public_outputs(job: Job, storage: Storage, settings: Settings) -> list[dict[str, Any]] | None:
    """``outputs`` as the API shows it: ``[{"url", "type", "thumbnail", "posterImage"}]`` or None."""
    if not job.outputs:
        return None
    return [
        {
            "url": _url(storage, item.get("video"), settings),
            "type": item.get("type", "video"),
            "thumbnail": _url(storage, item.get("thumbnail"), settings),
            "posterImage": _url(storage, item.get("poster"), settings),
        }
        for item in job.outputs
        if isinstance(item, dict)
    ]


OUTPUT_KINDS = (("output", "video"), ("thumbnail", "thumbnail"), ("poster", "poster"))


def output_keys(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(file kind, storage key) for every file of one output entry."""
    return [(kind, item[field]) for kind, field in OUTPUT_KINDS if item.get(field)]


def webhook_output(job: Job, outputs: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The webhook's ``output`` object for a video job (from the public outputs)."""
    if not outputs:
        return None
    first = outputs[0]
    meta = job.output_meta or {}
    return {
        "url": first["url"],
        "videoUrl": first["url"],
        "thumbnail": first["thumbnail"],
        "posterImage": first["posterImage"],
        "metadata": {
            "width": meta.get("width"),
            "height": meta.get("height"),
            "durationSeconds": meta.get("durationSeconds"),
            "format": meta.get("format", "mp4"),
        },
    }
