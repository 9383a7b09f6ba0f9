"""`make bench`: slider latency in the kernel and in the browser, test-suite overhead, time to first view, make test time.

Prints a table and writes the same figures to artifacts/bench/bench.json. Nothing here asserts:
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
TARGETS = {"a": 30.0, "b": 40.0, "c": 1.5}  # ms, ms, ratio
MIN_BROWSER_CHANGES = 48  # per rhythm
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


# --- (b) and (d): in Chromium ----------------------------------------------------------------------

# Added before JupyterLab loads: stamps the arrival of every large websocket message (a picture),
# from a listener that runs before JupyterLab's own handler, and reads when the kernel made it (the
# header's `date`, on the same machine's clock). The messages use the v1 kernel websocket protocol:
# a count and offsets (8-byte little-endian), then the channel name, then the header's JSON.
STAMP_PICTURE_MESSAGES = """(() => {
    const Native = window.WebSocket;
    window.__benchPicture = null;
    const sentAt = (data) => {
        try {
            const view = new DataView(data), offset = (i) => Number(view.getBigUint64(8 * (i + 1), true));
            const header = JSON.parse(new TextDecoder().decode(data.slice(offset(1), offset(2))));
            const fraction = /\\.(\\d+)/.exec(header.date);
            const ms = Date.parse(header.date.replace(/\\.\\d+/, "")) + (fraction ? 1000 * Number("0." + fraction[1]) : 0);
            return ms - performance.timeOrigin;
        } catch (e) { return null; }
    };
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', e => {
                if (e.data instanceof ArrayBuffer && e.data.byteLength > MIN_BYTES)
                    window.__benchPicture = {received: performance.now(), sent: sentAt(e.data)};
            });
        }
    };
})();""".replace("MIN_BYTES", "4096")  # bytes: status and echo messages are well under this, the PNGs well over

# Stamps every key press (event.timeStamp is on the performance.now() clock) and, when a widget
# image then gets a new src, records the time until that image is decoded and painted, and the
# segments on the way: key press -> the kernel sends the picture -> the page receives it -> src set
# -> decoded -> next frame.
INSTALL_PROBE = """(selector) => {
    const bench = window.__bench = {down: null, samples: [], segments: []};
    document.addEventListener('keydown', e => { bench.down = e.timeStamp; }, true);
    for (const img of document.querySelectorAll(selector + ' img')) {
        new MutationObserver(async () => {
            const down = bench.down;
            if (down === null) return;
            bench.down = null;
            const srcSet = performance.now(), picture = window.__benchPicture;
            await img.decode().catch(() => {});
            const decoded = performance.now();
            requestAnimationFrame(() => {
                const shown = performance.now();
                bench.samples.push(shown - down);
                const fresh = picture !== null && picture.received > down && picture.sent !== null;
                bench.segments.push(fresh ? {
                    "press -> kernel sends picture": picture.sent - down,
                    "kernel sends -> page receives": picture.received - picture.sent,
                    "received -> src set": srcSet - picture.received,
                    "src set -> decoded": decoded - srcSet, "decoded -> next frame": shown - decoded} : null);
            });
        }).observe(img, {attributes: true, attributeFilter: ['src']});
    }
}"""

FIRST_IMAGE_SHOWN = """(selector) => {
    const img = document.querySelector(selector);
    return img && img.complete && img.naturalWidth > 0 ? performance.now() : null;
}"""


def slider_range(handle) -> tuple[float, float, float]:
    """(min, value, max) of a noUiSlider handle, from its ARIA attributes."""
    return tuple(float(handle.get_attribute(f"aria-value{a}")) for a in ("min", "now", "max"))


def browser_figures(notebook: Path, presses: int = MIN_BROWSER_CHANGES, lab_args: tuple[str, ...] = ()) -> dict:
    """(d) time to first view of `notebook`, then (b) key press -> new image on the page, in each rhythm."""
    from playwright.sync_api import sync_playwright

    executable = labpage.find_chromium()
    if executable is None:
        return {"error": labpage.INSTALL_HINT}
    served = f"notebooks/{notebook.name}"
    with running_lab({"notebooks": NOTEBOOKS}, log_dir=OUT_DIR, extra_args=lab_args) as lab, sync_playwright() as pw:
        browser = labpage.launch_chromium(pw, executable)
        page = browser.new_context(viewport=labpage.VIEWPORT).new_page()
        page.add_init_script(STAMP_PICTURE_MESSAGES)
        try:
            # (d): performance.now() counts from the navigation start, that is from opening the notebook.
            page.goto(lab.lab_url(served))
            static = None
            if '"image/png"' in notebook.read_text():  # a stored (static) figure
                static = (
                    page.wait_for_function(
                        FIRST_IMAGE_SHOWN, arg=".jp-OutputArea-output img", timeout=300_000
                    ).json_value()
                    / 1000
                )
            labpage.wait_kernel_idle(page, lab, served, timeout=300)
            labpage.run_all_cells(page)
            live = page.wait_for_function(
                FIRST_IMAGE_SHOWN, arg=labpage.WIDGET_VIEW + " img", timeout=600_000
            ).json_value()
            labpage.wait_all_executed(page, lab, served)
            labpage.wait_widgets_settled(page, labpage.live_view_count(notebook))
            # (b)
            page.evaluate(INSTALL_PROBE, labpage.WIDGET_VIEW)
            handles = [
                h
                for h in page.locator(labpage.WIDGET_VIEW + " .noUi-handle").all()
                if slider_range(h)[0] < slider_range(h)[2]
            ]
            if not handles:
                return {"error": "no movable slider in the notebook's views"}
            press_in_rhythm(page, handles, WARM_UP_PRESSES, gap_s=0.0)
            rhythms = {name: press_in_rhythm(page, handles, presses, gap_s) for name, gap_s in RHYTHMS.items()}
        finally:
            browser.close()
        nodelay = "TCP_NODELAY on" in lab.log_path.read_text(errors="replace")
    return {
        "notebook": notebook.name,
        "first_stored_figure_s": static,
        "first_live_view_s": live / 1000,
        "kernel_websocket_nodelay": nodelay,
        "warm_up_presses": WARM_UP_PRESSES,
        "press_to_image_ms": rhythms,
    }


def press_in_rhythm(page, handles: list, presses: int, gap_s: float) -> dict:
    """Press arrow keys on the sliders: each press once the last picture shows and `gap_s` has passed.

    Round-robin over the sliders, right on even rounds and left on odd ones (turning at an end).
    Returns the summary of the key press -> picture shown times (ms) of these presses, with the
    median of each segment on the way.
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
    samples, segments = page.evaluate(
        "(first) => [window.__bench.samples.slice(first), "
        "window.__bench.segments.slice(first).filter(s => s !== null)]",
        first,
    )
    medians = {name: statistics.median(s[name] for s in segments) for name in segments[0]} if segments else {}
    return {**summary(samples), "segments_median_ms": medians, "samples": samples, "segments": segments}


