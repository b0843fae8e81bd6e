"""The model catalogue and its prices, read from the one pricing data file (`jobs/pricing.yaml`
or `EDITBAY_PRICING_FILE`), synced into the `models` table, and used to price jobs."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import inputs
from editbay.settings import Settings
from editbay.store import queries

DEFAULT_PRICING_FILE = Path(__file__).with_name("pricing.yaml")
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*){0,4}$"
SLUG_RE = re.compile(SLUG_PATTERN)


class Factor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    component: str
    multiplier: float = Field(gt=0)
    when: dict[str, Any] = Field(default_factory=dict)

    def applies(self, values: dict[str, Any]) -> bool:
        for field, expected in self.when.items():
            actual = values.get(field)
            options = expected if isinstance(expected, list) else [expected]
            if actual not in options:
                return False
        return True


class Pricing(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    unit: Literal["video", "second"] = "video"
    baseCostMicroCents: int = Field(ge=0)
    assumedSeconds: float = Field(default=10.0, gt=0)
    minimumMicroCents: int = Field(default=0, ge=0)
    factors: list[Factor] = Field(default_factory=list)


class Version(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versionId: str
    status: Literal["active", "deprecated", "disabled", "deleted"] = "active"


class RateLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requestsPerMinute: int = Field(default=60, ge=1)
    requestsPerDay: int = Field(default=10000, ge=1)


class ModelEntry(BaseModel):
    """One model of the pricing file."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    id: str
    name: str
    providerId: str
    providerName: str
    category: str = "video-edit"
    schema_name: str = Field(default="video_edit", alias="schema")
    description: str = ""
    processingTimeSeconds: float = 60.0
    rateLimits: RateLimits = Field(default_factory=RateLimits)
    routing: Literal["local", "upstream", "hybrid"] | None = None
    currentVersion: str = "1.0"
    versions: list[Version] = Field(default_factory=lambda: [Version(versionId="1.0")])
    pricing: Pricing
    accounts: list[str] | None = Field(default=None, description="Only these account names may use it.")


class Catalog(BaseModel):
    models: list[ModelEntry]


class Quote(BaseModel):
    """The price of one job: the total and how it was reached."""

    base: int
    total: int
    seconds: float | None = None
    breakdown: list[dict[str, Any]]


def load_catalog(settings: Settings) -> Catalog:
    """Parse and validate the pricing file (a broken file stops the server at start-up)."""
    path = Path(settings.pricing_file) if settings.pricing_file else DEFAULT_PRICING_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    catalog = Catalog.model_validate(data)
    for entry in catalog.models:
        if not SLUG_RE.match(entry.slug):
            raise ValueError(f"pricing file: bad model slug {entry.slug!r}")
        if entry.schema_name not in inputs.SCHEMAS:
            raise ValueError(f"pricing file: unknown schema {entry.schema_name!r} for {entry.slug}")
    return catalog


def effective_routing(entry: ModelEntry, settings: Settings) -> str:
    """Where the model's jobs run: upstream only when an upstream is actually configured."""
    routing = entry.routing or settings.routing
    if routing != "local" and not settings.upstream_base_url:
        return "local"
    return routing


def _routing_note(entry: ModelEntry, settings: Settings) -> str:
    routing = effective_routing(entry, settings)
    if routing == "upstream":
        return "Runs on the configured upstream PixelByte-compatible provider."
    if routing == "hybrid":
        return (
            "Runs on editbay's local CPU engine; instructions the local engine cannot do are sent to "
            "the configured upstream provider."
        )
    if entry.providerId == "editbay":
        return "Runs on editbay's local CPU engine."
    return (
        f"On this server it runs on editbay's local CPU engine (ffmpeg), not on {entry.providerName}'s "
        "generative model, because no upstream provider is configured: edits the engine cannot do "
        "fail with UNSUPPORTED_EDIT and are refunded."
    )


#: keys of a stored spec that are for the server only, not the wire
PRIVATE_SPEC_KEYS = frozenset({"entry"})


def public_spec(entry: ModelEntry, settings: Settings) -> dict[str, Any]:
    """The model as `GET /v1/models/{id}` shows it (stored in the `models` table)."""
    input_schema = inputs.input_json_schema(entry.schema_name)
    output_schema = inputs.output_json_schema(entry.schema_name)
    pricing = entry.pricing.model_dump(mode="json")
    pricing["formula"] = (
        "finalCost = baseCost (flat per video)"
        if entry.pricing.unit == "video"
        else "finalCost = baseCost × output seconds"
    ) + (" × factors" if entry.pricing.factors else "")
    return {
        "id": entry.id,
        "slug": entry.slug,
        "providerId": entry.providerId,
        "providerName": entry.providerName,
        "name": entry.name,
        "description": f"{entry.description.strip()} {_routing_note(entry, settings)}".strip(),
        "category": entry.category,
        "currentVersion": entry.currentVersion,
        "versions": [
            {
                "versionId": v.versionId,
                "status": v.status,
                "inputSchema": input_schema,
                "outputSchema": output_schema,
            }
            for v in entry.versions
        ],
        "pricing": pricing,
        "rateLimits": entry.rateLimits.model_dump(),
        "processingTimeSeconds": entry.processingTimeSeconds,
        "routing": effective_routing(entry, settings),
        "entry": entry.model_dump(mode="json", by_alias=True),
    }


