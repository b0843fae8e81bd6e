"""The held-out paraphrase corpus (`data/paraphrases.txt`): accuracy of the parser per family.

Each case names the exact set of operation kinds it expects plus key parameters, or that it must be
refused. A phrasing the rules miss should be fixed in the rules (synonym tables, structure), not by
special-casing the sentence. The pass-rate thresholds below are floors that keep regressions out;
`python tests/engine/test_parse_corpus.py` prints the per-family table and every failure.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import pytest

from editbay.engine.ops import EditPlan, Operation
from editbay.engine.parse import parse

CORPUS = Path(__file__).parent / "data" / "paraphrases.txt"

# Floors: the supported families must read (almost) everything; refusals must all hold.
MIN_PASS_RATE = 0.97
MIN_FAMILY_PASS_RATE = 0.9
REFUSAL_FAMILIES_PASS_RATE = 1.0

_OP = re.compile(r"(?P<op>[a-z_]+)\((?P<args>[^()]*)\)")
_ARG = re.compile(r'\s*(?P<key>[a-z_]+)\s*(?P<cmp><=|>=|=|<|>)\s*(?P<value>"[^"]*"|[^,]+?)\s*(?:,|$)')


@dataclass(frozen=True)
class Check:
    key: str
    cmp: str
    value: str

    def holds(self, actual: Any) -> bool:
        value = self.value
        if value.startswith('"'):
            return bool(actual == value.strip('"'))
        if value == "none":
            return actual is None
        if value in ("true", "false"):
            return bool(actual == (value == "true"))
        if isinstance(actual, str):
            return actual == value
        if actual is None:
            return False
        low, sep, high = value.partition("..")
        if sep:
            return float(low) - 1e-6 <= float(actual) <= float(high) + 1e-6
        number = float(value)
        return {
            "=": abs(float(actual) - number) <= 0.01,
            "<": float(actual) < number,
            ">": float(actual) > number,
            "<=": float(actual) <= number + 1e-9,
            ">=": float(actual) >= number - 1e-9,
        }[self.cmp]


@dataclass(frozen=True)
class OpSpec:
    op: str
    checks: tuple[Check, ...]

    def matches(self, op: Any) -> bool:
        return op.op == self.op and all(c.holds(getattr(op, c.key, None)) for c in self.checks)

    def __str__(self) -> str:
        return f"{self.op}({', '.join(f'{c.key}{c.cmp}{c.value}' for c in self.checks)})"


@dataclass(frozen=True)
class Expectation:
    ops: tuple[OpSpec, ...]
    refused: bool  # an unsupported clause is expected

    def met_by(self, plan: EditPlan) -> bool:
        if self.refused != bool(plan.unsupported):
            return False
        if {spec.op for spec in self.ops} != {op.op for op in plan.operations}:
            return False
        return all(any(spec.matches(op) for op in plan.operations) for spec in self.ops)


@dataclass
class Case:
    family: str
    line: int
    instruction: str
    inputs: dict[str, Any]
    alternatives: tuple[Expectation, ...]
    raw: str = field(default="")

    @property
    def refusal(self) -> bool:
        return all(alt.refused and not alt.ops for alt in self.alternatives)

    def run(self) -> tuple[bool, EditPlan]:
        plan = parse(self.instruction, **self.inputs)
        return any(alt.met_by(plan) for alt in self.alternatives), plan


def _expectation(text: str) -> Expectation:
    text = text.strip()
    refused = text.endswith("!")
    body = text[:-1] if refused else text
    specs = []
    for m in _OP.finditer(body):
        checks = tuple(Check(a["key"], a["cmp"], a["value"].strip()) for a in _ARG.finditer(m["args"]))
        specs.append(OpSpec(m["op"], checks))
    if not specs and not refused:
        raise ValueError(f"no expectation in {text!r}")
    return Expectation(tuple(specs), refused)


def _inputs(text: str) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for item in text.split():
        key, _, value = item.partition("=")
        if key == "images":
            inputs["images"] = [f"https://example.com/image{i}.png" for i in range(int(value))]
        elif key == "keep_original_sound":
            inputs[key] = value == "true"
        elif key == "aspect_ratio":
            inputs[key] = value
        else:
            raise ValueError(f"unknown input {item!r}")
    return inputs


def load_corpus(path: Path = CORPUS) -> list[Case]:
    cases: list[Case] = []
    family = "unfiled"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            family = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        left, _, expected = line.rpartition(" => ")
        instruction, _, inputs = left.partition(" :: ")
        alternatives = tuple(_expectation(alt) for alt in expected.split(" OR "))
        cases.append(Case(family, number, instruction.strip(), _inputs(inputs), alternatives, line))
    return cases


def describe(plan: EditPlan) -> str:
    def fields(op: Any) -> str:
        return ", ".join(f"{k}={v}" for k, v in op.model_dump(exclude={"op", "source", "confidence"}).items())

    ops = " ".join(f"{op.op}({fields(op)})" for op in plan.operations)
    refused = "; ".join(f"! {u.clause!r}: {u.reason[:60]}" for u in plan.unsupported)
    return " ".join(x for x in (ops, refused) if x) or "(empty)"


def evaluate(cases: list[Case]) -> tuple[dict[str, tuple[int, int]], list[tuple[Case, EditPlan]]]:
    per_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures: list[tuple[Case, EditPlan]] = []
    for case in cases:
        ok, plan = case.run()
        per_family[case.family][1] += 1
        if ok:
            per_family[case.family][0] += 1
        else:
            failures.append((case, plan))
    return {k: (v[0], v[1]) for k, v in per_family.items()}, failures


def report(per_family: dict[str, tuple[int, int]], failures: list[tuple[Case, EditPlan]]) -> str:
    lines = [f"{'family':<20} {'pass':>5} / {'all':<5} rate"]
    for family, (passed, total) in per_family.items():
        lines.append(f"{family:<20} {passed:>5} / {total:<5} {passed / total:.1%}")
    passed = sum(p for p, _ in per_family.values())
    total = sum(t for _, t in per_family.values())
    lines.append(f"{'all':<20} {passed:>5} / {total:<5} {passed / total:.1%}")
    for case, plan in failures:
        lines.append(f"  FAIL [{case.family}] line {case.line}: {case.instruction!r}")
        lines.append(f"       expected {case.raw.rpartition(' => ')[2]}")
        lines.append(f"       got      {describe(plan)}")
    return "\n".join(lines)


_CASES = load_corpus()


@pytest.fixture(autouse=True)
def _rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus measures the rules: the optional embedding fallback is tested on its own."""
    monkeypatch.setenv("EDITBAY_PARSE_EMBEDDINGS", "off")


