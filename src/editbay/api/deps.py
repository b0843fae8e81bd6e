"""FastAPI dependency aliases: settings, database sessions, the authenticated caller, scopes.

SettingsDep, SessionDep (writes), ReadSessionDep (reads), AuthDep / AccountDep,
require_scope("submit_job") and the ready-made SubmitAuth, StatusAuth, ModelsAuth, AdminAuth.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.types import Scope

from editbay.api.auth import AuthContext, extract_key, verify
from editbay.api.logs import account_id_var
from editbay.api.ratelimit import rate_limited
from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import accounts
from editbay.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """A write session (SQLite: BEGIN IMMEDIATE); the caller commits."""
    with request.app.state.sessionmaker() as session:
        yield session


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only session that never waits for writers."""
    with request.app.state.read_sessionmaker() as session:
        yield session


async def authenticate(
    state: Any, scope: Scope, authorization: str | None, x_api_key: str | None
) -> AuthContext:
    """Authenticate an API key (`Authorization` or `x-api-key` header value) and take one token
    from the key's rate bucket; the rate-limit headers go into the request's state for the
    middleware. Shared by the dependencies below and by `api.hot`."""
    key = extract_key(authorization, x_api_key)
    if key is None:
        raise EditbayError(
            ErrorCode.UNAUTHORIZED,
            "an API key is required: 'Authorization: Bearer <key>' or 'x-api-key: <key>'",
        )
    prefix = accounts.key_prefix(key)
    if prefix is None:
        raise EditbayError(ErrorCode.INVALID_API_KEY, "the API key is not valid")
    record = await state.authenticator.record(prefix)
    client = scope.get("client")
    auth = verify(key, record, client[0] if client else None)
    account_id_var.set(auth.account_id)
    request_state = scope.setdefault("state", {})
    request_state["account_id"] = auth.account_id
    decision = state.rate_limiter.take(("key", auth.key_id), state.settings.rate_limit_per_minute)
    request_state["ratelimit_headers"] = decision.raw_headers()
    if not decision.allowed:
        raise rate_limited(decision, "requests per minute for this key")
    return auth


def check_scope(auth: AuthContext, scope: str) -> AuthContext:
    """403 OPERATION_NOT_ALLOWED unless the key has ``scope``."""
    if not auth.has(scope):
        raise EditbayError(
            ErrorCode.OPERATION_NOT_ALLOWED,
            f"this API key lacks the '{scope}' scope",
            {"requiredScope": scope},
        )
    return auth


async def get_auth(request: Request) -> AuthContext:
    """Authenticate the request's API key and take one token from the key's rate bucket.

    A plain function of the request (no sub-dependencies): every authenticated request runs it,
    and each FastAPI dependency level costs time. The OpenAPI document learns that a route needs
    a key from the `AUTH_MARK` attribute (see `api.openapi`)."""
    headers = request.headers
    return await authenticate(
        request.app.state, request.scope, headers.get("authorization"), headers.get("x-api-key")
    )


AUTH_MARK = "_editbay_auth"
setattr(get_auth, AUTH_MARK, True)


def require_scope(scope: str) -> Callable[..., Coroutine[Any, Any, AuthContext]]:
    """A dependency that authenticates and then requires ``scope`` (403 OPERATION_NOT_ALLOWED)."""

    async def dependency(request: Request) -> AuthContext:
        return check_scope(await get_auth(request), scope)

    dependency.__name__ = f"require_{scope}"
    setattr(dependency, AUTH_MARK, True)
    return dependency


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
AuthDep = Annotated[AuthContext, Depends(get_auth)]
AccountDep = AuthDep
SubmitAuth = Annotated[AuthContext, Depends(require_scope("submit_job"))]
StatusAuth = Annotated[AuthContext, Depends(require_scope("check_status"))]
ModelsAuth = Annotated[AuthContext, Depends(require_scope("list_models"))]
AdminAuth = Annotated[AuthContext, Depends(require_scope("admin"))]
