"""The `editbay` command line: server, workers, operators' admin, and the local engine."""

from __future__ import annotations

import typer

from editbay.cli import admin_cmds, client_cmds, edit_cmd, plan_cmd, serve_cmd, worker_cmd

app = typer.Typer(
    name="editbay",
    help="Self-hosted, PixelByte-compatible job API for natural-language video editing.",
    no_args_is_help=True,
    add_completion=False,
)

for _module in (serve_cmd, worker_cmd, admin_cmds, plan_cmd, edit_cmd, client_cmds):
    _module.register(app)


def main() -> None:
    app()
