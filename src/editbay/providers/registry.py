"""Which provider runs a job: the model's routing (pricing file, else ``EDITBAY_ROUTING``):
``local`` → the engine, ``upstream`` → a PixelByte-compatible API, ``hybrid`` → the engine, and
upstream for edits it cannot do (both need ``EDITBAY_UPSTREAM_BASE_URL``).

``EDITBAY_PROVIDER_OVERRIDES`` (a JSON object: model slug or ``*`` → ``module:factory``) swaps in
another provider; the test suite uses it for fixture providers (pass-through, hang, fail). It is
an operator setting, never something a request can choose.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from editbay.errors import ErrorCode
from editbay.providers.base import JobFailed, Provider
from editbay.providers.segment import SEGMENT_SLUG
from editbay.settings import Settings

_cache: dict[str, Provider] = {}
_lock = threading.Lock()


def _load(path: str) -> Provider:
    with _lock:
        if path not in _cache:
            module_name, _, attr = path.partition(":")
            factory: Any = getattr(importlib.import_module(module_name), attr)
            is_factory = isinstance(factory, type) or (callable(factory) and not hasattr(factory, "run"))
            _cache[path] = factory() if is_factory else factory
        return _cache[path]


def provider_for(model_slug: str, routing: dict[str, Any] | None, settings: Settings) -> Provider:
    """The provider for a job of ``model_slug`` with the routing recorded at submit."""
    if model_slug == SEGMENT_SLUG:  # a segment task of a local render: always the engine
        return _load("editbay.providers.segment:SegmentProvider")
    overrides = settings.provider_overrides
    override = overrides.get(model_slug) or overrides.get("*")
    if override:
        return _load(override)
    mode = (routing or {}).get("mode") or settings.routing
    if mode == "local" or not settings.upstream_base_url:
        return _load("editbay.providers.local:LocalEngineProvider")
    if mode == "upstream":
        return _load("editbay.providers.upstream:UpstreamProvider")
    if mode == "hybrid":
        return _load("editbay.providers.upstream:HybridProvider")
    raise JobFailed(
        ErrorCode.UPSTREAM_FAILED, f"routing {mode!r} needs an upstream provider, which is not available"
    )
