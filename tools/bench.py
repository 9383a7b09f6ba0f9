"""`make bench`: slider latency in the kernel and in the browser, test-suite overhead, time to first view, make test time.

(a) kernel: control moved -> the kernel has the new picture, every view. (b) Chromium: key press -> the new
picture on screen, every slider view of every notebook, quick presses and presses 150 ms apart, each press at its own
point of the display's frame (presses that never change the picture, or show another values' picture, are counted
and fail the goal). (c) strict nbval
overhead. (d) opening 01 -> its first live picture. (e) make test, with and without the browser tests. (f) Chromium: each view's longest slider dragged
end to end, frames per second and pictures shown of the values passed. `--only bdf` runs the browser part alone. Prints a table and writes the same figures to artifacts/bench/bench.json. Nothing here asserts:
the targets are reported next to the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import labpage
from tools.labserver import ARTIFACTS, REPO_ROOT, running_lab
from tools.slider_latency import kernel_latency, summary

NOTEBOOKS = REPO_ROOT / "notebooks"
FIRST_NOTEBOOK = NOTEBOOKS / "01_output_vs_h_n.ipynb"
OUT_DIR = ARTIFACTS / "bench"
# ms (one display frame at 60 Hz; two), ratio, minutes (the whole make test, browser tests included)
TARGETS = {"a": 30.0, "b": 17.0, "b95": 33.0, "c": 1.5, "e": 8.0}
PRESSES_PER_VIEW = 24  # per rhythm
WARM_UP_PRESSES = 4  # not counted: the first presses after Run All fill caches
# (b)'s rhythms: quick presses each go as soon as the last picture shows; slow ones 150 ms apart.
RHYTHMS = {"quick presses": 0.0, "slow presses, 150 ms apart": 0.150}
# Chromium draws a frame every 1/60 s, and a press's figures depend on where in the frame it lands. Over 1,200
# presses on every view (2026-12-08, cores busy with other jobs), the decoded + next frame median went from 12 ms
# for presses 6 to 10 ms into a frame to 18-20 ms for those in its first 2 or last 3 ms (img.decode() resolves
# through the compositor, at a frame: presses there often count a frame too many, see "ms" below); painted, 13 to
# 16 ms. Presses
# 150 ms apart (9 frames) all landed at the same point of the frame, and quick ones, which follow an animation frame
# (the waits poll on it), clustered: a view's median was mostly one point of the frame, and met the goal or missed it
# by a frame by luck. So each press waits a further fraction of a frame (press_phase), the presses of a view spread
# evenly over the frame, and the page records where each landed (phase_ms).
FRAME_S = 1 / 60
# `--stock-websocket`: jupyter_server's own kernel websocket (Nagle on), to compare with the project's.
STOCK_WEBSOCKET = (
    "--ServerApp.kernel_websocket_connection_class="
    "jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection",
)
BASELINE_SOURCE = "import torch, matplotlib, ipywidgets, helpers"


# --- (c) test-suite overhead -----------------------------------------------------------------------


def pytest_seconds(paths: list[Path]) -> tuple[float, int]:
    """Wall time and exit code of one strict nbval run (the flags of pyproject.toml) over `paths`."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(REPO_ROOT / "pyproject.toml"),
        "--rootdir",
        str(REPO_ROOT),
        "-q",
        *map(str, paths),
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
    return seconds, done.returncode


def suite_overhead(rounds: int = 3) -> dict:
    """(c) strict nbval over all notebooks / the same run over N notebooks that only import.

    The two runs alternate `rounds` times and the ratio uses each one's median, so that a burst
    of load from something else on a small machine moves one sample, not the figure.
    """
    import nbformat

    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not notebooks:
        return {"error": "no notebooks"}
    # Warm the file cache, so neither run pays for the first torch import from disk.
    subprocess.run([sys.executable, "-c", BASELINE_SOURCE], check=True)
    suite, baseline, exits = [], [], set()
    with tempfile.TemporaryDirectory(prefix="bench-empty-") as tmp:
        empty = []
        for i in range(len(notebooks)):
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASELINE_SOURCE)])
            nb.metadata["kernelspec"] = {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            }
            empty.append(Path(tmp) / f"empty_{i:02d}.ipynb")
            nbformat.write(nb, empty[-1])
        for _ in range(rounds):
            for paths, times in ((empty, baseline), (notebooks, suite)):
                seconds, code = pytest_seconds(paths)
                times.append(seconds)
                exits.add(code)
    suite_s, baseline_s = statistics.median(suite), statistics.median(baseline)
    return {
        "notebooks": len(notebooks),
        "suite_s": suite_s,
        "baseline_s": baseline_s,
        "ratio": suite_s / baseline_s,
        "all_passed": exits == {0},
        "suite_runs_s": suite,
        "baseline_runs_s": baseline,
    }


