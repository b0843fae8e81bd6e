"""The app factory: `create_app(settings) -> EditbayAPI` (a FastAPI app).

`app.state` holds what routes and the embedded workers share: `settings`, `engine`,
`sessionmaker` (writes), `read_sessionmaker` / `read_engine` (reads), `storage`, `authenticator`,
`rate_limiter`, `metrics`, `models` (catalogue cache), `job_reader` (the driver-level reader of
`GET /v1/jobs/{id}`, `store.reads`), `submitter` (the group commit of submits,
`store.groupcommit`), `hot_routes` (`api.hot`: the two hottest endpoints without FastAPI's
per-request machinery), and the read limiter of `api.concurrency`. Start-up
migrates SQLite databases, syncs the models from the pricing file into the `models` table and
starts the embedded worker pool (`EDITBAY_WORKERS` > 0).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from editbay import __version__
from editbay.api import concurrency, errors, heap, openapi
from editbay.api.auth import Authenticator
from editbay.api.hot import HotRoutes
from editbay.api.metrics import Metrics
from editbay.api.middleware import RequestContextMiddleware
from editbay.api.ratelimit import TokenBuckets
from editbay.api.routes import (
    account,
    files,
    health,
    job_actions,
    jobs,
    models,
    uploads,
    upstream,
    web,
    workers,
)
from editbay.jobs import catalog
from editbay.jobs.submit import submit_many
from editbay.settings import Settings, get_settings
from editbay.storage import get_storage
from editbay.store import migrate
from editbay.store.db import (
    WalCheckpointer,
    is_sqlite,
    make_engine,
    make_sessionmaker,
    sqlite_path,
    transaction,
)
from editbay.store.groupcommit import GroupCommit
from editbay.store.reads import make_job_reader

log = logging.getLogger("editbay.api")

DESCRIPTION = (
    "editbay speaks PixelByte's public job API: an existing PixelByte client works by changing "
    "only the base URL. Money is integer micro-cents (1,000,000 = 1 USD). Every error uses the "
    "envelope `{success: false, error: {code, message, details}, requestId}`."
)

ROUTERS = (
    jobs.router,
    job_actions.router,
    models.router,
    account.router,
    uploads.router,
    files.router,
    workers.router,
    upstream.router,
    health.router,
    web.router,
)


def prepare_database(settings: Settings, state: Any) -> None:
    """Migrate (SQLite, automatically) and sync the pricing file into the `models` table."""
    url = settings.resolved_database_url
    if is_sqlite(url):
        migrate.upgrade(url)
    with transaction(state.sessionmaker) as session:
        slugs = catalog.sync_models(session, settings)
    log.info("serving models: %s", ", ".join(slugs))


class EditbayAPI(FastAPI):
    """FastAPI, with the two hot endpoints (`api.hot`) entered straight at the request middleware.

    FastAPI's own outer layers — its `__call__` (which asks the OpenTelemetry providers on every
    request whether native telemetry is on), Starlette's server-error middleware, FastAPI's
    exception-telemetry and body-limit middlewares — cost ~10 µs per request, a tenth of a
    hello-world request, and do nothing for these two endpoints: the request middleware already
    answers every exception with the 500 envelope, caps the body and records the metrics. So
    once started (`lifespan`), when native telemetry is off and no `root_path` is set, a request
    that `HotRoutes.match`es goes to the request middleware directly (`front`); everything else,
    and everything when telemetry is on, takes FastAPI's whole stack as before."""

    front: RequestContextMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and scope["type"] == "http":
            handler = front.hot.match(scope)
            if handler is not None:
                scope["app"] = self
                await front(scope, receive, send, handler)
                return
        await super().__call__(scope, receive, send)

    def open_front(self) -> None:
        """Enter the hot endpoints at the request middleware from now on, where that changes
        nothing but the cost (see the class)."""
        telemetry = getattr(self, "_native_telemetry", None)
        if self.root_path or (telemetry is not None and telemetry.enabled()):
            return
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
        layer: Any = self.middleware_stack
        while layer is not None and not isinstance(layer, RequestContextMiddleware):
            layer = getattr(layer, "app", None)
        self.front = layer if layer is not None and layer.hot is not None else None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = app.state
    settings: Settings = state.settings
    sqlite = is_sqlite(settings.resolved_database_url)
    concurrency.install(state, sqlite)
    state.job_reader = make_job_reader(state.engine)
    # The group-commit writer has an engine of its own. SQLite: groups run inline on the loop,
    # and a thread checkpoints the WAL (not the COMMITs); PostgreSQL: groups run on a writer
    # thread, with no pool pre-ping round trip per group.
    url = settings.resolved_database_url
    writer = make_engine(url, pre_ping=False, autocheckpoint=not sqlite)
    path = sqlite_path(url)
    checkpointer = WalCheckpointer(path).start() if path else None
    state.submitter = GroupCommit(partial(submit_many, make_sessionmaker(writer), settings), inline=sqlite)
    state.metrics.watch_group_commit(state.submitter)
    await run_in_threadpool(prepare_database, settings, state)
    handle = None
    if settings.workers > 0:
        from editbay.worker.embedded import start_embedded

        handle = start_embedded(settings, state)
    if isinstance(app, EditbayAPI):
        app.open_front()
    heap.settle()
    try:
        yield
    finally:
        if isinstance(app, EditbayAPI):
            app.front = None
        heap.release()
        if handle is not None:
            await run_in_threadpool(handle.stop)
        await run_in_threadpool(state.submitter.stop)
        await state.job_reader.close()
        writer.dispose()
        if checkpointer is not None:
            await run_in_threadpool(checkpointer.stop)
        state.engine.dispose()


def create_app(settings: Settings | None = None) -> EditbayAPI:
    settings = settings or get_settings()
    settings.ensure_secret()
    app = EditbayAPI(
        title="editbay",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        strict_content_type=False,
    )
    engine = make_engine(settings.resolved_database_url)
    state = app.state
    state.settings = settings
    state.engine = engine
    state.sessionmaker = make_sessionmaker(engine)
    state.read_sessionmaker = make_sessionmaker(engine, readonly=True)
    state.read_engine = engine.execution_options(editbay_readonly=True)
    state.storage = get_storage(settings)
    state.authenticator = Authenticator(
        state.read_sessionmaker, state.sessionmaker, settings.auth_cache_seconds
    )
    state.rate_limiter = TokenBuckets()
    state.metrics = Metrics(state.read_sessionmaker, settings.lease_seconds)
    state.models = catalog.ModelCache(state.read_sessionmaker)
    state.ffmpeg = None

    for router in ROUTERS:
        app.include_router(router, responses=openapi.ERROR_RESPONSES)
    state.route_methods = [
        (route.path, route.path_regex, route.methods)
        for route in [*app.router.routes, *(r for router in ROUTERS for r in router.routes)]
        if isinstance(route, Route) and route.methods
    ]
    errors.install(app)
    openapi.install(app, DESCRIPTION, ROUTERS)
    state.hot_routes = HotRoutes(app)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        metrics=state.metrics,
        hot=state.hot_routes,
    )
    return app
