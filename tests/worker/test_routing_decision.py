"""The routing decision (`jobs.routing`) and the upstream's back-off arithmetic (pure functions)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from editbay.engine.plan import plan_edit
from editbay.jobs import catalog, routing
from editbay.providers.upstream import backoff_seconds, rate_limit_wait
from editbay.settings import Settings

KLING = "kling-plus/kling-o1-pro/video-edit-fast"
UPSTREAM = {"upstream_base_url": "https://api.example.com", "upstream_api_key": "pk_test"}


def entry(settings: Settings, slug: str = KLING) -> catalog.ModelEntry:
    return next(m for m in catalog.load_catalog(settings).models if m.slug == slug)


def decide(prompt: str, **settings: str) -> dict[str, str]:
    s = Settings(**settings)  # type: ignore[arg-type]
    return routing.decide(entry(s), s, plan_edit(prompt, check=False))


def test_hybrid_sends_a_generative_clause_upstream_and_names_it():
    decided = decide("warm it up and add a dragon flying over the city", routing="hybrid", **UPSTREAM)
    assert decided["mode"] == "hybrid" and decided["decision"] == "upstream"
    assert '"add a dragon flying over the city"' in decided["reason"]
    assert "generative" in decided["reason"]


def test_hybrid_runs_a_fully_supported_instruction_locally():
    decided = decide("make it black and white, speed it up 2x and mute it", routing="hybrid", **UPSTREAM)
    assert decided == {
        "mode": "hybrid",
        "decision": "local",
        "reason": "hybrid: every clause is supported by the local engine, which runs it in seconds",
    }


def test_without_an_upstream_every_mode_is_local_and_says_why():
    decided = decide("replace the sky with a sunset", routing="hybrid")
    assert decided["mode"] == "local" and decided["decision"] == "local"
    assert "no upstream is configured" in decided["reason"]


def test_the_pricing_file_routing_wins_over_the_setting():
    s = Settings(routing="upstream", **UPSTREAM)  # type: ignore[arg-type]
    local_model = entry(s, "editbay/local/video-edit")  # `routing: local` in pricing.yaml
    assert routing.decide(local_model, s)["decision"] == "local"
    assert routing.decide(entry(s), s)["decision"] == "upstream"


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "3", "X-RateLimit-Reset": "40"}, 3.0),  # Retry-After is the precise one
        ({"X-RateLimit-Reset": "12"}, 12.0),
        ({"X-RateLimit-Reset": str(1_000_000_000 + 30)}, 30.0),  # a Unix time
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_rate_limit_wait_reads_retry_after_then_the_reset_header(headers, seconds):
    assert rate_limit_wait(httpx.Headers(headers), now=1_000_000_000.0) == seconds


def test_rate_limit_wait_reads_an_http_date():
    now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2030, 1, 1, 12, 0, 9, tzinfo=UTC), usegmt=True)
    assert rate_limit_wait(httpx.Headers({"Retry-After": later}), now=now.timestamp()) == 9.0


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    rng = random.Random(7)
    waits = [backoff_seconds(n, 10.0, rng) for n in range(1, 8)]
    for n, wait in enumerate(waits, start=1):
        ceiling = min(10.0, 2.0 ** (n - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert len({round(w, 6) for w in waits}) == len(waits)  # jittered, not a fixed schedule