# --- report -----------------------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    """'yes' or 'NO', for a figure that must stay at or under its target."""
    return "yes" if value <= target else "NO"


def row(figure: str, measured: str, target: str = "reported", met: str = "") -> str:
    """One line of the Markdown table."""
    return f"| {figure} | {measured} | {target} | {met} |"


def make_test_time() -> dict:
    """(e) wall time of a whole `make test` on this machine: lint, unit tests, strict nbval, browser tests."""
    start = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = next((line for line in reversed(done.stdout.splitlines()) if line.strip()), "")
    return {"seconds": seconds, "exit_code": done.returncode, "summary": summary.strip("= ")}


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
    nodelay = "TCP_NODELAY on" if browser.get("kernel_websocket_nodelay") else "TCP_NODELAY not set (Nagle on)"
    for rhythm, b in browser.get("press_to_image_ms", {}).items():
        segments = ", ".join(f"{name} {ms:.0f}" for name, ms in b["segments_median_ms"].items())
        rows.append(
            row(
                f"(b) key press -> new image in Chromium: {rhythm}",
                f"median {b['median']:.0f} ms, p95 {b['p95']:.0f} ms (n={b['n']}; kernel websocket: {nodelay}; "
                f"segment medians, ms: {segments})",
                f"median <= {TARGETS['b']:.0f} ms",
                verdict(b["median"], TARGETS["b"]),
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
    e = figures.get("e", {})
    if "seconds" in e:
        failed = "" if e["exit_code"] == 0 else f", FAILED with exit code {e['exit_code']}"
        rows.append(
            row(
                f"(e) make test, wall time on {os.cpu_count()} cores",
                f"{e['seconds'] / 60:.1f} min ({e['summary']}{failed})",
            )
        )
    if "first_live_view_s" in browser:
        static = browser["first_stored_figure_s"]
        static = "none stored" if static is None else f"{static:.1f} s"
        rows.append(
            row(
                f"(d) open {browser['notebook']} -> first live heatmap (Run All)",
                f"{browser['first_live_view_s']:.1f} s (first stored static figure: {static})",
            )
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="abcde", help="which figures to measure, e.g. 'ab' (default: abcde)")
    parser.add_argument(
        "--stock-websocket",
        action="store_true",
        help="serve with jupyter_server's own kernel websocket (Nagle on), to compare",
    )
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
    notebook = FIRST_NOTEBOOK if FIRST_NOTEBOOK.exists() else next(iter(labpage.widget_notebooks(NOTEBOOKS)), None)
    lab_args = STOCK_WEBSOCKET if args.stock_websocket else ()
    parts = {
        "a": kernel_latency,
        "browser": lambda: browser_figures(notebook, lab_args=lab_args),
        "c": suite_overhead,
        "e": make_test_time,
    }
    for key, measure in parts.items():
        if not set({"browser": "bd"}.get(key, key)) & set(args.only):
            continue
        if key == "browser" and notebook is None:
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
