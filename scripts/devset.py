"""Run the public dev set of edit instructions against a fresh local editbay server.

Starts `editbay serve` on a free loopback port with a temporary data directory (loopback URLs
allowed, as the checker serves its clips on 127.0.0.1), creates a key, runs the checker from the
eval folder (default `../shared/eval`, or `EDITBAY_EVAL_DIR`), prints its summary and stops.

    .venv/bin/python scripts/devset.py [--cases cases_dev.jsonl] [--only grade_,time_] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EDITBAY = str(Path(sys.executable).with_name("editbay"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--eval-dir", default=os.environ.get("EDITBAY_EVAL_DIR", str(ROOT.parent / "shared" / "eval"))
    )
    parser.add_argument("--cases", default="cases_dev.jsonl")
    parser.add_argument("--only", default="")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "editbay_devset.json"))
    args = parser.parse_args()

    eval_dir = Path(args.eval_dir)
    if not (eval_dir / "check.py").is_file():
        print(f"no checker at {eval_dir}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="editbay-devset-") as data_dir:
        port = free_port()
        env = {
            **os.environ,
            "EDITBAY_DATA_DIR": data_dir,
            "EDITBAY_ALLOW_PRIVATE_URLS": "true",
            "EDITBAY_WORKERS": str(args.workers),
            "EDITBAY_RATE_LIMIT_PER_MINUTE": "100000",
        }
        key = (
            subprocess.run(
                [EDITBAY, "keys", "create", "--account", "devset", "--balance", "1000000000"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        server = subprocess.Popen([EDITBAY, "serve", "--port", str(port)], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            cmd = [
                sys.executable,
                str(eval_dir / "check.py"),
                "--base",
                base,
                "--key",
                key,
                "--cases",
                str(eval_dir / args.cases),
                "--concurrency",
                str(args.concurrency),
                "--out",
                args.out,
            ]
            if args.only:
                cmd += ["--only", args.only]
            return subprocess.run(cmd, check=False).returncode
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