# --- (b), (f) and (d): in Chromium --------------------------------------------------------------------------

# (b): the bench arms one press at a time (ARM_PRESS, on the handle it is about to press): the next keydown
# stamps the press (event.timeStamp is on the performance.now() clock), and the next change of THAT view's
# picture is the press's picture. helpers/views/page.js keeps each picture as its own decoded <img> and puts it in
# place of the one on show, so the bench watches the element that holds the view's <img> (its children, and any
# <img>'s src) and times the <img> on show after the change, whichever element it is. Two times:
# - "ms": until the picture on show is decoded and the next animation frame after that begins (its rAF callback).
#   img.decode() resolves through the compositor even for a picture decoded long ago (2.5-4.5 ms in Chromium on
#   this machine, issue 27's experiment), and Chromium often paints a held picture in the frame before, so this
#   can count one frame too many;
# - "painted_ms": until the frame that painted the new picture was presented, from Chromium's Element Timing entry
#   for that <img> (renderTime; null if none came): the picture on screen. Chromium reports an <img> again each
#   time it is put back in the page (a new layout object), so a picture shown before is timed as well. Later
#   than "ms" when raster and presentation lag behind the frame's callbacks (a busy machine), earlier when the
#   frame before painted it.
# With them: the segments on the way (key press -> new picture on show -> decoded -> next frame), the key of the picture shown,
# the key before the press, the slider's value before and after, and where the picture came from: the page's
# memory ("page") or the kernel, later ("kernel"). A press whose picture does not change leaves no result: the
# bench counts it as such.
ARM_PRESS = """(handle, [id, view]) => {
    const FRAME_MS = 1000 / 60;
    const bench = window.__bench = window.__bench || {armed: null, results: {}, painted: {}, pending: [],
                                                      watched: new WeakSet()};
    if (!bench.listening) {
        bench.listening = true;
        document.addEventListener('keydown', e => {
            const a = bench.armed;
            if (a && a.down === null) a.down = e.timeStamp;
        }, true);
        new PerformanceObserver(list => {
            for (const e of list.getEntries()) {
                const i = bench.pending.findLastIndex(
                    a => a.img === e.element && e.renderTime > 0 && e.renderTime >= a.swapped - 1);
                if (i < 0) continue;
                const a = bench.pending[i];
                bench.painted[a.id] = e.renderTime - a.down;
                bench.pending.splice(0, i + 1);  // this press and any older one are settled
            }
        }).observe({type: 'element', buffered: false});
    }
    const holder = handle.closest(view).querySelector('img').parentElement;
    const onShow = () => holder.querySelector('img');
    // Element Timing reports only elements with this attribute; page.js passes it on to the picture it shows next.
    onShow().setAttribute('elementtiming', 'rnn-bench');
    if (!bench.watched.has(holder)) {
        bench.watched.add(holder);
        new MutationObserver(async () => {
            const a = bench.armed, img = onShow();
            if (!a || a.holder !== holder || a.down === null || a.swapped !== undefined || !img) return;
            if (img === a.imgBefore && img.src === a.srcBefore) return;  // not a new picture
            a.swapped = performance.now();
            a.img = img;
            img.setAttribute('elementtiming', 'rnn-bench');
            bench.pending.push(a);
            const key = img.dataset.key, origin = img.dataset.from || null;
            const valueAfter = a.handle.getAttribute('aria-valuenow');
            await img.decode().catch(() => {});
            const decoded = performance.now();
            requestAnimationFrame((frame) => {  // frame: when this frame began, on the display's 60 Hz clock
                const shown = performance.now();
                bench.results[a.id] = {
                    ms: shown - a.down, key, keyBefore: a.keyBefore, valueBefore: a.valueBefore, valueAfter, origin,
                    phase_ms: (((a.down - frame) % FRAME_MS) + FRAME_MS) % FRAME_MS,  // where in its frame the press landed
                    segments: {"press -> on show": a.swapped - a.down, "on show -> decoded": decoded - a.swapped,
                               "decoded -> next frame": shown - decoded},
                };
            });
        }).observe(holder, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
    }
    const img = onShow();
    bench.armed = {id, holder, handle, down: null, imgBefore: img, srcBefore: img.src, keyBefore: img.dataset.key,
                   valueBefore: handle.getAttribute('aria-valuenow')};
}"""
# How long a press waits, once its picture is shown, for Chromium's Element Timing entry (painted_ms).
PAINTED_WAIT_S = 1.0
DISARM = "() => { if (window.__bench) window.__bench.armed = null; }"
# A press whose picture has not changed after this long counts as "never changed" (the kernel, busy, may be late).
NEVER_CHANGED_S = 10.0

