"""The caller's account (extension): balance, held credits, limits and the ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from editbay.api import pagination
from editbay.api.deps import AuthDep
from editbay.api.schemas import AccountPublic, LedgerList
from editbay.errors import EditbayError, ErrorCode
from editbay.jobs.clock import iso_ms
from editbay.store import queries

router = APIRouter(tags=["account"])


def _account(state: Any, account_id: str) -> dict[str, Any]:
    with state.read_sessionmaker() as session:
        account = queries.get_account(session, account_id)
        if account is None:
            raise EditbayError(ErrorCode.UNAUTHORIZED_ACCESS, "this account no longer exists")
        return {
            "accountId": account.id,
            "name": account.name,
            "balanceMicroCents": int(account.balance_microcents),
            "heldMicroCents": int(account.held_microcents),
            "concurrentJobLimit": int(account.concurrent_job_limit),
            "activeJobs": queries.count_active_jobs(session, account.id),
        }


def _ledger(state: Any, account_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    before = pagination.decode_ledger_cursor(cursor) if cursor else None
    with state.read_sessionmaker() as session:
        rows = list(queries.list_ledger(session, account_id, limit + 1, before))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "entries": [
            {
                "id": str(e.id),
                "kind": e.kind,
                "amountMicroCents": int(e.amount_microcents),
                "heldDeltaMicroCents": int(e.held_delta_microcents),
                "balanceAfterMicroCents": int(e.balance_after_microcents),
                "jobId": e.job_id,
                "note": e.note,
                "createdAt": iso_ms(e.created_at),
            }
            for e in rows
        ],
        "nextCursor": pagination.encode_ledger_cursor(rows[-1].id) if has_more and rows else None,
        "hasMore": has_more,
    }


@router.get("/v1/account", response_model=AccountPublic, summary="The caller's account and balance")
async def get_account(request: Request, auth: AuthDep) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_account, request.app.state, auth.account_id))


@router.get("/v1/account/ledger", response_model=LedgerList, summary="The account's ledger, newest first")
async def get_ledger(
    request: Request,
    auth: AuthDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(pattern=pagination.LEDGER_CURSOR_PATTERN)] = None,
) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_ledger, request.app.state, auth.account_id, limit, cursor))
