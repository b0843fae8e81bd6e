"""The webhook outbox's SQL, one named statement each: enqueue, claim due, record, reschedule.

Events are written in the same transaction as the job's terminal state (see `jobs.lifecycle`);
the delivery loop claims due events under a short lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so several worker processes deliver in parallel without sending one event twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from editbay.store.models import WebhookAttempt, WebhookEvent


def insert_event(
    session: Session, account_id: str, job_id: str, url: str, payload: dict[str, Any]
) -> WebhookEvent:
    """Add a pending event to the outbox (caller's transaction)."""
    event = WebhookEvent(account_id=account_id, job_id=job_id, url=url, payload=payload)
    session.add(event)
    session.flush()
    return event


def find_due(session: Session, now: datetime, limit: int) -> Sequence[str]:
    """Pending events whose next attempt is due and that no deliverer holds."""
    stmt = (
        select(WebhookEvent.id)
        .where(
            WebhookEvent.status == "pending",
            WebhookEvent.next_attempt_at <= now,
            or_(WebhookEvent.lease_expires_at.is_(None), WebhookEvent.lease_expires_at < now),
        )
        .order_by(WebhookEvent.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.execute(stmt).scalars().all()


def lease_event(session: Session, event_id: str, owner: str, now: datetime, seconds: float) -> bool:
    """Guarded claim of one due event for a delivery attempt."""
    result = session.execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.id == event_id,
            WebhookEvent.status == "pending",
            or_(WebhookEvent.lease_expires_at.is_(None), WebhookEvent.lease_expires_at < now),
        )
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def get_event(session: Session, event_id: str) -> WebhookEvent | None:
    """One outbox event."""
    return session.get(WebhookEvent, event_id)


def count_attempts(session: Session, event_id: str) -> int:
    """How many delivery attempts an event has had over its whole life (redeliveries included)."""
    return int(
        session.execute(
            select(func.count()).select_from(WebhookAttempt).where(WebhookAttempt.event_id == event_id)
        ).scalar_one()
    )


def record_attempt(
    session: Session,
    event_id: str,
    owner: str,
    attempt: int,
    status_code: int | None,
    latency_ms: float,
    error: str | None,
    values: dict[str, Any],
) -> bool:
    """Log one attempt and move the event on (sent / rescheduled / failed), if still leased by us."""
    result = session.execute(
        update(WebhookEvent)
        .where(and_(WebhookEvent.id == event_id, WebhookEvent.lease_owner == owner))
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.add(
        WebhookAttempt(
            event_id=event_id, attempt=attempt, status_code=status_code, latency_ms=latency_ms, error=error
        )
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def events_for_job(session: Session, job_id: str) -> Sequence[WebhookEvent]:
    """A job's outbox events, oldest first."""
    return (
        session.execute(
            select(WebhookEvent).where(WebhookEvent.job_id == job_id).order_by(WebhookEvent.created_at)
        )
        .scalars()
        .all()
    )


def attempts_for_events(session: Session, event_ids: Sequence[str]) -> Sequence[WebhookAttempt]:
    """Every attempt of the given events, in order."""
    if not event_ids:
        return []
    return (
        session.execute(
            select(WebhookAttempt)
            .where(WebhookAttempt.event_id.in_(list(event_ids)))
            .order_by(WebhookAttempt.event_id, WebhookAttempt.id)
        )
        .scalars()
        .all()
    )


def reopen_event(session: Session, event_id: str, now: datetime) -> None:
    """Redeliver: the event becomes pending and due now, with a fresh retry schedule."""
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)
        .values(status="pending", attempts=0, next_attempt_at=now, lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def next_due_at(session: Session) -> datetime | None:
    """When the earliest pending event is due (the delivery loop sleeps until then)."""
    return session.execute(
        select(func.min(WebhookEvent.next_attempt_at)).where(WebhookEvent.status == "pending")
    ).scalar_one_or_none()
