"""Migrations: a fresh database and a database at the previous revision both reach head, keep
their data, and match the SQLAlchemy models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from editbay.store import migrate
from editbay.store.db import make_engine
from editbay.store.models import Base


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def head() -> str:
    return revisions()[-1]


def schema_diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(context, Base.metadata)]
    finally:
        engine.dispose()


def test_fresh_database_upgrades_to_head_and_matches_the_models(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    assert migrate.current(empty_database_url) == head()
    assert schema_diff(empty_database_url) == []


def test_database_at_the_previous_revision_upgrades_and_keeps_its_data(empty_database_url: str) -> None:
    all_revisions = revisions()
    assert len(all_revisions) >= 2
    previous = all_revisions[-2]
    migrate.upgrade(empty_database_url, previous)
    assert migrate.current(empty_database_url) == previous
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts (id, name, balance_microcents, held_microcents,"
                    " concurrent_job_limit, webhook_secret, active, created_at)"
                    " VALUES ('acc_1', 'old', 5, 0, 10, 's', true, CURRENT_TIMESTAMP)"
                )
            )
    finally:
        engine.dispose()
    migrate.upgrade(empty_database_url)
    assert migrate.current(empty_database_url) == head()
    assert schema_diff(empty_database_url) == []
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name, balance_microcents FROM accounts")).all() == [("old", 5)]
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("jobs")}
            assert {"ix_jobs_account_status", "ix_jobs_model_completed"} <= indexes
    finally:
        engine.dispose()


def test_every_revision_downgrades_cleanly(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    first = revisions()[0]
    migrate.downgrade(empty_database_url, first)
    assert migrate.current(empty_database_url) == first
    migrate.upgrade(empty_database_url)
    assert migrate.current(empty_database_url) == head()
