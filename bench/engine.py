"""Engine render speed: each colour/tone/effect operation against the plain transcode floor, the
engine end to end against the bare ffmpeg CLI running the identical argv, and moviepy (if installed).

    .venv/bin/python bench/engine.py [--seconds 10] [--size 1920x1080] [--repeat 3] [--only warm,blur]
                                     [--threads N] [--scan-threads] [--markdown out.md] [--no-api]

The clip is generated (testsrc2 + a 440 Hz tone, 30 fps). Every timing is the minimum of --repeat
runs, taken alternately with the floor (the machine is shared: the minimum is the least disturbed,
and CPU seconds are reported next to wall seconds). Targets (docs/engine.md): colour
and effect operations ≤ 1.25x the floor; the engine ≤ 1.05x the bare CLI with the same argv;
through the API (`editbay serve` with its embedded worker on SQLite, the clip fetched from a
loopback HTTP server, submit → `completed` seen by the client) ≤ 1.3x the bare render.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from editbay.engine import plan_edit, probe, render
from editbay.engine.media import ffmpeg_exe
from editbay.engine.ops import (
    Aspect,
    Blur,
    Denoise,
    EditPlan,
    Glow,
    Grade,
    Grain,
    Invert,
    Lut,
    Pixelate,
    Resize,
    Sharpen,
    Speed,
    Temperature,
    Text,
    Tone,
    Vignette,
)
from editbay.engine.render import RenderInputs, build, default_threads, find_fonts

OPS: dict[str, list] = {
    "black_white": [Grade(style="black_white")],
    "sepia": [Grade(style="sepia")],
    "warm": [Grade(style="warm")],
    "cool": [Grade(style="cool")],
    "teal_orange": [Grade(style="teal_orange")],
    "cinematic": [Grade(style="cinematic")],
    "vintage": [Grade(style="vintage")],
    "faded": [Grade(style="faded")],
    "high_contrast": [Grade(style="high_contrast")],
    "vivid": [Grade(style="vivid")],
    "muted": [Grade(style="muted")],
    "brightness+contrast": [Tone(brightness=0.1, contrast=1.2)],
    "temperature 3200K": [Temperature(kelvin=3200)],
    "invert": [Invert()],
    "lut kodachrome": [Lut(preset="kodachrome")],
    "teal_orange+vivid+tone": [Grade(style="teal_orange"), Grade(style="vivid"), Tone(gamma=1.1)],
    "blur (light)": [Blur(strength=0.2)],
    "blur (strong)": [Blur(strength=0.9)],
    "sharpen": [Sharpen()],
    "denoise": [Denoise()],
    "vignette": [Vignette()],
    "grain": [Grain()],
    "pixelate": [Pixelate()],
    "glow": [Glow()],
    "b&w + vignette": [Grade(style="black_white"), Vignette()],
    "speed x2": [Speed(factor=2.0)],
    "crop 9:16": [Aspect(ratio="9:16")],
    "crop 9:16 + scale 1080x1920": [Aspect(ratio="9:16"), Resize(width=1080, height=1920)],
    "pad 9:16 blurred": [Aspect(ratio="9:16", mode="pad_blur")],
    "text caption": [Text(text="Summer 2024", position="bottom")],
}
DEV_SET_GRAIN = "noise=alls=15:allf=t"
COLOUR_EFFECT = set(list(OPS)[:24])  # the ones held to the 1.25x target


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds, minimum over the repeats
    cpu: float  # user + system seconds of this process and its children, minimum over the repeats


def measure(fn: Callable[[], object]) -> Timing:
    r0s, r0c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    r1s, r1c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    fields = ("ru_utime", "ru_stime")
    cpu = sum(getattr(b, f) - getattr(a, f) for a, b in ((r0s, r1s), (r0c, r1c)) for f in fields)
    return Timing(wall, cpu)


def paired(fn: Callable[[], object], ref: Callable[[], object], repeat: int) -> tuple[Timing, Timing]:
    """Time ``fn`` and ``ref`` alternately (A B A B …) so load drift on a shared machine hits both."""
    a, b = [], []
    for _ in range(repeat):
        a.append(measure(fn))
        b.append(measure(ref))
    return (Timing(min(t.wall for t in a), min(t.cpu for t in a)),
            Timing(min(t.wall for t in b), min(t.cpu for t in b)))


def ff(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def make_clip(path: Path, seconds: float, size: str) -> None:
    ff([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        f"testsrc2=size={size}:rate=30:duration={seconds}", "-f", "lavfi", "-i",
        f"sine=frequency=440:sample_rate=48000:duration={seconds}", "-c:v", "libx264", "-preset", "veryfast",
        "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)])


def floor_argv(src: Path, out: Path, threads: int) -> list[str]:
    """Plain decode + encode with exactly the engine's encoder settings."""
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(src),
            "-map", "0:v:0", "-map", "0:a:0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
            "-pix_fmt", "yuv420p", "-c:a", "copy", "-threads", str(threads), "-map_metadata", "-1",
            "-movflags", "+faststart", "-progress", "pipe:1", "-nostats", "-f", "mp4", str(out)]


