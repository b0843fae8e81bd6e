"""Fixtures for queue/worker tests: sessions on each backend and jobs with held credits."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from editbay.jobs import billing
from editbay.store.db import make_engine, make_sessionmaker, transaction
from editbay.store.models import Account, Job

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def account(sessions: sessionmaker[Session]) -> str:
    with transaction(sessions) as session:
        acc = Account(name="acme", balance_microcents=0, held_microcents=0)
        session.add(acc)
        session.flush()
        billing.topup(session, acc.id, 1_000_000)
        return acc.id


@pytest.fixture
def make_job(sessions: sessionmaker[Session], account: str) -> Callable[..., str]:
    """Insert a pending job with its credits held, as submit does."""

    def factory(
        cost: int = 30_000, webhook_url: str | None = "https://example.com/hook", **input: Any
    ) -> str:
        with transaction(sessions) as session:
            job = Job(
                account_id=account,
                request_id="req_test",
                model_slug="editbay/local/video-edit",
                input={
                    "prompt": "make it black and white",
                    "video_url": "https://example.com/a.mp4",
                    **input,
                },
                webhook_url=webhook_url,
                cost_microcents=cost,
            )
            session.add(job)
            session.flush()
            billing.hold(session, account, job.id, cost)
            return job.id

    return factory


def balances(sessions: sessionmaker[Session], account_id: str) -> tuple[int, int]:
    with transaction(sessions) as session:
        acc = session.get(Account, account_id)
        assert acc is not None
        return acc.balance_microcents, acc.held_microcents
