"""One analysis pass over the input for every vision operation of a plan → `VisionData` for the render.

The input is decoded once (PyAV, frame threads, scaled on a worker thread to a short side of 360 px
when faces are needed, else 240 px); each analyser takes what it needs from each frame: face
detection on keyframes, person mattes on keyframes, global motion and moving-subject centres on
every frame, a few colour samples, shot-cut scores. Afterwards the results are turned into what
ffmpeg reads in the single render pass: mask videos, a ``.cube`` LUT, per-frame crop commands.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from editbay.engine.errors import RenderCancelled, UnsupportedEdit
from editbay.engine.ops import (
    Background,
    ColorMatch,
    EditPlan,
    FaceBlur,
    MediaInfo,
    Operation,
    Reframe,
    Scenes,
    Stabilize,
)
from editbay.engine.vision import colour, masks, motion, scenes, segment, subject
from editbay.engine.vision.faces import FaceAnalyser, FaceTracks
from editbay.engine.vision.frames import FrameReader, analysis_size, stream_facts

_Op = TypeVar("_Op")

log = logging.getLogger(__name__)

VISION_OPS = (FaceBlur, Background, ColorMatch, Stabilize, Reframe, Scenes)
MASK_SHORT_SIDE = 180  # mask videos: soft-edged, scaled up in the graph


@dataclass
class VisionData:
    """Analysis results the renderer's vision nodes read (all on the input's frames and clock)."""

    width: int = 0  # display size of the input
    height: int = 0
    fps: float = 30.0
    times: list[float] = field(default_factory=list)  # frame times on the render's clock
    face_masks: Path | None = None
    face_width: float = 0.0  # typical face width, fraction of the frame width
    faces_found: int = 0
    background_masks: Path | None = None
    lut: Path | None = None
    stabilise: motion.StabilisePath | None = None
    reframe: np.ndarray | None = None  # window centre per frame (fraction along the panned axis)
    shots: scenes.Shots | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def vision_ops(plan: EditPlan) -> list[Operation]:
    return [op for op in plan.operations if isinstance(op, VISION_OPS)]


def _first(ops: Sequence[Operation], kind: type[_Op]) -> _Op | None:
    return next((op for op in ops if isinstance(op, kind)), None)


def _reframe_span(op: Reframe, width: int, height: int) -> tuple[float, int]:
    """(window size as a fraction along the panned axis, axis: 0 = x, 1 = y)."""
    a, b = (op.ratio or "9:16").split(":")
    target = int(a) / int(b)
    if width / height > target:
        return height * target / width, 0
    return width / target / height, 1


def analyse(
    plan: EditPlan,
    input_path: str | Path,
    media: MediaInfo,
    images: Sequence[Path],
    workdir: Path,
    cancel: threading.Event | None = None,
) -> VisionData:
    """Run the analysis the plan's vision operations need; write their files into ``workdir``.

    Raises `RenderCancelled` soon after ``cancel`` is set.
    """
    started = time.monotonic()
    found = vision_ops(plan)
    face_op, background_op = _first(found, FaceBlur), _first(found, Background)
    colour_op, stabilise_op = _first(found, ColorMatch), _first(found, Stabilize)
    rotation = getattr(media, "rotation", 0) or 0
    facts = stream_facts(input_path, rotation)
    data = VisionData(width=facts.width, height=facts.height, fps=facts.fps)
    reframe = _first(found, Reframe)
    need_faces = (
        face_op is not None
        or background_op is not None
        or (reframe is not None and reframe.subject == "person")
    )
    size = analysis_size(facts.width, facts.height, 360 if need_faces else 240)
    mask_size = analysis_size(facts.width, facts.height, MASK_SHORT_SIDE)
    step = max(1, round(facts.fps / 5))
    faces = FaceAnalyser(step=step, max_gap=int(facts.fps)) if need_faces else None
    mattes = segment.MatteAnalyser(step=step) if background_op is not None else None
    shake = motion.MotionAnalyser() if stabilise_op is not None else None
    movers = subject.MotionCentre() if reframe is not None else None
    sampler = colour.ColourSampler(every=max(1, facts.frames // 24)) if colour_op is not None else None
    cuts = scenes.CutDetector() if _first(found, Scenes) is not None else None
    for frame in FrameReader(input_path, size, rotation=rotation):
        if cancel is not None and frame.index % 16 == 0 and cancel.is_set():
            raise RenderCancelled("the render was cancelled during the picture analysis")
        data.times.append(frame.time)
        gray = frame.gray
        if faces is not None:
            faces.feed(frame.index, gray)
        if mattes is not None and faces is not None and mattes.wants(frame.index):
            mattes.feed(frame.index, frame.rgb(), faces.live_boxes(frame.index))
        if shake is not None:
            shake.feed(gray)
        if movers is not None:
            movers.feed(gray)
        if sampler is not None and sampler.wants(frame.index):
            sampler.feed(frame.rgb())
        if cuts is not None:
            cuts.feed(frame.time, frame.rgb())
    count = len(data.times)
    if count == 0:
        data.notes.append("no video frame could be decoded for analysis")
        return data
    tracks = faces.finish() if faces is not None else None
    if tracks is not None:
        data.faces_found, data.face_width = len(tracks), tracks.max_width()
    if face_op is not None and tracks is not None:
        _face_masks(data, face_op, tracks, mask_size, workdir, count)
    if mattes is not None and tracks is not None:
        data.background_masks = masks.write_mask_video(
            workdir / "background_mask.nut",
            mask_size,
            data.times,
            (255 - mattes.matte(i, tracks, mask_size) for i in range(count)),
        )
        if not len(tracks):
            data.notes.append(
                "background: no face found, so the subject was taken to be the centre of the frame"
            )
    if sampler is not None and colour_op is not None:
        _colour(data, colour_op, sampler, images, workdir)
    if shake is not None and stabilise_op is not None:
        data.stabilise = motion.stabilise_path(
            shake.motion, facts.fps, stabilise_op.strength, facts.width / facts.height
        )
        data.notes.append(
            f"stabilise: zoom {data.stabilise.zoom:.3f}, about "
            f"{data.stabilise.shake() * facts.width:.1f} px of shake per frame removed"
        )
    if reframe is not None and movers is not None:
        _reframe(data, reframe, tracks, movers, count)
    if cuts is not None:
        duration = count / facts.fps if not media.duration else media.duration
        data.shots = scenes.shots_from(cuts, facts.fps, duration)
    data.seconds = time.monotonic() - started
    log.info("vision analysis: %d frames at %dx%d in %.2f s", count, size[0], size[1], data.seconds)
    return data


def _face_masks(
    data: VisionData, op: FaceBlur, tracks: FaceTracks, size: tuple[int, int], workdir: Path, count: int
) -> None:
    if not len(tracks):
        data.notes.append("face blur: no face was found in the video, so no region was obscured")
        return
    shape = "box" if op.style == "box" else "ellipse"
    data.face_masks = masks.write_mask_video(
        workdir / "face_mask.nut",
        size,
        data.times,
        (
            masks.ellipse_mask(size, tracks.boxes(i), shape=shape, soft=0.0 if shape == "box" else 0.15)
            for i in range(count)
        ),
    )
    data.notes.append(f"face blur: {len(tracks)} face(s) found and followed")


def _colour(
    data: VisionData, op: ColorMatch, sampler: colour.ColourSampler, images: Sequence[Path], workdir: Path
) -> None:
    if op.image_index >= len(images):
        raise UnsupportedEdit(
            f"colour match needs a reference image: images[{op.image_index}] was not given",
            [op.source or "colour match"],
        )
    ref = colour.lab_stats([colour.load_image_rgb(images[op.image_index])])
    src = colour.lab_stats(sampler.samples)
    data.lut = workdir / "colour_match.cube"
    data.lut.write_text(colour.build_cube(src, ref, op.strength), encoding="utf-8")
    data.notes.append(
        "colour match: Lab mean {} → {}".format(
            "/".join(f"{v:.0f}" for v in src.mean), "/".join(f"{v:.0f}" for v in ref.mean)
        )
    )


def _reframe(
    data: VisionData, op: Reframe, tracks: FaceTracks | None, movers: subject.MotionCentre, count: int
) -> None:
    span, axis = _reframe_span(op, data.width, data.height)
    use_faces = tracks if op.subject == "person" else None
    path = subject.subject_path(count, data.fps, span, axis, use_faces, movers.centres)
    if path is None and op.subject == "person" and tracks is not None:
        path = subject.subject_path(count, data.fps, span, axis, None, movers.centres)
    if path is None:
        data.notes.append("reframe: no subject found to follow, so the crop stays centred")
        return
    if data.stabilise is not None:  # the window is placed on the stabilised picture
        st = data.stabilise
        shift = (st.dx if axis == 0 else st.dy)[: len(path)]
        path = np.clip((path[: len(shift)] + shift - 0.5) * st.zoom + 0.5, span / 2, 1 - span / 2)
    data.reframe = path
    moved = float(path.max() - path.min()) * (data.width if axis == 0 else data.height)
    data.notes.append(f"reframe: window follows the subject (moves over {moved:.0f} px)")
    if math.isnan(moved):
        data.reframe = None
