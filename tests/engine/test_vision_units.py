"""Vision pieces without rendering: shot selection, camera paths, colour transfer, tracks, graph nodes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import MEDIA, build_of
from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import (
    Background,
    ColorMatch,
    Cut,
    EditPlan,
    FaceBlur,
    MediaInfo,
    Reframe,
    Scenes,
    Stabilize,
    Trim,
)
from editbay.engine.plan import normalize_plan, plan_edit
from editbay.engine.vision import combine_scenes
from editbay.engine.vision.analyse import VisionData
from editbay.engine.vision.colour import LabStats, build_cube, lab_to_srgb, srgb_to_lab, transfer
from editbay.engine.vision.faces import FaceTracks, Track
from editbay.engine.vision.motion import gaussian_smooth, stabilise_path
from editbay.engine.vision.nodes import sendcmd_script
from editbay.engine.vision.scenes import CutDetector, Shots, as_time_ops, resolve, select

THREE = Shots((0.0, 2.0, 4.0), 6.0)


@pytest.mark.parametrize(
    ("op", "kept"),
    [
        (Scenes(drop=(1,)), [1, 2]),
        (Scenes(keep=(-1,)), [2]),
        (Scenes(keep=("middle",)), [1]),
        (Scenes(keep=(1, 3)), [0, 2]),
        (Scenes(drop=("middle",)), [0, 2]),
        (Scenes(drop=(1,), start=2), [1, 2]),
        (Scenes(end=2), [0, 1]),
    ],
)
def test_shot_selection(op: Scenes, kept: list[int]) -> None:
    assert select(op, THREE) == (kept, None)


@pytest.mark.parametrize(
    ("op", "why"),
    [
        (Scenes(keep=(5,)), "no shot 5"),
        (Scenes(drop=(1, 2, 3)), "nothing would be left"),
        (Scenes(drop=(4,)), "no shot 4"),
    ],
)
def test_impossible_shot_selections_say_why(op: Scenes, why: str) -> None:
    kept, reason = select(op, THREE)
    assert not kept and reason is not None and why in reason


def test_middle_of_an_even_number_of_shots_is_refused() -> None:
    assert "no single middle" in (select(Scenes(keep=("middle",)), Shots((0, 1, 2, 3), 4))[1] or "")


def test_kept_shots_become_one_trim_and_a_cut_per_gap() -> None:
    ops, refusal, note = resolve(Scenes(keep=(1, 3), source="keep shots 1 and 3"), THREE)
    assert refusal is None and "3 shot(s) found" in note
    assert [(o.op, o.start, o.end) for o in ops] == [("cut", 2.0, 4.0)]
    five = Shots((0, 1, 2, 3, 4), 5)
    ops = as_time_ops([(1.0, 2.0), (3.0, 4.0)], five.duration, "s", 1.0)
    assert [type(o) for o in ops] == [Trim, Cut] and (ops[0].start, ops[0].end) == (1.0, 4.0)


def test_several_shot_requests_combine() -> None:
    merged = combine_scenes([Scenes(drop=("middle",), source="a"), Scenes(keep=(1, -1), source="b")])
    assert select(merged, THREE) == ([0, 2], None)


def test_later_cuts_see_the_stream_earlier_cuts_left() -> None:
    plan = plan_edit(
        "cut out 1s to 2s and cut out 3s to 4s", media=MediaInfo(width=640, height=360, duration=6)
    )
    assert [(o.start, o.end) for o in plan.operations] == [(1.0, 2.0), (2.0, 3.0)]
    assert plan.output_duration == 4.0


def test_reframe_output_size_is_planned() -> None:
    plan = normalize_plan(
        EditPlan(operations=[Reframe(ratio="9:16")]), MediaInfo(width=640, height=360, duration=2)
    )
    assert (plan.output_width, plan.output_height) == (202, 360)


def test_vision_operations_come_before_time_and_geometry() -> None:
    plan = plan_edit("speed it up 2x, blur the faces and stabilise it", check=False)
    assert [op.op for op in plan.operations] == ["face_blur", "stabilize", "speed"]


def test_cut_detector_finds_hard_cuts_only() -> None:
    detector = CutDetector()
    rng = np.random.default_rng(1)
    for i in range(60):
        colour = [(200, 40, 40), (40, 200, 40), (40, 40, 200)][i // 20]
        frame = np.clip(np.full((36, 64, 3), colour, np.float32) + rng.normal(0, 6, (36, 64, 3)), 0, 255)
        detector.feed(i / 20, frame.astype(np.uint8))
    assert detector.cuts(20.0) == [20, 40]


def test_gaussian_smoothing_keeps_a_steady_path_and_removes_jitter() -> None:
    steady = np.linspace(0, 1, 50)
    jitter = steady + np.where(np.arange(50) % 2, 0.05, -0.05)
    smoothed = gaussian_smooth(jitter, 3.0)
    assert np.abs(smoothed - steady)[5:-5].max() < 0.01


def test_stabilise_path_cancels_shake_and_bounds_the_zoom() -> None:
    rng = np.random.default_rng(2)
    shake = rng.uniform(-0.01, 0.01, size=(100, 2))
    motion = [(0.0, 0.0, 0.0)] + [
        (b[0] - a[0], b[1] - a[1], 0.0) for a, b in zip(shake, shake[1:], strict=False)
    ]
    path = stabilise_path(motion, 30.0, 0.6, 16 / 9)
    # the correction undoes the shake around the smooth path
    assert (
        np.abs(
            path.dx[10:-10]
            + (shake[10:-10, 0] - shake[0, 0])
            - np.mean(path.dx[10:-10] + shake[10:-10, 0] - shake[0, 0])
        ).max()
        < 0.005
    )
    assert 1.0 < path.zoom <= 1.2 and not path.rotates
    wild = stabilise_path(
        [(0.0, 0.0, 0.0)] + [(0.3 * (-1) ** i, 0.0, 0.0) for i in range(50)], 30.0, 1.0, 1.0
    )
    assert wild.zoom == pytest.approx(1.2)
    assert np.abs(wild.dx).max() <= (1 - 1 / 1.2) / 2 + 1e-9


def test_lab_round_trip_and_transfer_to_reference_statistics() -> None:
    rgb = np.random.default_rng(4).uniform(0.05, 0.95, (500, 3))
    assert np.abs(lab_to_srgb(srgb_to_lab(rgb)) - rgb).max() < 1e-3
    src = LabStats(np.array([50.0, 0.0, 0.0]), np.array([20.0, 10.0, 10.0]))
    ref = LabStats(np.array([60.0, 30.0, 40.0]), np.array([15.0, 8.0, 6.0]))
    lab = np.array([[50.0, 0.0, 0.0], [70.0, 10.0, -10.0]])
    moved = transfer(lab, src, ref, 1.0)
    assert moved[0] == pytest.approx(ref.mean)
    assert moved[1] == pytest.approx([60 + 20 * 0.75, 30 + 10 * 0.8, 40 - 10 * 0.6])
    assert transfer(lab, src, ref, 0.0) == pytest.approx(lab)


def test_cube_file_has_every_lattice_point() -> None:
    same = LabStats(np.array([50.0, 0.0, 0.0]), np.array([20.0, 10.0, 10.0]))
    lines = build_cube(same, same, 1.0, size=5).splitlines()
    assert lines[1] == "LUT_3D_SIZE 5" and len(lines) == 2 + 125
    assert [float(v) for v in lines[-1].split()] == pytest.approx([1.0, 1.0, 1.0], abs=2e-3)  # identity


def test_face_tracks_interpolate_between_keyframes_and_hold_briefly() -> None:
    track = Track(hits={10: (0.1, 0.2, 0.1, 0.1), 20: (0.3, 0.2, 0.1, 0.1)}, confirmed=True)
    tracks = FaceTracks([track], step=5, frames=40)
    assert tracks.boxes(15)[0][0] == pytest.approx(0.2)
    assert tracks.boxes(6) and tracks.boxes(24)  # held a step before and after
    assert not tracks.boxes(3) and not tracks.boxes(30)


def test_sendcmd_script_only_lists_changes() -> None:
    script = sendcmd_script([0.0, 0.04, 0.08, 0.12], 25.0, ["c x 1", "c x 1", "c x 2", "c x 2"])
    assert script.splitlines() == ["0.0000 c x 1;", "0.0700 c x 2;"]


def vision_data(tmp: Path) -> VisionData:
    n = 180
    return VisionData(
        width=640,
        height=360,
        fps=30.0,
        times=[i / 30 for i in range(n)],
        face_masks=tmp / "face_mask.nut",
        face_width=0.15,
        background_masks=tmp / "bg_mask.nut",
        lut=tmp / "colour_match.cube",
        stabilise=stabilise_path(
            [(0.0, 0.0, 0.0)] + [(0.01 * (-1) ** i, 0.0, 0.0) for i in range(n - 1)], 30.0, 0.6, 16 / 9
        ),
        reframe=np.linspace(0.2, 0.8, n),
        shots=THREE,
    )


def test_vision_nodes_compile_into_the_single_graph(tmp_path: Path) -> None:
    data = vision_data(tmp_path)
    job = build_of([FaceBlur(), Background(), Stabilize(), Reframe(ratio="9:16"), ColorMatch()], vision=data)
    graph = job.graph
    assert graph.count("maskedmerge") == 2 and "movie=filename=" in graph
    assert "crop@stab=" in graph and "crop@reframe=" in graph and graph.count("sendcmd") == 2
    assert "lut3d=file=" in graph
    assert (job.width, job.height) == (202, 360)
    assert {p.name for p, _ in job.files} == {"stabilise.cmd", "reframe.cmd"}
    argv = list(job.argv)
    assert argv.count("-i") == 1  # masks come in through the graph, the input is read once


def test_unresolved_shots_compile_to_trims_and_a_concat(tmp_path: Path) -> None:
    job = build_of([Scenes(keep=(1, 3))], vision=vision_data(tmp_path))
    assert "concat=n=2" in job.graph and job.duration == pytest.approx(4.0)


def test_vision_nodes_without_analysis_are_refused() -> None:
    with pytest.raises(UnsupportedEdit):
        build_of([FaceBlur()], media=MEDIA)


def test_roll_is_corrected_only_when_the_camera_really_rolls() -> None:
    rng = np.random.default_rng(6)
    noise = [(0.0, 0.0, float(a)) for a in rng.normal(0, np.radians(0.02), 120)]
    assert not stabilise_path(noise, 30.0, 0.6, 16 / 9).rotates  # estimation noise: no rotate filter
    roll = [(0.0, 0.0, float(a)) for a in rng.normal(0, np.radians(0.6), 120)]
    assert stabilise_path(roll, 30.0, 0.6, 16 / 9).rotates
