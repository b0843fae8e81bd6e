"""Shared machinery of the chaos / load suites: a real stack (``editbay serve`` + ``editbay worker``
processes from ``tests/procs.py``), a cuttable TCP proxy in front of PostgreSQL, the money/job audit
that every suite ends with, process RSS / fd sampling and latency percentiles.

Sizes come from environment knobs so one test body serves both ``make test`` (CI size) and the
``make chaos-*`` targets (full size): see ``knob()``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from editbay.store.db import make_engine
from procs import MediaServer, api, base_env, create_key, make_clip, start_server, start_worker

LOCAL = "editbay/local/video-edit"
TERMINAL = {"completed", "failed", "cancelled"}


def knob(name: str, ci: float) -> float:
    """``EDITBAY_CHAOS_<NAME>`` if set, else the CI-sized default."""
    value = os.environ.get(f"EDITBAY_CHAOS_{name.upper()}")
    return float(value) if value else ci


def report(title: str, figures: dict[str, Any]) -> None:
    """Print a suite's figures (``-s`` shows them; also appended to EDITBAY_CHAOS_REPORT if set)."""
    line = json.dumps({"suite": title, **figures}, default=str)
    print(f"\n[figures] {line}")
    path = os.environ.get("EDITBAY_CHAOS_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


# ---- process metrics ---------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    """Resident set of a process and its long-lived descendants (kB), from /proc. The ffmpeg
    processes of renders come and go (tens of MB each): whether one is running when a sample is
    taken says nothing about a leak, so they are left out."""
    total = 0
    for p in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            if p != pid and Path(f"/proc/{p}/comm").read_text().startswith("ffmpeg"):
                continue
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def fd_count(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


# ---- a cuttable TCP proxy (database outage without stopping the shared server) ------------------


class TcpProxy:
    """Loopback TCP proxy to ``target``. ``cut()`` drops every connection and refuses new ones
    (as a dead database host would); ``restore()`` accepts again."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = int(self.listener.getsockname()[1])
        self.up = True
        self.closed = False
        self.conns: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                with contextlib.suppress(OSError):
                    client.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()
            with self.lock:
                self.conns.discard(src)
                self.conns.discard(dst)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            conns = list(self.conns)
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self.listener.close()


def via_proxy(database_url: str, proxy: TcpProxy) -> str:
    return database_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")


# ---- a stack of real processes -----------------------------------------------------------------


@dataclass
class ChaosStack:
    tmp: Path
    database_url: str
    settings: dict[str, Any] = field(default_factory=dict)
    embedded_workers: int = 0
    app_database_url: str | None = None  # what the processes use (e.g. through a proxy)

    def __post_init__(self) -> None:
        self.env = base_env(self.tmp, self.app_database_url or self.database_url, **self.settings)
        self.admin_env = {**self.env, "EDITBAY_DATABASE_URL": self.database_url}
        self.key = create_key(self.admin_env, balance=10_000_000_000)
        self.admin_key = create_key(self.admin_env, scopes="admin")
        self.server, self.base = start_server(self.env, self.tmp, self.embedded_workers)
        self.client = api(self.base, self.key)
        self.workers: list[Any] = []
        self.engine = make_engine(self.database_url)
        self.initial_balance = self.account()[0]

    def worker(self, concurrency: int = 1) -> Any:
        proc = start_worker(self.env, self.tmp, concurrency)
        self.workers.append(proc)
        return proc

    def restart_server(self) -> None:
        self.server.kill9()
        self.server, self.base = start_server(self.env, self.tmp, self.embedded_workers)
        self.client.close()
        self.client = api(self.base, self.key)

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(query), params))

    def account(self) -> tuple[int, int]:
        row = self.sql("SELECT balance_microcents, held_microcents FROM accounts WHERE name = 'acme'")[0]
        return int(row[0]), int(row[1])

    def processing_owners(self) -> list[str]:
        return [r[0] for r in self.sql("SELECT lease_owner FROM jobs WHERE status = 'processing'") if r[0]]

    def wait_all_terminal(self, timeout: float) -> int:
        """Seconds waited until no job is pending/processing (raises on timeout)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            left = self.sql("SELECT count(*) FROM jobs WHERE status IN ('pending', 'processing')")[0][0]
            if left == 0:
                return int(time.monotonic() - started)
            time.sleep(0.5)
        still = self.sql("SELECT id, status, attempts FROM jobs WHERE status IN ('pending', 'processing')")
        raise TimeoutError(f"jobs still open after {timeout}s: {still}")

    def audit(self, acknowledged: set[str]) -> dict[str, Any]:
        """Money and job invariants over the whole database (the figures every suite reports)."""
        jobs = {
            r[0]: r for r in self.sql("SELECT id, status, cost_microcents, refunded_microcents FROM jobs")
        }
        by_status: dict[str, int] = {}
        for _, status, _, _ in jobs.values():
            by_status[status] = by_status.get(status, 0) + 1
        per_job: dict[str, dict[str, int]] = {}
        for job_id, kind, n in self.sql(
            "SELECT job_id, kind, count(*) FROM ledger_entries WHERE job_id IS NOT NULL GROUP BY job_id, kind"
        ):
            per_job.setdefault(job_id, {})[kind] = int(n)
        charged_twice = sum(1 for k in per_job.values() if k.get("capture", 0) > 1 or k.get("hold", 0) > 1)
        captured_and_refunded = sum(1 for k in per_job.values() if k.get("capture") and k.get("refund"))
        holds_without_job = sum(1 for j in per_job if j not in jobs)
        jobs_without_hold = sum(
            1 for j, row in jobs.items() if row[2] > 0 and not per_job.get(j, {}).get("hold")
        )
        wrong_ending = 0
        for job_id, status, cost, refunded in jobs.values():
            kinds = per_job.get(job_id, {})
            if status == "completed" and (kinds.get("capture") != 1 or kinds.get("refund")):
                wrong_ending += 1
            if status in ("failed", "cancelled") and (kinds.get("refund") != 1 or refunded != cost):
                wrong_ending += 1
        balance, held = self.account()
        ledger_sum, held_sum = self.sql(
            "SELECT coalesce(sum(amount_microcents), 0), coalesce(sum(held_delta_microcents), 0) "
            "FROM ledger_entries l JOIN accounts a ON a.id = l.account_id WHERE a.name = 'acme'"
        )[0]
        job_ledger = self.sql(
            "SELECT coalesce(sum(amount_microcents), 0) FROM ledger_entries l JOIN accounts a "
            "ON a.id = l.account_id WHERE a.name = 'acme' AND l.job_id IS NOT NULL"
        )[0][0]
        completed_cost = sum(r[2] for r in jobs.values() if r[1] == "completed")
        return {
            "submitted": len(acknowledged),
            "jobs_in_db": len(jobs),
            "by_status": by_status,
            "lost": len(acknowledged - set(jobs)),
            "open": by_status.get("pending", 0) + by_status.get("processing", 0),
            "charged_twice": charged_twice,
            "captured_and_refunded": captured_and_refunded,
            "holds_without_job": holds_without_job,
            "jobs_without_hold": jobs_without_hold,
            "wrong_ending": wrong_ending,
            "balance_change": self.initial_balance - balance,
            "completed_cost": completed_cost,
            "ledger_sum_ok": int(ledger_sum) == balance and int(held_sum) == held,
            "job_ledger_sum": -int(job_ledger),
            "held_at_end": held,
        }

    def close(self) -> None:
        for proc in self.workers:
            proc.stop(5)
        self.server.stop(10)
        self.client.close()
        self.engine.dispose()

    def logs(self) -> str:
        return "\n".join(p.log()[-3000:] for p in [self.server, *self.workers])


def assert_money_invariants(figures: dict[str, Any]) -> None:
    assert figures["lost"] == 0, figures
    assert figures["open"] == 0, figures
    assert figures["charged_twice"] == 0, figures
    assert figures["captured_and_refunded"] == 0, figures
    assert figures["holds_without_job"] == 0, figures
    assert figures["jobs_without_hold"] == 0, figures
    assert figures["wrong_ending"] == 0, figures
    assert figures["ledger_sum_ok"], figures
    assert figures["held_at_end"] == 0, figures
    assert figures["balance_change"] == figures["completed_cost"] == figures["job_ledger_sum"], figures


@contextlib.contextmanager
def media_server(tmp: Path, seconds: float = 2.0) -> Iterator[MediaServer]:
    server = MediaServer()
    clip = make_clip(tmp / "clip.mp4", seconds=seconds, size="160x120")
    server.add("/clip.mp4", clip.read_bytes())
    try:
        yield server
    finally:
        server.close()


def submit_body(media: MediaServer, **extra: Any) -> dict[str, Any]:
    return {
        "model": LOCAL,
        "input": {"prompt": "make it black and white", "video_url": media.url("/clip.mp4")},
        **extra,
    }


def jitter(a: float, b: float) -> float:
    return random.uniform(a, b)


def get_json(client: httpx.Client, path: str) -> Any:
    return client.get(path).json()
