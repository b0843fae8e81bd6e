"""Process helpers for multi-process tests: databases, `editbay serve` / `editbay worker`
subprocesses, a webhook receiver and a media server — all on free loopback ports, always cleaned up.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
BIN = Path(sys.executable).parent
EDITBAY = str(BIN / "editbay")
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- databases -------------------------------------------------------------------------------


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite file in ``tmp`` or a fresh PostgreSQL schema."""
    from editbay.store import migrate

    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'editbay.db'}"
        migrate.upgrade(url)
        yield url
        return
    import psycopg

    schema = "eb_" + secrets.token_hex(6)
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# ---- environment -----------------------------------------------------------------------------


def base_env(tmp: Path, database_url: str, **overrides: Any) -> dict[str, str]:
    """Environment for editbay subprocesses sharing one database, data dir and secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDITBAY_")}
    port = free_port()
    env.update(
        {
            "EDITBAY_HOST": "127.0.0.1",
            "EDITBAY_PORT": str(port),
            "EDITBAY_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "EDITBAY_DATA_DIR": str(tmp / "data"),
            "EDITBAY_DATABASE_URL": database_url,
            "EDITBAY_SECRET_KEY": "test-secret-" + tmp.name,
            "EDITBAY_ALLOW_PRIVATE_URLS": "true",
            "EDITBAY_LEASE_SECONDS": "3",
            "EDITBAY_HEARTBEAT_SECONDS": "0.5",
            "EDITBAY_POLL_INTERVAL_SECONDS": "0.5",
            "EDITBAY_WEBHOOK_TIME_SCALE": "0.05",
            "EDITBAY_LOG_LEVEL": "INFO",
            "PYTHONPATH": os.pathsep.join([str(FIXTURES), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "PYTHONUNBUFFERED": "1",
        }
    )
    for key, value in overrides.items():
        env[f"EDITBAY_{key.upper()}"] = json.dumps(value) if isinstance(value, dict | list) else str(value)
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run ``editbay <args>`` and return its stdout (raises on failure)."""
    done = subprocess.run([EDITBAY, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"editbay {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
    return done.stdout


def create_key(
    env: dict[str, str], account: str = "acme", scopes: str = "", balance: int = 10_000_000
) -> str:
    args = ["keys", "create", "--account", account, "--balance", str(balance)]
    if scopes:
        args += ["--scopes", scopes]
    return cli(env, *args).strip().splitlines()[-1].strip()


def webhook_secret(env: dict[str, str], account: str = "acme") -> str:
    return cli(env, "accounts", "webhook-secret", "--account", account).strip().splitlines()[-1].strip()


# ---- subprocesses ----------------------------------------------------------------------------


@dataclass
class Proc:
    """A child process with its output in a log file; killed (group) on close."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.popen.pid, sig)

    def kill9(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM, wait, then SIGKILL the process group."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
        return self.popen.returncode


def spawn(name: str, args: list[str], env: dict[str, str], tmp: Path) -> Proc:
    log_path = tmp / f"{name}-{secrets.token_hex(3)}.log"
    out = open(log_path, "wb")  # noqa: SIM115 - handed to the child
    popen = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    return Proc(name, popen, log_path)


def wait_until(
    predicate: Callable[[], Any], timeout: float, interval: float = 0.05, what: str = "condition"
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def start_server(env: dict[str, str], tmp: Path, workers: int = 0) -> tuple[Proc, str]:
    port = int(env["EDITBAY_PORT"])
    env = {**env, "EDITBAY_WORKERS": str(workers)}
    proc = spawn("server", [EDITBAY, "serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if not proc.alive():
            raise RuntimeError(f"server exited:\n{proc.log()}")
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(ready, 60, 0.1, "server /healthz")
    return proc, base


def start_worker(env: dict[str, str], tmp: Path, concurrency: int = 1, *extra: str) -> Proc:
    proc = spawn("worker", [EDITBAY, "worker", "--concurrency", str(concurrency), *extra], env, tmp)

    def ready() -> bool:
        if not proc.alive():
            raise RuntimeError(f"worker exited:\n{proc.log()}")
        return "editbay worker:" in proc.log()

    wait_until(ready, 60, 0.05, "worker start")
    return proc


# ---- in-process HTTP servers (real sockets on loopback) ---------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that can go down and come back on the same port."""

    port: int = field(default_factory=free_port)
    status: int = 200
    requests: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class MediaServer:
    """Serves files and canned responses on 127.0.0.1: ``/<name>`` from ``routes``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.port = free_port()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes, content_type: str = "video/mp4", status: int = 200) -> str:
        self.routes[path] = (status, {"content-type": content_type}, body)
        return self.url(path)

    def redirect(self, path: str, location: str) -> str:
        self.routes[path] = (302, {"location": location}, b"")
        return self.url(path)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# ---- media -----------------------------------------------------------------------------------


def make_clip(
    path: Path, seconds: float = 2.0, size: str = "320x240", audio: bool = True, gop: int | None = None
) -> Path:
    """A small H.264/AAC test clip made with the bundled ffmpeg (a keyframe every ``gop`` frames)."""
    import imageio_ffmpeg

    args = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate=25:duration={seconds}",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-shortest"]
    if gop:
        args += ["-g", str(gop)]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(args, check=True)
    return path


def api(base: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30, trust_env=False
    )


def wait_job(
    client: httpx.Client, job_id: str, timeout: float = 120, statuses: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Poll until the job is terminal (or reaches one of ``statuses``)."""
    terminal = set(statuses) or {"completed", "failed", "cancelled"}

    def done() -> dict[str, Any] | None:
        body = client.get(f"/v1/jobs/{job_id}").json()
        return body if body.get("status") in terminal else None

    return wait_until(done, timeout, 0.1, f"job {job_id} to reach {sorted(terminal)}")


class AppServer:
    """The FastAPI app served by uvicorn in a thread on a free loopback port (real HTTP)."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> AppServer:
        self.thread.start()
        wait_until(lambda: self.server.started, 30, 0.02, "uvicorn start")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(30)


# ---- S3 (moto server on loopback) -------------------------------------------------------------

S3_CREDS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A `moto_server` (S3) on a free loopback port: yields its endpoint URL."""
    port = free_port()
    exe = BIN / "moto_server"
    args = [str(exe)] if exe.exists() else [sys.executable, "-m", "moto.server"]
    proc = subprocess.Popen(
        [*args, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(endpoint, timeout=1, trust_env=False).status_code < 500
        except httpx.HTTPError:
            return False

    try:
        wait_until(up, 30, 0.1, "moto_server")
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def moto_s3(bucket: str | None = None) -> Iterator[tuple[str, str]]:
    """A `moto_server` on a free loopback port with one bucket: yields (endpoint, bucket)."""
    import boto3

    with moto_server() as endpoint:
        name = bucket or f"eb-{secrets.token_hex(4)}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=name)
        yield endpoint, name


def s3_env(env: dict[str, str], endpoint: str, bucket: str, prefix: str = "eb") -> dict[str, str]:
    """``env`` with S3 storage on the moto endpoint."""
    return {
        **env,
        **S3_CREDS,
        "EDITBAY_STORAGE_URL": f"s3://{bucket}/{prefix}",
        "EDITBAY_S3_ENDPOINT_URL": endpoint,
    }


def machine_env(env: dict[str, str], tmp: Path, name: str) -> dict[str, str]:
    """``env`` for a process 'on another machine': its own data dir (temp files), nothing else
    shared but the database and S3."""
    data = tmp / name / "data"
    data.mkdir(parents=True, exist_ok=True)
    return {**env, "EDITBAY_DATA_DIR": str(data)}
