"""The sizing table for TEACHING.md ("How many students a server holds"), from `make bench-class`'s figures.

measured_from() takes the class-N.json results and keeps, for each figure, the largest measured over the runs and
students (the safe side: memory per student is largest in a class of one, when fewer pages are shared).
sizing_markdown() turns them into memory and cores for a class of 10, 30 and 100, when everyone runs the same
notebook at once and when 40-60 % are active (the usual planning figure for hubs: the others have their server
up and their kernel stopped by the idle culler), and says what dominates. Pure arithmetic: tests/test_hub_client.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CLASSES = (10, 30, 100)
ACTIVE = (0.4, 0.6)
BURST_S = 60  # cores enough that every active student's run of the notebooks is done in about a minute
HEADROOM = 1.25  # suggested memory: at least HEADROOM x the sum + EXTRA_MB (the system, a second notebook open)
EXTRA_MB = 1024
USUAL_GIB = (4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
USUAL_CORES = (2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)


@dataclass(frozen=True)
class Measured:
    """The figures a server is sized from (PSS in MiB, CPU in seconds), and where they come from."""

    runs: tuple[int, ...]  # the N of each run used
    hub_mb: float  # the hub, its proxy and the idle culler, for the whole class
    server_mb: float  # a student's server with no kernel
    kernel_mb: float  # one kernel that has run a notebook (01 or 08) and moved its slider
    kernel_started_mb: float  # a kernel just started, before any cell
    kernel_imports_mb: float  # a kernel after the notebook's import cells (torch, matplotlib, ipywidgets, helpers)
    student_with_kernel_mb: float  # all of a student's processes with one kernel up
    cpu_s: float  # CPU seconds per student: start a server, run 01 and 08 and move their sliders
    measured_at: str = ""

    def __post_init__(self):
        for name in ("hub_mb", "server_mb", "kernel_mb", "cpu_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name}={value!r}: a measured figure must be a positive number")

    @property
    def active_mb(self) -> float:
        """A student whose kernel is up: the larger of the student's PSS and server + kernel measured apart."""
        return max(self.student_with_kernel_mb, self.server_mb + self.kernel_mb)


def _largest(values) -> float | None:
    values = [v for v in values if isinstance(v, (int, float))]
    return max(values) if values else None


def measured_from(results: list[dict]) -> Measured | None:
    """The largest of each figure over the runs (class-N.json contents) and their students; None without any."""
    students = [s for r in results for s in r.get("students", []) if not s.get("failures")]
    if not students:
        return None
    kernels = [stages for s in students for stages in s.get("kernel_pss_mb", {}).values()]
    figures = {
        "hub_mb": _largest(r.get("hub_and_proxy_pss_mb") for r in results),
        "server_mb": _largest(s.get("pss_mb_server_only") for s in students),
        "kernel_mb": _largest(k.get("run") for k in kernels),
        "kernel_started_mb": _largest(k.get("started") for k in kernels) or 0.0,
        "kernel_imports_mb": _largest(k.get("imports") for k in kernels) or 0.0,
        "student_with_kernel_mb": _largest(s.get("pss_mb_with_kernel") for s in students) or 0.0,
        "cpu_s": _largest(s.get("cpu_s") for s in students),
    }
    if any(figures[k] is None for k in ("hub_mb", "server_mb", "kernel_mb", "cpu_s")):
        return None
    dates = sorted(r.get("measured_at", "") for r in results if r.get("measured_at"))
    when = dates[0] if len(dates) < 2 or dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    return Measured(runs=tuple(sorted({r["n"] for r in results})), measured_at=when, **figures)


def need(measured: Measured, students: int, active_fraction: float) -> tuple[float, float]:
    """(MiB, cores) for a class when this fraction is active (kernel up, running), the rest with a server alone."""
    if not (isinstance(students, int) and students >= 1):
        raise ValueError(f"students={students!r}: must be a whole number of students, at least 1")
    if not 0 < active_fraction <= 1:
        raise ValueError(f"active_fraction={active_fraction!r}: must be more than 0 and at most 1")
    active = math.ceil(active_fraction * students - 1e-9)
    memory = measured.hub_mb + active * measured.active_mb + (students - active) * measured.server_mb
    return memory, measured.cpu_s * active / BURST_S


def suggested(memory_mb: float, cores: float) -> tuple[int, int]:
    """A usual server size (GiB, cores) with room: HEADROOM x memory + EXTRA_MB, and at least the cores."""
    gib = (HEADROOM * memory_mb + EXTRA_MB) / 1024
    size = next((g for g in USUAL_GIB if g >= gib), math.ceil(gib))
    count = next((c for c in USUAL_CORES if c >= cores), math.ceil(cores))
    return size, count


