"""Operational metrics read from the database at scrape time (so every API process reports the
same numbers, whichever worker did the work): jobs by status and model, queue depth, pickup
latency, render duration and speed (× realtime), webhook attempts and failures, ledger totals.

Segment tasks (children of a segment-parallel job) are not jobs: they appear in
``editbay_jobs_by_model`` only under their own model label (`SEGMENT_SLUG`), in
``editbay_segment_queue_depth``, and never in the queue depth or the recent-job figures."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from editbay.store.models import Job, LedgerEntry, WebhookAttempt, utcnow

log = logging.getLogger("editbay.api.metrics")

#: recent window for pickup latency / render duration / speed
WINDOW_MINUTES = 15


class OperationsCollector(Collector):
    def __init__(self, read: sessionmaker[Session]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        try:
            with self._read() as session:
                yield from self._collect(session)
        except Exception:
            log.warning("metrics: could not read operational figures", exc_info=True)

    def _collect(self, session: Session) -> Iterator[Metric]:
        by_model = GaugeMetricFamily(
            "editbay_jobs_by_model", "Jobs by status and model.", labels=["status", "model"]
        )
        rows = session.execute(
            select(Job.status, Job.model_slug, Job.parent_id.is_not(None), func.count()).group_by(
                Job.status, Job.model_slug, Job.parent_id.is_not(None)
            )
        )
        depth = segment_depth = 0
        for status, model, is_segment, count in rows:
            by_model.add_metric([status, model], count)
            if status == "pending":
                if is_segment:
                    segment_depth += int(count)
                else:
                    depth += int(count)
        yield by_model
        yield GaugeMetricFamily("editbay_queue_depth", "Pending jobs (waiting for a worker).", value=depth)
        yield GaugeMetricFamily(
            "editbay_segment_queue_depth",
            "Pending segment tasks of segment-parallel jobs (waiting for a worker).",
            value=segment_depth,
        )

        since = utcnow() - timedelta(minutes=WINDOW_MINUTES)
        recent = session.execute(
            select(Job.created_at, Job.started_at, Job.run_seconds, Job.output_meta)
            .where(Job.status == "completed", Job.completed_at >= since, Job.parent_id.is_(None))
            .order_by(Job.completed_at.desc())
            .limit(500)
        ).all()
        pickups = [(s - c).total_seconds() for c, s, _, _ in recent if c and s]
        runs = [float(r) for _, _, r, _ in recent if r]
        speeds = [
            float((m or {}).get("durationSeconds") or 0) / float(r)
            for _, _, r, m in recent
            if r and (m or {}).get("durationSeconds")
        ]
        for name, doc, values in (
            ("editbay_pickup_latency_seconds", "Submit → start, completed jobs of the last 15 min.", pickups),
            ("editbay_render_duration_seconds", "Run time of completed jobs of the last 15 min.", runs),
            (
                "editbay_render_speed_realtime",
                "Output seconds per run second (× realtime), last 15 min.",
                speeds,
            ),
        ):
            gauge = GaugeMetricFamily(name, doc, labels=["stat"])
            ordered = sorted(values)
            gauge.add_metric(["count"], len(ordered))
            if ordered:
                gauge.add_metric(["mean"], sum(ordered) / len(ordered))
                gauge.add_metric(["p50"], ordered[len(ordered) // 2])
                gauge.add_metric(["p99"], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])
            yield gauge

        attempts = CounterMetricFamily(
            "editbay_webhook_attempts", "Webhook delivery attempts by outcome.", labels=["outcome"]
        )
        total, failed = session.execute(
            select(func.count(), func.count(WebhookAttempt.error)).select_from(WebhookAttempt)
        ).one()
        attempts.add_metric(["ok"], int(total) - int(failed))
        attempts.add_metric(["failed"], int(failed))
        yield attempts

        ledger = GaugeMetricFamily(
            "editbay_ledger_microcents", "Sum of ledger amounts by kind (micro-cents).", labels=["kind"]
        )
        for kind, amount in session.execute(
            select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount_microcents), 0)).group_by(
                LedgerEntry.kind
            )
        ):
            ledger.add_metric([kind], int(amount))
        yield ledger
