"""`editbay worker`: standalone workers against the same database and storage as the API."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer

from editbay.settings import get_settings


def worker(
    concurrency: int = typer.Option(
        0, "--concurrency", "-c", help="Worker slots (default: EDITBAY_WORKERS or cores)."
    ),
    burst: bool = typer.Option(False, "--burst", help="Drain the queue, deliver due webhooks, then exit."),
    grace: float = typer.Option(-1.0, "--grace", help="Seconds a running job may finish after SIGTERM."),
) -> None:
    """Run job workers (plus webhook delivery and retention) until SIGTERM/SIGINT."""
    from editbay.worker.pool import WorkerPool
    from editbay.worker.services import Services

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines would log signed URLs
    slots = concurrency or settings.workers or 1
    services = Services.from_settings(settings)
    pool = WorkerPool(services, slots, burst=burst).start()
    grace_seconds = settings.shutdown_grace_seconds if grace < 0 else grace
    done = threading.Event()
    signals = {"count": 0}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        signals["count"] += 1
        # first signal: finish the current jobs within the grace period; second: give them back now
        pool.stop(grace_seconds if signals["count"] == 1 else 0.0)
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    typer.echo(
        f"editbay worker: {slots} slot(s){' (burst)' if burst else ''}; ids: "
        + ", ".join(w.id for w in pool.workers),
        err=True,
    )
    if burst:
        pool.join()
    else:
        while not done.wait(0.5):
            pass
        pool.join(grace_seconds + 40)
    services.close()


def register(app: typer.Typer) -> None:
    """Add the `worker` command."""
    app.command("worker")(worker)
