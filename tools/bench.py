"""`make bench`: slider latency in the kernel and in the browser, test-suite overhead, time to first view, make test time.

(a) kernel: control moved -> the kernel has the new picture, every view. (b) Chromium: key press -> the new
picture on screen, every slider view of every notebook, quick presses and presses 150 ms apart. (c) strict nbval
overhead. (d) opening 01 -> its first live picture. (e) make test, with and without the browser tests. (f) Chromium: a slider dragged end to end,
frames per second and pictures shown of the values passed. Prints a table and writes the same figures to artifacts/bench/bench.json. Nothing here asserts:
the targets are reported next to the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

# Stamps every key press (event.timeStamp is on the performance.now() clock) and, when a view's picture then
# gets a new src, records the time until that picture is decoded and painted, the segments on the way
# (key press -> src set -> decoded -> next frame), and where the picture came from: the page's memory ("page")
# or the kernel, later ("kernel"); see helpers/views/page.js.
INSTALL_PROBE = """(selector) => {
    const bench = window.__bench = {down: null, samples: [], segments: [], origins: []};
    document.addEventListener('keydown', e => { bench.down = e.timeStamp; }, true);
    for (const img of document.querySelectorAll(selector + ' img')) {
        new MutationObserver(async () => {
            const down = bench.down;
            if (down === null) return;
            bench.down = null;
            const srcSet = performance.now(), origin = img.dataset.from || null;
            await img.decode().catch(() => {});
            const decoded = performance.now();
            requestAnimationFrame(() => {
                const shown = performance.now();
                bench.samples.push(shown - down);
                bench.origins.push(origin);
                bench.segments.push({"press -> src set": srcSet - down, "src set -> decoded": decoded - srcSet,
                                     "decoded -> next frame": shown - decoded});
            });
        }).observe(img, {attributes: true, attributeFilter: ['src']});
    }
}"""

# (f): while a slider is dragged, one record per display frame: the time, the slider's value and the key of the
# picture on show. Stopped by window.__drag.stop = true.
RECORD_FRAMES = """(handle, view) => {
    const img = handle.closest(view).querySelector('img');
    const drag = window.__drag = {frames: [], stop: false};
    const frame = () => {
        drag.frames.push([performance.now(), handle.getAttribute('aria-valuenow'), img.dataset.key]);
        if (!drag.stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
}"""

FIRST_IMAGE_SHOWN = """(selector) => {
    const img = document.querySelector(selector);
    return img && img.complete && img.naturalWidth > 0 ? performance.now() : null;
}"""
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
    result: dict = {"views": {}}
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
                finally:
                    page.context.close()
                    labpage.shut_down_kernel(lab, served)
        finally:
            browser.close()
    return result


def open_and_run(page, lab, notebook: Path, served: str) -> dict:
    """Open a notebook, Run All, wait for every view; (d): seconds from opening to the first live picture."""
    # performance.now() counts from the navigation start, that is from opening the notebook.
    page.goto(lab.lab_url(served))
    static = None
    if '"image/png"' in notebook.read_text():  # a stored (static) figure
        static = page.wait_for_function(
            FIRST_IMAGE_SHOWN, arg=".jp-OutputArea-output img", timeout=300_000
        ).json_value()
    labpage.wait_kernel_idle(page, lab, served, timeout=300)
    labpage.run_all_cells(page)
    live = page.wait_for_function(FIRST_IMAGE_SHOWN, arg=labpage.WIDGET_VIEW + " img", timeout=600_000).json_value()
    labpage.wait_all_executed(page, lab, served)
    labpage.wait_widgets_settled(page, labpage.live_view_count(notebook))
    return {"first_stored_figure_s": None if static is None else static / 1000, "first_live_view_s": live / 1000}


def measure_views(page, notebook: Path, presses: int) -> dict:
    """(b) in each rhythm, then (f), for every view of the open notebook that has a movable slider."""
    page.evaluate(INSTALL_PROBE, labpage.WIDGET_VIEW)
    found = {}
    for index, view in enumerate(page.locator(labpage.WIDGET_VIEW).all()):
        handles = [h for h in view.locator(".noUi-handle").all() if slider_range(h)[0] < slider_range(h)[2]]
        if not handles:
            continue
        view.scroll_into_view_if_needed()
        labpage.wait_pictures_settled(view.locator("img").first, quiet_ms=1000)
        press_in_rhythm(page, handles, WARM_UP_PRESSES, gap_s=0.0)
        rhythms = {name: press_in_rhythm(page, handles, presses, gap_s) for name, gap_s in RHYTHMS.items()}
        labpage.wait_pictures_settled(view.locator("img").first, quiet_ms=1000)
        found[f"{notebook.stem} view {index}"] = {"press_to_image_ms": rhythms, "drag": drag(page, handles[0])}
    return found


def press_in_rhythm(page, handles: list, presses: int, gap_s: float) -> dict:
    """Press arrow keys on the sliders: each press once the last picture shows and `gap_s` has passed.

    Round-robin over the sliders, right on even rounds and left on odd ones (turning at an end).
    Returns the summary of the key press -> picture shown times (ms) of these presses, the median of each
    segment on the way, and how many pictures came from the page's memory.
    """
    first = page.evaluate("() => window.__bench.samples.length")
    last_press = None
    for i in range(presses):
        handle = handles[i % len(handles)]
        low, value, top = slider_range(handle)
        rightwards = (i // len(handles)) % 2 == 0
        key = "ArrowRight" if (rightwards and value < top) or value <= low else "ArrowLeft"
        handle.focus()
        if last_press is not None:
            time.sleep(max(0.0, last_press + gap_s - time.perf_counter()))
        last_press = time.perf_counter()
        page.keyboard.press(key)
        page.wait_for_function("(n) => window.__bench.samples.length > n", arg=first + i, timeout=60_000, polling="raf")
    samples, segments, origins = page.evaluate(
        "(first) => [window.__bench.samples.slice(first), window.__bench.segments.slice(first),"
        " window.__bench.origins.slice(first)]",
        first,
    )
    medians = {name: statistics.median(s[name] for s in segments) for name in segments[0]} if segments else {}
    return {
        **summary(samples),
        "from_page_memory": sum(o == "page" for o in origins),
        "segments_median_ms": medians,
        "samples": samples,
    }


def drag(page, handle) -> dict:
    """(f): drag a slider from one end to the other in DRAG_S; frames per second, and pictures passed vs shown.

    The handle first goes to the lower end (by the Home key), then the mouse drags it to the upper end, moving
    every 8 ms. Each display frame records the slider's value and the picture on show; a value counts as shown
    if a frame showed its picture while the slider was at it or later.
    """
    handle.focus()
    page.keyboard.press("Home")
    page.wait_for_timeout(300)
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
    moving = [f for f in frames if f[1] is not None]
    values = sorted({float(f[1]) for f in moving})
    first_top = next((i for i, f in enumerate(moving) if float(f[1]) >= top), len(moving) - 1)
    during = moving[: first_top + 1]
    seconds = (during[-1][0] - during[0][0]) / 1000 if len(during) > 1 else 0.0
    keys_shown = {f[2] for f in during}
    return {
        "values_passed": len(values),
        "pictures_shown": len(keys_shown),
        "frames": len(during),
        "fps": (len(during) - 1) / seconds if seconds else 0.0,
        "range": [low, top],
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
    found = [*tests.glob("test_*browser*.py"), tests / "test_live_slides.py"]
    return sorted(p.relative_to(REPO_ROOT).as_posix() for p in found if p.exists())


def make_test_run(pytest_args: str = "") -> dict:
    """Wall time of one `make test` (lint, the tree check, pytest in one process per core), with the load around it."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(["make", "test", f"PYTEST_ARGS={pytest_args}"], cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = next((line for line in reversed(done.stdout.splitlines()) if line.strip()), "")
    return {
        "seconds": seconds,
        "exit_code": done.returncode,
        "summary": summary.strip("= "),
        "load_average_1min": [load, os.getloadavg()[0]],  # at start, at end
    }


def make_test_time() -> dict:
    """(e) wall time of a whole `make test` on this machine (lint, unit tests, strict nbval, browser tests), then of
    the same without the browser tests."""
    skip_browser = " ".join(f"--ignore={module}" for module in browser_modules())
    return {
        "with browser tests": make_test_run(),
        "without browser tests": make_test_run(skip_browser) | {"left out": browser_modules()},
    }


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
    for view, v in browser.get("views", {}).items():
        for rhythm, b in v["press_to_image_ms"].items():
            segments = ", ".join(f"{name} {ms:.1f}" for name, ms in b["segments_median_ms"].items())
            met = verdict(b["median"], TARGETS["b"]) if b["p95"] <= TARGETS["b95"] else "NO (p95)"
            rows.append(
                row(
                    f"(b) key press -> new picture, {view}: {rhythm}",
                    f"median {b['median']:.1f} ms, p95 {b['p95']:.1f} ms (n={b['n']}, {b['from_page_memory']} from "
                    f"the page's memory; segment medians, ms: {segments})",
                    f"median <= {TARGETS['b']:.0f} ms, p95 <= {TARGETS['b95']:.0f} ms",
                    met if load is None else f"{met} (load {load[0]:.1f})",
                )
            )
        d = v["drag"]
        rows.append(
            row(
                f"(f) drag end to end in {DRAG_S} s, {view}",
                f"{d['fps']:.0f} frames/s; {d['pictures_shown']} pictures shown of {d['values_passed']} values passed",
            )
        )
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
        target = f"<= {TARGETS['e']:.0f} min" if run == "with browser tests" else "reported"
        met = verdict(e["seconds"] / 60, TARGETS["e"]) if run == "with browser tests" else ""
        rows.append(
            row(
                f"(e) make test {run}, wall time on {os.cpu_count()} cores",
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
    parser.add_argument("--only", default="abcdef", help="which figures to measure, e.g. 'ab' (default: abcdef)")
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
