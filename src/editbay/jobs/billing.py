"""The billing ledger: top-up, hold at submit, capture on completion, refund on failure/cancel.

Every function runs inside the caller's transaction, so a job's state change and its ledger row
commit together. Balance changes are single conditional UPDATEs (`balance >= amount`), which is
what keeps an account from going negative under concurrent submissions on both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from editbay.errors import EditbayError, ErrorCode
from editbay.store.models import Account, LedgerEntry, LedgerKind, utcnow

_ledger = LedgerEntry.__table__
_accounts = Account.__table__

# Built once: the submit path runs these on every request.
_INSERT_ENTRY = insert(_ledger).returning(_ledger.c.id)
_MOVE = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(
        balance_microcents=_accounts.c.balance_microcents + bindparam("balance_delta"),
        held_microcents=_accounts.c.held_microcents + bindparam("held_delta"),
    )
    .returning(_accounts.c.balance_microcents)
)
# the same move, refused when it would make the spendable balance negative
GUARDED_MOVE = _MOVE.where(_accounts.c.balance_microcents + bindparam("balance_delta") >= 0)


def _record(
    session: Session,
    account_id: str,
    kind: LedgerKind,
    amount: int,
    held_delta: int,
    job_id: str | None,
    balance_after: int,
    note: str = "",
) -> LedgerEntry:
    """Append the ledger row (a Core insert: no ORM flush on the submit path)."""
    values = {
        "account_id": account_id,
        "job_id": job_id,
        "kind": kind.value,
        "amount_microcents": amount,
        "held_delta_microcents": held_delta,
        "balance_after_microcents": balance_after,
        "note": note,
        "created_at": utcnow(),
    }
    entry_id = session.execute(_INSERT_ENTRY, values).scalar_one()
    return LedgerEntry(id=entry_id, **values)


def _apply(session: Session, account_id: str, balance_delta: int, held_delta: int, guard: bool) -> int | None:
    """One conditional UPDATE of both columns; returns the new balance (None when the guard
    `balance + delta >= 0` refused it or the account does not exist)."""
    params = {"account_id": account_id, "balance_delta": balance_delta, "held_delta": held_delta}
    result = session.execute(GUARDED_MOVE if guard else _MOVE, params).scalar_one_or_none()
    return None if result is None else int(result)


def topup(session: Session, account_id: str, amount: int, note: str = "top-up") -> LedgerEntry:
    """Add credits (negative amounts are corrections and may not overdraw)."""
    balance = _apply(session, account_id, amount, 0, guard=True)
    if balance is None:
        raise EditbayError(ErrorCode.INSUFFICIENT_BALANCE, "a correction may not make the balance negative")
    return _record(session, account_id, LedgerKind.TOPUP, amount, 0, None, balance, note)


def hold(session: Session, account_id: str, job_id: str, amount: int) -> LedgerEntry:
    """Move ``amount`` from the spendable balance to held credits, or raise INSUFFICIENT_BALANCE.

    On PostgreSQL the UPDATE also locks the account row until the transaction ends, which
    serialises one account's submissions (the concurrent-jobs check after it is exact)."""
    balance = _apply(session, account_id, -amount, amount, guard=True)
    if balance is None:
        raise insufficient_balance(amount)
    return _record(session, account_id, LedgerKind.HOLD, -amount, amount, job_id, balance)


def insufficient_balance(amount: int) -> EditbayError:
    return EditbayError(
        ErrorCode.INSUFFICIENT_BALANCE,
        f"this job costs {amount} micro-cents; the account's balance is too low",
        {"costMicroCents": amount},
    )


@dataclass(frozen=True)
class Hold:
    """One job's hold, for `hold_entries`."""

    account_id: str
    job_id: str
    amount: int
    at: datetime


def hold_entries(account_id: str, holds: Sequence[Hold], balance_after: int) -> list[dict[str, object]]:
    """The ledger rows of several holds of one account made by one guarded UPDATE (a grouped
    submit, `GUARDED_MOVE` by their total): each row's `balance_after` is derived from the
    balance that UPDATE returned, so the ledger always sums to the account."""
    running = balance_after + sum(item.amount for item in holds)
    rows: list[dict[str, object]] = []
    for item in holds:
        running -= item.amount
        rows.append(
            {
                "account_id": account_id,
                "job_id": item.job_id,
                "kind": LedgerKind.HOLD.value,
                "amount_microcents": -item.amount,
                "held_delta_microcents": item.amount,
                "balance_after_microcents": running,
                "note": "",
                "created_at": item.at,
            }
        )
    return rows


def capture(session: Session, account_id: str, job_id: str, amount: int) -> LedgerEntry:
    """The job completed: the held credits are spent."""
    balance = _apply(session, account_id, 0, -amount, guard=False)
    assert balance is not None, f"account {account_id} vanished"
    return _record(session, account_id, LedgerKind.CAPTURE, 0, -amount, job_id, balance)


def refund(session: Session, account_id: str, job_id: str, amount: int, note: str = "") -> LedgerEntry:
    """The job failed or was cancelled: the held credits return to the balance."""
    balance = _apply(session, account_id, amount, -amount, guard=False)
    assert balance is not None, f"account {account_id} vanished"
    return _record(session, account_id, LedgerKind.REFUND, amount, -amount, job_id, balance, note)
