"""`editbay edit in.mp4 "instruction" -o out.mp4`: plan and render locally, no server involved."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from editbay.cli.plan_cmd import _render_table
from editbay.engine import InvalidMedia, RenderFailed, UnsupportedEdit, plan_edit, probe, render
from editbay.engine.render import RenderResult

EXIT_UNSUPPORTED, EXIT_BAD_MEDIA, EXIT_RENDER_FAILED, EXIT_INTERRUPTED = 1, 2, 3, 130


def _output_summary(result: RenderResult, seconds: float) -> dict[str, object]:
    return {
        "path": str(result.output),
        "width": result.width,
        "height": result.height,
        "duration": result.duration,
        "has_audio": result.has_audio,
        "size_bytes": result.size_bytes,
        "thumbnail": str(result.thumbnail),
        "poster": str(result.poster),
        "render_seconds": round(seconds, 2),
    }


def edit_command(
    input_path: Annotated[Path, typer.Argument(help="The video to edit.", exists=True, dir_okay=False)],
    instruction: Annotated[str, typer.Argument(help="The edit, in words.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the MP4.")],
    aspect_ratio: Annotated[str | None, typer.Option("--aspect-ratio", help="e.g. 9:16, 1:1.")] = None,
    image: Annotated[list[Path] | None, typer.Option("--image", help="An image file (repeatable).")] = None,
    mute: Annotated[bool, typer.Option("--mute", help="Drop the original sound.")] = False,
    lenient: Annotated[bool, typer.Option("--lenient", help="Skip unsupported clauses.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan and output as JSON.")] = False,
    crf: Annotated[int, typer.Option("--crf", min=0, max=51, help="x264 quality (lower = better).")] = 20,
    threads: Annotated[int | None, typer.Option("--threads", min=0, help="ffmpeg threads.")] = None,
) -> None:
    """Edit a video on this machine: parse, plan, render with a progress bar, print the result."""
    console = Console(stderr=as_json)
    images = [str(p) for p in image or []]
    try:
        media = probe(input_path)
        plan = plan_edit(instruction, images=images, keep_original_sound=False if mute else None,
                         aspect_ratio=aspect_ratio, media=media, strict=not lenient)
    except UnsupportedEdit as exc:
        console.print(f"[bold red]cannot do this edit:[/] {exc}")
        raise typer.Exit(EXIT_UNSUPPORTED) from exc
    except InvalidMedia as exc:
        console.print(f"[bold red]bad input:[/] {exc}")
        raise typer.Exit(EXIT_BAD_MEDIA) from exc
    if not as_json:
        _render_table(plan, console)
    started = time.monotonic()
    try:
        with Progress(TextColumn("rendering"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("render", total=1.0)
            result = render(plan, input_path, output, images=images, crf=crf, threads=threads,
                            on_progress=lambda f: bar.update(task, completed=f))
    except KeyboardInterrupt as exc:
        console.print("[yellow]interrupted: ffmpeg stopped, no output written[/]")
        raise typer.Exit(EXIT_INTERRUPTED) from exc
    except InvalidMedia as exc:
        console.print(f"[bold red]bad input:[/] {exc}")
        raise typer.Exit(EXIT_BAD_MEDIA) from exc
    except RenderFailed as exc:
        console.print(f"[bold red]render failed:[/] {exc}\n[dim]{exc.stderr_tail[-1500:]}[/]")
        raise typer.Exit(EXIT_RENDER_FAILED) from exc
    summary = _output_summary(result, time.monotonic() - started)
    if as_json:
        payload = {"plan": plan.model_dump(mode="json"), "output": summary}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    console.print(
        f"[bold green]done[/] {summary['path']}: {result.width}x{result.height}, {result.duration:.2f} s, "
        f"{'with' if result.has_audio else 'no'} audio, {result.size_bytes / 1e6:.2f} MB "
        f"in {summary['render_seconds']} s"
    )
    console.print(f"[dim]thumbnail {result.thumbnail}  poster {result.poster}[/]")


def register(app: typer.Typer) -> None:
    """Add the `edit` command to the main app."""
    app.command(name="edit")(edit_command)
