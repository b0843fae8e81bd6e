"""One settings object for the whole service: environment (`EDITBAY_` prefix) and an optional file.

The optional config file is TOML or YAML, named by `EDITBAY_CONFIG` (or `editbay.yaml` /
`editbay.toml` in the working directory). Environment variables win over the file.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


def _config_file_values() -> dict[str, Any]:
    candidates = [os.environ.get("EDITBAY_CONFIG", ""), "editbay.toml", "editbay.yaml", "editbay.yml"]
    for name in candidates:
        if not name or not Path(name).is_file():
            continue
        text = Path(name).read_text(encoding="utf-8")
        data = tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)
        return {str(k).lower(): v for k, v in (data or {}).items()}
    return {}


class _FileSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return _config_file_values()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDITBAY_", extra="ignore")

    data_dir: Path = Path("./.editbay")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = ""
    secret_key: str = Field(default="", description="Signs download/upload URLs; generated if absent.")
    dev_mode: bool = False

    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0)
    lease_seconds: float = 30.0
    heartbeat_seconds: float = 2.0
    poll_interval_seconds: float = 1.0
    max_attempts: int = 3
    #: segment-parallel rendering: inputs at least this long (seconds) whose plan is frame-local are
    #: split at keyframes into ~segment_seconds pieces rendered by any worker (0 = off)
    # Off by default: splitting pays only with several idle workers (docs/performance.md, Scale-out).
    segment_threshold_seconds: float = 0.0
    segment_seconds: float = 10.0
    #: the sweeper deletes a job's segment pieces (`work/<job>/`) this long after the job ended
    #: (the job deletes them itself when it ends normally; this catches the rest)
    segment_sweep_grace_seconds: float = 600.0
    job_timeout_seconds: float = 1800.0
    shutdown_grace_seconds: float = 30.0
    sweep_interval_seconds: float = 60.0
    provider_overrides: dict[str, str] = Field(
        default_factory=dict, description="model slug or '*' -> 'module:factory' (tests' fixture providers)"
    )

    allow_private_urls: bool = False
    fetch_max_bytes: int = 1024 * 1024 * 1024
    fetch_timeout_seconds: float = 120.0
    max_input_duration_seconds: float = 600.0
    max_input_width: int = 4096
    max_input_height: int = 4096

    storage_url: str = ""
    s3_endpoint_url: str = ""
    output_retention_hours: float = 24.0 * 7
    upload_retention_minutes: float = 60.0
    upload_url_minutes: float = 15.0
    #: a PUT upload that sends no bytes for this long is dropped (slowloris-style clients)
    upload_idle_timeout_seconds: float = 30.0
    upload_max_video_bytes: int = 1024 * 1024 * 1024
    upload_max_image_bytes: int = 10 * 1024 * 1024
    download_url_minutes: float = 24.0 * 60

    max_body_bytes: int = 1024 * 1024
    rate_limit_per_minute: int = 600
    auth_cache_seconds: float = 5.0
    eta_cache_seconds: float = 1.0
    default_concurrent_jobs: int = 10
    default_balance_microcents: int = 100_000_000
    pricing_file: str = ""

    webhook_timeout_seconds: float = 10.0
    webhook_retry_schedule: list[float] = Field(default_factory=lambda: [1.0, 4.0, 16.0, 64.0, 256.0])
    webhook_time_scale: float = 1.0

    upstream_base_url: str = ""
    upstream_api_key: str = ""
    #: an upstream job not finished this long after our submit fails UPSTREAM_FAILED (and is
    #: cancelled upstream); also bounded by job_timeout_seconds
    upstream_timeout_seconds: float = 1500.0
    upstream_poll_seconds: float = 1.0
    #: the longest single wait after an upstream 429 (Retry-After / X-RateLimit-Reset are capped)
    upstream_max_backoff_seconds: float = 60.0
    #: ask the upstream for a webhook (`POST /v1/upstream/webhook/…` here) when a job ends; takes
    #: effect only with public_base_url and upstream_webhook_secret set (`upstream_webhook_enabled`)
    upstream_webhook: bool = True
    #: the upstream account's webhook signing secret (PixelByte's, or `editbay accounts
    #: webhook-secret` on an upstream editbay): its webhooks are verified with it
    upstream_webhook_secret: str = ""
    #: with the webhook on, the upstream job is still polled this often (a lost webhook costs this)
    upstream_webhook_poll_seconds: float = 30.0
    routing: str = "local"
    log_level: str = "INFO"
    log_json: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls), file_secret_settings)

    @field_validator("routing")
    @classmethod
    def _routing(cls, value: str) -> str:
        if value not in {"local", "upstream", "hybrid"}:
            raise ValueError("routing must be local, upstream or hybrid")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'editbay.db').resolve()}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or str((self.data_dir / "files").resolve())

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def upstream_webhook_enabled(self) -> bool:
        """Whether upstream submits carry a webhook URL: on unless `upstream_webhook` is false,
        given a public base URL to be reached at and the secret to verify the upstream with."""
        return bool(self.upstream_webhook and self.public_base_url and self.upstream_webhook_secret)

    def ensure_secret(self) -> str:
        """The URL-signing secret: configured, or generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.is_file():
            self.secret_key = path.read_text().strip()
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.secret_key = secrets.token_urlsafe(32)
            path.write_text(self.secret_key)
            path.chmod(0o600)
        return self.secret_key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    settings.ensure_secret()
    return settings
