"""Engine exceptions: one root, raised at exactly one boundary each (parse, probe, render)."""

from __future__ import annotations

from collections.abc import Sequence


class EngineError(Exception):
    """Root of every error the engine raises."""


class UnsupportedEdit(EngineError):
    """The instruction (or a clause of it) cannot be honoured by this engine."""

    def __init__(self, message: str, clauses: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.clauses = list(clauses)


class InvalidMedia(EngineError):
    """The input cannot be decoded, or breaks a configured limit (size, duration, resolution)."""


class RenderFailed(EngineError):
    """ffmpeg exited non-zero; carries the argument list and the tail of its stderr."""

    def __init__(self, message: str, args: Sequence[str] = (), stderr_tail: str = "") -> None:
        super().__init__(message)
        self.argv = list(args)
        self.stderr_tail = stderr_tail


class RenderCancelled(EngineError):
    """The render was stopped because the job was cancelled."""
