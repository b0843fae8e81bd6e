"""`keep_original_sound` absent must let the instruction decide ("mute it" removes the audio)."""

from editbay.engine.ops import MediaInfo, Mute
from editbay.engine.plan import plan_edit
from editbay.jobs.inputs import VideoEditInput


def test_absent_keep_original_sound_is_not_an_explicit_true():
    data = VideoEditInput.model_validate(
        {"prompt": "silence the audio track", "video_url": "https://example.com/a.mp4"}
    ).model_dump(exclude_none=True)
    assert "keep_original_sound" not in data
    media = MediaInfo(width=640, height=360, duration=6.0, has_audio=True)
    plan = plan_edit(data["prompt"], keep_original_sound=data.get("keep_original_sound"), media=media)
    assert any(isinstance(op, Mute) for op in plan.operations)
    assert plan.has_audio is False


def test_explicit_false_still_mutes_and_explicit_true_is_kept():
    media = MediaInfo(width=640, height=360, duration=6.0, has_audio=True)
    muted = plan_edit("make it black and white", keep_original_sound=False, media=media)
    assert muted.has_audio is False
    kept = plan_edit("make it black and white and mute it", keep_original_sound=True, media=media)
    assert kept.has_audio is True
