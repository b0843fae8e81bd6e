"""Generate the blocking SDK (`src/editbay/client/_sync.py`) from the async one (`_async.py`).

The two clients are method-for-method alike; only the I/O differs. `_async.py` is the source: edit
it, then run this script. `tests/client/test_sync_generated.py` fails when `_sync.py` is stale.

    .venv/bin/python scripts/gen_sync_client.py [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[1] / "src" / "editbay" / "client"
SOURCE = CLIENT / "_async.py"
TARGET = CLIENT / "_sync.py"

HEADER = '''"""`Client`: the blocking SDK. All request building, parsing and retry decisions live in the core;
this module only sends bytes with `httpx.Client`, sleeps between retries and reads streams.

Generated from `_async.py` by `scripts/gen_sync_client.py`: edit that file, then run the script.
"""
'''

#: (pattern, replacement), applied in order; each must match at least once (a rule that no longer
#: matches means the async source changed shape and the rules need a look)
RULES: list[tuple[str, str]] = [
    (r'\A""".*?"""\n', HEADER),
    (
        r"import os\nfrom collections\.abc import AsyncIterator, Callable,",
        "import os\nimport time\nfrom collections.abc import Callable, Iterator,",
    ),
    (r"import anyio\n", ""),
    (r"An async client for (.*?) \(asyncio or trio\)", r"A blocking client for \1"),
    (r"Use it with ``async with``, or call `aclose\(\)`", "Use it as a context manager, or call `close()`"),
    (r"AsyncIterator", "Iterator"),
    (r"httpx\.AsyncClient", "httpx.Client"),
    (r"\bAsyncClient\b", "Client"),
    (r"\bAsyncModels\b", "Models"),
    (r"async with await anyio\.open_file\((\w+), (\"\w+\")\) as", r"with \1.open(\2) as"),
    (r"\(await anyio\.Path\((\w+)\)\.stat\(\)\)", r"\1.stat()"),
    (r"await anyio\.sleep\(", "time.sleep("),
    (r"__aenter__", "__enter__"),
    (r"__aexit__", "__exit__"),
    (r"\baclose\(", "close("),
    (r"\baread\(", "read("),
    (r"\baiter_(lines|bytes)\(", r"iter_\1("),
    (r"for (\w+) in ([\w.]+):\n\s+yield \1\n", r"yield from \2\n"),
    (r"\basync (def|with|for) ", r"\1 "),
    (r"\bawait ", ""),
]


def generate(source: str) -> str:
    text = source
    for pattern, replacement in RULES:
        flags = re.DOTALL if pattern.startswith(r"\A") else 0
        text, count = re.subn(pattern, replacement, text, flags=flags)
        if count == 0:
            raise ValueError(f"rule {pattern!r} matched nothing in {SOURCE.name}")
    # a call that was wrapped only because `async with` made it long fits on one line again
    text = re.sub(
        r"with self\._http\.stream\(\n\s+(.*?)\n\s+\) as response:",
        lambda m: f"with self._http.stream({m.group(1).strip()}) as response:",
        text,
    )
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if _sync.py is not up to date")
    args = parser.parse_args()
    wanted = generate(SOURCE.read_text())
    if args.check:
        if TARGET.read_text() != wanted:
            print(f"{TARGET} is stale: run scripts/gen_sync_client.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(wanted)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
