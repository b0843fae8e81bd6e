"""Prometheus metrics: request counts and latency per route, and jobs by status (read from the
database at scrape time, so every server process reports the same numbers)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
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


class Metrics:
    """One registry per app (several apps can live in one test process)."""

    def __init__(self, read: sessionmaker[Session]) -> None:
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

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
