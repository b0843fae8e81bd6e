"""Shared fixtures: a database per backend, settings with a temp data dir, the app, accounts/keys.

`database_url` is parametrised over SQLite (a temp file per test) and PostgreSQL (the server on
127.0.0.1:5432: one schema `eb_<hex>` per test session, migrated once, emptied before each test,
dropped at the end). PostgreSQL being unreachable is a failure, not a skip, unless
EDITBAY_TEST_NO_POSTGRES=1.
"""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # Starlette's TestClient nags about httpx2; we deliberately use httpx
    warnings.simplefilter("ignore")
    import fastapi.testclient  # noqa: F401
from sqlalchemy import create_engine, text

from editbay.settings import Settings
from editbay.store import migrate
from editbay.store.models import Base

PG_SERVER = os.environ.get("EDITBAY_TEST_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NO_POSTGRES = os.environ.get("EDITBAY_TEST_NO_POSTGRES") == "1"

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pg_url(schema: str) -> str:
    return f"{PG_SERVER}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A fresh, migrated schema on the PostgreSQL server for this test session."""
    if NO_POSTGRES:
        pytest.skip("EDITBAY_TEST_NO_POSTGRES=1")
    schema = f"eb_{secrets.token_hex(6)}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # a failure, by design: the suite must run against PostgreSQL
        admin.dispose()
        pytest.fail(
            f"PostgreSQL at {PG_SERVER} is unreachable ({exc}); set EDITBAY_TEST_NO_POSTGRES=1 to skip"
        )
    try:
        migrate.upgrade(pg_url(schema))
        yield schema
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'editbay.db'}"
        migrate.upgrade(url)
        return url
    schema = request.getfixturevalue("pg_schema")
    url = pg_url(schema)
    truncate_all(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'editbay.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for tests: temp data dir, no embedded workers, no auth cache; override freely."""

    def factory(database_url: str | None = None, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "database_url": database_url or "",
            "workers": 0,
            "secret_key": "test-secret-" + secrets.token_hex(8),
            "auth_cache_seconds": 0.0,
            "eta_cache_seconds": 0.0,
            "rate_limit_per_minute": 100_000,
        }
        values.update(overrides)
        return Settings(**values)

    return factory


@dataclass
class Tenant:
    """An account with one API key, as tests use them."""

    account_id: str
    name: str
    key: str
    key_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture
def make_tenant() -> Callable[..., Tenant]:
    """Create an account (if new) and a key in the database behind ``sessions``."""
    from editbay.jobs import accounts
    from editbay.store import queries
    from editbay.store.db import transaction

    def factory(
        sessions: Any,
        name: str | None = None,
        balance: int = 1_000_000,
        concurrent_job_limit: int = 50,
        **key_options: Any,
    ) -> Tenant:
        name = name or f"acct-{secrets.token_hex(4)}"
        with transaction(sessions) as session:
            account = queries.get_account_by_name(session, name)
            if account is None:
                account = accounts.create_account(session, name, balance, concurrent_job_limit)
            row, key = accounts.create_key(session, account.id, **key_options)
        return Tenant(account.id, name, key, row.id)

    return factory


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of each backend (PostgreSQL: a schema of its own)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if NO_POSTGRES:
        pytest.skip("EDITBAY_TEST_NO_POSTGRES=1")
    schema = f"eb_{secrets.token_hex(6)}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield pg_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
