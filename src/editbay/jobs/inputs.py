"""Input and output schemas of the served models: the Pydantic models that validate a job's
`input` are the same ones `GET /v1/models/{id}` publishes as `inputSchema` / `outputSchema`."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

AspectRatio = Literal["16:9", "9:16", "1:1", "4:5", "4:3", "3:4", "21:9", "auto"]


#: what `check_http_url` accepts, as the JSON Schema shows it (validation itself is the function)
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?([/?#]\S*)?$"
UrlStr = Annotated[str, Field(json_schema_extra={"format": "uri", "pattern": URL_PATTERN})]


def check_http_url(value: str) -> str:
    """Accept an absolute http(s) URL with a host (an upload's `fileUrl` is one too)."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueError("must be an http(s) URL") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    return value


class ImageRef(BaseModel):
    """A reference image given as an object (`{"url": ...}`), as the seed's schema shows."""

    model_config = ConfigDict(extra="forbid")

    url: UrlStr = Field(description="http(s) URL of the image, or an upload's fileUrl.")

    _url = field_validator("url")(check_http_url)


def _image_item(value: Any) -> Any:
    """Each image is a URL or `{"url": URL}`; errors name the item (`input.images[2]`)."""
    if isinstance(value, str):
        return check_http_url(value)
    if isinstance(value, dict):
        if set(value) != {"url"} or not isinstance(value["url"], str):
            raise ValueError('must be a URL or an object {"url": URL}')
        return ImageRef(url=check_http_url(value["url"]))
    if isinstance(value, ImageRef):
        return value
    raise ValueError('must be a URL or an object {"url": URL}')


ImageItem = Annotated[UrlStr | ImageRef, BeforeValidator(_image_item)]


class VideoEditInput(BaseModel):
    """`input` of the video-edit models (the seed's schema plus the `strict` extension)."""

    model_config = ConfigDict(extra="forbid", title="VideoEditInput")

    prompt: str = Field(min_length=1, max_length=2500, description="The edit instruction, in plain words.")
    video_url: UrlStr = Field(description="http(s) URL of the input video, or an upload's fileUrl.")
    images: list[ImageItem] | None = Field(
        default=None,
        max_length=10,
        description="Reference images / logos (URLs or {url} objects), at most 10.",
    )
    # Absent means "keep the sound unless the instruction asks otherwise" ("mute it"); an
    # explicit true/false is a structured input and wins over the instruction's words.
    keep_original_sound: bool | None = Field(
        default=None,
        description="Keep the input's audio track (absent: kept unless the instruction removes it; "
        "false removes it; true keeps it even if the instruction says to mute).",
    )
    aspect_ratio: AspectRatio | None = Field(
        default=None, description="Output aspect ratio; `auto` or absent keeps the input's."
    )
    strict: bool = Field(
        default=True,
        description="Extension: fail with UNSUPPORTED_EDIT when a clause cannot be done (true), "
        "or apply the supported part and report skipped clauses (false).",
    )

    @field_validator("video_url")
    @classmethod
    def _video_url(cls, value: str | None) -> str | None:
        return None if value is None else check_http_url(value)

    def image_urls(self) -> list[str]:
        return [v if isinstance(v, str) else v.url for v in (self.images or [])]


class VideoEditEstimateInput(VideoEditInput):
    """The same fields, all optional: `POST /v1/jobs/estimate` prices and plans partial input."""

    model_config = ConfigDict(extra="forbid", title="VideoEditEstimateInput")

    prompt: str | None = Field(default=None, min_length=1, max_length=2500)  # type: ignore[assignment]
    video_url: UrlStr | None = None  # type: ignore[assignment]


class OutputFile(BaseModel):
    """One output of a finished job."""

    url: str
    type: Literal["video"] = "video"
    thumbnail: str | None = None
    posterImage: str | None = None


class VideoEditOutput(BaseModel):
    """What a completed video-edit job returns (`output` and `outputs` of `GET /v1/jobs/{id}`)."""

    model_config = ConfigDict(title="VideoEditOutput")

    output: str | None = Field(default=None, description="URL of the first output video.")
    outputs: list[OutputFile] | None = None


#: schema name (as written in the pricing file) → (input model, estimate-input model, output model)
SCHEMAS: dict[str, tuple[type[VideoEditInput], type[VideoEditEstimateInput], type[BaseModel]]] = {
    "video_edit": (VideoEditInput, VideoEditEstimateInput, VideoEditOutput),
}


def input_json_schema(name: str) -> dict[str, Any]:
    return SCHEMAS[name][0].model_json_schema()


def output_json_schema(name: str) -> dict[str, Any]:
    return SCHEMAS[name][2].model_json_schema()
