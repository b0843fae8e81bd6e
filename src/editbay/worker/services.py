"""What a worker process shares between its threads: settings, database, storage, wake-ups."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from editbay.net.guard import Resolver
from editbay.settings import Settings
from editbay.storage import Storage, get_storage
from editbay.store.db import make_engine, make_sessionmaker
from editbay.store.notify import (
    TOPIC_CANCEL,
    TOPIC_JOBS,
    TOPIC_SEGMENTS,
    TOPIC_WEBHOOKS,
    Waker,
    local_waker,
)


@dataclass
class Services:
    """Shared, thread-safe handles for one worker process (or the embedded pool)."""

    settings: Settings
    engine: Engine
    storage: Storage
    resolver: Resolver | None = None
    owns_engine: bool = False
    sessions: sessionmaker[Session] = field(init=False)
    reads: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = make_sessionmaker(self.engine)
        self.reads = make_sessionmaker(self.engine, readonly=True)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None) -> Services:
        """Build from settings (a new engine unless one is given)."""
        owns = engine is None
        engine = engine or make_engine(settings.resolved_database_url)
        return cls(settings=settings, engine=engine, storage=get_storage(settings), owns_engine=owns)

    @property
    def jobs_waker(self) -> Waker:
        return local_waker(self.engine, TOPIC_JOBS)

    @property
    def cancel_waker(self) -> Waker:
        return local_waker(self.engine, TOPIC_CANCEL)

    @property
    def segments_waker(self) -> Waker:
        return local_waker(self.engine, TOPIC_SEGMENTS)

    @property
    def webhooks_waker(self) -> Waker:
        return local_waker(self.engine, TOPIC_WEBHOOKS)

    def close(self) -> None:
        if self.owns_engine:
            self.engine.dispose()
