"""Auto-pagination over `nextCursor`, and the models namespace, against a real HTTP server."""

from __future__ import annotations

import json

import pytest

from editbay.client import AsyncClient, Client, NotFoundError

from .scripted_server import Recorded, Reply, envelope

PAGES = {
    None: {
        "jobs": [{"jobId": "job_5", "status": "completed"}, {"jobId": "job_4", "status": "failed"}],
        "nextCursor": "c2",
        "hasMore": True,
    },
    "c2": {
        "jobs": [{"jobId": "job_3", "status": "pending"}, {"jobId": "job_2", "status": "processing"}],
        "nextCursor": "c3",
        "hasMore": True,
    },
    "c3": {
        "jobs": [
            {"jobId": "job_1", "status": "cancelled", "model": "m", "createdAt": "2025-01-01T00:00:00.000Z"}
        ],
        "nextCursor": None,
        "hasMore": False,
    },
}


def pages(request: Recorded) -> Reply:
    return Reply(200, PAGES[request.query.get("cursor")])


def test_list_follows_next_cursor_across_pages(server):
    server.route("GET", "/v1/jobs", pages)
    with Client(server.url, "k") as client:
        ids = [job.job_id for job in client.list(status="completed", model="m/x", page_size=2)]
    assert ids == ["job_5", "job_4", "job_3", "job_2", "job_1"]
    hits = server.hits("GET", "/v1/jobs")
    assert [h.query.get("cursor") for h in hits] == [None, "c2", "c3"]
    assert all(
        h.query["status"] == "completed" and h.query["modelId"] == "m/x" and h.query["limit"] == "2"
        for h in hits
    )


def test_list_is_lazy(server):
    server.route("GET", "/v1/jobs", pages)
    with Client(server.url, "k") as client:
        iterator = client.list()
        assert server.hits("GET", "/v1/jobs") == []
        assert next(iterator).job_id == "job_5"
        assert len(server.hits("GET", "/v1/jobs")) == 1


def test_list_stops_on_a_repeated_cursor(server):
    server.script(
        "GET", "/v1/jobs", Reply(200, {"jobs": [{"jobId": "j"}], "nextCursor": "same", "hasMore": True})
    )
    with Client(server.url, "k") as client:
        assert len(list(client.list())) == 2
    assert len(server.hits("GET", "/v1/jobs")) == 2


@pytest.mark.anyio
async def test_async_list_follows_next_cursor(server):
    server.route("GET", "/v1/jobs", pages)
    async with AsyncClient(server.url, "k") as client:
        ids = [job.job_id async for job in client.list()]
    assert ids == ["job_5", "job_4", "job_3", "job_2", "job_1"]


MODEL = {
    "id": "mdl_1",
    "slug": "kling-plus/kling-o1-pro/video-edit-fast",
    "providerId": "kling-plus",
    "providerName": "Kling",
    "name": "Kling O1 Pro video edit",
    "description": "runs on the local engine",
    "category": "video-edit",
    "currentVersion": "v1",
    "versions": [
        {
            "versionId": "v1",
            "status": "active",
            "inputSchema": {"type": "object"},
            "outputSchema": {"type": "object"},
            "pricing": {"baseCostMicroCents": 30000},
        }
    ],
    "rateLimits": {"requestsPerMinute": 60, "requestsPerDay": 1000},
    "processingTimeSeconds": 30,
}


def test_models_list_and_get(server):
    server.script("GET", "/v1/models", Reply(200, {"models": [MODEL]}))
    server.script("GET", "/v1/models/kling-plus/kling-o1-pro/video-edit-fast", Reply(200, MODEL))
    server.script("GET", "/v1/models/nope", Reply(404, envelope("MODEL_NOT_FOUND", "no such model")))
    with Client(server.url, "k") as client:
        models = client.models.list()
        model = client.models.get("kling-plus/kling-o1-pro/video-edit-fast")
        with pytest.raises(NotFoundError) as info:
            client.models.get("nope")
    assert [m.slug for m in models] == ["kling-plus/kling-o1-pro/video-edit-fast"]
    assert model.versions[0].input_schema == {"type": "object"}
    assert model.rate_limits == {"requestsPerMinute": 60, "requestsPerDay": 1000}
    assert info.value.code == "MODEL_NOT_FOUND"


def test_estimate_returns_cost_and_plan(server):
    server.script(
        "POST",
        "/v1/jobs/estimate",
        Reply(
            200,
            {
                "baseCostMicroCents": 30000,
                "estimatedCostMicroCents": 30000,
                "breakdown": [{"component": "base", "costMicroCents": 30000}],
                "hasDiscount": False,
                "plan": {"operations": [{"op": "grade", "style": "black_white"}], "unsupported": []},
            },
        ),
    )
    with Client(server.url, "k") as client:
        estimate = client.estimate(model="editbay/local/video-edit", prompt="make it black and white")
    assert estimate.estimated_cost_micro_cents == 30000 and estimate.cost_usd == 0.03
    assert estimate.plan and estimate.plan["operations"][0]["style"] == "black_white"
    sent = server.hits("POST", "/v1/jobs/estimate")[0]
    assert json.loads(sent.body) == {
        "model": "editbay/local/video-edit",
        "input": {"prompt": "make it black and white"},
    }