# (f): while a slider is dragged, one record per animation frame: the time, the slider's value and the key of the
# picture on show. Stopped by window.__drag.stop = true.
RECORD_FRAMES = """(handle, view) => {
    const holder = handle.closest(view).querySelector('img').parentElement;  // the picture on show: its <img>
    const drag = window.__drag = {frames: [], stop: false};
    const frame = () => {
        drag.frames.push([performance.now(), handle.getAttribute('aria-valuenow'), holder.querySelector('img').dataset.key]);
        if (!drag.stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
}"""

# (d): the time (performance.now(), from opening the page) when a picture drawn by THIS kernel is in a view: an
# <img> made by page.js (it has a data-uid) whose uid was not on the page before Run All, loaded and decoded.
# Returns {error} as soon as a cell shows an error, so that a broken notebook fails in seconds, not at the timeout.
FIRST_LIVE_PICTURE = """([view, stale, errors]) => {
    for (const img of document.querySelectorAll(view + ' img[data-uid]'))
        if (!stale.includes(img.dataset.uid) && img.complete && img.naturalWidth > 0) return {t: performance.now()};
    const error = document.querySelector(errors);
    return error ? {error: error.textContent.slice(0, 2000)} : null;
}"""
LIVE_UIDS = "(view) => [...document.querySelectorAll(view + ' img[data-uid]')].map(img => img.dataset.uid)"
FIRST_IMAGE_SHOWN = """(selector) => {
    const img = document.querySelector(selector);
    return img && img.complete && img.naturalWidth > 0 ? performance.now() : null;
}"""
# What the page shows, for an error message when a wait times out.
PAGE_STATE = """([view, loading]) => ({
    widget_views: document.querySelectorAll(view).length,
    pictures: [...document.querySelectorAll(view + ' img')].map(
        img => ({uid: img.dataset.uid || null, key: img.dataset.key || null, complete: img.complete,
                 width: img.naturalWidth})),
    loading: [...document.querySelectorAll('.jp-OutputArea-output')].filter(o => o.textContent.includes(loading)).length,
    prompts: [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]
        .map(p => p.textContent.trim()).join(' '),
})"""
DRAG_S = 0.5  # (f): end to end in half a second, the mouse moved every 8 ms


def slider_range(handle) -> tuple[float, float, float]:
    """(min, value, max) of a noUiSlider handle, from its ARIA attributes."""
    return tuple(float(handle.get_attribute(f"aria-value{a}")) for a in ("min", "now", "max"))


def browser_figures(notebooks: list[Path], presses: int = PRESSES_PER_VIEW, lab_args: tuple[str, ...] = ()) -> dict:
    """(d) time to the first live picture of the first notebook; (b) and (f) for every slider view of each."""
    from playwright.sync_api import sync_playwright

    executable = labpage.find_chromium()
    if executable is None:
        return {"error": labpage.INSTALL_HINT}
    result: dict = {"views": {}, "errors": {}}
    with running_lab({"notebooks": NOTEBOOKS}, log_dir=OUT_DIR, extra_args=lab_args) as lab, sync_playwright() as pw:
        browser = labpage.launch_chromium(pw, executable)
        try:
            for notebook in notebooks:
                page = browser.new_context(viewport=labpage.VIEWPORT).new_page()
                served = f"notebooks/{notebook.name}"
                try:
                    first = open_and_run(page, lab, notebook, served)
                    if "first_live_view_s" not in result:
                        result.update(notebook=notebook.name, **first)
                    result["views"].update(measure_views(page, notebook, presses))
                except Exception as exc:  # one notebook's failure must not hide the others' figures
                    result["errors"][notebook.name] = f"{type(exc).__name__}: {exc}"[:3000]
                finally:
                    page.context.close()
                    labpage.shut_down_kernel(lab, served)
        finally:
            browser.close()
    result["overall"] = overall(result["views"])
    return result


def page_state(page) -> str:
    """What the page shows (views, their pictures, prompts), for an error message."""
    try:
        return json.dumps(page.evaluate(PAGE_STATE, [labpage.WIDGET_VIEW, labpage.WIDGET_LOADING]))[:3000]
    except Exception as exc:  # the page itself may be gone
        return f"(page unreadable: {exc})"


