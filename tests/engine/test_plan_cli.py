"""`editbay plan` on a local Typer app."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from editbay.cli import plan_cmd


def _app() -> typer.Typer:
    app = typer.Typer()
    plan_cmd.register(app)

    @app.callback()
    def _root() -> None:  # keep "plan" as a named sub-command
        pass

    return app


def test_plan_prints_a_table() -> None:
    result = CliRunner().invoke(_app(), ["plan", "make it black and white and speed it up 2x"])
    assert result.exit_code == 0, result.output
    assert "grade" in result.output and "speed" in result.output


def test_plan_json_with_structured_inputs() -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "plan",
            "place the logo top left",
            "--json",
            "--aspect-ratio",
            "9:16",
            "--image",
            "https://example.com/logo.png",
            "--mute",
            "--size",
            "1920x1080",
            "--duration",
            "8",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [op["op"] for op in data["operations"]] == ["aspect", "overlay", "mute"]
    assert data["output_width"] == 608 and data["has_audio"] is False and data["refused"] is None


def test_plan_refusal_exits_1_and_names_the_clause() -> None:
    result = CliRunner().invoke(_app(), ["plan", "replace the sky with a sunset"])
    assert result.exit_code == 1
    assert "replace the sky with a sunset" in result.output


def test_plan_lenient_allows_the_supported_part() -> None:
    result = CliRunner().invoke(_app(), ["plan", "sepia and add a dragon", "--lenient", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["unsupported"][0]["clause"] == "add a dragon"
