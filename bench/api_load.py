"""API load benchmark: editbay (SQLite and PostgreSQL, EDITBAY_WORKERS=0) against a FastAPI
hello-world on the same machine, driven by the same load generator.

    .venv/bin/python bench/api_load.py [--seconds 5] [--rounds 5] [--concurrency 32]
                                       [--backends sqlite,postgres] [--generator auto|wrk|python]
                                       [--requests 5000] [--clients 2]

Prints submit and GET throughput, p50/p99 latency, the server's CPU time per request, and the
ratios editbay / hello-world (targets: submit ≥ 50 %, GET ≥ 70 %).

* Same server settings for all: one uvicorn process each, run with `editbay serve`'s own
  uvicorn arguments (`SERVE_OPTIONS`: no access log, proxy headers; uvloop and httptools, as
  `uvicorn[standard]` installs them — printed at start).
* The load generator must not be the bottleneck: `wrk` (C, one thread, 32 keep-alive
  connections, `apt-get install wrk`; a Lua script cycles over pre-built requests) for a fixed
  time per phase (`--seconds`: wrk counts time, not requests); without `wrk`, a Python asyncio
  generator split over several processes (`--clients`) for a fixed number of requests.
* The machine is shared: servers are measured round by round, interleaved, and the best round
  of each phase is kept; the server CPU per request (from /proc, all its threads; PostgreSQL's
  own processes not included) is printed alongside as a load-independent view.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
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

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", **SERVE_OPTIONS)
    """
)
#: the uvicorn arguments of `editbay serve` (src/editbay/cli/serve_cmd.py), given to hello-world too
SERVE_OPTIONS = {"access_log": False, "proxy_headers": True, "forwarded_allow_ips": "127.0.0.1"}


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
    p50_ms: float
    p99_ms: float
    errors: int  # non-200 answers and connection errors
    server_cpu: float = 0.0  # seconds of CPU the server process used during the phase
    generator_cpu: float = 0.0  # seconds of CPU the load generator used
    group_size: float = 0.0  # editbay submit: mean requests per group commit (from /metrics)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float:
        return self.server_cpu / self.requests * 1e6


def percentile(latencies: list[float], p: float) -> float:
    data = sorted(latencies)
    return data[min(len(data) - 1, int(p / 100 * len(data)))] * 1000 if data else 0.0


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


async def drive(port: int, requests: list[bytes], concurrency: int) -> tuple[list[float], list[bytes], int]:
    """Send pre-built HTTP/1.1 requests over ``concurrency`` keep-alive connections; returns
    (latencies, bodies, non-200 count)."""
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

    await asyncio.gather(*(connection() for _ in range(max(1, min(concurrency, len(requests))))))
    return latencies, bodies, errors


def _drive_chunk(args: tuple[int, list[bytes], int]) -> tuple[list[float], int]:
    latencies, _, errors = asyncio.run(drive(*args))
    return latencies, errors


def http_request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


WRK_SCRIPT = r"""
-- args: method, path or @file-of-paths, body file or "-", header lines...
local i = 0
local requests = {}
function init(args)
  local method, target, body_file = args[1], args[2], args[3]
  local headers = {}
  for n = 4, #args do
    local name, value = args[n]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local body = nil
  if body_file ~= "-" then
    local f = io.open(body_file, "rb"); body = f:read("*a"); f:close()
  end
  local paths = {}
  if target:sub(1, 1) == "@" then
    for line in io.lines(target:sub(2)) do paths[#paths + 1] = line end
  else
    paths[1] = target
  end
  for n, path in ipairs(paths) do requests[n] = wrk.format(method, path, headers, body) end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Phase:
    """One phase's requests, as the two generators need them."""

    method: str
    paths: list[str]
    headers: dict[str, str]
    body: bytes = b""

    def raw(self, n: int) -> list[bytes]:
        return [
            http_request(self.method, self.paths[i % len(self.paths)], self.headers, self.body)
            for i in range(n)
        ]


