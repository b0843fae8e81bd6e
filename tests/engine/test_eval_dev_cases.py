"""The public dev set, as a smoke test: must-fail cases refuse, the others plan fully.

This walks the sample only to catch regressions; the parser is not tuned to these strings (the
wider phrasing tables in the other test files are the real specification).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from editbay.engine.parse import parse

DEV_SET = Path("/work/shared/eval/cases_dev.jsonl")


def _cases() -> list[dict]:
    if not DEV_SET.exists():
        return []
    return [json.loads(line) for line in DEV_SET.read_text().splitlines() if line.strip().startswith("{")]


@pytest.mark.skipif(not DEV_SET.exists(), reason="dev set not available")
@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["id"])
def test_dev_case(case: dict) -> None:
    inputs = case.get("input", {})
    images = ["https://example.com/logo.png" if "{" in i else i for i in inputs.get("images", [])]
    plan = parse(
        case["prompt"],
        images=images,
        keep_original_sound=inputs.get("keep_original_sound"),
        aspect_ratio=inputs.get("aspect_ratio"),
    )
    if case.get("expect_failure"):
        assert plan.unsupported, plan
    else:
        assert plan.is_fully_supported, (plan.operations, plan.unsupported)
