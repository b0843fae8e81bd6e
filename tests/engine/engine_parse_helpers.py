"""Small helpers shared by the parser/planner tests (imported by module name: pytest puts this
directory on sys.path)."""

from __future__ import annotations

from typing import Any

from editbay.engine.ops import EditPlan
from editbay.engine.parse import parse


def kinds(plan: EditPlan) -> list[str]:
    return [op.op for op in plan.operations]


def one(instruction: str, kind: str, **inputs: Any) -> Any:
    """Parse and return the single operation of ``kind``; fail if absent, duplicated or refused."""
    plan = parse(instruction, **inputs)
    found = [op for op in plan.operations if op.op == kind]
    assert len(found) >= 1, f"{instruction!r}: no {kind} in {kinds(plan)}; unsupported={plan.unsupported}"
    assert not plan.unsupported, f"{instruction!r}: unexpected refusal {plan.unsupported}"
    return found[0]


def assert_params(op: Any, expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        actual = getattr(op, key)
        if isinstance(value, float) and actual is not None:
            assert abs(actual - value) < 1e-2, f"{op!r}: {key}={actual}, expected {value}"
        else:
            assert actual == value, f"{op!r}: {key}={actual!r}, expected {value!r}"


def refused(instruction: str, **inputs: Any) -> EditPlan:
    """Parse and assert that nothing was forced onto an operation."""
    plan = parse(instruction, **inputs)
    assert plan.unsupported, f"{instruction!r}: expected a refusal, got {kinds(plan)}"
    return plan
