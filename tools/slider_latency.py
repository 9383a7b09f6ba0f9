"""(a) of `make bench`: kernel-side slider latency of every slider view, and where the time goes."""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import subprocess
import time
from pathlib import Path

from tools import labpage
from tools.labserver import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
MIN_KERNEL_CHANGES = 50


def summary(samples: list[float]) -> dict:
    """n, median, p95 and max of a list of timings."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ordered), "median": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


# Sent to a fresh kernel before the notebook's cells: remember every widget they construct.
RECORD_WIDGETS = """
from ipywidgets import Widget as _BenchWidget
_bench_made = []
_BenchWidget.on_widget_constructed(_bench_made.append)
"""
# Sent after the cells: time every slider view in the kernel and print the figures as JSON.
MEASURE_VIEWS = """
_BenchWidget.on_widget_constructed(None)
import json as _bench_json
from tools.slider_latency import measure_views as _bench_measure
print(_bench_json.dumps(_bench_measure(_bench_made, {label!r})))
"""


def measure_views(widgets: list, label: str) -> dict:
    """(a) for every slider view among `widgets` (those with a `.controls` dict and a `png`)."""
    views = [w for w in widgets if isinstance(getattr(w, "controls", None), dict) and hasattr(w, "png")]
    result = {}
    for index, view in enumerate(views):
        timings, unchanged = sweep(view)
        result[f"{label} view {index} ({type(view).__name__})"] = {
            **summary(timings),
            "unchanged": unchanged,
            "split": profile_split(view),
        }
    return result


def measure_notebook_in_kernel(path: Path) -> dict:
    """Run a notebook's code cells in a fresh python3 kernel, then measure its slider views there.

    A real kernel, as in JupyterLab: `%matplotlib inline` works and every image update goes out
    as a comm message. The kernel runs in the notebook's folder and imports tools/ from the repo.
    """
    from jupyter_client.manager import start_new_kernel

    pythonpath = filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    # stderr: ipykernel's notice about unencrypted local TCP; failures come back as messages.
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(path.parent), env=env, stderr=subprocess.DEVNULL)
    try:
        _execute(kc, RECORD_WIDGETS, "set-up")
        for index, cell in enumerate(cells):
            _execute(kc, "".join(cell["source"]), f"{path.name} code cell {index}")
        printed = _execute(kc, MEASURE_VIEWS.format(label=path.stem), "measurement")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return json.loads(printed.strip().splitlines()[-1])


def _execute(kc, code: str, what: str) -> str:
    """Run code in the kernel; return what it printed, raise if it failed."""
    printed: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            printed.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, timeout=900, output_hook=hook, store_history=False)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{what} failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    return "".join(printed)


def control_values(control) -> list:
    """A sweep of values for one control: to one end, to the other, and back; [] if it cannot move."""
    start = control.value
    if isinstance(start, bool):
        return [not start, start]
    if hasattr(control, "options") and hasattr(control, "index"):  # selection sliders
        values = list(control.options)
    elif all(hasattr(control, a) for a in ("min", "max", "step")) and control.step:
        count = int(round((control.max - control.min) / control.step)) + 1
        values = [control.min + i * control.step for i in range(count)]
    else:
        return []
    if len(values) < 2:
        return []
    i = values.index(start) if start in values else 0
    return values[i + 1 :] + values[::-1][1:] + values[1 : i + 1]


def sweep(view, min_changes: int = MIN_KERNEL_CHANGES) -> tuple[list[float], int]:
    """Move every control of `view` through its values until at least `min_changes` changes.

    Each timing (ms) runs from `control.value = v` to the moment the kernel has the new `view.png` (the page
    shows its own copy without waiting for it), stamped by an observer on `png`. Returns the timings and how many changes left the image alone.
    """
    stamps: list[float] = []
    observer = lambda change: stamps.append(time.perf_counter())  # noqa: E731
    view.observe(observer, names="png")
    timings, unchanged = [], 0
    plan = [(control, v) for control in view.controls.values() for v in control_values(control)]
    if not plan:
        raise ValueError(f"{type(view).__name__} has no control that can move")
    try:
        while len(timings) + unchanged < min_changes:
            for control, value in plan:
                stamps.clear()
                start = time.perf_counter()
                control.value = value
                if stamps:
                    timings.append((stamps[-1] - start) * 1000)
                else:
                    unchanged += 1
    finally:
        view.unobserve(observer, names="png")
    return timings, unchanged


PHASES = {  # name: (file name ends with, function name), timed cumulatively
    "render": ("views/base.py", "png_bytes"),  # helpers.views: drawing plus PNG encoding
    "draw": ("figure.py", "draw"),  # Figure.draw on the Agg renderer
    "forward": ("module.py", "_call_impl"),
}


def profile_split(view) -> dict:
    """Shares of a repeated sweep's time: Agg drawing, PNG encoding, torch forward, everything else.

    The sweep before this one has visited every setting, so cached runs keep "forward" low; cProfile
    slows Python code more than C code, so the shares are estimates.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    sweep(view, min_changes=MIN_KERNEL_CHANGES // 2)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(tt for _, _, tt, _, _ in stats.values()) or 1.0
    share = {
        key: max(
            (ct for (f, _, name), (_, _, _, ct, _) in stats.items() if f.endswith(file_end) and name == func),
            default=0.0,
        )
        / total
        for key, (file_end, func) in PHASES.items()
    }
    return {
        "Agg drawing": share["draw"],
        "PNG encoding": share["render"] - share["draw"],
        "torch forward": share["forward"],
        "rest (compute, artist updates, widget messages)": 1 - share["render"] - share["forward"],
    }


def kernel_latency() -> dict:
    """(a) for every slider view of every notebook with widgets (or of the builders, if none)."""
    result = {}
    for path in labpage.widget_notebooks(NOTEBOOKS):
        result.update(measure_notebook_in_kernel(path))
    if not result:
        for name, build in widget_builders().items():
            result.update(measure_views([build()], f"helpers.views.{name}()"))
    return result


def widget_builders() -> dict:
    """Public functions of helpers.views that build a view from their defaults alone."""
    import inspect
    import typing

    import ipywidgets

    from helpers import views

    found = {}
    for name, fn in inspect.getmembers(views, inspect.isfunction):
        if not fn.__module__.startswith(views.__name__ + ".") or name.startswith("_"):
            continue
        returns = typing.get_type_hints(fn).get("return")
        needs_args = any(
            p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            for p in inspect.signature(fn).parameters.values()
        )
        if isinstance(returns, type) and issubclass(returns, ipywidgets.VBox) and not needs_args:
            found[name] = fn
    return found