def test_corpus_is_large_and_covers_every_family() -> None:
    families = {c.family for c in _CASES}
    assert len(_CASES) >= 380
    assert sum(c.refusal for c in _CASES) >= 80
    assert {"grade", "effect", "time", "geom", "fade", "audio", "overlay", "multi"} <= families


def test_corpus_covers_every_catalogue_operation() -> None:
    vision = {"face_blur", "background", "color_match", "stabilize", "reframe", "scenes"}
    kinds = {cls.model_fields["op"].default for cls in get_args(get_args(Operation)[0])} - vision
    named = {spec.op for c in _CASES for alt in c.alternatives for spec in alt.ops}
    assert kinds - named == set()


def test_corpus_pass_rate_per_family() -> None:
    per_family, failures = evaluate(_CASES)
    text = report(per_family, failures)
    print("\n" + text)
    passed = sum(p for p, _ in per_family.values())
    total = sum(t for _, t in per_family.values())
    assert passed / total >= MIN_PASS_RATE, text
    for family, (fam_passed, fam_total) in per_family.items():
        floor = REFUSAL_FAMILIES_PASS_RATE if family.startswith("refuse") else MIN_FAMILY_PASS_RATE
        assert fam_passed / fam_total >= floor, f"{family}: {fam_passed}/{fam_total}\n{text}"


@pytest.mark.parametrize("case", [c for c in _CASES if c.refusal], ids=lambda c: f"line{c.line}")
def test_refusals_are_never_forced_onto_an_operation(case: Case) -> None:
    ok, plan = case.run()
    assert ok, f"{case.instruction!r} was read as {describe(plan)}"


def test_evaluator_can_fail() -> None:
    """The checker itself: a wrong parameter, an extra operation or a missed refusal fails a case."""
    wrong = load_corpus_from_lines(
        [
            "## t",
            "speed it up 2x => speed(factor=3)",
            "speed it up 2x and mute it => speed(factor=2)",
            "add a dragon => speed(factor=2)",
            "black and white => !",
        ]
    )
    assert not any(case.run()[0] for case in wrong)


def load_corpus_from_lines(lines: list[str]) -> list[Case]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return load_corpus(path)


if __name__ == "__main__":  # a readable table of the current state (rules only)
    import os

    os.environ.setdefault("EDITBAY_PARSE_EMBEDDINGS", "off")
    families, failed = evaluate(_CASES)
    print(report(families, failed))
    sys.exit(1 if failed else 0)
