"""Structured logs: every line carries `requestId`, `accountId` and `jobId` when known.

The ids come from context variables set by the request middleware and the auth dependency (and
from `extra={...}` on a log call). `EDITBAY_LOG_JSON=true` switches to one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("editbay_request_id", default=None)
account_id_var: ContextVar[str | None] = ContextVar("editbay_account_id", default=None)
job_id_var: ContextVar[str | None] = ContextVar("editbay_job_id", default=None)

CONTEXT_FIELDS = ("requestId", "accountId", "jobId")
_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    """Copy the context ids onto each record (an explicit `extra=` value wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (
            ("requestId", request_id_var),
            ("accountId", account_id_var),
            ("jobId", job_id_var),
        ):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and value is not None and not key.startswith("_"):
                out[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if getattr(record, k, None))
        return f"{line} {ids}" if ids else line


def configure_logging(level: str = "INFO", json_lines: bool = False) -> None:
    """Install one stderr handler on the `editbay` logger (idempotent)."""
    logger = logging.getLogger("editbay")
    for handler in list(logger.handlers):
        if getattr(handler, "_editbay", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._editbay = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter())
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