def open_and_run(page, lab, notebook: Path, served: str) -> dict:
    """Open a notebook, Run All, wait for every view; (d): seconds from opening to the first live picture.

    The first live picture is one drawn by this page's kernel (FIRST_LIVE_PICTURE): a view restored from the
    file, or left from an earlier run, does not count.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # performance.now() counts from the navigation start, that is from opening the notebook.
    page.goto(lab.lab_url(served))
    static = None
    if '"image/png"' in notebook.read_text():  # a stored (static) figure
        static = page.wait_for_function(
            FIRST_IMAGE_SHOWN, arg=".jp-OutputArea-output img", timeout=300_000, polling=50
        ).json_value()
    labpage.wait_kernel_idle(page, lab, served, timeout=300)
    stale = page.evaluate(LIVE_UIDS, labpage.WIDGET_VIEW)
    labpage.run_all_cells(page)
    try:
        live = page.wait_for_function(
            FIRST_LIVE_PICTURE, arg=[labpage.WIDGET_VIEW, stale, labpage.ERROR_OUTPUT], timeout=600_000, polling="raf"
        ).json_value()
    except PlaywrightTimeout:
        raise TimeoutError(
            f"{notebook.name}: no live picture 600 s after Run All; the page: {page_state(page)}"
        ) from None
    if "error" in live:
        raise RuntimeError(f"{notebook.name}: a cell failed after Run All: {live['error']}")
    labpage.wait_all_executed(page, lab, served)
    try:
        labpage.wait_widgets_settled(page, labpage.live_view_count(notebook))
    except PlaywrightTimeout:
        raise TimeoutError(f"{notebook.name}: the views did not all render; the page: {page_state(page)}") from None
    return {"first_stored_figure_s": None if static is None else static / 1000, "first_live_view_s": live["t"] / 1000}


def measure_views(page, notebook: Path, presses: int) -> dict:
    """(b) in each rhythm, then (f), for every view of the open notebook that has a movable slider."""
    found = {}
    for index, view in enumerate(page.locator(labpage.WIDGET_VIEW).all()):
        handles = [h for h in view.locator(".noUi-handle").all() if slider_range(h)[0] < slider_range(h)[2]]
        if not handles:
            continue
        view.scroll_into_view_if_needed()
        img = view.locator("img").first
        labpage.wait_pictures_settled(img, quiet_ms=1000)
        press_in_rhythm(page, handles, WARM_UP_PRESSES, gap_s=0.0)
        rhythms = {name: press_in_rhythm(page, handles, presses, gap_s) for name, gap_s in RHYTHMS.items()}
        labpage.wait_pictures_settled(img, quiet_ms=1000)
        longest = max(handles, key=lambda h: slider_range(h)[2] - slider_range(h)[0])  # (f): the most values
        found[f"{notebook.stem} view {index}"] = {"press_to_image_ms": rhythms, "drag": drag(page, longest)}
    return found


def picture_follows_press(result: dict) -> bool:
    """Whether the picture a press showed is for the slider's new value: its key differs from the key before, and
    in one place it went from the slider's old value to its new one (another control may follow, as t follows
    seq_len)."""
    try:
        before, after = json.loads(result["keyBefore"]), json.loads(result["key"])
        old, new = float(result["valueBefore"]), float(result["valueAfter"])
    except (TypeError, ValueError):
        return False
    if before == after or len(before) != len(after) or old == new:
        return False
    return any(
        isinstance(b, (int, float)) and isinstance(a, (int, float)) and abs(b - old) < 1e-9 and abs(a - new) < 1e-9
        for b, a in zip(before, after)
    )


def wait_picture_quiet(handle, quiet_ms: int = 1000, timeout: float = 30) -> None:
    """Wait until the view's picture has kept its src for `quiet_ms` (a late picture must not meet the next press)."""
    handle.evaluate(
        """async (h, [view, quiet, timeout]) => {
            const holder = h.closest(view).querySelector('img').parentElement, t0 = performance.now();
            let src = holder.querySelector('img').src, since = performance.now();
            while (performance.now() - since < quiet && performance.now() - t0 < timeout) {
                await new Promise(r => setTimeout(r, 50));
                const now = holder.querySelector('img').src;  // the picture on show, whichever <img> it is
                if (now !== src) { src = now; since = performance.now(); }
            }
        }""",
        [labpage.WIDGET_VIEW, quiet_ms, timeout * 1000],
    )


def press_phase(i: int, presses: int) -> float:
    """Where in the display's frame press i of `presses` should land, as a fraction of a frame from where the rhythm
    puts it: each of the frame's `presses` equal parts once, in a scrambled order (a stride near presses / golden
    ratio, prime to presses), so that no stretch of presses (one slider, one direction) keeps to one part."""
    stride = next(k for k in range(round(presses * 0.618), presses + 1) if math.gcd(k, presses) == 1)
    return (i * stride % presses) / presses


