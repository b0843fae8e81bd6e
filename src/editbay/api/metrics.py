"""Prometheus metrics: request counts and latency per route, and jobs by status (read from the
database at scrape time, so every server process reports the same numbers)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from editbay.store import queries
from editbay.store.models import JobStatus

log = logging.getLogger("editbay.api.metrics")


class _JobsCollector(Collector):
    def __init__(self, read: sessionmaker[Session]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily("editbay_jobs", "Jobs by status.", labels=["status"])
        try:
            with self._read() as session:
                counts = queries.count_jobs_by_status(session)
        except Exception:
            log.warning("metrics: could not count jobs", exc_info=True)
            return
        for status in JobStatus:
            gauge.add_metric([status.value], counts.get(status.value, 0))
        yield gauge


class _WorkersCollector(Collector):
    """Live workers (heartbeat within ``horizon`` seconds) by status, and each one's heartbeat age."""

    def __init__(self, read: sessionmaker[Session], horizon: float) -> None:
        self._read, self._horizon = read, horizon

    def collect(self) -> Iterator[Metric]:
        from datetime import timedelta

        from editbay.store import queue
        from editbay.store.models import utcnow

        now = utcnow()
        try:
            with self._read() as session:
                rows = queue.live_workers(session, now - timedelta(seconds=self._horizon))
        except Exception:
            log.warning("metrics: could not list workers", exc_info=True)
            return
        by_status = GaugeMetricFamily("editbay_workers", "Live worker slots by status.", labels=["status"])
        for status in ("idle", "busy", "stopping"):
            by_status.add_metric([status], sum(1 for w in rows if w.status == status))
        age = GaugeMetricFamily(
            "editbay_worker_heartbeat_age_seconds",
            "Seconds since each live worker slot's last heartbeat.",
            labels=["worker", "hostname"],
        )
        for w in rows:
            beat = w.last_heartbeat_at
            beat = beat if beat.tzinfo else beat.replace(tzinfo=now.tzinfo)
            age.add_metric([w.id, w.hostname], max(0.0, (now - beat).total_seconds()))
        yield by_status
        yield age


class _GroupCommitCollector(Collector):
    """Grouped submits (`store.groupcommit`): groups written and requests in them; their ratio is
    the mean group size."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner

    def collect(self) -> Iterator[Metric]:
        groups = CounterMetricFamily("editbay_submit_groups", "Submit transactions (group commits).")
        groups.add_metric([], self.runner.groups)
        items = CounterMetricFamily("editbay_submit_group_requests", "Submit requests written in groups.")
        items.add_metric([], self.runner.items)
        yield groups
        yield items


class Metrics:
    """One registry per app (several apps can live in one test process)."""

    def __init__(self, read: sessionmaker[Session], worker_horizon_seconds: float = 30.0) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "editbay_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "editbay_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(
                0.001,
                0.0025,
                0.005,
                0.01,
                0.025,
                0.05,
                0.1,
                0.25,
                0.5,
                1.0,
                2.5,
                5.0,
                10.0,
                30.0,
                60.0,
            ),
        )
        self.registry.register(_JobsCollector(read))
        self.registry.register(_WorkersCollector(read, worker_horizon_seconds))
        from editbay.api.metrics_ops import OperationsCollector

        self.registry.register(OperationsCollector(read))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        # the labelled children, looked up once per (method, route, status): `labels()` costs
        # more than the increment itself
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def watch_group_commit(self, runner: Any) -> None:
        """Export a `store.groupcommit.GroupCommit`'s counters (called by each app start-up)."""
        collector = getattr(self, "_group_commit", None)
        if collector is None:
            self._group_commit = _GroupCommitCollector(runner)
            self.registry.register(self._group_commit)
        else:
            collector.runner = runner

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
