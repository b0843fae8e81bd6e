"""Property: any text gives a plan or a clean refusal, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import EditPlan
from editbay.engine.parse import parse
from editbay.engine.plan import plan_edit

_WORDS = st.sampled_from(
    "make it black and white speed up 2x slow down half twice mute the audio louder quieter -3 dB fade in "
    "out to black from 0:02 to 0:05 first last 3 seconds rotate 90 left flip mirror vertical tiktok 9:16 "
    "square logo title 'Hi' \"there\" saying caption top bottom left right blur sharpen vignette grain "
    "sepia warm cool dragon sky replace remove add person smile , ; . then also plus % x 1.5 K 720p".split()
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_without_exceptions(text: str) -> None:
    assert isinstance(parse(text), EditPlan)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_WORDS, max_size=25).map(" ".join),
    st.lists(st.sampled_from(["a.png", "b.png"]), max_size=2),
    st.sampled_from([None, True, False]),
    st.sampled_from([None, "auto", "9:16", "1:1", "16:9", "7:3"]),
)
def test_edit_like_text_plans_or_refuses_cleanly(
    text: str, images: list[str], keep: bool | None, ratio: str | None
) -> None:
    try:
        plan = plan_edit(text, images=images, keep_original_sound=keep, aspect_ratio=ratio)
    except UnsupportedEdit as exc:
        assert str(exc)
        return
    assert plan.operations and not plan.unsupported
    plan.model_dump(mode="json")
