"""Accounts (tenants) and their API keys: creation, hashing, lookup material, revocation.

A key looks like ``eb_<40 base62 characters>``. Only its SHA-256 hash is stored, next to a short
public prefix (``eb_`` + 10 characters) that finds the row; the hash is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import string
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import billing
from editbay.store import queries
from editbay.store.models import Account, ApiKey

KEY_PREFIX = "eb_"
_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LEN = 40
_PUBLIC_LEN = len(KEY_PREFIX) + 10

SCOPES = ("submit_job", "check_status", "list_models", "admin")
#: what an empty scope list grants: everything except the operator scope
FULL_ACCESS = frozenset({"submit_job", "check_status", "list_models"})


def generate_key() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LEN))


def key_prefix(key: str) -> str | None:
    """The public lookup prefix of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX) or len(key) != len(KEY_PREFIX) + _RANDOM_LEN:
        return None
    return key[:_PUBLIC_LEN]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), stored_hash)


def granted_scopes(scopes: Sequence[str]) -> frozenset[str]:
    """The scopes a key really has: an empty list is full access (never `admin`)."""
    return frozenset(scopes) if scopes else FULL_ACCESS


def normalise_scopes(scopes: Sequence[str]) -> list[str]:
    cleaned = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in cleaned if s not in SCOPES]
    if unknown:
        raise EditbayError(
            ErrorCode.INVALID_INPUT, f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}"
        )
    return cleaned


def normalise_allowlist(entries: Sequence[str]) -> list[str]:
    """Validate single IPs and CIDRs (stored as their canonical network text)."""
    out = []
    for raw in entries:
        raw = raw.strip()
        if not raw:
            continue
        try:
            out.append(str(ipaddress.ip_network(raw, strict=False)))
        except ValueError as exc:
            raise EditbayError(ErrorCode.INVALID_INPUT, f"not an IP address or CIDR: {raw!r}") from exc
    return out


def ip_allowed(client_ip: str | None, allowlist: Sequence[str]) -> bool:
    if not allowlist:
        return True
    if not client_ip:
        return False
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for entry in allowlist:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except (ValueError, TypeError):
            continue
    return False


def create_account(
    session: Session, name: str, balance_microcents: int = 0, concurrent_job_limit: int = 10
) -> Account:
    """A new account; a starting balance is booked as a ledger top-up."""
    if queries.get_account_by_name(session, name) is not None:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"an account named {name!r} already exists")
    account = queries.insert_account(session, name, concurrent_job_limit)
    if balance_microcents:
        billing.topup(session, account.id, balance_microcents, note="starting balance")
    return account


def create_key(
    session: Session,
    account_id: str,
    *,
    scopes: Sequence[str] = (),
    ip_allowlist: Sequence[str] = (),
    expires_at: datetime | None = None,
    name: str = "",
) -> tuple[ApiKey, str]:
    """Store a new key for the account; returns the row and the plaintext key (shown once)."""
    key = generate_key()
    row = ApiKey(
        account_id=account_id,
        prefix=key_prefix(key),
        key_hash=hash_key(key),
        name=name,
        scopes=normalise_scopes(scopes),
        ip_allowlist=normalise_allowlist(ip_allowlist),
        active=True,
        expires_at=expires_at,
    )
    queries.insert_key(session, row)
    return row, key


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_hex(24)
