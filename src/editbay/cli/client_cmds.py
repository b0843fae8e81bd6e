"""Client commands: `editbay submit`, `editbay jobs list|get|cancel|watch`, `editbay models`,
`editbay estimate`.

They talk to a running server (editbay, or any PixelByte-compatible API) through `editbay.client`.
Results go to standard output (``--json`` for scripts); progress and messages go to standard error.
A failed call or job exits 1 after printing its error code and message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from editbay.client import Client, EditbayAPIError, Estimate, Job, Model
from editbay.client._render import (
    JobProgress,
    dollars,
    estimate_tables,
    job_table,
    jobs_table,
    model_tables,
    plan_table,
)
from editbay.client._types import _Wire

__all__ = ["register"]

DEFAULT_MODEL = "editbay/local/video-edit"

BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url", envvar="EDITBAY_BASE_URL", help="API base URL (default http://127.0.0.1:8000)."
    ),
]
ApiKey = Annotated[
    str | None, typer.Option("--api-key", envvar="EDITBAY_API_KEY", help="API key.", show_default=False)
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON on standard output, for scripts.")]
JobId = Annotated[str, typer.Argument(help="The job id.")]
ModelOpt = Annotated[str, typer.Option("--model", "-m", envvar="EDITBAY_MODEL", help="Model slug.")]
Timeout = Annotated[float | None, typer.Option("--timeout", help="Give up waiting after this many seconds.")]
AspectRatio = Annotated[str | None, typer.Option("--aspect-ratio", help="e.g. 16:9, 9:16, 1:1, 4:5.")]
Mute = Annotated[bool, typer.Option("--mute", help="Drop the original sound.")]
Images = Annotated[
    list[str] | None, typer.Option("--image", help="Reference image or logo: a file or URL (repeatable).")
]
Strict = Annotated[
    bool | None,
    typer.Option(
        "--strict/--lenient", help="Fail on an unsupported clause, or apply the rest.", show_default=False
    ),
]
WebhookUrl = Annotated[str | None, typer.Option("--webhook-url", help="Notify this URL when the job ends.")]
IdempotencyKey = Annotated[str | None, typer.Option("--idempotency-key", help="Reuse to make retries safe.")]
Wait = Annotated[bool, typer.Option("--wait", "-w", help="Wait for the job with a progress bar.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Download the result to this path.")]
StatusFilter = Annotated[str | None, typer.Option("--status", help="pending, processing, completed, ...")]
VideoUrl = Annotated[str | None, typer.Option("--video-url", help="The input video's URL, if known.")]

jobs_app = typer.Typer(help="Jobs on the server: list, get, cancel, watch.", no_args_is_help=True)
err = Console(stderr=True)
out = Console(soft_wrap=True)


# ---- shared plumbing -----------------------------------------------------------------------------


def _emit_json(data: Any) -> None:
    if isinstance(data, _Wire):
        data = data.to_wire()
    elif isinstance(data, list):
        data = [d.to_wire() if isinstance(d, _Wire) else d for d in data]
    typer.echo(json.dumps(data, indent=2, default=str))


def _fail(code: str, message: str, as_json: bool, request_id: str | None = None, **extra: Any) -> None:
    if as_json:
        _emit_json({"error": {"code": code, "message": message, "requestId": request_id, **extra}})
    suffix = f" [dim](request {request_id})[/dim]" if request_id else ""
    err.print(f"[bold red]error[/bold red] {code}: {message}{suffix}", highlight=False)
    raise typer.Exit(code=1)


@contextmanager
def _api(base_url: str | None, api_key: str | None, as_json: bool) -> Iterator[Client]:
    """A client whose API errors become a printed code and message and exit status 1."""
    try:
        with Client(base_url, api_key) as client:
            yield client
    except EditbayAPIError as exc:
        _fail(exc.code, exc.message, as_json, exc.request_id, status=exc.status_code)


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _media_url(client: Client, source: str) -> str:
    """A URL as is; a local file is uploaded first and its ``fileUrl`` returned."""
    if _is_url(source):
        return source
    path = Path(source).expanduser()
    if not path.is_file():
        raise typer.BadParameter(f"{source!r} is neither an http(s) URL nor an existing file")
    err.print(f"uploading {path.name} ({path.stat().st_size / 1e6:.1f} MB)…", highlight=False)
    return client.upload(path)


def _follow(client: Client, job_id: str, timeout: float | None) -> Job:
    """Wait for a job with a live progress bar on standard error."""
    try:
        with JobProgress(err, job_id) as display:
            return client.wait(job_id, timeout=timeout, on_progress=display.update)
    except KeyboardInterrupt:
        err.print(f"stopped watching; the job runs on: editbay jobs watch {job_id}", highlight=False)
        raise typer.Exit(code=130) from None


def _finish(job: Job, as_json: bool) -> None:
    """Exit 1 with the job's error when it did not complete."""
    if job.succeeded:
        return
    code = job.error.code if job.error and job.error.code else str(job.status).upper()
    message = job.error.message if job.error and job.error.message else f"job {job.job_id} ended {job.status}"
    _fail(code or "FAILED", message or "", as_json, jobId=job.job_id, status=str(job.status))