def press_due(i: int, presses: int, gap_s: float, last_press: float, now: float) -> float:
    """When (perf_counter seconds) press i goes, `now` being once the last picture shows: quick presses (gap_s 0)
    press_phase of a frame after that, which follows an animation frame; spaced ones gap_s after the last press and
    then what moves them on by the difference of their phases (so at most one frame more)."""
    if not gap_s:
        return now + press_phase(i, presses) * FRAME_S
    shift = (press_phase(i, presses) - press_phase(i - 1, presses)) * FRAME_S
    return last_press + gap_s + (shift - gap_s) % FRAME_S


def press_in_rhythm(page, handles: list, presses: int, gap_s: float) -> dict:
    """Press arrow keys on the sliders: each press once the last picture shows (or NEVER_CHANGED_S has passed) and
    `gap_s` has passed, then a fraction of a frame more (press_phase), so that the presses spread over the frame.

    Round-robin over the sliders, right on even rounds and left on odd ones (turning at an end). Returns the
    summary of the key press -> picture shown times (ms) of the presses whose picture changed to the one for the
    new value, how many presses there were, how many never changed the picture, how many showed a picture for
    other values, how many did not move the slider, the median of each segment, and how many pictures came from
    the page's memory.
    """
    results, never, wrong, unmoved = [], [], [], 0
    last_press = None
    for i in range(presses):
        handle = handles[i % len(handles)]
        low, value, top = slider_range(handle)
        rightwards = (i // len(handles)) % 2 == 0
        key = "ArrowRight" if (rightwards and value < top) or value <= low else "ArrowLeft"
        handle.focus()
        press_id = f"{time.monotonic_ns()}-{i}"
        handle.evaluate(ARM_PRESS, [press_id, labpage.WIDGET_VIEW])
        if last_press is not None:
            time.sleep(max(0.0, press_due(i, presses, gap_s, last_press, time.perf_counter()) - time.perf_counter()))
        last_press = time.perf_counter()
        page.keyboard.press(key)
        try:
            page.wait_for_function(
                "(id) => id in window.__bench.results", arg=press_id, timeout=NEVER_CHANGED_S * 1000, polling="raf"
            )
        except Exception:  # Playwright's TimeoutError: no new picture
            page.evaluate(DISARM)
            after = handle.get_attribute("aria-valuenow")
            if after is not None and float(after) == value:
                unmoved += 1
            else:
                never.append({"key": key, "value_before": value, "value_after": after})
            wait_picture_quiet(handle)
            continue
        result = page.evaluate("(id) => window.__bench.results[id]", press_id)
        try:
            page.wait_for_function(
                "(id) => id in window.__bench.painted", arg=press_id, timeout=PAINTED_WAIT_S * 1000, polling="raf"
            )
            result["painted_ms"] = page.evaluate("(id) => window.__bench.painted[id]", press_id)
        except Exception:  # Playwright's TimeoutError: no Element Timing entry for this picture
            result["painted_ms"] = None
        if picture_follows_press(result):
            results.append(result)
        else:
            wrong.append(result)
    page.evaluate(DISARM)
    samples = [r["ms"] for r in results]
    painted = [r["painted_ms"] for r in results if r.get("painted_ms") is not None]
    segments = [r["segments"] for r in results]
    medians = {name: statistics.median(s[name] for s in segments) for name in segments[0]} if segments else {}
    return {
        **(summary(samples) if samples else {"n": 0}),
        "presses": presses,
        "never_changed": len(never),
        "wrong_picture": len(wrong),
        "slider_did_not_move": unmoved,
        "from_page_memory": sum(r["origin"] == "page" for r in results),
        "segments_median_ms": medians,
        "samples": samples,
        "painted": summary(painted) if painted else {"n": 0},
        "painted_samples": painted,
        "phase_ms": [r.get("phase_ms") for r in results],
        "never_changed_presses": never,
        "wrong_picture_presses": wrong,
    }


def overall(views: dict) -> dict:
    """(b) over every view, per rhythm: the summary of all samples and the counts of failed presses."""
    found = {}
    for rhythm in RHYTHMS:
        parts = [v["press_to_image_ms"][rhythm] for v in views.values()]
        samples = [ms for b in parts for ms in b["samples"]]
        painted = [ms for b in parts for ms in b.get("painted_samples", [])]
        found[rhythm] = {
            **(summary(samples) if samples else {"n": 0}),
            "painted": summary(painted) if painted else {"n": 0},
            "views": len(parts),
            **{k: sum(b[k] for b in parts) for k in ("presses", "never_changed", "wrong_picture", "from_page_memory")},
        }
    return found


def drag(page, handle) -> dict:
    """(f): drag a slider from one end to the other in DRAG_S; frames per second, and pictures passed vs shown.

    The handle first goes to the lower end (by the Home key), then the mouse drags it to the upper end, moving
    every 8 ms, and the recording goes on 500 ms after the mouse is released. See drag_figures.
    """
    page.evaluate(DISARM)
    handle.focus()
    page.keyboard.press("Home")
    wait_picture_quiet(handle, quiet_ms=300)
    low, _, top = slider_range(handle)
    track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')]").first.bounding_box()
    box = handle.bounding_box()
    y = box["y"] + box["height"] / 2
    handle.evaluate(RECORD_FRAMES, labpage.WIDGET_VIEW)
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    start, moves = time.perf_counter(), max(2, int(DRAG_S / 0.008))
    for i in range(1, moves + 1):
        page.mouse.move(track["x"] + track["width"] * i / moves, y)
        time.sleep(max(0.0, start + DRAG_S * i / moves - time.perf_counter()))
    page.mouse.up()
    page.wait_for_timeout(500)
    frames = page.evaluate("() => { window.__drag.stop = true; return window.__drag.frames; }")
    name = handle.evaluate("el => el.closest('.widget-slider').querySelector('.widget-label').textContent.trim()")
    return {"slider": name, **drag_figures(frames, low, top)}


def key_position(frames: list) -> int | None:
    """Where in the picture's key the dragged slider's value is: the place that equals the slider's value in the
    most frames (None if no key was read)."""
    keys = [(float(value), json.loads(key)) for _, value, key in frames if value is not None and key]
    if not keys:
        return None
    width = len(keys[0][1])
    hits = [sum(len(k) == width and k[p] == v for v, k in keys) for p in range(width)]
    return max(range(width), key=hits.__getitem__) if width else None


def drag_figures(frames: list, low: float, top: float) -> dict:
    """(f) from the frames recorded during a drag ([ms, slider value, key of the picture on show], one a frame).

    The drag lasts from the first frame until the slider first reads its upper end; frames per second and the
    longest gap between frames are over that time. The values passed are the slider values the frames saw; a value
    counts as shown if a frame (until the recording stopped) showed the picture whose key holds that value.
    """
    moving = [f for f in frames if f[1] is not None]
    values = sorted({float(f[1]) for f in moving})
    first_top = next((i for i, f in enumerate(moving) if float(f[1]) >= top), len(moving) - 1)
    during = moving[: first_top + 1]
    seconds = (during[-1][0] - during[0][0]) / 1000 if len(during) > 1 else 0.0
    gaps = [b[0] - a[0] for a, b in zip(during, during[1:])]
    position = key_position(moving)
    shown = set()
    if position is not None:
        for _, _, key in moving:
            parts = json.loads(key) if key else []
            if position < len(parts) and isinstance(parts[position], (int, float)):
                shown.add(float(parts[position]))
    changes = sum(a[2] != b[2] for a, b in zip(during, during[1:]))
    return {
        "values_passed": len(values),
        "pictures_shown": len(shown & set(values)),
        "values_not_shown": sorted(set(values) - shown),
        "frames": len(during),
        "fps": (len(during) - 1) / seconds if seconds else 0.0,
        "longest_frame_gap_ms": max(gaps, default=0.0),
        "picture_changes": changes,
        "range": [low, top],
        "reached_top": bool(values) and values[-1] >= top,
    }


# --- report -----------------------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    """'yes' or 'NO', for a figure that must stay at or under its target."""
    return "yes" if value <= target else "NO"


def row(figure: str, measured: str, target: str = "reported", met: str = "") -> str:
    """One line of the Markdown table."""
    return f"| {figure} | {measured} | {target} | {met} |"


def browser_modules() -> list[str]:
    """The test modules that drive Chromium, which (e)'s second run leaves out."""
    tests = REPO_ROOT / "tests"
    found = [*tests.glob("test_*browser*.py"), tests / "test_lab_alt.py"]
    return sorted(p.relative_to(REPO_ROOT).as_posix() for p in found if p.exists())


def pytest_summary(stdout: str) -> str:
    """pytest's last line ("3942 passed, 1 skipped in ..."), wherever make's own lines put it; else the last line."""
    lines = [line.strip("= ") for line in stdout.splitlines() if line.strip()]
    counted = [line for line in lines if re.search(r"\d+ (passed|failed|errors?)\b", line)]
    return (counted or lines or [""])[-1]


def cpu_ticks() -> tuple[int, int] | None:
    """(busy, all) clock ticks of every core since boot, from /proc/stat (None where there is none)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """How busy the cores were between two cpu_ticks() readings (0 to 1)."""
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def make_test_run(pytest_args: str = "") -> dict:
    """Wall time of one `make test` (lint, the tree check, pytest in one process per core), with the load around it
    and how busy the cores were meanwhile (well under 100% says the suite waits more than it computes)."""
    load, ticks = os.getloadavg()[0], cpu_ticks()
    start = time.perf_counter()
    done = subprocess.run(["make", "test", f"PYTEST_ARGS={pytest_args}"], cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "exit_code": done.returncode,
        "summary": pytest_summary(done.stdout),
        "load_average_1min": [load, os.getloadavg()[0]],  # at start, at end
        "cores_busy": busy_share(ticks, cpu_ticks()),
        # make test's pytest-xdist processes: as given to make bench, else the Makefile's TEST_WORKERS
        "workers": os.environ.get("TEST_WORKERS", "the Makefile's default"),
    }


def make_test_time() -> dict:
    """(e) wall time of a whole `make test` on this machine (lint, unit tests, strict nbval, browser tests), then of
    the same without the browser tests."""
    skip_browser = " ".join(f"--ignore={module}" for module in browser_modules())
    return {
        "with browser tests": make_test_run(),
        "without browser tests": make_test_run(skip_browser) | {"left out": browser_modules()},
    }


def press_row(label: str, b: dict, load) -> str:
    """(b)'s row for one view (or all views) in one rhythm: met only if the median and p95 are within the goals and
    every press changed the picture to the one for its new value."""
    failed = [
        f"{b[k]} {name}"
        for k, name in (
            ("never_changed", f"never changed the picture within {NEVER_CHANGED_S:.0f} s"),
            ("wrong_picture", "showed a picture for other values"),
            ("slider_did_not_move", "did not move the slider"),
        )
        if b.get(k)
    ]
    if not b["n"]:
        return row(
            f"(b) key press -> new picture, {label}", "no press changed the picture; " + ", ".join(failed), "", "NO"
        )
    met = "yes" if b["median"] <= TARGETS["b"] and b["p95"] <= TARGETS["b95"] else "NO"
    if failed:
        met = "NO"
    segments = b.get("segments_median_ms")
    segments = "; segment medians, ms: " + ", ".join(f"{n} {ms:.1f}" for n, ms in segments.items()) if segments else ""
    painted = b.get("painted", {"n": 0})
    if painted["n"]:
        painted_met = "yes" if painted["median"] <= TARGETS["b"] and painted["p95"] <= TARGETS["b95"] else "NO"
        met += f"; painted: {'NO' if failed else painted_met}"
        painted = (
            f"; painted (Element Timing, frame presented): median {painted['median']:.1f} ms, "
            f"p95 {painted['p95']:.1f} ms (n={painted['n']})"
        )
    else:
        painted = "; painted: no Element Timing entry"
    return row(
        f"(b) key press -> new picture, {label}",
        f"decoded + next frame: median {b['median']:.1f} ms, p95 {b['p95']:.1f} ms, max {b['max']:.0f} ms "
        f"(n={b['n']} of {b['presses']} presses, {b['from_page_memory']} from the page's memory{segments}){painted}"
        + ("; " + ", ".join(failed) if failed else ""),
        f"median <= {TARGETS['b']:.0f} ms, p95 <= {TARGETS['b95']:.0f} ms",
        met if load is None else f"{met} (load {load[0]:.1f})",
    )


def table(figures: dict) -> str:
    """The figures as a Markdown table."""
    rows = [row("Figure", "Measured", "Target", "Met"), "|---|---|---|---|"]
    for key, name in (
        ("a", "(a) kernel slider latency"),
        ("browser", "(b), (d)"),
        ("c", "(c) overhead"),
        ("e", "(e) make test"),
    ):
        if "error" in figures.get(key, {}):
            rows.append(row(name, f"not measured: {figures[key]['error']}", "", ""))
    for label, a in figures.get("a", {}).items():
        if isinstance(a, dict) and "median" in a:
            split = ", ".join(f"{k} {v:.0%}" for k, v in a["split"].items())
            rows.append(
                row(
                    f"(a) kernel slider latency: {label}",
                    f"median {a['median']:.1f} ms, p95 {a['p95']:.1f} ms (n={a['n']}; {split})",
                    "median <= 30 ms",
                    verdict(a["median"], TARGETS["a"]),
                )
            )
    browser = figures.get("browser", {})
    load = figures.get("machine", {}).get("load_average_at_start")
    for notebook, error in browser.get("errors", {}).items():
        rows.append(row(f"(b), (d), (f) {notebook}", f"not measured: {error}", "", "NO"))
    for view, v in browser.get("views", {}).items():
        for rhythm, b in v["press_to_image_ms"].items():
            rows.append(press_row(f"{view}: {rhythm}", b, load))
        d = v["drag"]
        missed = f", not shown: {d['values_not_shown']}" if d["values_not_shown"] else ""
        top = "" if d["reached_top"] else ", the slider never reached its upper end"
        rows.append(
            row(
                f"(f) drag end to end in {DRAG_S} s, {view}, slider {d.get('slider', '?')!r}",
                f"{d['fps']:.0f} frames/s (longest gap {d['longest_frame_gap_ms']:.0f} ms); {d['pictures_shown']} "
                f"pictures shown of {d['values_passed']} values passed{missed}{top}",
            )
        )
    for rhythm, b in browser.get("overall", {}).items():
        rows.append(press_row(f"all {b['views']} slider views: {rhythm}", b, load))
    c = figures.get("c", {})
    if "ratio" in c:
        failed = "" if c["all_passed"] else " (a pytest run FAILED)"
        rows.append(
            row(
                f"(c) nbval suite / {c['notebooks']} import-only notebooks",
                f"{c['suite_s']:.1f} s / {c['baseline_s']:.1f} s = {c['ratio']:.2f} "
                f"(medians of {len(c['suite_runs_s'])}){failed}",
                "<= 1.5",
                verdict(c["ratio"], TARGETS["c"]),
            )
        )
    for run, e in figures.get("e", {}).items():
        if not isinstance(e, dict) or "seconds" not in e:
            continue
        failed = "" if e["exit_code"] == 0 else f", FAILED with exit code {e['exit_code']}"
        load = "load {:.1f} -> {:.1f}".format(*e["load_average_1min"])
        if e.get("cores_busy") is not None:
            load += f", cores {e['cores_busy']:.0%} busy"
        target = f"<= {TARGETS['e']:.0f} min" if run == "with browser tests" else "reported"
        met = verdict(e["seconds"] / 60, TARGETS["e"]) if run == "with browser tests" else ""
        rows.append(
            row(
                f"(e) make test {run}, wall time on {os.cpu_count()} cores, TEST_WORKERS: {e.get('workers', '?')}",
                f"{e['seconds'] / 60:.1f} min ({e['summary']}{failed}; {load})",
                target,
                met,
            )
        )
    if "first_live_view_s" in browser:
        static = browser["first_stored_figure_s"]
        static = "none stored" if static is None else f"{static:.1f} s"
        rows.append(
            row(
                f"(d) open {browser['notebook']} -> first live picture (Run All)",
                f"{browser['first_live_view_s']:.1f} s (first stored static figure: {static})",
            )
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default="abcdef",
        help="which figures to measure, e.g. 'bdf' for the browser part alone, without make test (default: abcdef)",
    )
    parser.add_argument(
        "--stock-websocket",
        action="store_true",
        help="serve with jupyter_server's own kernel websocket (Nagle on), to compare",
    )
    parser.add_argument("--notebooks", default="", help="(b), (f): only these notebooks, e.g. '01,04' (default: all)")
    parser.add_argument("--presses", type=int, default=PRESSES_PER_VIEW, help="(b): key presses per view and rhythm")
    args = parser.parse_args(argv)
    status = 0
    figures: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        }
    }
    notebooks = labpage.widget_notebooks(NOTEBOOKS)
    if args.notebooks:
        notebooks = [p for p in notebooks if any(p.name.startswith(n) for n in args.notebooks.split(","))]
    notebooks.sort(key=lambda p: p != FIRST_NOTEBOOK)  # (d) is measured on 01
    lab_args = STOCK_WEBSOCKET if args.stock_websocket else ()
    parts = {
        "a": kernel_latency,
        "browser": lambda: browser_figures(notebooks, presses=args.presses, lab_args=lab_args),
        "c": suite_overhead,
        "e": make_test_time,
    }
    for key, measure in parts.items():
        if not set({"browser": "bdf"}.get(key, key)) & set(args.only):
            continue
        if key == "browser" and not notebooks:
            figures[key] = {"error": "no notebook with widgets"}
            continue
        try:
            figures[key] = measure()
            if figures[key].get("errors"):  # a notebook the browser part could not measure
                status = 1
        except Exception as exc:  # one broken part must not hide the others' figures
            figures[key] = {"error": f"{type(exc).__name__}: {exc}"}
            status = 1
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "bench.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(table(figures))
    print(f"\nFigures also in {(OUT_DIR / 'bench.json').relative_to(REPO_ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