def engine_argv(ops: list, src: Path, out: Path, work: Path, threads: int) -> list[str]:
    job = build(EditPlan(operations=ops), probe(src), RenderInputs(
        input=src, output=out, workdir=work, ffmpeg=ffmpeg_exe(), fonts=find_fonts(), threads=threads))
    for path, content in job.files:
        path.write_text(content, encoding="utf-8")
    return list(job.argv)


def api_submit_to_completed(src: Path, prompt: str, repeat: int, work: Path) -> Timing:
    """Wall time from POST /v1/jobs/submit to the client seeing `completed` (min of ``repeat`` jobs;
    CPU is the server process tree's, worker included)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from procs import MediaServer, api, base_env, create_key, start_server, wait_job

    tmp = work / "api"
    tmp.mkdir()
    media = MediaServer()
    server = None
    try:
        url = media.add("/clip.mp4", src.read_bytes())
        env = base_env(tmp, f"sqlite:///{tmp / 'editbay.db'}", poll_interval_seconds=0.2)
        key = create_key(env, balance=10**12)
        server, base = start_server(env, tmp, workers=1)
        client = api(base, key)
        body = {"model": "editbay/local/video-edit", "input": {"prompt": prompt, "video_url": url}}
        best_wall, best_cpu = float("inf"), float("inf")
        for i in range(repeat + 1):  # the first job warms the worker (imports, first probe)
            cpu0 = _tree_cpu(server.pid)
            started = time.perf_counter()
            job_id = client.post("/v1/jobs/submit", json=body).json()["jobId"]
            job = wait_job(client, job_id, 600)
            wall = time.perf_counter() - started
            if job["status"] != "completed":
                raise RuntimeError(f"the bench job ended {job['status']}: {job.get('error')}")
            if i:
                best_wall, best_cpu = min(best_wall, wall), min(best_cpu, _tree_cpu(server.pid) - cpu0)
        client.close()
        return Timing(best_wall, best_cpu)
    finally:
        if server is not None:
            server.stop()
        media.close()


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children so far (/proc; ffmpeg children counted once they
    have been waited for, which the worker does before reporting `completed`)."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / ticks


MOVIEPY_SCRIPT = """
import sys
import numpy as np
from moviepy import VideoFileClip, vfx
src, out, threads, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
x = np.arange(256, dtype=np.float32) / 255.0
r = np.clip(255 * (x + 0.12 * (x - 0.5)), 0, 255).astype(np.uint8)
b = np.clip(255 * (x - 0.12 * (x - 0.5)), 0, 255).astype(np.uint8)
def teal_orange(f):
    g = f.copy()
    g[..., 0] = r[f[..., 0]]
    g[..., 2] = b[f[..., 2]]
    return g
mask = None
def vignette(f):
    global mask
    if mask is None:
        h, w = f.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        d = np.hypot((xx - w / 2) / (w / 2), (yy - h / 2) / (h / 2)) / np.sqrt(2)
        mask = (1.0 - 0.6 * d ** 2).astype(np.float32)[..., None]
    return (f * mask).astype(np.uint8)
