"""The billing ledger: top-up, hold at submit, capture on completion, refund on failure/cancel.

Every function runs inside the caller's transaction, so a job's state change and its ledger row
commit together. Balance changes are single conditional UPDATEs (`balance >= amount`), which is
what keeps an account from going negative under concurrent submissions on both backends.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from editbay.errors import EditbayError, ErrorCode
from editbay.store.models import Account, LedgerEntry, LedgerKind


def _record(
    session: Session,
    account_id: str,
    kind: LedgerKind,
    amount: int,
    held_delta: int,
    job_id: str | None,
    note: str = "",
) -> LedgerEntry:
    balance = session.execute(
        select(Account.balance_microcents).where(Account.id == account_id)
    ).scalar_one()
    entry = LedgerEntry(
        account_id=account_id,
        job_id=job_id,
        kind=kind.value,
        amount_microcents=amount,
        held_delta_microcents=held_delta,
        balance_after_microcents=balance,
        note=note,
    )
    session.add(entry)
    session.flush()
    return entry


def topup(session: Session, account_id: str, amount: int, note: str = "top-up") -> LedgerEntry:
    """Add credits (negative amounts are corrections and may not overdraw)."""
    result = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.balance_microcents + amount >= 0)
        .values(balance_microcents=Account.balance_microcents + amount)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise EditbayError(ErrorCode.INSUFFICIENT_BALANCE, "a correction may not make the balance negative")
    return _record(session, account_id, LedgerKind.TOPUP, amount, 0, None, note)


def hold(session: Session, account_id: str, job_id: str, amount: int) -> LedgerEntry:
    """Move ``amount`` from the spendable balance to held credits, or raise INSUFFICIENT_BALANCE."""
    result = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.balance_microcents >= amount)
        .values(
            balance_microcents=Account.balance_microcents - amount,
            held_microcents=Account.held_microcents + amount,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise EditbayError(
            ErrorCode.INSUFFICIENT_BALANCE,
            f"this job costs {amount} micro-cents; the account's balance is too low",
            {"costMicroCents": amount},
        )
    return _record(session, account_id, LedgerKind.HOLD, -amount, amount, job_id)


def capture(session: Session, account_id: str, job_id: str, amount: int) -> LedgerEntry:
    """The job completed: the held credits are spent."""
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(held_microcents=Account.held_microcents - amount)
    )
    return _record(session, account_id, LedgerKind.CAPTURE, 0, -amount, job_id)


def refund(session: Session, account_id: str, job_id: str, amount: int, note: str = "") -> LedgerEntry:
    """The job failed or was cancelled: the held credits return to the balance."""
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(
            balance_microcents=Account.balance_microcents + amount,
            held_microcents=Account.held_microcents - amount,
        )
    )
    return _record(session, account_id, LedgerKind.REFUND, amount, -amount, job_id, note)
