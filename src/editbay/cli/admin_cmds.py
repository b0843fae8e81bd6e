"""Operators' commands: `editbay accounts …`, `editbay keys …`, `editbay db …`.

Commands that print a secret (`keys create`, `accounts webhook-secret`) print it alone on the
last line of standard output so scripts can capture it with `tail -n1`.
"""

from __future__ import annotations

from datetime import timedelta

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from editbay.errors import EditbayError
from editbay.jobs import accounts as accts
from editbay.jobs import billing, clock
from editbay.settings import Settings, get_settings
from editbay.store import migrate, queries
from editbay.store.db import is_sqlite, make_engine, make_sessionmaker, transaction
from editbay.store.models import Account

accounts_app = typer.Typer(
    help="Manage accounts (tenants): create, list, top up, webhook secret.", no_args_is_help=True
)
keys_app = typer.Typer(help="Manage API keys: create, list, revoke.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)


def _sessions(settings: Settings | None = None) -> sessionmaker[Session]:
    settings = settings or get_settings()
    url = settings.resolved_database_url
    if is_sqlite(url):  # zero-setup default: bring the file up to date first
        migrate.upgrade(url)
    return make_sessionmaker(make_engine(url))


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _account(session: Session, name: str) -> Account:
    account = queries.get_account_by_name(session, name)
    if account is None:
        _fail(f"no account named {name!r}")
    assert account is not None
    return account


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for v in (values or []) for part in v.split(",") if part.strip()]


@accounts_app.command("create")
def accounts_create(
    name: str = typer.Argument(..., help="Unique account name."),
    balance: int = typer.Option(0, "--balance", help="Starting balance in micro-cents."),
    concurrent_jobs: int = typer.Option(
        0, "--concurrent-jobs", help="Concurrent job limit (default: settings)."
    ),
) -> None:
    """Create an account."""
    settings = get_settings()
    try:
        with transaction(_sessions(settings)) as session:
            account = accts.create_account(
                session, name, balance, concurrent_jobs or settings.default_concurrent_jobs
            )
    except EditbayError as exc:
        _fail(exc.message)
    typer.echo(f"created account {account.name} ({account.id}) with balance {balance} micro-cents")


@accounts_app.command("list")
def accounts_list() -> None:
    """List accounts with their balances."""
    table = Table("name", "id", "balance µ¢", "held µ¢", "concurrent", "active")
    with _sessions()() as session:
        for a in queries.list_accounts(session):
            table.add_row(
                a.name,
                a.id,
                str(a.balance_microcents),
                str(a.held_microcents),
                str(a.concurrent_job_limit),
                "yes" if a.active else "no",
            )
    Console(width=200).print(table)


@accounts_app.command("topup")
def accounts_topup(
    account: str = typer.Option(..., "--account", help="Account name."),
    amount: int = typer.Option(..., "--amount", help="Micro-cents to add (negative: a correction)."),
    note: str = typer.Option("top-up", "--note"),
) -> None:
    """Add credits to an account (a ledger top-up)."""
    try:
        with transaction(_sessions()) as session:
            row = _account(session, account)
            entry = billing.topup(session, row.id, amount, note=note)
    except EditbayError as exc:
        _fail(exc.message)
    typer.echo(f"{account}: balance is now {entry.balance_after_microcents} micro-cents")


@accounts_app.command("webhook-secret")
def accounts_webhook_secret(
    account: str = typer.Option(..., "--account", help="Account name."),
    rotate: bool = typer.Option(False, "--rotate", help="Replace the secret with a new one."),
) -> None:
    """Print the account's webhook signing secret (alone on the last line)."""
    with transaction(_sessions()) as session:
        row = _account(session, account)
        secret = row.webhook_secret
        if rotate:
            secret = accts.new_webhook_secret()
            queries.set_webhook_secret(session, row.id, secret)
    if rotate:
        typer.echo(f"rotated the webhook secret of {account}; receivers must use the new one")
    typer.echo(secret)


@keys_app.command("create")
def keys_create(
    account: str = typer.Option("default", "--account", help="Account name (created when missing)."),
    scopes: list[str] = typer.Option(
        None, "--scopes", help="Comma-separated: submit_job,check_status,list_models,admin."
    ),
    balance: int = typer.Option(None, "--balance", help="Starting balance (micro-cents) of a new account."),
    ip: list[str] = typer.Option(
        None, "--ip", help="Allowed client IP or CIDR (repeatable or comma-separated)."
    ),
    expires_in: float = typer.Option(None, "--expires-in", help="Days until the key expires."),
    name: str = typer.Option("", "--name", help="A label for the key."),
) -> None:
    """Create an API key and print it alone on the last line (it is shown only once)."""
    settings = get_settings()
    try:
        with transaction(_sessions(settings)) as session:
            row = queries.get_account_by_name(session, account)
            if row is None:
                start = settings.default_balance_microcents if balance is None else balance
                row = accts.create_account(session, account, start, settings.default_concurrent_jobs)
                typer.echo(f"created account {account} ({row.id}) with balance {start} micro-cents")
            expires = clock.now() + timedelta(days=expires_in) if expires_in else None
            key_row, key = accts.create_key(
                session, row.id, scopes=_split(scopes), ip_allowlist=_split(ip), expires_at=expires, name=name
            )
    except EditbayError as exc:
        _fail(exc.message)
    shown = ",".join(key_row.scopes) or "full access"
    typer.echo(f"key {key_row.id} (prefix {key_row.prefix}) for {account}; scopes: {shown}")
    typer.echo(key)


@keys_app.command("list")
def keys_list(account: str = typer.Option(None, "--account", help="Only this account's keys.")) -> None:
    """List keys (prefixes only; full keys are never stored)."""
    table = Table("id", "prefix", "account", "scopes", "ip allow-list", "active", "expires", "last used")
    with _sessions()() as session:
        account_id = _account(session, account).id if account else None
        names = {a.id: a.name for a in queries.list_accounts(session)}
        for k in queries.list_keys(session, account_id):
            table.add_row(
                k.id,
                k.prefix,
                names.get(k.account_id, k.account_id),
                ",".join(k.scopes) or "(full)",
                ",".join(k.ip_allowlist) or "-",
                "yes" if k.active else "no",
                clock.iso_ms(k.expires_at) or "-",
                clock.iso_ms(k.last_used_at) or "-",
            )
    Console(width=220).print(table)


@keys_app.command("revoke")
def keys_revoke(key: str = typer.Argument(..., help="Key id, prefix, or the full key.")) -> None:
    """Deactivate a key (servers notice within EDITBAY_AUTH_CACHE_SECONDS)."""
    target = accts.key_prefix(key) or key
    with transaction(_sessions()) as session:
        changed = queries.deactivate_key(session, target)
    if not changed:
        _fail(f"no key {key!r}")
    typer.echo(f"revoked {target}")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    url = get_settings().resolved_database_url
    migrate.upgrade(url, revision)
    typer.echo(f"database at revision {migrate.current(url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's current migration revision."""
    typer.echo(migrate.current(get_settings().resolved_database_url) or "(empty)")


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(keys_app, name="keys")
    app.add_typer(db_app, name="db")
