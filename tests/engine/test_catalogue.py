"""The catalogue registry stays in step with the operations and the parser."""

from __future__ import annotations

import pytest

from editbay.engine.catalogue import CATALOGUE, FAMILIES, LUT_PRESETS, capabilities_text, operation_names
from editbay.engine.parse import parse


def test_every_operation_has_exactly_one_entry() -> None:
    assert sorted(CATALOGUE) == sorted(operation_names())
    assert all(entry.family in FAMILIES for entry in CATALOGUE.values())


@pytest.mark.parametrize(
    ("op", "example"), [(op, ex) for op, info in CATALOGUE.items() for ex in info.examples]
)
def test_catalogue_examples_parse_to_their_operation(op: str, example: str) -> None:
    images = ["logo.png"] if op in ("overlay", "color_match") else []
    plan = parse(example, images=images)
    assert op in [o.op for o in plan.operations], (example, plan)
    assert not plan.unsupported


@pytest.mark.parametrize("preset", sorted(LUT_PRESETS))
def test_every_lut_preset_is_reachable_by_name(preset: str) -> None:
    plan = parse(f"{preset.replace('_', ' ')} look")  # "bleach bypass look", "matrix look" …
    assert [op.preset for op in plan.operations if op.op == "lut"] == [preset]


def test_parser_and_renderer_agree_on_lut_preset_names() -> None:
    from editbay.engine.parse._rules_color import LUT_PATTERNS

    assert sorted(LUT_PATTERNS) == sorted(LUT_PRESETS)
    try:
        from editbay.engine.render import colour
    except ImportError:  # the renderer is optional for the parser's tests
        pytest.skip("renderer not importable")
    rendered = getattr(colour, "PRESET_LOOKS", None) or getattr(colour, "LUT_PRESETS", None)
    if rendered is None:
        pytest.skip("renderer has no preset table")
    assert set(LUT_PRESETS) <= set(rendered)


def test_capabilities_text_mentions_every_family() -> None:
    text = capabilities_text()
    assert all(family in text for family in FAMILIES)
