"""Where a job runs, decided at submit and recorded on the job (`routing`), with the reason.

The model's routing (pricing file `routing:`, else ``EDITBAY_ROUTING``) gives the mode; ``hybrid``
decides from the parsed plan: an instruction the local engine fully supports runs locally, one
with a clause it cannot do (generative, vision, out of scope) goes upstream, naming the clause.
Without ``EDITBAY_UPSTREAM_BASE_URL`` every mode is ``local`` and such instructions fail
``UNSUPPORTED_EDIT``. The estimate dry run shows the same decision (`POST /v1/jobs/estimate`).
"""

from __future__ import annotations

from typing import Any

from editbay.jobs import catalog
from editbay.settings import Settings

LOCAL = "local"
UPSTREAM = "upstream"
HYBRID = "hybrid"


def needs_plan(entry: catalog.ModelEntry, settings: Settings) -> bool:
    """Whether the decision reads the parsed plan (CPU work: callers run it off the event loop)."""
    return catalog.effective_routing(entry, settings) == HYBRID


def decide(entry: catalog.ModelEntry, settings: Settings, plan: Any = None) -> dict[str, Any]:
    """``{"mode", "decision", "reason"}`` for a job of ``entry``. ``plan`` is the instruction's
    `EditPlan` (made with ``check=False``), or the `EngineError` parsing raised; hybrid needs it."""
    configured = entry.routing or settings.routing
    mode = catalog.effective_routing(entry, settings)
    if mode == LOCAL:
        if configured != LOCAL:
            reason = (
                f"the model's routing is {configured}, but no upstream is configured "
                "(EDITBAY_UPSTREAM_BASE_URL): the local engine runs it"
            )
        else:
            reason = "the model's routing is local: the local engine runs it"
        return _decision(mode, LOCAL, reason)
    if mode == UPSTREAM:
        return _decision(mode, UPSTREAM, "the model's routing is upstream: the upstream provider runs it")
    return _decision(mode, *hybrid_choice(plan))


def hybrid_choice(plan: Any) -> tuple[str, str]:
    """(decision, reason) of hybrid routing for a parsed plan. Any clause the engine cannot do
    sends the job upstream, also with ``strict: false``: the upstream can honour all of it."""
    from editbay.engine.errors import EngineError

    if plan is None or isinstance(plan, EngineError):
        detail = f": {plan}" if plan is not None else ""
        return UPSTREAM, f"hybrid: the local parser could not read the instruction{detail}; sent upstream"
    if plan.unsupported:
        clauses = "; ".join(f'"{u.clause}" ({u.reason})' for u in plan.unsupported)
        return UPSTREAM, f"hybrid: the local engine cannot do {clauses}; sent upstream"
    if not plan.operations:
        return UPSTREAM, "hybrid: the instruction asks for no edit the local engine can make; sent upstream"
    return LOCAL, "hybrid: every clause is supported by the local engine, which runs it in seconds"


def parse_for_routing(job_input: Any) -> Any:
    """The instruction's plan for the decision (unchecked), or the `EngineError` parsing raised."""
    from editbay.engine.errors import EngineError
    from editbay.engine.plan import plan_edit

    try:
        return plan_edit(
            job_input.prompt,
            images=job_input.image_urls(),
            keep_original_sound=job_input.keep_original_sound,
            aspect_ratio=job_input.aspect_ratio,
            strict=job_input.strict,
            check=False,
        )
    except EngineError as exc:
        return exc


def _decision(mode: str, decision: str, reason: str) -> dict[str, Any]:
    return {"mode": mode, "decision": decision, "reason": reason}
