"""Rich renderings of SDK results for the `editbay` client commands (tables and a live progress bar).

Kept beside the SDK so the CLI module stays about commands; nothing in `editbay.client` imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Any

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from editbay.client._types import Estimate, Job, JobSummary, Model

__all__ = [
    "JobProgress",
    "dollars",
    "estimate_tables",
    "job_table",
    "jobs_table",
    "model_tables",
    "plan_table",
]

STATUS_COLOURS = {"completed": "green", "failed": "red", "cancelled": "yellow", "processing": "cyan"}
MODEL_FIELDS = (
    "id", "slug", "name", "provider_name", "category", "current_version", "description", "pricing",
    "rate_limits", "processing_time_seconds",
)  # fmt: skip


def dollars(micro_cents: int | None) -> str:
    """Micro-cents as dollars (1,000,000 micro-cents = $1): 30000 → ``$0.03``."""
    if micro_cents is None:
        return "-"
    return f"${micro_cents / 1_000_000:,.4f}".rstrip("0").rstrip(".")


def _status(status: str) -> str:
    colour = STATUS_COLOURS.get(status)
    return f"[{colour}]{status}[/{colour}]" if colour else status


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _key_values(rows: Iterable[tuple[str, Any]]) -> Table:
    table = Table(show_header=False, box=None)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")  # URLs must stay whole to be usable
    for name, value in rows:
        if value not in (None, ""):
            table.add_row(name, str(value))
    return table


def job_table(job: Job) -> Table:
    """One job's details."""
    error = f"{job.error.code}: {job.error.message}" if job.error else None
    table = _key_values([
        ("job", job.job_id), ("status", _status(str(job.status))), ("progress", f"{job.progress or 0}%"),
        ("model", job.model), ("cost", dollars(job.cost_micro_cents)),
        ("refunded", dollars(job.refunded_micro_cents) if job.refunded_micro_cents else None),
        ("created", _when(job.created_at)), ("started", _when(job.started_at)),
        ("completed", _when(job.completed_at)), ("output", job.output_url),
        ("expires", _when(job.expires_at)),
        ("error", error),
    ])  # fmt: skip
    for skipped in job.skipped or []:
        table.add_row("skipped", f"{skipped.get('clause')}: {skipped.get('reason')}")
    return table


def jobs_table(rows: Iterable[JobSummary]) -> Table:
    """A list of jobs."""
    table = Table()
    table.add_column("job", no_wrap=True)  # ids are copied from here: never cut them
    table.add_column("status", no_wrap=True)
    table.add_column("progress", justify="right", no_wrap=True)
    table.add_column("model", overflow="fold")
    table.add_column("created")
    table.add_column("completed")
    for row in rows:
        table.add_row(
            row.job_id, _status(row.status), f"{row.progress or 0}%", row.model or "",
            _when(row.created_at), _when(row.completed_at),
        )  # fmt: skip
    return table


def plan_table(plan: dict[str, Any]) -> Table:
    """An edit plan: one row per operation, then the clauses that cannot be done (in red)."""
    table = Table("#", "operation", "parameters", "from the instruction", title="plan")
    hidden = {"op", "type", "source", "confidence"}
    for n, op in enumerate(plan.get("operations") or [], 1):
        name = str(op.get("op") or op.get("type") or "?")
        params = ", ".join(f"{k}={v}" for k, v in op.items() if k not in hidden and v is not None)
        table.add_row(str(n), name, params, str(op.get("source") or ""))
    for item in plan.get("unsupported") or []:
        reason, clause = item.get("reason", ""), item.get("clause", "")
        table.add_row("✗", "[red]unsupported[/red]", f"[red]{reason}[/red]", str(clause))
    return table


def estimate_tables(result: Estimate, model: str) -> list[RenderableType]:
    """The cost breakdown, then the plan and its notes when the server returned one."""
    cost = Table("component", "cost", title=f"estimate for {model}")
    for line in result.breakdown:
        cost.add_row(line.component, dollars(line.cost_micro_cents))
    cost.add_row("[bold]total[/bold]", f"[bold]{dollars(result.estimated_cost_micro_cents)}[/bold]")
    shown: list[RenderableType] = [cost]
    if result.plan is not None:
        shown.append(plan_table(result.plan))
        shown.extend(f"[dim]note: {note}[/dim]" for note in result.plan.get("notes") or [])
    return shown


def _schema_type(schema: dict[str, Any]) -> str:
    """A short description of a JSON Schema's type: ``string``, ``array``, ``one of: 16:9, 9:16`` …"""
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(str(k) for k in kind)
    if kind:
        return str(kind)
    options = schema.get("anyOf") or schema.get("oneOf") or []
    return " | ".join(filter(None, (_schema_type(o) for o in options if isinstance(o, dict))))


def model_tables(found: Model | list[Model]) -> list[RenderableType]:
    """A table of models, or one model's details and each version's input fields."""
    if isinstance(found, list):
        table = Table()
        table.add_column("slug", no_wrap=True)
        for heading in ("name", "provider", "category", "version"):
            table.add_column(heading)
        for m in found:
            table.add_row(
                m.slug or m.id or "", m.name or "", m.provider_name or "", m.category or "",
                str(m.current_version or ""),
            )  # fmt: skip
        return [table]
    shown: list[RenderableType] = [
        _key_values((name.replace("_", " "), getattr(found, name)) for name in MODEL_FIELDS)
    ]
    for version in found.versions:
        schema = version.input_schema or {}
        required = set(schema.get("required", []))
        table = Table(
            "input field", "type", "required", title=f"version {version.version_id} ({version.status})"
        )
        for field, spec in (schema.get("properties") or {}).items():
            table.add_row(field, _schema_type(spec), "yes" if field in required else "")
        shown.append(table)
    return shown


class JobProgress:
    """A live progress bar for one job (status, percent, elapsed, ETA); use ``update`` as ``on_progress``.

    When the console is not a terminal (logs, CI), each change of status is printed as a line instead.
    """

    def __init__(self, console: Console, job_id: str) -> None:
        self.console = console
        self.job_id = job_id
        self._status: str | None = None
        self._bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TextColumn("[bold]{task.fields[status]:<10}"),
            BarColumn(), TaskProgressColumn(), TextColumn("elapsed"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(),
            console=console,
        )  # fmt: skip
        self._task = self._bar.add_task(job_id, total=100, status="waiting")

    def update(self, job: Job) -> None:
        """Show a job state (the SDK's ``on_progress`` callback)."""
        completed = 100 if job.succeeded else job.progress or 0
        self._bar.update(self._task, completed=completed, status=str(job.status))
        if not self.console.is_terminal and str(job.status) != self._status:
            self.console.print(f"{self.job_id}: {job.status} {job.progress or 0}%", highlight=False)
        self._status = str(job.status)

    def __enter__(self) -> JobProgress:
        self._bar.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.stop()
