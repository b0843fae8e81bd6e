"""Cursors for keyset pagination. Clients treat them as opaque; every string matching the
documented pattern is accepted (an unknown position simply yields the rows after it), so a
cursor never fails to parse once it passed validation.

    jobs:   "<created_at as Unix microseconds>.<job id>"   (newest first: rows strictly older)
    ledger: "<entry id>"                                     (newest first: rows with smaller ids)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from editbay.errors import EditbayError, ErrorCode

JOB_CURSOR_PATTERN = r"^[0-9]{1,17}\.[A-Za-z0-9_]{1,64}$"
LEDGER_CURSOR_PATTERN = r"^[0-9]{1,18}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_MICROS = int((datetime(9999, 12, 31, tzinfo=UTC) - _EPOCH).total_seconds() * 1_000_000)


def bad_cursor() -> EditbayError:
    return EditbayError(
        ErrorCode.INVALID_INPUT, "cursor: not a cursor returned by this endpoint", {"field": "cursor"}
    )


def encode_job_cursor(created_at: datetime, job_id: str) -> str:
    delta = created_at.astimezone(UTC) - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{job_id}"


def decode_job_cursor(cursor: str) -> tuple[datetime, str]:
    micros, _, job_id = cursor.partition(".")
    if not micros.isdigit() or not job_id:
        raise bad_cursor()
    return _EPOCH + timedelta(microseconds=min(int(micros), _MAX_MICROS)), job_id


def encode_ledger_cursor(entry_id: int) -> str:
    return str(entry_id)


def decode_ledger_cursor(cursor: str) -> int:
    if not cursor.isdigit():
        raise bad_cursor()
    return int(cursor)
