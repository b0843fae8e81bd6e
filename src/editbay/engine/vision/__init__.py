"""Vision-assisted edits on CPU: analyse the picture, then render in the one ffmpeg pass.

Faces (OpenCV Haar cascades, tracked), a person matte (face-anchored prior + GrabCut), camera
motion (Lucas-Kanade + RANSAC), a moving-subject path, colour statistics (CIE Lab) and shot cuts
are measured in one PyAV decode pass at reduced size (`analyse`); the results become mask videos,
a ``.cube`` LUT and ``sendcmd`` scripts that the graph nodes in `nodes` use. Shot selections are
resolved by the planner when it can read the input (`resolve_scenes`), so the plan shows the exact
trims and the price uses the exact output length.

    data = prepare(plan, "in.mp4", probe("in.mp4"), images=[], workdir=tmp)   # render() does this
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from editbay.engine.ops import EditPlan, MediaInfo, Operation, Scenes, Unsupported

__all__ = ["VISION_KINDS", "needed", "prepare", "resolve_scenes"]

VISION_KINDS = frozenset({"face_blur", "background", "color_match", "stabilize", "reframe", "scenes"})


def needed(plan: EditPlan) -> bool:
    """Whether the plan has an operation that needs the picture analysed before rendering."""
    return any(op.op in VISION_KINDS for op in plan.operations)


def prepare(
    plan: EditPlan,
    input_path: str | Path,
    media: MediaInfo,
    images: Sequence[Path],
    workdir: Path,
    cancel: threading.Event | None = None,
) -> object:
    """Analyse the input for the plan's vision operations; returns the `VisionData` for the render.

    What the analysis found (faces, shots, the zoom stabilisation needed …) is appended to
    ``plan.notes``, so the finished job's plan says it.
    """
    from editbay.engine.vision.analyse import analyse

    data = analyse(plan, input_path, media, images, workdir, cancel=cancel)
    plan.notes.extend(note for note in data.notes if note not in plan.notes)
    return data


def resolve_scenes(
    ops: list[Operation], media: MediaInfo | None, notes: list[str], unsupported: list[Unsupported]
) -> list[Operation]:
    """Replace shot selections by trims/cuts when the input can be read (``media.path``).

    Without a readable input (an estimate without a video) the `Scenes` operation stays in the plan
    and the renderer resolves it. Several shot requests combine: kept shots of all, minus dropped.
    """
    wanted = [op for op in ops if isinstance(op, Scenes)]
    path = getattr(media, "path", "") if media is not None else ""
    if not wanted or not path or not Path(path).is_file():
        return ops
    from editbay.engine.vision import scenes
    from editbay.engine.vision.analyse import analyse

    merged = combine_scenes(wanted)
    data = analyse(EditPlan(operations=[merged]), path, media, (), Path("."))  # type: ignore[arg-type]
    rest: list[Operation] = [op for op in ops if not isinstance(op, Scenes)]
    if data.shots is None:
        unsupported.append(Unsupported(clause=merged.source, reason="the video could not be analysed"))
        return rest
    time_ops, refusal, note = scenes.resolve(merged, data.shots)
    notes.append(note)
    if refusal is not None:
        unsupported.append(refusal)
    return time_ops + rest


def combine_scenes(ops: Sequence[Scenes]) -> Scenes:
    """One selection from several ("drop the middle shot" + "keep the opening and the ending")."""
    if len(ops) == 1:
        return ops[0]
    keep = tuple(dict.fromkeys(ref for op in ops for ref in op.keep))
    drop = tuple(dict.fromkeys(ref for op in ops for ref in op.drop))
    starts = [op.start for op in ops if op.start is not None]
    ends = [op.end for op in ops if op.end is not None]
    return Scenes(
        keep=keep,
        drop=drop,
        start=starts[-1] if starts else None,
        end=ends[-1] if ends else None,
        source="; ".join(dict.fromkeys(op.source for op in ops if op.source)),
        confidence=min(op.confidence for op in ops),
    )
