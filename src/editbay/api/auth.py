"""API-key authentication: `Authorization: Bearer eb_…` or `x-api-key: eb_…`.

Checks, in order, each with the contract's code: a key is present (401 UNAUTHORIZED), it exists
and its hash matches (401 INVALID_API_KEY), it is active (401 API_KEY_INACTIVE), not expired
(401 API_KEY_EXPIRED), the client IP is allowed (403 IP_NOT_WHITELISTED), the account is active
(403 UNAUTHORIZED_ACCESS). Scope checks live in `api.deps.require_scope`.

Key rows are cached in-process for `EDITBAY_AUTH_CACHE_SECONDS` (default 5 s) so a request costs
no key lookup; a revoked key therefore stops working within that time. A key in use is read again
in the background during the last fifth of that time (its cached row still served meanwhile), and
the requests that find no row share one lookup: under load a key never expires for everyone at
once — which used to send every request in flight to the database together, each on a thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import accounts, clock
from editbay.store import queries
from editbay.store.db import transaction

log = logging.getLogger("editbay.api.auth")
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class KeyRecord:
    """What authentication needs from the key and account rows."""

    key_id: str
    key_hash: str
    account_id: str
    account_name: str
    account_active: bool
    active: bool
    expires_at: datetime | None
    scopes: frozenset[str]
    ip_allowlist: tuple[str, ...]
    last_used_at: datetime | None


@dataclass(frozen=True)
class AuthContext:
    """The authenticated caller."""

    key_id: str
    account_id: str
    account_name: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes


def extract_key(authorization: str | None, x_api_key: str | None) -> str | None:
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raise EditbayError(ErrorCode.INVALID_API_KEY, "Authorization must be 'Bearer <key>'")
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    return None


class Authenticator:
    def __init__(
        self, read: sessionmaker[Session], write: sessionmaker[Session], cache_seconds: float = 5.0
    ) -> None:
        self._read = read
        self._write = write
        self._ttl = cache_seconds
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, KeyRecord | None]] = {}
        self._generation = 0  # bumped by `invalidate`: a lookup begun before stores nothing
        self._loading: dict[str, asyncio.Future[KeyRecord | None]] = {}  # lookups in flight

    async def record(self, prefix: str) -> KeyRecord | None:
        """The key's record: cached (read again in the background when about to expire), or
        read now — one lookup, on a thread, for all the requests waiting for it."""
        if self._ttl <= 0:
            return await run_in_threadpool(self.load, prefix)
        entry = self._cache.get(prefix)
        if entry is not None:
            left = entry[0] - time.monotonic()
            if left >= 0:
                if left < self._ttl / 5 and prefix not in self._loading:
                    self._lookup(prefix)
                return entry[1]
        return await asyncio.shield(self._lookup(prefix))

    def _lookup(self, prefix: str) -> asyncio.Future[KeyRecord | None]:
        future = self._loading.get(prefix)
        if future is None or future.get_loop() is not asyncio.get_running_loop():
            future = asyncio.ensure_future(run_in_threadpool(self.load, prefix))
            self._loading[prefix] = future
            future.add_done_callback(lambda done: self._loaded(prefix, done))
        return future

    def _loaded(self, prefix: str, future: asyncio.Future[KeyRecord | None]) -> None:
        if self._loading.get(prefix) is future:
            del self._loading[prefix]
        if not future.cancelled() and future.exception() is not None:
            # waiting requests get the error; a background refresh's is only logged
            log.debug("key lookup failed", exc_info=future.exception())

    def load(self, prefix: str) -> KeyRecord | None:
        """Read the key and its account (a blocking call: run it in a thread)."""
        generation = self._generation
        with self._read() as session:
            key = queries.get_key_by_prefix(session, prefix)
            account = queries.get_account(session, key.account_id) if key is not None else None
            record = None
            if key is not None and account is not None:
                record = KeyRecord(
                    key_id=key.id,
                    key_hash=key.key_hash,
                    account_id=account.id,
                    account_name=account.name,
                    account_active=account.active,
                    active=key.active,
                    expires_at=key.expires_at,
                    scopes=accounts.granted_scopes(key.scopes or []),
                    ip_allowlist=tuple(key.ip_allowlist or []),
                    last_used_at=key.last_used_at,
                )
        if record is not None:
            self._touch(record)
        if self._ttl > 0:
            with self._lock:
                if generation != self._generation:  # invalidated meanwhile: not for the cache
                    return record
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[prefix] = (time.monotonic() + self._ttl, record)
        return record

    def _touch(self, record: KeyRecord) -> None:
        at = clock.now()
        if record.last_used_at is not None and at - record.last_used_at < TOUCH_EVERY:
            return
        try:
            with transaction(self._write) as session:
                queries.touch_key(session, record.key_id, at)
        except Exception:  # bookkeeping only: never fail a request over it
            log.debug("could not record key use", exc_info=True)

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._cache.clear()
            self._loading.clear()


def verify(key: str, record: KeyRecord | None, client_ip: str | None) -> AuthContext:
    """Apply the contract's checks to a looked-up key."""
    if record is None or not accounts.key_matches(key, record.key_hash):
        raise EditbayError(ErrorCode.INVALID_API_KEY, "the API key is not valid")
    if not record.active:
        raise EditbayError(ErrorCode.API_KEY_INACTIVE, "the API key has been deactivated")
    if record.expires_at is not None and record.expires_at <= clock.now():
        raise EditbayError(ErrorCode.API_KEY_EXPIRED, "the API key has expired")
    if not accounts.ip_allowed(client_ip, record.ip_allowlist):
        raise EditbayError(
            ErrorCode.IP_NOT_WHITELISTED,
            f"requests from {client_ip or 'this address'} are not allowed for this key",
        )
    if not record.account_active:
        raise EditbayError(ErrorCode.UNAUTHORIZED_ACCESS, "this account is disabled")
    return AuthContext(record.key_id, record.account_id, record.account_name, record.scopes)