class Generator:
    def __init__(self, kind: str, concurrency: int, clients: int, seconds: float, workdir: Path) -> None:
        self.kind = kind
        self.seconds = seconds
        self.concurrency = concurrency
        self.clients = clients
        self.workdir = workdir
        (workdir / "load.lua").write_text(WRK_SCRIPT)

    def run(self, port: int, pid: int, phase: Phase, n: int) -> Result:
        cpu0, gen0 = process_cpu(pid), children_cpu()
        result = self._wrk(port, phase, n) if self.kind == "wrk" else self._python(port, phase, n)
        result.server_cpu = process_cpu(pid) - cpu0
        result.generator_cpu = children_cpu() - gen0
        return result

    def _wrk(self, port: int, phase: Phase, n: int) -> Result:
        target = phase.paths[0]
        if len(phase.paths) > 1:
            paths_file = self.workdir / "paths.txt"
            paths_file.write_text("\n".join(phase.paths) + "\n")
            target = f"@{paths_file}"
        body_file = "-"
        if phase.body:
            (self.workdir / "body.json").write_bytes(phase.body)
            body_file = str(self.workdir / "body.json")
        headers = [f"{k}: {v}" for k, v in phase.headers.items()]
        if phase.body:
            headers.append("Content-Type: application/json")
        command = [
            "wrk", "-t1", f"-c{self.concurrency}", f"-d{self.seconds}s", "--timeout", "30s",
            "-s", str(self.workdir / "load.lua"), f"http://127.0.0.1:{port}",
            "--", phase.method, target, body_file, *headers,
        ]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        return Result(
            data["requests"],
            data["duration_us"] / 1e6,
            data["p50_us"] / 1000,
            data["p99_us"] / 1000,
            data["non2xx"] + data["errors"],
        )

    def _python(self, port: int, phase: Phase, n: int) -> Result:
        requests = phase.raw(n)
        clients = max(1, self.clients)
        per = max(1, self.concurrency // clients)
        chunks = [(port, requests[k::clients], per) for k in range(clients)]
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            parts = pool.map(_drive_chunk, chunks)
        seconds = time.perf_counter() - started
        latencies = [x for part in parts for x in part[0]]
        errors = sum(part[1] for part in parts)
        return Result(len(requests), seconds, percentile(latencies, 50), percentile(latencies, 99), errors)


# ---- servers ---------------------------------------------------------------------------------


class Target:
    """A running server and the requests of its two phases."""

    def __init__(
        self,
        name: str,
        process: subprocess.Popen,
        port: int,
        submit: Phase,
        get: Callable[[list[str]], Phase],
    ) -> None:
        self.name, self.process, self.port = name, process, port
        self.submit = submit
        self.get = get  # job ids -> the GET phase
        self.job_ids: list[str] = []
        self.best: dict[str, Result] = {}

    def prepare(self, concurrency: int) -> None:
        """Warm up and collect job ids for the GET phase (the answers of a few hundred submits)."""
        _, bodies, _ = asyncio.run(drive(self.port, self.submit.raw(500), concurrency))
        self.job_ids = [json.loads(b)["jobId"] for b in bodies if b.startswith(b'{"jobId"')] or ["job_x"]
        asyncio.run(drive(self.port, self.get(self.job_ids).raw(500), concurrency))

    def group_counters(self) -> tuple[float, float] | None:
        """editbay's group-commit counters (groups, requests) from /metrics; None elsewhere."""
        try:
            text = httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=10).text
        except httpx.HTTPError:
            return None
        found = dict(
            line.split(" ", 1) for line in text.splitlines() if line.startswith("editbay_submit_group")
        )
        if "editbay_submit_groups_total" not in found:
            return None
        return float(found["editbay_submit_groups_total"]), float(
            found["editbay_submit_group_requests_total"]
        )

    def run_round(self, generator: Generator, n: int) -> None:
        for name, phase in (("submit", self.submit), ("get", self.get(self.job_ids))):
            before = self.group_counters() if name == "submit" else None
            result = generator.run(self.port, self.process.pid, phase, n)
            after = self.group_counters() if before else None
            if before and after and after[0] > before[0]:
                result.group_size = (after[1] - before[1]) / (after[0] - before[0])
            if name not in self.best or result.rps > self.best[name].rps:
                self.best[name] = result

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_hello() -> Target:
    port = free_port()
    code = f"SERVE_OPTIONS = {SERVE_OPTIONS!r}\n{HELLO_APP}"
    process = subprocess.Popen([sys.executable, "-c", code, str(port)])
    wait_healthy(f"http://127.0.0.1:{port}/docs", process)
    body = json.dumps(SUBMIT_BODY).encode()
    return Target(
        "hello-world",
        process,
        port,
        Phase("POST", ["/submit"], {}, body),
        lambda ids: Phase("GET", [f"/get/{job_id}" for job_id in ids], {}),
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
        Phase("POST", ["/v1/jobs/submit"], auth, body),
        lambda ids: Phase("GET", [f"/v1/jobs/{job_id}" for job_id in ids], auth),
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
    generator = r.generator_cpu / r.seconds
    group = f"{r.group_size:.1f}" if r.group_size else ""
    return (
        f"| {name} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.cpu_us:.0f} | "
        f"{generator:.0%} | {group} | {r.errors} |"
    )


def server_stack() -> str:
    import importlib.util

    found = [m for m in ("uvloop", "httptools") if importlib.util.find_spec(m)]
    return ", ".join(found) or "asyncio + h11"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests", type=int, default=5000, help="requests per phase and round (Python generator)"
    )
    parser.add_argument("--seconds", type=int, default=5, help="seconds per phase and round (wrk)")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the best of each is kept")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--clients", type=int, default=2, help="processes of the Python generator")
    args = parser.parse_args()
    kind = args.generator
    if kind == "auto":
        kind = "wrk" if shutil.which("wrk") else "python"
    print(f"generator: {kind}; servers: uvicorn with {server_stack()}, {SERVE_OPTIONS}", flush=True)

    targets: list[Target] = []
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        generator = Generator(kind, args.concurrency, args.clients, args.seconds, Path(tmp))
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
            for target in targets:
                target.prepare(args.concurrency)
            # Interleave the servers round by round so that background load hits them alike.
            for number in range(args.rounds):
                for target in targets:
                    target.run_round(generator, args.requests)
                print(f"round {number + 1}/{args.rounds} done", flush=True)
        finally:
            for target in targets:
                target.stop()
            for schema in schemas:
                drop_schema(schema)
    hello = targets[0].best
    print(
        f"\n{f'{args.seconds} s' if kind == 'wrk' else f'{args.requests} requests'} per phase, "
        f"{args.concurrency} keep-alive connections ({kind}), "
        f"best of {args.rounds} interleaved rounds, one uvicorn process per server\n"
    )
    print(
        "| server / phase | req/s | p50 ms | p99 ms | server CPU µs/req | generator CPU "
        "| submits per group | non-200 |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for target in targets:
        print(line(f"{target.name} submit", target.best["submit"]))
        print(line(f"{target.name} GET", target.best["get"]))
    print(
        "\n| backend | submit ÷ hello POST (target ≥ 50%) | GET ÷ hello GET (target ≥ 70%) "
        "| CPU/req hello ÷ editbay, submit | GET |\n|---|---:|---:|---:|---:|"
    )
    for target in targets[1:]:
        best = target.best
        print(
            f"| {target.name} | {best['submit'].rps / hello['submit'].rps:.0%} | "
            f"{best['get'].rps / hello['get'].rps:.0%} | "
            f"{hello['submit'].cpu_us / best['submit'].cpu_us:.0%} | "
            f"{hello['get'].cpu_us / best['get'].cpu_us:.0%} |"
        )


if __name__ == "__main__":
    main()
