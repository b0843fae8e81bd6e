"""Run edit cases in the eval format through the engine (no server) and measure the outputs.

The measurements are the eval's own (`probe.py` next to `check.py`, default `../shared/eval` or
``EDITBAY_EVAL_DIR``); the engine runs as the worker runs it: probe the input, plan with the
structured inputs and ``strict``, refuse or render. A must-fail case passes when the plan is
refused (and the refusal names ``failure_mentions`` when the case gives it).

    .venv/bin/python tests/engine/e2e_runner.py [--cases FILE] [--only vface_,time_] [--workers 2]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

from editbay.engine import UnsupportedEdit, plan_edit, probe, render
from editbay.engine.plan import check_supported

HERE = Path(__file__).resolve().parent
CASES = HERE / "data" / "unseen_e2e.jsonl"
EVAL_DIR = Path(os.environ.get("EDITBAY_EVAL_DIR", str(HERE.parents[2] / "shared" / "eval")))


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    cases = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("{"):
            case = json.loads(line)
            case.setdefault("family", case["id"].split("_")[0])
            cases.append(case)
    return cases


def eval_modules(eval_dir: Path = EVAL_DIR) -> tuple[ModuleType, ModuleType] | None:
    """The eval's `make_clip` and `probe` modules, or None when the eval folder is absent."""
    if not (eval_dir / "probe.py").is_file():
        return None
    if str(eval_dir) not in sys.path:
        sys.path.insert(0, str(eval_dir))
    import make_clip  # type: ignore[import-not-found]
    import probe as measure  # type: ignore[import-not-found]

    return make_clip, measure


class Runner:
    """Renders cases on the eval clips and evaluates them; keeps decoded sources in memory."""

    def __init__(self, media_dir: Path, workdir: Path, eval_dir: Path = EVAL_DIR) -> None:
        modules = eval_modules(eval_dir)
        if modules is None:
            raise FileNotFoundError(f"no probe.py in {eval_dir}")
        make_clip, self.measure = modules
        media_dir.mkdir(parents=True, exist_ok=True)
        # the clips are shared by every run on the machine: made once, by one process at a time
        # (two runs making them together rename each other's half-written files)
        with open(media_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.media: dict[str, str] = make_clip.make(str(media_dir))
        self.workdir = workdir
        self._sources: dict[str, Any] = {}

    def source(self, clip: str) -> Any:
        if clip not in self._sources:
            self._sources[clip] = self.measure.load(self.media[clip])
        return self._sources[clip]

    def run(self, case: dict[str, Any]) -> dict[str, Any]:
        rec: dict[str, Any] = {"id": case["id"], "family": case["family"], "prompt": case["prompt"]}
        inputs = case.get("input", {})
        clip = case.get("clip", "av")
        video = self.media[clip]
        images = [self.media[i[1:-1]] if i.startswith("{") else i for i in inputs.get("images", [])]
        strict = bool(inputs.get("strict", True))
        t0 = time.monotonic()
        plan = plan_edit(
            case["prompt"],
            images=images,
            keep_original_sound=inputs.get("keep_original_sound"),
            aspect_ratio=inputs.get("aspect_ratio"),
            media=probe(video),
            strict=strict,
            check=False,
        )
        rec["plan"] = [op.op for op in plan.operations]
        rec["unsupported"] = [u.clause for u in plan.unsupported]
        try:
            check_supported(plan, strict)
        except UnsupportedEdit as exc:
            mentions = str(case.get("failure_mentions", "")).lower()
            ok = bool(case.get("expect_failure")) and mentions in str(exc).lower()
            rec.update(ok=ok, reason=f"refused: {exc}"[:300])
            return rec
        if case.get("expect_failure"):
            rec.update(ok=False, reason=f"rendered a request that must fail: {rec['plan']}")
            return rec
        job = {"plan": plan.model_dump(mode="json"), "skipped": None}
        if not strict:
            job["skipped"] = [u.model_dump(mode="json") for u in plan.unsupported]
        out = self.workdir / f"{case['id']}.mp4"
        try:  # some measurements read the file again: keep it until they are done
            result = render(plan, video, out, images=images, workdir=self.workdir, stills=False)
            rec["seconds"] = round(time.monotonic() - t0, 2)
            measured = self.measure.load(str(out))
            checks = self.measure.evaluate(
                case["expect"], measured, self.source(clip), job=job, prompt=case["prompt"]
            )
        finally:
            out.unlink(missing_ok=True)
        rec["size"] = [result.width, result.height]
        rec["ok"] = all(c["ok"] for c in checks)
        rec["reason"] = "; ".join(f"{c['check']}: {c['detail']}" for c in checks if not c["ok"])
        return rec


def run_all(cases: Iterable[dict[str, Any]], workers: int = 2, echo: bool = True) -> list[dict[str, Any]]:
    cases = list(cases)
    with tempfile.TemporaryDirectory(prefix="editbay-e2e-") as tmp:
        runner = Runner(Path(os.environ.get("EDITBAY_E2E_MEDIA", "/tmp/editcheck_media")), Path(tmp))

        def one(case: dict[str, Any]) -> dict[str, Any]:
            try:
                rec = runner.run(case)
            except Exception as exc:  # one broken case must not stop the run
                rec = {"id": case["id"], "family": case["family"], "prompt": case["prompt"], "ok": False}
                rec["reason"] = f"error: {type(exc).__name__}: {exc}"[:300]
            if echo:
                verdict = "PASS" if rec["ok"] else "FAIL"
                print(f"{verdict} {rec['id']}: {rec['prompt']!r} {rec['reason'][:200]}")
            return rec

        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(one, cases))


def report(records: list[dict[str, Any]]) -> str:
    families: dict[str, list[bool]] = defaultdict(list)
    for rec in records:
        families[rec["family"]].append(rec["ok"])
    lines = [f"{'family':12s} passed / cases"]
    for name in sorted(families):
        lines.append(f"{name:12s} {sum(families[name]):6d} / {len(families[name])}")
    passed = sum(rec["ok"] for rec in records)
    lines.append(f"{'total':12s} {passed:6d} / {len(records)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", default=str(CASES))
    parser.add_argument("--only", default="")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    cases = load_cases(Path(args.cases))
    if args.only:
        cases = [c for c in cases if any(s in c["id"] for s in args.only.split(","))]
    records = run_all(cases, args.workers)
    print(report(records))
    if args.out:
        Path(args.out).write_text(json.dumps(records, indent=1))
    return 0 if all(r["ok"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
