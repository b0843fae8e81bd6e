"""`editbay serve`: migrate, bootstrap a development account on an empty database, run uvicorn."""

from __future__ import annotations

import typer

from editbay.settings import Settings, get_settings

DEV_ACCOUNT = "dev"


def bootstrap_dev_account(settings: Settings) -> str | None:
    """On a database without accounts, create `dev` with the default balance and a full-access
    key; returns the key (shown once), or None when accounts already exist."""
    from editbay.jobs import accounts
    from editbay.store import queries
    from editbay.store.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(settings.resolved_database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            if queries.count_accounts(session):
                return None
            account = accounts.create_account(
                session, DEV_ACCOUNT, settings.default_balance_microcents, settings.default_concurrent_jobs
            )
            _, key = accounts.create_key(session, account.id, name="development key")
            return key
    finally:
        engine.dispose()


def serve(
    host: str = typer.Option(None, "--host", help="Bind address (default EDITBAY_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default EDITBAY_PORT, 8000)."),
    workers: int = typer.Option(None, "--workers", help="Embedded worker slots (0 = none)."),
) -> None:
    """Run the API server (and, unless --workers 0, the embedded workers)."""
    import uvicorn

    from editbay.api.logs import configure_logging
    from editbay.api.main import create_app
    from editbay.store import migrate

    settings = get_settings()
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    if workers is not None:
        settings.workers = workers
    configure_logging(settings.log_level, settings.log_json)
    migrate.upgrade(settings.resolved_database_url)
    key = bootstrap_dev_account(settings)
    if key:
        typer.echo(
            f"Created account '{DEV_ACCOUNT}' with {settings.default_balance_microcents} micro-cents "
            "and a full-access development key (shown once):"
        )
        typer.echo(key)
    typer.echo(
        f"editbay listening on http://{settings.host}:{settings.port} "
        f"(workers: {settings.workers}, database: {settings.resolved_database_url.split('://')[0]})"
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
