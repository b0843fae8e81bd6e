"""`editbay edit`: local plan + render from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from editbay.cli import app


@pytest.mark.slow
def test_edit_renders_and_reports_json(clip: Path, logo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    result = CliRunner().invoke(app, ["edit", str(clip), "black and white, put the logo in the top right",
                                      "-o", str(out), "--image", str(logo), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout[result.stdout.index("{"):])
    assert [op["op"] for op in payload["plan"]["operations"]] == ["grade", "overlay"]
    assert payload["output"]["width"] == 320 and payload["output"]["has_audio"] is True
    assert out.is_file() and Path(payload["output"]["thumbnail"]).is_file()


@pytest.mark.slow
def test_edit_prints_a_table_and_the_result(clip: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["edit", str(clip), "twice as fast", "-o", str(tmp_path / "o.mp4"),
                                      "--mute"])
    assert result.exit_code == 0, result.output
    assert "speed" in result.output and "done" in result.output and "no audio" in result.output


def test_edit_refuses_generative_requests(clip: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["edit", str(clip), "replace the sky with a sunset", "-o",
                                      str(tmp_path / "o.mp4")])
    assert result.exit_code == 1 and not (tmp_path / "o.mp4").exists()


def test_edit_explains_a_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "in.mp4"
    bad.write_bytes(b"<html>oops</html>")
    result = CliRunner().invoke(app, ["edit", str(bad), "black and white", "-o", str(tmp_path / "o.mp4")])
    assert result.exit_code == 2 and "web page" in result.output
