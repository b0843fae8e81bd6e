"""Operators' CLI: accounts, keys and db commands against a temp data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from editbay.cli import app
from editbay.jobs import accounts
from editbay.settings import Settings, get_settings
from editbay.store import queries
from editbay.store.db import make_engine, make_sessionmaker


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CliRunner, Settings]]:
    monkeypatch.setenv("EDITBAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("EDITBAY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner(), get_settings()
    get_settings.cache_clear()


def run(runner: CliRunner, *args: str) -> list[str]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()


def test_keys_create_makes_the_account_and_prints_the_key_last(cli) -> None:
    runner, settings = cli
    lines = run(
        runner,
        "keys",
        "create",
        "--account",
        "acme",
        "--scopes",
        "submit_job,check_status",
        "--balance",
        "50000",
        "--ip",
        "10.0.0.0/8",
        "--expires-in",
        "30",
    )
    key = lines[-1]
    assert key.startswith("eb_") and " " not in key
    sessions = make_sessionmaker(make_engine(settings.resolved_database_url))
    with sessions() as session:
        account = queries.get_account_by_name(session, "acme")
        assert account is not None and account.balance_microcents == 50000
        row = queries.get_key_by_prefix(session, accounts.key_prefix(key))
        assert row.key_hash == accounts.hash_key(key)
        assert row.scopes == ["check_status", "submit_job"] and row.ip_allowlist == ["10.0.0.0/8"]
        assert row.expires_at is not None
    # a second key for the same account does not touch its balance
    second = run(runner, "keys", "create", "--account", "acme", "--balance", "999")[-1]
    assert second != key
    with sessions() as session:
        assert queries.get_account_by_name(session, "acme").balance_microcents == 50000


def test_accounts_create_list_topup(cli) -> None:
    runner, _ = cli
    run(runner, "accounts", "create", "studio", "--balance", "1000")
    assert (
        "balance is now 6000"
        in run(runner, "accounts", "topup", "--account", "studio", "--amount", "5000")[-1]
    )
    assert any("studio" in line and "6000" in line for line in run(runner, "accounts", "list"))
    result = runner.invoke(app, ["accounts", "topup", "--account", "nobody", "--amount", "1"])
    assert result.exit_code == 1


def test_webhook_secret_printed_last_and_rotated(cli) -> None:
    runner, _ = cli
    run(runner, "accounts", "create", "hooks")
    secret = run(runner, "accounts", "webhook-secret", "--account", "hooks")[-1]
    assert secret.startswith("whsec_")
    assert run(runner, "accounts", "webhook-secret", "--account", "hooks")[-1] == secret
    rotated = run(runner, "accounts", "webhook-secret", "--account", "hooks", "--rotate")[-1]
    assert rotated.startswith("whsec_") and rotated != secret
    assert run(runner, "accounts", "webhook-secret", "--account", "hooks")[-1] == rotated


def test_keys_list_and_revoke(cli) -> None:
    runner, settings = cli
    key = run(runner, "keys", "create", "--account", "ops", "--scopes", "admin")[-1]
    listing = "\n".join(run(runner, "keys", "list", "--account", "ops"))
    assert accounts.key_prefix(key) in listing and key not in listing
    run(runner, "keys", "revoke", key)
    sessions = make_sessionmaker(make_engine(settings.resolved_database_url))
    with sessions() as session:
        assert queries.get_key_by_prefix(session, accounts.key_prefix(key)).active is False
    assert runner.invoke(app, ["keys", "revoke", "key_nope"]).exit_code == 1


def test_bad_scope_is_refused(cli) -> None:
    runner, _ = cli
    result = runner.invoke(app, ["keys", "create", "--scopes", "everything"])
    assert result.exit_code == 1 and "unknown scope" in result.output


def test_db_upgrade_and_current(cli) -> None:
    runner, _ = cli
    assert run(runner, "db", "current")[-1] == "(empty)"
    assert "database at revision" in run(runner, "db", "upgrade")[-1]
    assert run(runner, "db", "current")[-1] not in ("", "(empty)")
