"""Geometry: exact sizes in the graph (golden), then dimensions and pixel layout of real renders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from media_utils import Video, diff, laplacian_energy, load, make_clip

from conftest import MEDIA, graph_of
from editbay.engine.ops import Aspect, Flip, Resize, Rotate, Zoom
from editbay.engine.render.geometry import crop_size, pad_size


@pytest.mark.parametrize(("size", "ratio", "crop", "pad"), [
    ((1920, 1080), 9 / 16, (608, 1080), (1080, 1920)),
    ((1920, 1080), 1.0, (1080, 1080), (1920, 1920)),
    ((1080, 1920), 16 / 9, (1080, 608), (1920, 1080)),
    ((641, 361), 4 / 5, (288, 360), (512, 640)),
])
def test_crop_and_pad_sizes_are_even_and_on_ratio(size, ratio, crop, pad) -> None:
    assert crop_size(*size, ratio) == crop
    assert pad_size(*size, ratio) == pad


def test_aspect_crop_is_centred() -> None:
    assert graph_of([Aspect(ratio="9:16")]) == "[0:v:0]crop=w=202:h=360:x=219:y=0,setsar=r=1[vout]"


def test_aspect_already_right_adds_nothing() -> None:
    assert graph_of([Aspect(ratio="16:9")]) == ""


def test_pad_black_scales_into_a_canvas() -> None:
    assert graph_of([Aspect(ratio="1:1", mode="pad_black")]) == (
        "[0:v:0]scale=w=640:h=360,setsar=r=1,pad=w=640:h=640:x=0:y=140:color=black[vout]")


def test_pad_blur_fills_the_canvas_with_a_small_blurred_copy() -> None:
    assert graph_of([Aspect(ratio="9:16", mode="pad_blur")]) == (
        "[0:v:0]split=outputs=2[v1][v2];"
        "[v2]scale=w=143:h=80:flags=area,crop=w=45:h=80:x=49:y=0,gblur=sigma=2,"
        "lutyuv=y=val*0.75:u=val:v=val,scale=w=360:h=640:flags=bilinear,setsar=r=1[g3];"
        "[v1]scale=w=360:h=202,setsar=r=1[g4];[g3][g4]overlay=x=0:y=219[vout]")


def test_rotate_flip_resize_zoom_graphs() -> None:
    assert graph_of([Rotate(degrees=90)]) == "[0:v:0]transpose=dir=clock[vout]"
    assert graph_of([Rotate(degrees=270)]) == "[0:v:0]transpose=dir=cclock[vout]"
    assert graph_of([Rotate(degrees=180)]) == "[0:v:0]hflip,vflip[vout]"
    assert graph_of([Flip(direction="vertical")]) == "[0:v:0]vflip[vout]"
    assert graph_of([Resize(width=1280)]) == "[0:v:0]scale=w=1280:h=720:flags=bicubic,setsar=r=1[vout]"
    assert graph_of([Resize(scale=0.5)]) == "[0:v:0]scale=w=320:h=180:flags=bicubic,setsar=r=1[vout]"
    assert graph_of([Zoom(factor=2.0)]) == (
        "[0:v:0]crop=w=320:h=180:x=160:y=90,scale=w=640:h=360:flags=bicubic,setsar=r=1[vout]")
    assert graph_of([Zoom(factor=1.5, slow=True)]) == (
        r"[0:v:0]zoompan=z=1+0.5*min(on/179\,1):x=iw/2-(iw/zoom/2):y=ih/2-(ih/zoom/2):d=1:s=640x360:fps=30,"
        "setsar=r=1[vout]")


def test_sizes_are_tracked_through_the_plan() -> None:
    g = graph_of([Rotate(degrees=90), Aspect(ratio="1:1"), Zoom(factor=2.0)])
    assert "crop=w=360:h=360:x=0:y=140" in g and "crop=w=180:h=180:x=90:y=90" in g


def test_odd_input_size_is_cropped_to_even() -> None:
    odd = MEDIA.model_copy(update={"width": 641, "height": 361, "video_codec": "h264"})
    assert graph_of([Flip(direction="horizontal")], odd) == "[0:v:0]hflip,crop=w=640:h=360:x=0:y=0[vout]"


# ---- measured ---------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("op", "size"), [
    (Aspect(ratio="9:16"), (102, 180)),
    (Aspect(ratio="1:1", mode="pad_black"), (320, 320)),
    (Aspect(ratio="9:16", mode="pad_blur"), (180, 320)),
    (Aspect(ratio="4:5", mode="crop"), (144, 180)),
    (Rotate(degrees=90), (180, 320)),
    (Resize(height=90), (160, 90)),
], ids=lambda x: getattr(x, "op", None) or str(x))
def test_output_dimensions(render_ops, op, size) -> None:
    result, out = render_ops([op])
    assert (out.width, out.height) == size == (result.width, result.height)


@pytest.mark.slow
@pytest.mark.parametrize(("op", "transform"), [
    (Flip(direction="horizontal"), lambda f: f[:, ::-1]),
    (Flip(direction="vertical"), lambda f: f[::-1]),
    (Rotate(degrees=180), lambda f: f[::-1, ::-1]),
    (Rotate(degrees=90), lambda f: np.rot90(f, -1)),
    (Rotate(degrees=270), lambda f: np.rot90(f, 1)),
], ids=["hflip", "vflip", "rot180", "rot90", "rot270"])
def test_pixels_are_mirrored_or_rotated(render_ops, clip_video: Video, op, transform) -> None:
    _, out = render_ops([op])
    expected = transform(clip_video.frames[10])
    assert diff(out.frames[10], expected) < 0.03
    assert diff(out.frames[10], expected) < 0.3 * diff(out.frames[10][::-1, ::-1], expected)


def _small(img: np.ndarray, w: int, h: int) -> np.ndarray:
    ys = (np.arange(h) + 0.5) * img.shape[0] / h
    xs = (np.arange(w) + 0.5) * img.shape[1] / w
    return img[ys.astype(int)][:, xs.astype(int)]


@pytest.mark.slow
def test_pad_blur_keeps_the_whole_frame_in_the_middle(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Aspect(ratio="9:16", mode="pad_blur")])
    frame = out.frames[10]
    middle = frame[109:211]  # the 180x102 picture, centred in 180x320
    assert diff(_small(middle, 36, 20), _small(clip_video.frames[10], 36, 20)) < 0.06
    assert laplacian_energy(frame[:100]) < 0.2 * laplacian_energy(middle)  # background is blurred


@pytest.mark.slow
def test_static_zoom_shows_the_centre_enlarged(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Zoom(factor=2.0)])
    centre = clip_video.frames[10][45:135, 80:240]
    assert diff(out.frames[10][::2, ::2], centre) < 0.06


@pytest.mark.slow
def test_ken_burns_zooms_progressively(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Zoom(factor=2.0, slow=True)])
    assert (out.width, out.height) == (320, 180) and len(out.frames) == len(clip_video.frames)
    assert diff(out.frames[0], clip_video.frames[0]) < 0.05
    assert diff(out.frames[-1][::2, ::2], clip_video.frames[-1][45:135, 80:240]) < 0.08


@pytest.mark.slow
def test_phone_rotation_is_applied_to_pixels(render_ops, media_dir: Path) -> None:
    rotated = make_clip(media_dir / "phone.mp4", rotate=90)
    result, out = render_ops([Flip(direction="horizontal")], src=rotated)
    assert (out.width, out.height) == (180, 320)
    with __import__("av").open(str(result.output)) as c:
        frame = next(c.decode(video=0))
        assert (frame.rotation or 0) == 0  # pixels turned, no rotation tag left
    assert load(rotated).width == 320  # PyAV decodes the unrotated pixels


@pytest.mark.slow
def test_odd_input_renders_even(render_ops, media_dir: Path) -> None:
    odd = make_clip(media_dir / "odd.mp4", width=321, height=181, duration=1.0)
    result, _ = render_ops([Flip(direction="vertical")], src=odd)
    assert (result.width, result.height) == (320, 180)
