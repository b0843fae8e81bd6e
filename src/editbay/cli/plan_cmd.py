"""`editbay plan "instruction"`: show what the engine would do, without rendering anything."""

from __future__ import annotations

import json
import re
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import EditPlan, MediaInfo
from editbay.engine.plan import check_supported, plan_edit, refusal_message

_HIDDEN = {"op", "source", "confidence"}


def _params(op_fields: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in op_fields.items() if k not in _HIDDEN and v is not None)


def _media(size: str | None, duration: float | None, silent: bool) -> MediaInfo | None:
    if size is None and duration is None:
        return None
    width, height = 1920, 1080
    if size:
        m = re.fullmatch(r"(\d+)x(\d+)", size.strip().lower())
        if not m:
            raise typer.BadParameter("use WIDTHxHEIGHT, e.g. 1920x1080", param_hint="--size")
        width, height = int(m.group(1)), int(m.group(2))
    return MediaInfo(width=width, height=height, duration=duration or 10.0, has_audio=not silent)


def _render_table(plan: EditPlan, console: Console) -> None:
    table = Table(title=f"Plan for: {plan.instruction!r}")
    table.add_column("#", justify="right")
    table.add_column("operation")
    table.add_column("parameters")
    table.add_column("from the words")
    table.add_column("confidence", justify="right")
    for i, op in enumerate(plan.operations, 1):
        table.add_row(str(i), op.op, _params(op.model_dump()), op.source, f"{op.confidence:.2f}")
    console.print(table)
    for u in plan.unsupported:
        console.print(f"[bold red]not supported:[/] {u.clause!r} — {u.reason}")
    for note in plan.notes:
        console.print(f"[dim]note: {note}[/]")
    output = {
        "duration": plan.output_duration,
        "size": (f"{plan.output_width}x{plan.output_height}" if plan.output_width else None),
        "audio": plan.has_audio,
    }
    known = ", ".join(f"{k}={v}" for k, v in output.items() if v is not None)
    if known:
        console.print(f"output: {known}")


def plan_command(
    instruction: Annotated[str, typer.Argument(help="The edit, in words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    aspect_ratio: Annotated[str | None, typer.Option("--aspect-ratio", help="e.g. 9:16, 1:1, auto.")] = None,
    image: Annotated[list[str] | None, typer.Option("--image", help="An image URL (repeatable).")] = None,
    mute: Annotated[bool, typer.Option("--mute", help="keep_original_sound=false.")] = False,
    lenient: Annotated[
        bool, typer.Option("--lenient", help="strict=false: skip unsupported clauses.")
    ] = False,
    size: Annotated[str | None, typer.Option("--size", help="Input size WxH, to compute the output.")] = None,
    duration: Annotated[float | None, typer.Option("--duration", help="Input seconds.")] = None,
    silent: Annotated[bool, typer.Option("--silent", help="The input has no audio.")] = False,
) -> None:
    """Parse and plan an instruction; exit code 1 if the engine would refuse it."""
    plan = plan_edit(
        instruction,
        images=image or [],
        keep_original_sound=False if mute else None,
        aspect_ratio=aspect_ratio,
        media=_media(size, duration, silent),
        strict=not lenient,
        check=False,
    )
    refusal: str | None = None
    try:
        check_supported(plan, strict=not lenient)
    except UnsupportedEdit:
        refusal = refusal_message(plan)
    if as_json:
        payload = plan.model_dump(mode="json")
        payload["refused"] = refusal
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        console = Console()
        _render_table(plan, console)
        if refusal:
            console.print(f"[bold red]would fail (UNSUPPORTED_EDIT):[/] {refusal}")
    if refusal:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add the `plan` command to the main app."""
    app.command(name="plan")(plan_command)