# ---- submit --------------------------------------------------------------------------------------


def submit(
    source: Annotated[str, typer.Argument(help="A local video file (uploaded first) or an http(s) URL.")],
    instruction: Annotated[str, typer.Argument(help='What to do, e.g. "make it black and white".')],
    model: ModelOpt = DEFAULT_MODEL,
    aspect_ratio: AspectRatio = None,
    image: Images = None,
    mute: Mute = False,
    strict: Strict = None,
    webhook_url: WebhookUrl = None,
    idempotency_key: IdempotencyKey = None,
    wait: Wait = False,
    output: Output = None,
    timeout: Timeout = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Submit an edit: upload the video if it is a file, submit, and optionally wait and download."""
    with _api(base_url, api_key, as_json) as client:
        video_url = _media_url(client, source)
        images = [_media_url(client, i) for i in image] if image else None
        result = client.submit(
            model=model,
            prompt=instruction,
            video_url=video_url,
            images=images,
            keep_original_sound=False if mute else None,
            aspect_ratio=aspect_ratio,
            webhook_url=webhook_url,
            idempotency_key=idempotency_key,
            strict=strict,
        )
        err.print(
            f"submitted [bold]{result.job_id}[/bold] ({result.status}, cost "
            f"{dollars(result.cost_micro_cents)})",
            highlight=False,
        )
        if not (wait or output):
            if as_json:
                _emit_json(result)
            else:
                typer.echo(result.job_id)
            return
        job = _follow(client, result.job_id, timeout)
        _finish(job, as_json)
        saved = client.download(job, output) if output is not None else None
        if saved is not None:
            err.print(f"saved {saved}", highlight=False)
        if as_json:
            _emit_json(job)
        else:
            typer.echo(str(saved or job.output_url or job.job_id))


# ---- jobs ----------------------------------------------------------------------------------------


@jobs_app.command("list")
def jobs_list(
    status: StatusFilter = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Only this model's jobs.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show at most this many (0: all).")] = 20,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """List jobs, newest first."""
    with _api(base_url, api_key, as_json) as client:
        jobs = client.list(status=status, model=model, page_size=min(limit, 100) if limit > 0 else 100)
        rows = list(islice(jobs, limit) if limit > 0 else jobs)
    if as_json:
        _emit_json({"jobs": [r.to_wire() for r in rows]})
        return
    out.print(jobs_table(rows))


@jobs_app.command("get")
def jobs_get(
    job_id: JobId,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Show a job."""
    with _api(base_url, api_key, as_json) as client:
        job = client.get(job_id)
    if as_json:
        _emit_json(job)
        return
    out.print(job_table(job))
    if job.plan:
        out.print(plan_table(job.plan))


@jobs_app.command("cancel")
def jobs_cancel(
    job_id: JobId,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Cancel a pending or processing job (its held credits are refunded)."""
    with _api(base_url, api_key, as_json) as client:
        result = client.cancel(job_id)
    if as_json:
        _emit_json(result)
    else:
        typer.echo(f"cancelled {result.job_id}; refunded {dollars(result.refunded_micro_cents)}")


@jobs_app.command("watch")
def jobs_watch(
    job_id: JobId,
    timeout: Timeout = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Follow a job's progress live until it ends; exits 1 if it fails or is cancelled."""
    with _api(base_url, api_key, as_json) as client:
        job = _follow(client, job_id, timeout)
    _finish(job, as_json)
    if as_json:
        _emit_json(job)
    else:
        typer.echo(job.output_url or job.job_id)


# ---- models and estimate -------------------------------------------------------------------------


def models(
    slug: Annotated[str | None, typer.Argument(help="Show this model in detail.")] = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """List the models the server offers, or show one."""
    with _api(base_url, api_key, as_json) as client:
        found: Model | list[Model] = client.models.get(slug) if slug else client.models.list()
    if as_json:
        _emit_json(found)
        return
    for renderable in model_tables(found):
        out.print(renderable)


def estimate(
    instruction: Annotated[str, typer.Argument(help="The edit instruction to price and plan.")],
    model: ModelOpt = DEFAULT_MODEL,
    video_url: VideoUrl = None,
    aspect_ratio: AspectRatio = None,
    mute: Mute = False,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Show what an edit would cost and the plan the engine would apply (a free dry run)."""
    with _api(base_url, api_key, as_json) as client:
        result: Estimate = client.estimate(
            model=model,
            prompt=instruction,
            video_url=video_url,
            aspect_ratio=aspect_ratio,
            keep_original_sound=False if mute else None,
        )
    if as_json:
        _emit_json(result)
        return
    for renderable in estimate_tables(result, model):
        out.print(renderable)


def register(app: typer.Typer) -> None:
    """Add `submit`, `jobs`, `models` and `estimate` to the `editbay` command."""
    app.command("submit")(submit)
    app.add_typer(jobs_app, name="jobs")
    app.command("models")(models)
    app.command("estimate")(estimate)
