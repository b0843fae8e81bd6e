"""Suite 5 — API fuzzing: schemathesis (all checks, every phase: examples, coverage, fuzzing,
stateful) against `/openapi.json` of a real `editbay serve` on SQLite, with a valid full-access key.
Must find 0 server errors and 0 schema violations. EDITBAY_CHAOS_FUZZ_EXAMPLES (20 in CI, 100 in
`make chaos-fuzz`) sets examples per operation.

The property tests live with the code they test: the parser (any text → a plan or a clean
refusal) in tests/engine/test_parse_property.py, the ffmpeg argument building (no user text in the
argument list unescaped) in tests/engine/test_text_fuzz.py (Hypothesis over hostile texts).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.harness import knob, report
from procs import base_env, create_key, start_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("chaos")]

# PixelByte's contract answers these schema-valid requests with 400 when the job's *state* forbids
# them (already ended / no webhook yet) — documented per operation, so expected here.
CONFIG = """
[[operations]]
include-path = "/v1/jobs/{jobId}/cancel"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]

[[operations]]
include-path = "/v1/jobs/{jobId}/webhooks/redeliver"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]
"""


def test_schemathesis_finds_no_server_errors_or_schema_violations(tmp_path: Path):
    examples = int(knob("fuzz_examples", 20))
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    from editbay.store import migrate

    migrate.upgrade(url)
    env = base_env(
        tmp_path,
        url,
        rate_limit_per_minute=10_000_000,
        default_concurrent_jobs=0,
        log_level="WARNING",
        # jobs must end (an SSE stream ends after the terminal event): a no-op fixture provider
        provider_overrides={"*": "editbay_test_providers:noop"},
    )
    key = create_key(env)
    server, base = start_server(env, tmp_path, workers=1)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    st = Path(sys.executable).parent / "schemathesis"
    try:
        done = subprocess.run(
            [
                str(st),
                "--config-file",
                str(config),
                "run",
                f"{base}/openapi.json",
                "-H",
                f"Authorization: Bearer {key}",
                "--checks",
                "all",
                "-n",
                str(examples),
                "--seed",
                "20261125",
                "--request-timeout",
                "20",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
        out = done.stdout + done.stderr
        counts = re.search(r"(\d+) generated, (?:(\d+) found (\d+) unique failures|(\d+) passed)", out)
        generated = int(counts.group(1)) if counts else 0
        failures = int(counts.group(3)) if counts and counts.group(3) else 0
        figures = {
            "examples_per_operation": examples,
            "test_cases": generated,
            "failures": failures,
            "server_errors": len(re.findall(r"Server error", out)),
            "schema_violations": len(re.findall(r"violates schema|Response violates", out)),
            "exit_code": done.returncode,
        }
        report("api-fuzz", figures)
        assert done.returncode == 0, out[-8000:] + "\n" + server.log()[-3000:]
        assert generated > 0, out[-3000:]
    finally:
        server.stop()