with VideoFileClip(src) as clip:
    if work.startswith("crop_9_16"):
        w, h = clip.size
        edited = clip.cropped(x_center=w / 2, width=int(h * 9 / 16) // 2 * 2)
        if work == "crop_9_16_scale":
            edited = edited.resized(new_size=(1080, 1920))
    elif work == "bw_vignette":  # moviepy's own black-and-white effect; it has no vignette
        edited = clip.with_effects([vfx.BlackAndWhite()]).image_transform(vignette)
    else:
        edited = clip.image_transform(teal_orange)
    edited.write_videofile(out, codec="libx264", preset="veryfast", audio_codec="aac",
        threads=threads, ffmpeg_params=["-crf", "20", "-pix_fmt", "yuv420p"], logger=None)
"""

#: the moviepy comparisons of docs engine.md: (row, the engine's OPS entry, moviepy work, target)
MOVIEPY_WORK = (
    ("teal-orange", "teal_orange", "teal_orange", 2.0),
    ("b&w + vignette", "b&w + vignette", "bw_vignette", 3.0),
    ("crop 9:16 + scale 1080x1920", "crop 9:16 + scale 1080x1920", "crop_9_16_scale", 3.0),
    ("crop 9:16 (no scale)", "crop 9:16", "crop_9_16", 0.0),
)


def moviepy_edit(src: Path, out: Path, threads: int, python: str | None,
                 work: str) -> Callable[[], object] | None:
    """moviepy 2.x doing ``work`` (numpy per frame, or its crop + resize), same x264 settings;
    None if unavailable.

    moviepy is not a dependency: pass ``--moviepy-python`` (an interpreter with moviepy installed,
    e.g. a throwaway venv) or have it importable here.
    """
    interpreter = python or sys.executable
    probe_cmd = [interpreter, "-c", "import moviepy"]
    if subprocess.run(probe_cmd, capture_output=True).returncode != 0:
        return None
    return lambda: ff([interpreter, "-c", MOVIEPY_SCRIPT, str(src), str(out), str(threads), work])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=default_threads())
    ap.add_argument("--only", default="")
    ap.add_argument("--scan-threads", action="store_true", help="time the floor at several -threads")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    ap.add_argument("--moviepy-python", help="a Python interpreter that has moviepy installed")
    ap.add_argument("--no-api", action="store_true", help="skip the submit → completed row (API + worker)")
    ap.add_argument("--no-pair", action="store_true",
                    help="time each operation alone against the first floor (half the time; wall times "
                         "then need a quiet machine, CPU times do not)")
    ap.add_argument("--v2", action="store_true", help="also time the vision-assisted edits (v2 section)")
    ap.add_argument("--v2-only", action="store_true", help="only the v2 section (skips the v1 operations)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="editbay-bench-"))
    try:
        return _bench(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(args: argparse.Namespace, work: Path) -> int:
    src, out = work / "src.mp4", work / "out.mp4"
    make_clip(src, args.seconds, args.size)
    rows: list[str] = []

    def row(name: str, t: Timing, ref: Timing | None, note: str = "") -> None:
        rw = f"{t.wall / ref.wall:.2f}x" if ref else ""
        rc = f"{t.cpu / ref.cpu:.2f}x" if ref else ""
        rows.append(f"| {name} | {t.wall:.2f} s | {rw} | {t.cpu:.2f} s | {rc} | {note} |")
        print(f"{name:26s} wall {t.wall:6.2f} s {rw:>6s}   cpu {t.cpu:6.2f} s {rc:>6s}  {note}", flush=True)

    floor_run = lambda: ff(floor_argv(src, out, args.threads))  # noqa: E731
    decode, floor = paired(lambda: ff([ffmpeg_exe(), "-v", "error", "-i", str(src), "-f", "null", "-"]),
                           floor_run, args.repeat)
    row("decode only", decode, None)
    row("floor: decode + encode", floor, floor, f"-threads {args.threads}")
    if args.scan_threads:
        for t in (1, 2, 3, 4, 0):
            scan = paired(lambda t=t: ff(floor_argv(src, out, t)), floor_run, 2)
            row(f"floor -threads {t}", scan[0], scan[1])

    only = [s.strip() for s in args.only.split(",") if s.strip()]
    for name, ops in ({} if args.v2_only else OPS).items():
        if not only or any(o in name for o in only):
            argv = engine_argv(ops, src, out, work, args.threads)
            if args.no_pair:
                op, local_floor = paired(lambda argv=argv: ff(argv), lambda: None, args.repeat)[0], floor
            else:
                op, local_floor = paired(lambda argv=argv: ff(argv), floor_run, args.repeat)
            row(name, op, local_floor, "target ≤ 1.25x" if name in COLOUR_EFFECT else "")
            if name == "grain":  # the dev set's reference grain (full-resolution pixel noise), bare CLI
                ref = floor_argv(src, out, args.threads)
                ref[ref.index("-c:v"):ref.index("-c:v")] = ["-vf", DEV_SET_GRAIN]
                op, local_floor = paired(lambda ref=ref: ff(ref), floor_run, args.repeat)
                row(f"grain, dev-set reference (`{DEV_SET_GRAIN}`, bare CLI)", op, local_floor)

    if args.v2_only:
        vision_section(args, work, row)
        return write_markdown(args.markdown, rows)
    plan = plan_edit("make it teal and orange with a vignette", media=probe(src))
    result = render(plan, src, work / "e2e.mp4", threads=args.threads)  # warm-up, and the argv to replay
    engine, bare = paired(lambda: render(plan, src, work / "e2e.mp4", threads=args.threads),
                          lambda: ff(list(result.argv)), args.repeat)
    row("edit: bare ffmpeg CLI", bare, bare, "same argv (incl. thumbnail + poster outputs)")
    row("edit: engine end to end", engine, bare, "probe, compile, run with progress, result; target ≤ 1.05x")
    if not args.no_api:
        prompt = "make it teal and orange with a vignette"
        through_api = api_submit_to_completed(src, prompt, args.repeat, work)
        row("edit: API submit → completed", through_api, bare,
            "serve + embedded worker, SQLite, fetch over loopback; target ≤ 1.3x (wall)")

    for label, ops_name, mp_work, target in MOVIEPY_WORK:
        if only and not any(o in ops_name for o in only):
            continue
        mp = moviepy_edit(src, work / "mp.mp4", args.threads, args.moviepy_python, mp_work)
        if mp is None:
            print("moviepy not installed: skipped")
            break
        ours_argv = engine_argv(OPS[ops_name], src, out, work, args.threads)
        theirs, ours = paired(mp, lambda argv=ours_argv: ff(argv), args.repeat)
        goal = f"; target ≥ {target:g}x" if target else ""
        row(f"moviepy {label}", theirs, ours, f"ratio = moviepy / engine{goal}")

    if args.v2:
        vision_section(args, work, row)
    return write_markdown(args.markdown, rows)


def write_markdown(path: Path | None, rows: list[str]) -> int:
    if path:
        head = ["| work | wall | wall ratio | CPU | CPU ratio | note |", "|---|---:|---:|---:|---:|---|"]
        path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    return 0



# ---- v2: vision-assisted edits -------------------------------------------------------------------
# Each edit runs end to end (analysis pass + the one ffmpeg render) on a generated clip with a real
# face (scikit-image's astronaut crossing a brick texture; with camera jitter for stabilisation),
# paired with the plain transcode floor of the same clip. Shot edits use a three-shot clip.

VISION_EDITS = {
    "v2 blur faces": "blur the faces",
    "v2 pixelate faces": "pixelate the faces",
    "v2 background blur": "blur the background",
    "v2 colour match": "match the colours of the reference image",
    "v2 stabilise": "stabilise it",
    "v2 reframe 9:16": "make it vertical and keep the person in frame",
    "v2 remove first scene": "remove the first scene",
}


def vision_clip(path: Path, seconds: float, size: str, shaky: bool = False) -> None:
    """The astronaut's upper body crossing a tinted brick texture; ``shaky``: the camera jitters ±1 %."""
    import numpy as np
    from skimage import data
    from skimage.transform import resize as sk_resize

    w, h = (int(v) for v in size.split("x"))
    brick = data.brick().astype(np.float32) / 255.0
    tiled = np.tile(brick, (h // brick.shape[0] + 2, w // brick.shape[1] + 2))[: h + 40, : w + 40]
    band = (np.arange(w + 40)[None, :] // max(8, w // 16)) % 3
    tint = np.stack([np.where(band == 0, 1.1, 0.7), np.where(band == 1, 1.05, 0.75),
                     np.where(band == 2, 1.1, 0.7)], -1)
    canvas = np.clip((0.25 + 0.6 * tiled[:, :, None]) * tint * 255, 0, 255).astype(np.uint8)
    ph = int(h * 0.85)
    pw = int(ph * 360 / 512)
    person = (sk_resize(data.astronaut()[:, 20:380], (ph, pw), anti_aliasing=True) * 255).astype(np.uint8)
    frames = int(seconds * 30)
    rng = np.random.default_rng(5)
    jitter = rng.integers(-(w // 100), w // 100 + 1, size=(frames, 2)) * (1 if shaky else 0)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", size, "-r", "30", "-i", "-", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac",
           "-shortest", str(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for n in range(frames):
        img = canvas.copy()
        x = 20 + (w - pw) * n // max(1, frames - 1)
        img[h + 20 - ph : h + 20, x : x + pw] = person
        dx, dy = jitter[n]
        proc.stdin.write(np.ascontiguousarray(img[20 + dy : 20 + dy + h, 20 + dx : 20 + dx + w]).tobytes())
    proc.stdin.close()
    proc.wait()


def scenes_clip(path: Path, seconds: float, size: str) -> None:
    third = seconds / 3
    sources = [f"testsrc2=size={size}:rate=30:duration={third}",
               f"smptebars=size={size}:rate=30:duration={third}",
               f"mandelbrot=size={size}:rate=30,trim=duration={third}"]
    args = [a for src in sources for a in ("-f", "lavfi", "-i", src)]
    ff([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args, "-f", "lavfi", "-i",
        f"sine=frequency=440:duration={seconds}", "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]",
        "-map", "[v]", "-map", "3:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt",
        "yuv420p", "-c:a", "aac", "-shortest", str(path)])


def vision_section(args: argparse.Namespace, work: Path, row: Callable[..., None]) -> None:
    try:
        import skimage  # noqa: F401
    except ImportError:
        print("v2: scikit-image missing (dev extra): skipped")
        return
    src, shaky, shots, out = work / "vision.mp4", work / "shaky.mp4", work / "shots.mp4", work / "v2_out.mp4"
    vision_clip(src, args.seconds, args.size)
    vision_clip(shaky, args.seconds, args.size, shaky=True)
    scenes_clip(shots, args.seconds, args.size)
    ref = work / "ref.png"
    ff([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        "gradients=s=320x180:c0=0xF09030:c1=0xC05020:duration=1", "-frames:v", "1", str(ref)])
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    for name, words in VISION_EDITS.items():
        if only and not any(o in name for o in only):
            continue
        clip = shots if "scene" in name else shaky if "stabil" in name else src
        images = [str(ref)] if "colour" in name else []
        floor_run = lambda clip=clip: ff(floor_argv(clip, out, args.threads))  # noqa: E731
        notes: list[str] = []

        def edit(clip: Path = clip, words: str = words, images: list[str] = images) -> None:
            plan = plan_edit(words, images=images, media=probe(clip))  # shots are found while planning
            render(plan, clip, out, images=images, threads=args.threads)
            notes[:] = plan.notes[-1:]  # what the analysis found

        op, local_floor = paired(edit, floor_run, args.repeat)
        row(name, op, local_floor, f"{words!r}; analysis + render; " + "; ".join(notes))


if __name__ == "__main__":
    sys.exit(main())
