"""Suite 6 — the bad media corpus through the real local engine in a separate `editbay worker`.

Generated here: zero bytes, truncated, corrupt header, wrong extension, HTML served as video,
audio-only, image-only, 1 frame, 16000×16000 declared, 10 hours declared, variable frame rate,
odd dimensions, rotated (phone) metadata. Each job ends cleanly — a correct edit, or INVALID_INPUT
with a useful message and a full refund —, the worker stays up without a traceback, and no temp
file is left behind. (tests/worker/test_bad_media.py keeps the small CI subset on both backends.)
"""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from chaos.harness import ChaosStack, report
from procs import MediaServer, make_clip, wait_job

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("chaos")]
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
LOCAL = "editbay/local/video-edit"


def ff(*args: str) -> None:
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", *args], check=True, timeout=120)


def patch(data: bytes, marker: bytes, value: bytes) -> bytes:
    at = data.index(marker) + len(marker)
    return data[:at] + value + data[at + len(value) :]


def corpus(tmp: Path) -> dict[str, tuple[bytes, str, str]]:
    """name → (bytes, content type, expected: 'completed' | 'INVALID_INPUT')."""
    good = make_clip(tmp / "good.mp4", seconds=1.0, size="160x120").read_bytes()
    cases: dict[str, tuple[bytes, str, str]] = {
        "zero-byte": (b"", "video/mp4", "INVALID_INPUT"),
        "truncated": (good[: len(good) // 3], "video/mp4", "INVALID_INPUT"),
        "corrupt-header": (good[:8] + b"\xde\xad\xbe\xef" * 64 + good[264:], "video/mp4", "INVALID_INPUT"),
        "wrong-extension": (good, "video/webm", "completed"),
        "html-as-video": (b"<!DOCTYPE html><html><body>Sign in</body></html>", "video/mp4", "INVALID_INPUT"),
    }
    ff("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", str(tmp / "audio.mp4"))
    cases["audio-only"] = ((tmp / "audio.mp4").read_bytes(), "video/mp4", "INVALID_INPUT")
    ff("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", str(tmp / "still.jpg"))
    cases["image-only"] = ((tmp / "still.jpg").read_bytes(), "video/mp4", "INVALID_INPUT")
    ff(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25",
        "-frames:v",
        "1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(tmp / "one.mp4"),
    )
    cases["1-frame"] = ((tmp / "one.mp4").read_bytes(), "video/mp4", "completed")
    # 16000×16000 declared: raw video in Matroska takes its size from the container header
    ff(
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=256x256:r=1",
        "-frames:v",
        "1",
        "-c:v",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        str(tmp / "raw.mkv"),
    )
    raw = (tmp / "raw.mkv").read_bytes()
    raw = patch(raw, b"\xb0\x82", struct.pack(">H", 16000))
    raw = patch(raw, b"\xba\x82", struct.pack(">H", 16000))
    cases["16000x16000-declared"] = (raw, "video/x-matroska", "INVALID_INPUT")
    # 10 hours declared: the Matroska segment duration (ms, 8-byte float) says 36,000,000
    ff(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(tmp / "short.mkv"),
    )
    long = patch((tmp / "short.mkv").read_bytes(), b"\x44\x89\x88", struct.pack(">d", 36_000_000.0))
    cases["10-hours-declared"] = (long, "video/x-matroska", "INVALID_INPUT")
    ff(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=30:duration=2",
        "-vf",
        "select='lt(mod(n\\,10)\\,4)'",
        "-fps_mode",
        "vfr",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(tmp / "vfr.mp4"),
    )
    cases["variable-frame-rate"] = ((tmp / "vfr.mp4").read_bytes(), "video/mp4", "completed")
    ff(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=161x121:rate=25:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv444p",
        str(tmp / "odd.mp4"),
    )
    cases["odd-dimensions"] = ((tmp / "odd.mp4").read_bytes(), "video/mp4", "completed")
    ff("-display_rotation", "90", "-i", str(tmp / "good.mp4"), "-c", "copy", str(tmp / "rotated.mp4"))
    cases["rotated-phone"] = ((tmp / "rotated.mp4").read_bytes(), "video/quicktime", "completed")
    return cases


def probe(data: bytes, tmp: Path) -> dict[str, int]:
    path = tmp / "probe-out.mp4"
    path.write_bytes(data)
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return {"width": stream.codec_context.width, "height": stream.codec_context.height}


def test_bad_media_corpus_ends_cleanly(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'media.db'}"
    from editbay.store import migrate

    migrate.upgrade(url)
    media = MediaServer()
    cases = corpus(tmp_path)
    urls = {name: media.add(f"/{name}.bin", body, ctype) for name, (body, ctype, _) in cases.items()}
    stack = ChaosStack(tmp_path, url, {"default_concurrent_jobs": 0, "rate_limit_per_minute": 100_000})
    worker = stack.worker(1)
    outcomes: dict[str, dict[str, object]] = {}
    try:
        ids = {}
        for name, media_url in urls.items():
            body = {"model": LOCAL, "input": {"prompt": "make it black and white", "video_url": media_url}}
            r = stack.client.post("/v1/jobs/submit", json=body)
            assert r.status_code == 200, r.text
            ids[name] = r.json()["jobId"]
        problems = []
        for name, job_id in ids.items():
            job = wait_job(stack.client, job_id, 180)
            expected = cases[name][2]
            error = job.get("error") or {}
            outcome = job["status"] if job["status"] == "completed" else error.get("code")
            outcomes[name] = {"outcome": outcome, "message": error.get("message")}
            if outcome != expected:
                problems.append(f"{name}: expected {expected}, got {outcome} {error}")
            if job["status"] == "failed":
                if job["refundedMicroCents"] != job["costMicroCents"]:
                    problems.append(f"{name}: not refunded")
                if not error.get("message") or "internal" in error["message"].lower():
                    problems.append(f"{name}: unhelpful message {error}")
                if str(tmp_path) in error.get("message", "") or "/tmp/" in error.get("message", ""):
                    problems.append(f"{name}: message leaks a server path {error}")
            if job["status"] == "completed":
                out = stack.client.get(job["output"]).content if job["output"].startswith(stack.base) else b""
                if name == "rotated-phone" and out:
                    dims = probe(out, tmp_path)
                    outcomes[name]["output"] = dims
                    if not dims["height"] > dims["width"]:
                        problems.append(f"{name}: rotation lost, output {dims}")
        leftovers = (
            [str(p) for p in (tmp_path / "data" / "tmp").glob("*")]
            if (tmp_path / "data" / "tmp").exists()
            else []
        )
        figures = {
            "cases": len(cases),
            "as_expected": len(cases) - len(problems),
            "outcomes": outcomes,
            "worker_alive": worker.alive(),
            "tracebacks_in_worker_log": worker.log().count("Traceback"),
            "temp_files_left": len(leftovers),
        }
        report("bad-media", figures)
        money = stack.audit(set(ids.values()))
        assert not problems, json.dumps(problems, indent=1)
        assert worker.alive() and figures["tracebacks_in_worker_log"] == 0, worker.log()[-4000:]
        assert not leftovers, leftovers
        assert money["lost"] == 0 and money["wrong_ending"] == 0 and money["ledger_sum_ok"], money
    except BaseException:
        print(stack.logs())
        raise
    finally:
        stack.close()
        media.close()
