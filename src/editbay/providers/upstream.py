"""Run a job on a PixelByte-compatible upstream (the hosted API, or another editbay).

Submit with ``Idempotency-Key: <our job id>`` (a retried attempt after a crash reuses the same
upstream job instead of paying twice) → poll until it ends (progress mirrored, our cancel
forwarded) → download the outputs through the SSRF-safe fetcher → store them in our storage.
Upstream failures keep their code when it is a job failure code, else UPSTREAM_FAILED; transport
errors are translated here into UPSTREAM_FAILED. ``hybrid`` routing tries the local engine first
and goes upstream only for edits the engine cannot do (UNSUPPORTED_EDIT).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx

from editbay.errors import ErrorCode
from editbay.net.fetch import fetch_to_file
from editbay.providers.base import JobCancelled, JobFailed, JobSpec, ProviderResult, RunContext
from editbay.providers.local import LocalEngineProvider

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
JOB_FAILURE_CODES = {"INVALID_INPUT", "UNSUPPORTED_EDIT", "RENDER_FAILED", "TIMEOUT", "UPSTREAM_FAILED"}


class UpstreamProvider:
    """Forwards the edit to ``EDITBAY_UPSTREAM_BASE_URL``."""

    name = "upstream"

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        s = context.settings
        headers = {"Authorization": f"Bearer {s.upstream_api_key}"}
        try:
            with httpx.Client(
                base_url=s.upstream_base_url.rstrip("/"), headers=headers, timeout=30, trust_env=False
            ) as client:
                upstream_id = self._submit(client, job)
                final = self._wait(client, upstream_id, context)
        except httpx.HTTPError as exc:
            raise JobFailed(
                ErrorCode.UPSTREAM_FAILED, f"upstream unreachable ({type(exc).__name__})"
            ) from exc
        return self._store(job, context, final)

    def _submit(self, client: httpx.Client, job: JobSpec) -> str:
        body = {"model": job.model_slug, "input": job.input}
        response = client.post("/v1/jobs/submit", json=body, headers={"Idempotency-Key": job.job_id})
        if response.status_code != 200:
            raise JobFailed(ErrorCode.UPSTREAM_FAILED, f"upstream refused the job: {_error_text(response)}")
        return str(response.json()["jobId"])

    def _wait(self, client: httpx.Client, upstream_id: str, context: RunContext) -> dict[str, Any]:
        while True:
            if context.cancel.wait(POLL_SECONDS):
                client.post(f"/v1/jobs/{upstream_id}/cancel")
                raise JobCancelled()
            response = client.get(f"/v1/jobs/{upstream_id}")
            if response.status_code != 200:
                raise JobFailed(ErrorCode.UPSTREAM_FAILED, f"upstream status failed: {_error_text(response)}")
            job = response.json()
            context.on_progress(min(0.9, float(job.get("progress") or 0) / 100 * 0.9))
            status = job.get("status")
            if status == "completed":
                return dict(job)
            if status in ("failed", "cancelled"):
                error = job.get("error") or {}
                code = str(error.get("code")) if error.get("code") in JOB_FAILURE_CODES else "UPSTREAM_FAILED"
                message = error.get("message") or f"the upstream job ended {status}"
                raise JobFailed(ErrorCode(code), f"upstream: {message}", job.get("plan"))

    def _store(self, job: JobSpec, context: RunContext, final: dict[str, Any]) -> ProviderResult:
        outputs = final.get("outputs") or ([{"url": final["output"]}] if final.get("output") else [])
        if not outputs or not outputs[0].get("url"):
            raise JobFailed(ErrorCode.UPSTREAM_FAILED, "the upstream job completed without an output")
        first = outputs[0]
        prefix = f"outputs/{job.job_id}"
        video = self._fetch(first["url"], context.workdir / "upstream.mp4", "video", context)
        size = context.storage.put_file(f"{prefix}/output.mp4", video, "video/mp4")
        entry: dict[str, Any] = {
            "type": "video",
            "video": f"{prefix}/output.mp4",
            "contentType": "video/mp4",
            "sizeBytes": size,
        }
        for field, name in (("thumbnail", "thumbnail.jpg"), ("posterImage", "poster.jpg")):
            if first.get(field):
                try:
                    image = self._fetch(first[field], context.workdir / name, "image", context)
                except JobFailed:
                    continue  # an image we cannot fetch is not worth failing a finished edit
                key = f"{prefix}/{name}"
                context.storage.put_file(key, image, "image/jpeg")
                entry["thumbnail" if field == "thumbnail" else "poster"] = key
        meta = _probe_meta(video, size)
        context.on_progress(1.0)
        return ProviderResult(
            outputs=[entry], output_meta=meta, plan=final.get("plan"), skipped=final.get("skipped")
        )

    def _fetch(self, url: str, dest: Path, kind: str, context: RunContext) -> Path:
        s = context.settings
        try:
            fetch_to_file(
                url,
                dest,
                kind=kind,
                max_bytes=s.fetch_max_bytes,
                timeout=s.fetch_timeout_seconds,
                allow_private=s.allow_private_urls,
                what=f"upstream {kind}",
            )
        except Exception as exc:
            raise JobFailed(
                ErrorCode.UPSTREAM_FAILED, f"could not download the upstream output: {exc}"
            ) from exc
        return dest


class HybridProvider:
    """The local engine, and upstream for what the engine cannot do."""

    name = "hybrid"

    def __init__(self) -> None:
        self.local = LocalEngineProvider()
        self.upstream = UpstreamProvider()

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        try:
            return self.local.run(job, context)
        except JobFailed as exc:
            if exc.code != ErrorCode.UNSUPPORTED_EDIT:
                raise
        for leftover in context.workdir.iterdir():
            if leftover.is_file():
                leftover.unlink()
        return self.upstream.run(job, context)


def _error_text(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return f"HTTP {response.status_code} {error.get('code', '')}: {error.get('message', '')}".strip()
    except ValueError:
        return f"HTTP {response.status_code}"


def _probe_meta(path: Path, size: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"format": "mp4", "sizeBytes": size}
    try:
        from editbay.engine.media import probe

        info = probe(path)
        meta.update(
            width=info.width,
            height=info.height,
            durationSeconds=round(info.duration, 3),
            hasAudio=info.has_audio,
        )
    except Exception:  # metadata is best effort; the file itself passed the content sniff
        log.warning("could not probe an upstream output", exc_info=True)
    return meta
