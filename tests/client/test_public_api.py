"""The SDK's public surface is deliberate: pin the exported names and keep sync and async alike."""

from __future__ import annotations

import inspect

import editbay.client as sdk
from editbay.client import AsyncClient, AsyncModels, Client, Models

EXPECTED = {
    "AsyncClient",
    "AsyncModels",
    "Client",
    "Models",
    "RetryPolicy",
    "CancelResult",
    "CostComponent",
    "Estimate",
    "Job",
    "JobErrorInfo",
    "JobOutput",
    "JobStatus",
    "JobSummary",
    "Model",
    "ModelVersion",
    "SubmitResult",
    "Upload",
    "WebhookEvent",
    "APIConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EditbayAPIError",
    "InsufficientBalanceError",
    "JobFailedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "sign_webhook",
    "verify_webhook",
}


def test_exported_names_are_exactly_the_intended_ones():
    assert set(sdk.__all__) == EXPECTED
    assert len(sdk.__all__) == len(EXPECTED)
    for name in sdk.__all__:
        assert getattr(sdk, name) is not None


def test_every_api_error_shares_one_root():
    for name in sdk.__all__:
        obj = getattr(sdk, name)
        if inspect.isclass(obj) and issubclass(obj, Exception) and name != "WebhookVerificationError":
            assert issubclass(obj, sdk.EditbayAPIError), name
    assert issubclass(sdk.WebhookVerificationError, ValueError)


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(fn)
        for name, fn in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def test_async_client_mirrors_the_sync_client_method_for_method():
    sync, async_ = _public_methods(Client), _public_methods(AsyncClient)
    assert set(sync) - {"close"} == set(async_) - {"aclose"}
    for name, signature in sync.items():
        if name == "close":
            continue
        assert str(async_[name]).replace("AsyncIterator", "Iterator") == str(signature), name
        is_async = inspect.iscoroutinefunction(getattr(AsyncClient, name)) or inspect.isasyncgenfunction(
            getattr(AsyncClient, name)
        )
        assert is_async, name
    assert _public_methods(Models).keys() == _public_methods(AsyncModels).keys()


def test_documented_sdk_surface_is_present():
    """api.md's "Python SDK surface" section, name for name."""
    for name in ("submit", "get", "wait", "cancel", "estimate", "list", "upload", "download"):
        assert callable(getattr(Client, name))
    submit = inspect.signature(Client.submit).parameters
    for param in (
        "model",
        "prompt",
        "video_url",
        "images",
        "keep_original_sound",
        "aspect_ratio",
        "webhook_url",
        "idempotency_key",
        "strict",
    ):
        assert param in submit
    assert list(inspect.signature(Client.wait).parameters) == ["self", "job_id", "timeout", "on_progress"]
    assert list(inspect.signature(sdk.verify_webhook).parameters)[:4] == [
        "secret",
        "headers",
        "raw_body",
        "tolerance",
    ]
    assert inspect.signature(sdk.verify_webhook).parameters["tolerance"].default == 300