def sync_models(session: Session, settings: Settings) -> list[str]:
    """Write the pricing file's models into the `models` table; returns their slugs."""
    catalog = load_catalog(settings)
    slugs = []
    for entry in catalog.models:
        queries.upsert_model(session, entry.slug, entry.id, public_spec(entry, settings))
        slugs.append(entry.slug)
    queries.delete_models_except(session, slugs)
    return slugs


def entry_from_spec(spec: dict[str, Any]) -> ModelEntry:
    """Rebuild a catalogue entry from a stored spec (the table is what running servers share)."""
    return ModelEntry.model_validate(spec["entry"])


class ModelCache:
    """Catalogue entries by slug or id, read from the `models` table and kept for ``ttl``
    seconds (the table only changes when a server starts with a new pricing file)."""

    def __init__(self, read: sessionmaker[Session], ttl: float = 10.0) -> None:
        self._read = read
        self._ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, ModelEntry | None]] = {}

    def cached(self, id_or_slug: str) -> tuple[bool, ModelEntry | None]:
        """(hit, entry) without touching the database."""
        hit = self._entries.get(id_or_slug)
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def get(self, id_or_slug: str) -> ModelEntry | None:
        """The entry, read from the database when not cached (a blocking call)."""
        hit = self._entries.get(id_or_slug)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        with self._read() as session:
            record = queries.get_model(session, id_or_slug)
            entry = entry_from_spec(record.spec) if record is not None else None
        with self._lock:
            if len(self._entries) > 1000:
                self._entries.clear()
            self._entries[id_or_slug] = (time.monotonic() + self._ttl, entry)
        return entry


def check_slug(slug: object) -> str:
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise EditbayError(
            ErrorCode.INVALID_MODEL_SLUG,
            f"model: {slug!r} is not a valid model slug (like 'kling-plus/kling-o1-pro/video-edit-fast')",
            {"field": "model"},
        )
    return slug


def check_entry(
    entry: ModelEntry | None, slug: str, version: str | None, account_name: str | None
) -> ModelEntry:
    """The contract's errors for a missing model, a version that is absent or not active, and a
    model this account may not use."""
    if entry is None:
        raise EditbayError(ErrorCode.MODEL_NOT_FOUND, f"model: {slug!r} does not exist", {"field": "model"})
    if entry.accounts is not None and account_name not in entry.accounts:
        raise EditbayError(ErrorCode.MODEL_ACCESS_DENIED, f"this account may not use model {entry.slug!r}")
    wanted = version or entry.currentVersion
    found = next((v for v in entry.versions if v.versionId == wanted), None)
    if found is None:
        raise EditbayError(
            ErrorCode.MODEL_VERSION_NOT_FOUND,
            f"version: model {entry.slug!r} has no version {wanted!r}",
            {"field": "version"},
        )
    if found.status not in ("active", "deprecated"):
        raise EditbayError(
            ErrorCode.MODEL_VERSION_NOT_ACTIVE,
            f"version: {wanted!r} of model {entry.slug!r} is {found.status}",
            {"field": "version"},
        )
    return entry


def resolve_model(
    source: Session | ModelCache, slug: str, version: str | None, account_name: str | None
) -> ModelEntry:
    """The model a request names (from a session or the cache), or the contract's error for a
    bad slug, a missing model or version, or denied access."""
    check_slug(slug)
    if isinstance(source, ModelCache):
        entry = source.get(slug)
    else:
        record = queries.get_model(source, slug)
        entry = entry_from_spec(record.spec) if record is not None else None
    return check_entry(entry, slug, version, account_name)


def quote(entry: ModelEntry, values: dict[str, Any], output_seconds: float | None = None) -> Quote:
    """Price a job from the table: base (flat or × seconds), then each matching factor."""
    pricing = entry.pricing
    seconds: float | None = None
    if pricing.unit == "second":
        seconds = output_seconds if output_seconds and output_seconds > 0 else pricing.assumedSeconds
        base = round(pricing.baseCostMicroCents * seconds)
        breakdown = [
            {"component": f"base ({seconds:g} s × {pricing.baseCostMicroCents})", "costMicroCents": base}
        ]
    else:
        base = pricing.baseCostMicroCents
        breakdown = [{"component": "base (flat per video)", "costMicroCents": base}]
    total = base
    for factor in pricing.factors:
        if factor.applies(values):
            new_total = round(total * factor.multiplier)
            breakdown.append(
                {
                    "component": f"{factor.component} (×{factor.multiplier:g})",
                    "costMicroCents": new_total - total,
                }
            )
            total = new_total
    if total < pricing.minimumMicroCents:
        breakdown.append({"component": "minimum charge", "costMicroCents": pricing.minimumMicroCents - total})
        total = pricing.minimumMicroCents
    return Quote(base=base, total=total, seconds=seconds, breakdown=breakdown)
