"""The edit engine: instruction → typed `EditPlan` → one ffmpeg render. No server dependency.

plan = plan_edit("make it black and white and twice as fast", media=probe("in.mp4"))
result = render(plan, "in.mp4", "out.mp4", on_progress=print)
"""

from editbay.engine.errors import (
    EngineError,
    InvalidMedia,
    RenderCancelled,
    RenderFailed,
    UnsupportedEdit,
)
from editbay.engine.media import Limits, ProbedMedia, check_limits, probe
from editbay.engine.ops import EditPlan, MediaInfo
from editbay.engine.parse import parse
from editbay.engine.plan import plan_edit
from editbay.engine.render import RenderResult, render

__all__ = [
    "EditPlan",
    "EngineError",
    "InvalidMedia",
    "Limits",
    "MediaInfo",
    "ProbedMedia",
    "RenderCancelled",
    "RenderFailed",
    "RenderResult",
    "UnsupportedEdit",
    "check_limits",
    "parse",
    "plan_edit",
    "probe",
    "render",
]
