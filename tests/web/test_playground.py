"""The web playground in a real browser (headless Debian Chromium + Playwright) against a real
`editbay serve` with an embedded worker: key handling, the live plan preview and cost, the
unsupported clause highlighted, upload → submit → live progress → before/after playback, the jobs
list (filter, cursor pagination), error display, a 375 px phone viewport and keyboard-only use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from procs import MediaServer, api, make_clip

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("web")]

BW = "make it black and white"
JOB_TIMEOUT_MS = 120_000


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def money(micro_cents: int) -> str:
    """What the page shows for an amount (Intl currency, 2..6 decimals)."""
    text = f"{micro_cents / 1_000_000:.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def enter_key(page: Any, key: str) -> None:
    page.fill("#api-key", key)
    page.click("#key-save")
    expect(page.locator("#key-saved")).to_be_visible()
    expect(page.locator("#key-form")).to_be_hidden()
    page.wait_for_selector("body[data-loaded='true']")  # models and jobs list loaded


def estimate(server: Any, model: str, prompt: str) -> dict[str, Any]:
    with api(server.base, server.key) as client:
        return client.post("/v1/jobs/estimate", json={"model": model, "input": {"prompt": prompt}}).json()


def no_horizontal_overflow(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def wait_for_playable(page: Any, selector: str) -> None:
    """The <video> has a source, has decoded the current frame (readyState ≥ 2) and has a size."""
    page.wait_for_function(
        """(sel) => { const v = document.querySelector(sel);
                      return v && v.currentSrc && v.readyState >= 2
                             && v.videoWidth > 0 && v.videoHeight > 0; }""",
        arg=selector,
        timeout=30_000,
    )


def wait_for_completed(page: Any) -> None:
    expect(page.locator("#job-status")).to_have_text(
        re.compile("Completed|Failed|Cancelled"), timeout=JOB_TIMEOUT_MS
    )
    failure = page.locator("#job-error")
    assert page.inner_text("#job-status") == "Completed", failure.inner_text() if failure.is_visible() else ""


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=2.0, size="320x240")


@pytest.fixture(scope="module")
def media(clip: Path) -> Any:
    server = MediaServer()
    server.add("/clip.mp4", clip.read_bytes())
    yield server
    server.close()


# ---- the page and its key ----------------------------------------------------------------------


def test_page_is_served_with_a_strict_csp(web_server: Any) -> None:
    page = httpx.get(web_server.base + "/", trust_env=False)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert '<script type="module" src="/static/js/main.js">' in page.text
    js = httpx.get(web_server.base + "/static/js/main.js", trust_env=False)
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert httpx.get(web_server.base + "/static/%2e%2e/__init__.py", trust_env=False).status_code == 404


def test_key_is_kept_in_local_storage_and_can_be_forgotten(page: Any, web_server: Any) -> None:
    expect(page.locator("#instruction")).to_be_disabled()
    page.fill("#api-key", "eb_not-a-real-key-000000000000")
    page.click("#key-save")
    expect(page.locator("#error-box")).to_be_visible()
    expect(page.locator("#error-code")).to_have_text("INVALID_API_KEY")
    assert page.evaluate("localStorage.getItem('editbay.apiKey')") is None

    enter_key(page, web_server.key)
    assert page.evaluate("localStorage.getItem('editbay.apiKey')") == web_server.key
    expect(page.locator("#error-box")).to_be_hidden()
    expect(page.locator("#account-info")).to_contain_text("balance $")
    expect(page.locator("#instruction")).to_be_enabled()

    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#key-saved")).to_be_visible()
    expect(page.locator("#key-masked")).to_contain_text(web_server.key[:7])
    assert web_server.key not in page.inner_text("body")  # shown masked only

    page.click("#key-forget")
    expect(page.locator("#key-form")).to_be_visible()
    expect(page.locator("#api-key")).to_be_focused()
    assert page.evaluate("localStorage.getItem('editbay.apiKey')") is None
    expect(page.locator("#instruction")).to_be_disabled()


# ---- plan preview ------------------------------------------------------------------------------


def test_plan_preview_shows_operations_and_cost(page: Any, web_server: Any) -> None:
    enter_key(page, web_server.key)
    prompt = "make it black and white and add a title 'Hi'"
    page.fill("#instruction", prompt)
    ops = page.locator("#plan-ops li")
    expect(ops).to_have_count(2)
    expect(ops.nth(0)).to_contain_text("black & white")
    expect(ops.nth(1)).to_contain_text("Text “Hi”")
    model = page.input_value("#model")
    expected = estimate(web_server, model, prompt)
    assert [op["op"] for op in expected["plan"]["operations"]] == ["grade", "text"]
    expect(page.locator("#plan-cost")).to_have_text(f"Cost {money(expected['estimatedCostMicroCents'])}")
    expect(page.locator("#plan-summary")).to_contain_text("2 operations")
    expect(page.locator("#plan-error")).to_be_hidden()
    expect(page.locator("#plan-echo mark")).to_have_count(0)

    # another model, another price — the preview follows the options
    page.select_option("#model", "editbay/local/video-edit")
    local = estimate(web_server, "editbay/local/video-edit", prompt)
    assert local["estimatedCostMicroCents"] != expected["estimatedCostMicroCents"]
    expect(page.locator("#plan-cost")).to_have_text(f"Cost {money(local['estimatedCostMicroCents'])}")
    page.select_option("#aspect", "9:16")
    expect(page.locator("#plan-ops li")).to_have_count(3)
    expect(page.locator("#plan-ops")).to_contain_text("Aspect ratio 9:16")


def test_unsupported_clause_is_highlighted_in_the_instruction(page: Any, web_server: Any) -> None:
    enter_key(page, web_server.key)
    page.fill("#instruction", "make it black and white and replace the background with a beach")
    mark = page.locator("#plan-echo mark")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text("replace the background with a beach")
    expect(page.locator("#plan-ops li")).to_have_count(1)
    expect(page.locator("#plan-unsupported li")).to_contain_text("replace the background with a beach")
    expect(page.locator("#plan-error")).to_contain_text("UNSUPPORTED_EDIT")
    expect(page.locator("#plan-summary")).to_contain_text("1 unsupported clause")

    # not strict: the clause would be skipped, not fail the job
    page.uncheck("#strict")
    expect(page.locator("#plan-error")).to_be_hidden()
    expect(page.locator("#plan-unsupported li")).to_contain_text("will be skipped")

    # user text is inserted as text, never as markup
    page.fill("#instruction", "add a title '<img src=x onerror=alert(1)>'")
    expect(page.locator("#plan-echo")).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator("#plan-preview img").count() == 0


# ---- the whole path ----------------------------------------------------------------------------


def test_upload_submit_watch_and_play_the_result(
    page: Any, web_server: Any, clip: Path, tmp_path: Path, screenshot: Any
) -> None:
    events_requests: list[str] = []
    page.on("request", lambda r: events_requests.append(r.url) if r.url.endswith("/events") else None)
    enter_key(page, web_server.key)
    page.set_input_files("#file-input", str(clip))
    expect(page.locator("#upload-status")).to_have_text("Uploaded clip.mp4.")
    expect(page.locator("#source-status")).to_contain_text("uploaded file clip.mp4")
    wait_for_playable(page, "#source-preview")

    page.fill("#instruction", BW)
    expect(page.locator("#plan-ops li")).to_have_count(1)
    cost_text = page.inner_text("#plan-cost")
    page.click("#submit")

    expect(page.locator("#job-view")).to_be_visible()
    job_id = page.inner_text("#job-id")
    assert job_id.startswith("job_")
    wait_for_completed(page)
    assert any(f"/v1/jobs/{job_id}/events" in url for url in events_requests)  # live progress: SSE
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    expect(page.locator("#job-error")).to_be_hidden()

    # before / after
    expect(page.locator("#result")).to_be_visible()
    wait_for_playable(page, "#video-after")
    wait_for_playable(page, "#video-before")
    after = page.evaluate(
        "(() => { const v = document.querySelector('#video-after'); return {src: v.currentSrc,"
        " muted: v.muted, controls: v.controls, w: v.videoWidth, h: v.videoHeight}; })()"
    )
    assert after["src"] and after["muted"] and after["controls"] and (after["w"], after["h"]) == (320, 240)
    with api(web_server.base, web_server.key) as client:
        job = client.get(f"/v1/jobs/{job_id}").json()
    assert job["status"] == "completed"
    output = job["outputs"][0]["url"].split("?")[0]  # signed links differ per read of the job
    assert after["src"].split("?")[0] == output
    assert page.get_attribute("#download", "href").split("?")[0] == output
    page.wait_for_function("document.querySelector('#job-thumb').naturalWidth > 0")

    # details: plan, cost, timings
    details = page.eval_on_selector_all(
        "#job-details dt",
        "dts => Object.fromEntries(dts.map(dt => [dt.textContent, dt.nextElementSibling.textContent]))",
    )
    assert details["Cost"] == cost_text.removeprefix("Cost ")
    assert details["Instruction"] == BW and details["Output"].startswith("320 × 240")
    for term in ("Created", "Started", "Completed", "Queue wait", "Processing", "Total"):
        assert term in details, details
    expect(page.locator("#job-plan li")).to_contain_text("black & white")

    # the jobs list shows it completed, with its cost
    row = page.locator(f"#jobs-body tr[data-job-id='{job_id}']")
    expect(row.locator(".cell-status")).to_have_text("Completed")
    expect(row.locator(".cell-cost")).to_have_text(money(job["costMicroCents"]))
    expect(row.locator(".cell-progress")).to_contain_text("100%")

    shot = screenshot(page, tmp_path / "playground-completed.png")
    assert shot.stat().st_size > 10_000


def test_jobs_list_filter_and_cursor_pagination(new_page: Any, web_server: Any, media: Any) -> None:
    key = web_server.key_for("pages")
    with api(web_server.base, key) as client:
        # fast jobs: an unsupported edit fails at once (no render) and is refunded
        ids = []
        for _ in range(12):
            prompt = "replace the background with a beach"
            body = {
                "model": "editbay/local/video-edit",
                "input": {"prompt": prompt, "video_url": media.url("/clip.mp4")},
            }
            response = client.post("/v1/jobs/submit", json=body, headers={"Prefer": "wait=20"})
            assert response.status_code == 200, response.text
            ids.append(response.json()["jobId"])
    page = new_page()
    enter_key(page, key)
    rows = page.locator("#jobs-body tr")
    expect(rows).to_have_count(10)
    expect(page.locator("#jobs-more")).to_be_visible()
    page.click("#jobs-more")
    expect(rows).to_have_count(12)
    expect(page.locator("#jobs-more")).to_be_hidden()
    shown = page.eval_on_selector_all("#jobs-body tr", "rows => rows.map(r => r.dataset.jobId)")
    assert shown == list(reversed(ids))  # newest first, no duplicates across pages
    expect(rows.first.locator(".cell-status")).to_have_text("Failed")
    expect(rows.first.locator(".cell-cost")).to_have_text(re.compile(r"^\$0\.\d+$"))

    page.select_option("#status-filter", "completed")
    expect(page.locator("#jobs-status")).to_have_text("No completed jobs.")
    expect(rows).to_have_count(0)
    page.select_option("#status-filter", "failed")
    expect(rows).to_have_count(10)

    # open a failed job from the list: its error code and message are shown
    rows.first.locator("button").click()
    expect(page.locator("#job-status")).to_have_text("Failed")
    expect(page.locator("#job-error")).to_contain_text("UNSUPPORTED_EDIT")
    expect(page.locator("#job-error")).to_contain_text("replace the background with a beach")


def test_progress_falls_back_to_polling_without_events(page: Any, web_server: Any, media: Any) -> None:
    """A PixelByte-compatible server without the SSE extension: the page polls GET /v1/jobs/{id}.
    (Until the page has tried the event stream, the job is shown to it as still processing, so
    that the fallback is exercised however fast the render is.)"""
    seen: list[str] = []
    envelope = {"success": False, "error": {"code": "NOT_FOUND", "message": "no such endpoint"}}

    def events(route: Any) -> None:
        seen.append("events")
        route.fulfill(status=404, json=envelope)

    def job(route: Any) -> None:
        if "events" in seen:
            seen.append("poll")
            route.continue_()
            return
        response = route.fetch()
        body = response.json()
        body.update(status="processing", progress=30, output=None, outputs=None, completedAt=None)
        route.fulfill(response=response, json=body)

    page.route(re.compile(r".*/v1/jobs/job_[^/?]+/events$"), events)
    page.route(re.compile(r".*/v1/jobs/job_[^/?]+$"), job)
    enter_key(page, web_server.key)
    page.fill("#video-url", media.url("/clip.mp4"))
    page.fill("#instruction", BW)
    page.click("#submit")
    wait_for_completed(page)
    wait_for_playable(page, "#video-after")
    assert seen[0] == "events" and "poll" in seen, seen
    expect(page.locator("#error-box")).to_be_hidden()


def test_api_errors_are_shown_with_code_and_message(page: Any, web_server: Any) -> None:
    enter_key(page, web_server.key)
    page.fill("#instruction", BW)
    page.click("#submit")  # no video yet: caught before the request
    expect(page.locator("#error-code")).to_have_text("INVALID_INPUT")
    expect(page.locator("#video-url")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#video-url")).to_be_focused()

    page.fill("#video-url", "ftp://example.com/clip.mp4")
    page.click("#submit")  # the API refuses it: its code, message and request id are shown
    expect(page.locator("#error-code")).to_have_text("INVALID_INPUT")
    expect(page.locator("#error-message")).to_contain_text("input.video_url")
    expect(page.locator("#error-meta")).to_contain_text(re.compile(r"HTTP 400 · request \S+"))
    page.click("#error-dismiss")
    expect(page.locator("#error-box")).to_be_hidden()


def test_unsupported_job_fails_with_its_error(page: Any, web_server: Any, media: Any) -> None:
    enter_key(page, web_server.key)
    page.fill("#video-url", media.url("/clip.mp4"))
    page.fill("#instruction", "replace the background with a beach")
    expect(page.locator("#plan-echo mark")).to_have_text("replace the background with a beach")
    page.click("#submit")
    expect(page.locator("#job-status")).to_have_text("Failed", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#job-error")).to_contain_text("UNSUPPORTED_EDIT")
    expect(page.locator("#job-error")).to_contain_text("Refunded")
    expect(page.locator("#job-details mark")).to_have_text("replace the background with a beach")
    expect(page.locator("#result")).to_be_hidden()


# ---- phone viewport and keyboard ---------------------------------------------------------------


def test_phone_viewport_has_no_horizontal_overflow(
    new_page: Any, web_server: Any, media: Any, tmp_path: Path, screenshot: Any
) -> None:
    with api(web_server.base, web_server.key) as client:
        body = {
            "model": "editbay/local/video-edit",
            "input": {"prompt": BW, "video_url": media.url("/clip.mp4")},
        }
        done = client.post("/v1/jobs/submit", json=body, headers={"Prefer": "wait=60"}).json()
    assert done["status"] == "completed", done
    phone = {"width": 375, "height": 740}
    page = new_page(viewport=phone, is_mobile=True, has_touch=True, device_scale_factor=2)
    assert no_horizontal_overflow(page)
    enter_key(page, web_server.key)
    page.fill("#video-url", media.url("/clip.mp4"))
    page.fill(
        "#instruction",
        "make it black and white and replace the background with a beach, "
        "then add a title 'A very long title that goes on and on'",
    )
    expect(page.locator("#plan-echo mark")).to_have_count(1)
    page.click("#plan-error summary")
    assert no_horizontal_overflow(page)
    page.locator(f"#jobs-body tr[data-job-id='{done['jobId']}'] button").click()
    expect(page.locator("#job-status")).to_have_text("Completed")
    wait_for_playable(page, "#video-after")
    page.click(".raw summary")
    assert no_horizontal_overflow(page)
    rights = page.evaluate(
        "[...document.querySelectorAll('main .card, #result video, #submit, #jobs-body tr')]"
        ".map(e => e.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= 375
    screenshot(page, tmp_path / "playground-phone.png")


def test_keyboard_only(new_page: Any, web_server: Any, media: Any) -> None:
    page = new_page()

    def focused() -> str:
        return str(page.evaluate("document.activeElement && document.activeElement.id"))

    def tab_to(target: str, limit: int = 25) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if focused() == target:
                return
        raise AssertionError(f"Tab never reached #{target} (stuck at #{focused()})")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    tab_to("api-key")
    page.keyboard.type(web_server.key)
    page.keyboard.press("Enter")
    expect(page.locator("#key-saved")).to_be_visible()
    expect(page.locator("#instruction")).to_be_focused()

    page.keyboard.press("Shift+Tab")
    assert focused() == "video-url"
    page.keyboard.type(media.url("/clip.mp4"))
    page.keyboard.press("Tab")
    assert focused() == "instruction"
    page.keyboard.type(BW)
    expect(page.locator("#plan-ops li")).to_have_count(1)
    tab_to("submit", limit=8)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus ring
    page.keyboard.press("Space")
    expect(page.locator("#job-view")).to_be_visible()
    wait_for_completed(page)
    wait_for_playable(page, "#video-after")

    # the jobs list works from the keyboard too: open the job with Enter
    job_id = page.inner_text("#job-id")
    page.locator(f"#jobs-body tr[data-job-id='{job_id}'] button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#job-heading")).to_be_focused()
    expect(page.locator("#job-status")).to_have_text("Completed")