def sizing_rows(measured: Measured, classes=CLASSES, active=ACTIVE) -> list[dict]:
    """For each class size: memory (MiB) and cores all at once, at the lower and upper active fraction."""
    rows = []
    for students in classes:
        rows.append(
            {
                "class": students,
                "all": need(measured, students, 1.0),
                "low": need(measured, students, active[0]),
                "high": need(measured, students, active[1]),
            }
        )
    return rows


def _gib(mb: float) -> str:
    return f"{mb / 1024:.1f} GiB"


def dominant(measured: Measured, students: int = 30, active_fraction: float = 0.5) -> dict:
    """Shares of a class's memory: kernels, servers without their kernel, and the hub."""
    memory, _ = need(measured, students, active_fraction)
    active = math.ceil(active_fraction * students - 1e-9)
    kernels = active * (measured.active_mb - measured.server_mb)
    servers = students * measured.server_mb
    return {"kernels": kernels / memory, "servers": servers / memory, "hub": measured.hub_mb / memory}


def sizing_markdown(measured: Measured, classes=CLASSES, active=ACTIVE) -> str:
    """The sizing section's figures and table, in Markdown, ready for TEACHING.md."""
    m = measured
    low, high = (round(100 * a) for a in active)
    lines = [
        f"Sizing from `make bench-class` runs with N = {', '.join(map(str, m.runs))}"
        + (f" ({m.measured_at})" if m.measured_at else "")
        + "; for each "
        "figure the largest over the runs and students (a student's memory is largest in a class of one, when "
        "fewest pages are shared).",
        "",
        f"- hub, proxy and idle culler: {m.hub_mb:.0f} MiB for the whole class",
        f"- a student's server with no kernel: {m.server_mb:.0f} MiB",
        f"- a kernel that has run 01 or 08 and moved its slider: {m.kernel_mb:.0f} MiB "
        f"({m.kernel_started_mb:.0f} MiB as started, {m.kernel_imports_mb:.0f} MiB after the notebook's import cells)",
        f"- a student with a kernel up: {m.active_mb:.0f} MiB",
        f"- CPU: {m.cpu_s:.1f} s per student to start their server, run 01 and 08 from top to bottom and move "
        "their sliders",
        "",
        f"Memory = {m.hub_mb:.0f} + {m.active_mb:.0f} x active + {m.server_mb:.0f} x (class - active) MiB. "
        f"Cores = {m.cpu_s:.1f} x active / {BURST_S}: every active student's run done in about a minute "
        "(fewer cores: the same run takes longer; too little memory: kernels fail to start, so size memory first). "
        f"Suggested server: at least {HEADROOM} x the memory + {EXTRA_MB // 1024} GiB, and the cores, rounded up "
        "to a usual size.",
        "",
        f"| class | all run the same notebook at once | {low}-{high} % active | suggested server |",
        "| --- | --- | --- | --- |",
    ]
    for row in sizing_rows(m, classes, active):
        (all_mb, all_cores), (low_mb, low_cores), (high_mb, high_cores) = row["all"], row["low"], row["high"]
        size_all, size_part = suggested(all_mb, all_cores), suggested(high_mb, high_cores)
        lines.append(
            f"| {row['class']} | {_gib(all_mb)}, {all_cores:.1f} cores | "
            f"{low_mb / 1024:.1f}-{high_mb / 1024:.1f} GiB, {low_cores:.1f}-{high_cores:.1f} cores | "
            f"{size_all[0]} GiB, {size_all[1]} cores ({size_part[0]} GiB, {size_part[1]} cores at {low}-{high} %) |"
        )
    all_at_once = dominant(m, classes[-1], 1.0)
    half = dominant(m, classes[-1], sum(active) / 2)
    imports = m.kernel_imports_mb - m.kernel_started_mb
    lines += [
        "",
        f"What dominates is the kernels' memory: {100 * all_at_once['kernels']:.0f} % of a class's memory when "
        f"everyone runs at once, {100 * half['kernels']:.0f} % at {round(50 * sum(active))} % active "
        f"(servers without their kernel {100 * half['servers']:.0f} %, the hub {100 * half['hub']:.0f} %). "
        f"Of a kernel's {m.kernel_mb:.0f} MiB, {m.kernel_started_mb:.0f} MiB is a bare Python kernel, "
        f"{imports:.0f} MiB the import cells (torch, matplotlib, ipywidgets, helpers) and "
        f"{m.kernel_mb - m.kernel_imports_mb:.0f} MiB what running the cells and the views adds. "
        "CPU is a burst while a notebook runs, then next to nothing while students read.",
    ]
    return "\n".join(lines) + "\n"
