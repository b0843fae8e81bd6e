"""Embedded worker pool started by `editbay serve` (being written)."""

from __future__ import annotations

from typing import Any


class EmbeddedHandle:
    def stop(self) -> None:
        return None


def start_embedded(settings: Any, app_state: Any) -> EmbeddedHandle:
    return EmbeddedHandle()
