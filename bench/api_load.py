"""API load benchmark: editbay (SQLite and PostgreSQL, EDITBAY_WORKERS=0) against a FastAPI
hello-world on the same machine, driven by the same small asyncio HTTP/1.1 load generator.

    .venv/bin/python bench/api_load.py [--requests 3000] [--concurrency 32] [--backends sqlite,postgres]

Prints submit and GET throughput, p50/p99 latency and the ratios editbay / hello-world
(targets: submit ≥ 50 %, GET ≥ 70 %). Each server is one uvicorn process, as `editbay serve` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
EDITBAY = str(Path(sys.executable).parent / "editbay")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MODEL = "kling-plus/kling-o1-pro/video-edit-fast"
SUBMIT_BODY = {
    "model": MODEL,
    "input": {
        "prompt": "Add cinematic color grading with teal and orange tones",
        "video_url": "https://example.com/video.mp4",
        "aspect_ratio": "16:9",
    },
}

HELLO_APP = textwrap.dedent(
    """
    import secrets, sys
    from fastapi import FastAPI
    from pydantic import BaseModel
    import uvicorn

    class Input(BaseModel):
        prompt: str
        video_url: str
        aspect_ratio: str | None = None

    class Submit(BaseModel):
        model: str
        input: Input

    app = FastAPI()

    @app.post("/submit")
    async def submit(body: Submit) -> dict:
        return {"jobId": "job_" + secrets.token_hex(16), "status": "pending", "costMicroCents": 30000}

    @app.get("/get/{job_id}")
    async def get(job_id: str) -> dict:
        return {"jobId": job_id, "status": "pending", "progress": 0, "output": None}

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


# ---- the load generator ----------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(p / 100 * len(data)))] * 1000


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def drive(port: int, requests: list[bytes], concurrency: int) -> tuple[Result, list[bytes]]:
    """Send pre-built HTTP/1.1 requests over ``concurrency`` keep-alive connections."""
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(requests):
        queue.put_nowait(item)
    latencies: list[float] = []
    bodies: list[bytes] = [b""] * len(requests)
    errors = 0

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                try:
                    index, raw = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                writer.write(raw)
                status, body = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                bodies[index] = body
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return Result(len(requests), time.perf_counter() - started, latencies, errors), bodies


def http_request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run_phase(port: int, reqs: list[bytes], concurrency: int) -> tuple[Result, list[bytes]]:
    warm = reqs[: max(1, len(reqs) // 20)]
    asyncio.run(drive(port, warm, concurrency))  # warm-up (connections, caches, JIT-less paths)
    return asyncio.run(drive(port, reqs, concurrency))


# ---- servers ---------------------------------------------------------------------------------


class Target:
    """A running server and the requests of its two phases."""

    def __init__(self, name: str, process: subprocess.Popen, port: int, submit: bytes, get_path) -> None:  # noqa: ANN001
        self.name, self.process, self.port = name, process, port
        self.submit_request = submit
        self.get_path = get_path  # job id -> GET request bytes
        self.best: dict[str, Result] = {}

    def run_round(self, n: int, concurrency: int) -> None:
        submit, bodies = run_phase(self.port, [self.submit_request] * n, concurrency)
        ids = [json.loads(b)["jobId"] for b in bodies if b.startswith(b'{"jobId"')] or ["job_x"]
        get, _ = run_phase(self.port, [self.get_path(ids[i % len(ids)]) for i in range(n)], concurrency)
        for phase, result in (("submit", submit), ("get", get)):
            if phase not in self.best or result.rps > self.best[phase].rps:
                self.best[phase] = result

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_hello() -> Target:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", HELLO_APP, str(port)])
    wait_healthy(f"http://127.0.0.1:{port}/docs", process)
    body = json.dumps(SUBMIT_BODY).encode()
    return Target(
        "hello-world",
        process,
        port,
        http_request("POST", "/submit", {}, body),
        lambda job_id: http_request("GET", f"/get/{job_id}", {}),
    )


def start_editbay(name: str, database_url: str, data_dir: Path) -> Target:
    pricing = yaml.safe_load((ROOT / "src/editbay/jobs/pricing.yaml").read_text())
    for model in pricing["models"]:  # the bench measures the server, not the per-model limits
        model["rateLimits"] = {"requestsPerMinute": 10_000_000, "requestsPerDay": 10_000_000}
    (data_dir / "pricing.yaml").write_text(yaml.safe_dump(pricing))
    port = free_port()
    env = {
        **os.environ,
        "EDITBAY_DATA_DIR": str(data_dir),
        "EDITBAY_DATABASE_URL": database_url,
        "EDITBAY_WORKERS": "0",
        "EDITBAY_LOG_LEVEL": "WARNING",
        "EDITBAY_PRICING_FILE": str(data_dir / "pricing.yaml"),
        "EDITBAY_RATE_LIMIT_PER_MINUTE": "100000000",
        "EDITBAY_DEFAULT_CONCURRENT_JOBS": "0",  # no limit: no workers drain the queue here
        "EDITBAY_DEFAULT_BALANCE_MICROCENTS": str(10**15),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [EDITBAY, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    key = ""
    for out in process.stdout:
        if out.startswith("eb_"):
            key = out.strip()
        if out.startswith("editbay listening"):
            break
    if not key:
        process.kill()
        raise RuntimeError("no development key printed (database not empty?)")
    wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
    auth = {"Authorization": f"Bearer {key}"}
    body = json.dumps(SUBMIT_BODY).encode()
    return Target(
        name,
        process,
        port,
        http_request("POST", "/v1/jobs/submit", auth, body),
        lambda job_id: http_request("GET", f"/v1/jobs/{job_id}", auth),
    )


def pg_schema_url() -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    schema = f"eb_bench_{secrets.token_hex(4)}"
    engine = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema, f"{PG_SERVER}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def line(name: str, r: Result) -> str:
    return f"| {name} | {r.rps:,.0f} | {r.pct(50):.1f} | {r.pct(99):.1f} | {r.errors} |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each is kept")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()

    targets: list[Target] = []
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            targets.append(start_hello())
            for backend in args.backends.split(","):
                data_dir = Path(tmp) / backend
                data_dir.mkdir()
                if backend == "postgres":
                    schema, url = pg_schema_url()
                    schemas.append(schema)
                else:
                    url = f"sqlite:///{data_dir / 'editbay.db'}"
                targets.append(start_editbay(f"editbay ({backend})", url, data_dir))
            # Interleave the servers round by round so that background load hits them alike.
            for _ in range(args.rounds):
                for target in targets:
                    target.run_round(args.requests, args.concurrency)
        finally:
            for target in targets:
                target.stop()
            for schema in schemas:
                drop_schema(schema)
    hello = targets[0].best
    print(
        f"\n{args.requests} requests per phase, {args.concurrency} keep-alive connections, "
        f"best of {args.rounds} interleaved rounds, one uvicorn process per server\n"
    )
    print("| server / phase | req/s | p50 ms | p99 ms | non-200 |\n|---|---:|---:|---:|---:|")
    for target in targets:
        print(line(f"{target.name} submit", target.best["submit"]))
        print(line(f"{target.name} GET", target.best["get"]))
    print(
        "\n| backend | submit ÷ hello POST (target ≥ 50%) | GET ÷ hello GET (target ≥ 70%) |\n|---|---:|---:|"
    )
    for target in targets[1:]:
        print(
            f"| {target.name} | {target.best['submit'].rps / hello['submit'].rps:.0%} | "
            f"{target.best['get'].rps / hello['get'].rps:.0%} |"
        )


if __name__ == "__main__":
    main()
