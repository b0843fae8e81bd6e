"""The blocking client is generated from the async one; a stale copy fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_sync_client", ROOT / "scripts" / "gen_sync_client.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sync_client_is_generated_from_the_async_one() -> None:
    gen = _generator()
    assert gen.TARGET.read_text() == gen.generate(gen.SOURCE.read_text()), (
        "src/editbay/client/_sync.py is stale: run scripts/gen_sync_client.py"
    )


def test_every_rule_is_needed() -> None:
    """A rule that stops matching raises: the async source changed shape under the generator."""
    gen = _generator()
    source = gen.SOURCE.read_text().replace("await anyio.sleep(", "await anyio.lowlevel.checkpoint(")
    try:
        gen.generate(source)
    except ValueError as exc:
        assert "anyio" in str(exc)
    else:
        raise AssertionError("a rule that matches nothing went unnoticed")
