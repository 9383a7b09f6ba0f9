"""`make bench-class`: how big a class fits on this machine. N simulated students on the class hub, all at once.

Usage (as root): python -m tools.bench_class N [N ...]     e.g. 1 5 10 20
                 python -m tools.bench_class --sizing      the sizing table again from the runs stored

For each N, a fresh hub on 127.0.0.1 (tools.hub.running_hub) with N students. Every student, in
its own thread and at the same moment: logs in, starts a server, opens notebook 01 in a kernel over
its websocket as JupyterLab does (kernel_info first), runs every code cell, and behaves like the page
(tools.hub_client.Page): each live view shown says hello to the kernel, which then sends it pictures
ahead. Then it moves the first slider of the notebook's first view SLIDER_MOVES times, one step at a
time, looking at each picture for MOVE_PAUSE_S seconds (a state update on the slider's model, as the
browser sends it), then clicks the track of the view's longest slider at its far end (a jump). A move
whose picture the page already held counts as "in page" (shown at once); the others wait for the
kernel's picture, and that wait is their time. It shuts that kernel down and does the same with notebook 08.
Each student's kernel is measured alone (PSS when started, after the import cells, after the run),
and the student's PSS and CPU seconds per notebook. When every student is done, the driver reads each
student's memory (PSS of all their processes, with their 08 kernel still up, then with no kernel) and
CPU seconds. Everything is bounded: each student has DEADLINE seconds, and the hub and every user are
removed afterwards, also after a failure.

Figures go to artifacts/bench/class-N.json and are printed as a table, with the load average; then
tools.class_sizing turns every class-N.json measured so far into the sizing table for TEACHING.md
(printed, and written to artifacts/bench/class-sizing.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field

from tools.class_sizing import measured_from, sizing_markdown
from tools.hub import COURSE_BRANCH, REPO_ROOT, processes_of, running_hub
from tools.hub_client import Kernel, Student, StudentError, far_end, slider_walk, steps_across

NOTEBOOKS = ["01_output_vs_h_n.ipynb", "08_using_the_states.ipynb"]
SLIDER_MOVES = 5  # per notebook, on the first slider of its first live view; then one jump on its longest
MOVE_PAUSE_S = 0.5  # a student looks at each picture this long before the next step
DEADLINE = 1500  # seconds one simulated student may take, all steps together
OUT = REPO_ROOT / "artifacts" / "bench"
SIZING = OUT / "class-sizing.md"


@dataclass
class StudentFigures:
    name: str
    failures: list[str] = field(default_factory=list)
    login_s: float | None = None
    start_s: float | None = None  # from asking for the server to its being ready and logged in
    run_s: dict = field(default_factory=dict)  # notebook -> seconds to run every code cell
    first_picture_s: dict = field(default_factory=dict)  # notebook -> seconds from opening it to its first picture
    first_view_s: dict = field(default_factory=dict)  # notebook -> ... to the first picture of a live view
    cell_errors: dict = field(default_factory=dict)  # notebook -> [error, ...]
    moves: dict = field(default_factory=dict)  # notebook -> [{key, in_page, picture_s, kernel_s}, ...]
    kernel_pss_mb: dict = field(default_factory=dict)  # notebook -> {started, imports, run}: the kernel alone
    pss_mb_by_notebook: dict = field(default_factory=dict)  # notebook -> all the student's processes, after it ran
    cpu_s_by_notebook: dict = field(default_factory=dict)  # notebook -> CPU seconds of the student's processes
    pss_mb_with_kernel: float | None = None
    pss_mb_server_only: float | None = None
    cpu_s: float | None = None


def code_cells(hub, notebook: str) -> list[str]:
    """The notebook's code cells as the students have it: from the commit in the hub's mirror, not the work tree."""
    mirror = hub.settings.course_repo.removeprefix("file://")
    text = subprocess.run(
        ["git", "-C", mirror, "show", f"{COURSE_BRANCH}:notebooks/{notebook}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **hub.settings.git_env},
    ).stdout
    return ["".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "code"]


def import_cells(cells: list[str]) -> int:
    """How many code cells make the notebook's imports: up to the first that imports helpers (else the first)."""
    return next((i + 1 for i, code in enumerate(cells) if "from helpers" in code or "import helpers" in code), 1)


class CpuLedger:
    """The last CPU seconds seen for each process of each student (a kernel's are kept after it stops)."""

    def __init__(self):
        self.seen: dict[int, dict[int, float]] = {}
        self.lock = threading.Lock()

    def sample(self, uid: int) -> None:
        for proc in processes_of(uid):
            with contextlib.suppress(Exception):
                times = proc.cpu_times()
                with self.lock:
                    self.seen.setdefault(uid, {})[proc.pid] = (
                        times.user + times.system + times.children_user + times.children_system
                    )

    def total(self, uid: int) -> float:
        with self.lock:
            return sum(self.seen.get(uid, {}).values())


def pss_mb(uid: int) -> float:
    total = 0
    for proc in processes_of(uid):
        with contextlib.suppress(Exception):
            total += proc.memory_full_info().pss
    return total / 2**20


def kernel_pss_mb(uid: int, kernel_id: str) -> float | None:
    """PSS of one kernel's process (its connection file kernel-<id>.json is on its command line), or None."""
    for proc in processes_of(uid):
        with contextlib.suppress(Exception):
            if any(kernel_id in part for part in proc.cmdline()):
                return proc.memory_full_info().pss / 2**20
    return None


def move_sliders(kernel: Kernel, notebook: str, figures: StudentFigures, deadline: float) -> None:
    """Move the first slider of the notebook's first live view, one step at a time, as a student's hand does."""
    views = [view for view in kernel.page.views() if kernel.page.sliders(view)]
    if not views:
        figures.failures.append(f"{notebook}: no live view with a slider was shown")
        return
    view = views[0]
    sliders = kernel.page.sliders(view)
    moves = figures.moves.setdefault(notebook, [])

    def move(slider: str, value, jump: bool) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise StudentError(f"out of time moving the slider in {notebook}")
        moves.append(asdict(kernel.move(view, slider, value, timeout=min(120, left))) | {"jump": jump})
        kernel.listen(MOVE_PAUSE_S)

    for value in slider_walk(kernel.page.states[sliders[0]], SLIDER_MOVES):
        move(sliders[0], value, jump=False)
    # Then a click on the track of the view's longest slider, far from its handle: a picture the kernel may not
    # have drawn ahead (a large view draws only the settings one and two steps away).
    longest = max(sliders, key=lambda slider: steps_across(kernel.page.states[slider]))
    state = kernel.page.states[longest]
    if far_end(state) != state["value"]:
        move(longest, far_end(state), jump=True)


def run_notebook(
    student: Student,
    cells: list[str],
    notebook: str,
    figures: StudentFigures,
    ledger: CpuLedger,
    uid: int,
    deadline: float,
):
    ledger.sample(uid)
    cpu_before = ledger.total(uid)
    opened = time.monotonic()
    kernel_id = student.new_session(f"rnn-outputs/notebooks/{notebook}")
    kernel = student.kernel(kernel_id)
    try:
        kernel.info(timeout=max(1, min(120, deadline - time.monotonic())))
        memory = figures.kernel_pss_mb.setdefault(notebook, {})
        memory["started"] = kernel_pss_mb(uid, kernel_id)
        errors = []
        started = time.monotonic()
        for index, code in enumerate(cells):
            left = deadline - time.monotonic()
            if left <= 0:
                raise StudentError(f"out of time in {notebook}")
            run = kernel.execute(code, timeout=left)
            if run.status != "ok":
                errors.append(run.error)
            if index + 1 == import_cells(cells):
                memory["imports"] = kernel_pss_mb(uid, kernel_id)
        figures.run_s[notebook] = time.monotonic() - started
        figures.cell_errors[notebook] = errors
        if kernel.page.first_picture is not None:
            figures.first_picture_s[notebook] = kernel.page.first_picture - opened
        else:
            figures.failures.append(f"{notebook}: no picture came back")
        if kernel.page.first_view_picture is not None:
            figures.first_view_s[notebook] = kernel.page.first_view_picture - opened
        move_sliders(kernel, notebook, figures, deadline)
        memory["run"] = kernel_pss_mb(uid, kernel_id)
        figures.pss_mb_by_notebook[notebook] = pss_mb(uid)
        ledger.sample(uid)
        figures.cpu_s_by_notebook[notebook] = ledger.total(uid) - cpu_before
    finally:
        kernel.close()
    return kernel_id


def simulate(
    student: Student,
    cells: dict,
    uid_of,
    figures: StudentFigures,
    ledger: CpuLedger,
    ready: threading.Barrier,
    go: threading.Event,
):
    deadline = time.monotonic() + DEADLINE
    uid = None
    try:
        ready.wait()  # everyone starts at the same moment
        t = time.monotonic()
        answer = student.login()
        if answer.status_code != 302:
            raise StudentError(f"log-in gave {answer.status_code}")
        figures.login_s = time.monotonic() - t
        t = time.monotonic()
        student.start_server(timeout=max(10, deadline - time.monotonic()))
        student.authorize()
        figures.start_s = time.monotonic() - t
        uid = uid_of(student.name)
        for notebook in NOTEBOOKS:
            kernel_id = run_notebook(student, cells[notebook], notebook, figures, ledger, uid, deadline)
            if notebook != NOTEBOOKS[-1]:
                student.server_api("DELETE", f"/kernels/{kernel_id}")
    except Exception as err:  # a failure is a figure too
        figures.failures.append(f"{type(err).__name__}: {err}")
        traceback.print_exc(limit=3)
    finally:
        done_at = time.monotonic()
        with contextlib.suppress(threading.BrokenBarrierError):
            ready.wait(timeout=max(1, deadline - done_at + 60))  # wait for the class, then be measured
        go.wait(timeout=600)


def run_class(n: int) -> dict:
    names = [f"s{index:03d}" for index in range(n)]
    passwords = {name: secrets.token_urlsafe(12) for name in names}
    load_before = os.getloadavg()
    wall = time.monotonic()
    with running_hub(names, "teacher", startup_timeout=120, start_timeout=600, log_dir=OUT / f"class-{n}") as hub:
        import pwd

        def uid_of(name):
            return pwd.getpwnam(hub.unix_user(name)).pw_uid

        ledger = CpuLedger()
        cells = {notebook: code_cells(hub, notebook) for notebook in NOTEBOOKS}
        ready = threading.Barrier(n + 1)
        go = threading.Event()
        figures = {name: StudentFigures(name) for name in names}
        students = {name: Student(hub.url, name, passwords[name], timeout=120) for name in names}
        threads = [
            threading.Thread(
                target=simulate,
                args=(students[name], cells, uid_of, figures[name], ledger, ready, go),
                daemon=True,
            )
            for name in names
        ]
        for thread in threads:
            thread.start()
        ready.wait()  # go
        t0 = time.monotonic()
        with contextlib.suppress(threading.BrokenBarrierError):
            ready.wait(timeout=DEADLINE + 120)  # everyone done
        class_s = time.monotonic() - t0
        load_during = os.getloadavg()
        for name in names:  # with each student's last kernel still up
            with contextlib.suppress(KeyError):
                uid = uid_of(name)
                ledger.sample(uid)
                figures[name].pss_mb_with_kernel = pss_mb(uid)
        for student in students.values():  # shut the kernels down: a server with no kernel
            with contextlib.suppress(Exception):
                for kernel in student.server_api("GET", "/kernels").json():
                    student.server_api("DELETE", f"/kernels/{kernel['id']}")
        time.sleep(3)
        for name in names:
            with contextlib.suppress(KeyError):
                uid = uid_of(name)
                figures[name].pss_mb_server_only = pss_mb(uid)
                figures[name].cpu_s = ledger.total(uid)
        hub_pss = sum(p.memory_full_info().pss for p in _hub_processes(hub.pid)) / 2**20
        go.set()
        for thread in threads:
            thread.join(timeout=30)
    return {
        "n": n,
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after_run": [round(x, 2) for x in load_during],
        "class_seconds": class_s,
        "wall_seconds_with_set_up": time.monotonic() - wall,
        "hub_and_proxy_pss_mb": hub_pss,
        "students": [asdict(f) for f in figures.values()],
    }


def _hub_processes(pid: int) -> list:
    import psutil

    with contextlib.suppress(psutil.Error):
        hub = psutil.Process(pid)
        # The hub, its proxy and the idle culler run as root; the students' servers (its children too) do not.
        return [p for p in [hub, *hub.children(recursive=True)] if p.uids().real == 0]
    return []


def _stats(values: list[float], digits: int = 1) -> str:
    values = sorted(v for v in values if v is not None)
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.median(values):.{digits}f} / {values[-1]:.{digits}f}"


def _median(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    return f"{statistics.median(values):.0f}" if values else "-"


def summary(result: dict) -> dict:
    """One row of the table: median / max over the students (a lone figure when there is one student)."""
    students = result["students"]
    failed = [s for s in students if s["failures"] or any(s["cell_errors"].values())]
    row = {
        "N": result["n"],
        "measured at": result.get("measured_at", ""),
        "failed students": len(failed),
        "load before / after": f"{result['load_average_before'][0]:.1f} / {result['load_average_after_run'][0]:.1f}",
        "log in s": _stats([s["login_s"] for s in students]),
        "start s": _stats([s["start_s"] for s in students]),
    }
    for notebook in NOTEBOOKS:
        nb = notebook[:2]
        moves = [m for s in students for m in s.get("moves", {}).get(notebook, [])]
        waited = [1000 * m["picture_s"] for m in moves if not m["in_page"]]
        row |= {
            f"run {nb} s": _stats([s["run_s"].get(notebook) for s in students]),
            f"first picture {nb} s": _stats([s["first_picture_s"].get(notebook) for s in students]),
            f"first live view {nb} s": _stats([s.get("first_view_s", {}).get(notebook) for s in students]),
            f"moves {nb}: picture in page (steps, jumps)": " + ".join(
                f"{sum(m['in_page'] for m in moves if bool(m.get('jump')) is jump)} of "
                f"{sum(bool(m.get('jump')) is jump for m in moves)}"
                for jump in (False, True)
            ),
            f"moves {nb}: wait for the others ms": _stats(waited, 0),
            f"moves {nb}: kernel busy ms": _stats([1000 * m["kernel_s"] for m in moves], 0),
            f"kernel {nb} PSS MB, median: started / imports / run": " / ".join(
                _median([s.get("kernel_pss_mb", {}).get(notebook, {}).get(stage) for s in students])
                for stage in ("started", "imports", "run")
            ),
            f"student PSS MB after {nb}": _stats([s.get("pss_mb_by_notebook", {}).get(notebook) for s in students], 0),
            f"CPU s {nb}": _stats([s.get("cpu_s_by_notebook", {}).get(notebook) for s in students]),
        }
    row |= {
        "PSS MB, server + kernel": _stats([s["pss_mb_with_kernel"] for s in students], 0),
        "PSS MB, server only": _stats([s["pss_mb_server_only"] for s in students], 0),
        "CPU s per student": _stats([s["cpu_s"] for s in students]),
        "hub + proxy PSS MB": f"{result['hub_and_proxy_pss_mb']:.0f}",
        "whole class s": f"{result['class_seconds']:.0f}",
        "failures": "; ".join(f"{s['name']}: {f}" for s in students for f in s["failures"])[:500] or "none",
    }
    return row


def markdown_table(rows: list[dict]) -> str:
    """The rows as a Markdown table, one column per figure (the rows of one run share their keys)."""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
    lines += ["| " + " | ".join(str(row.get(k, "")) for k in keys) + " |" for row in rows]
    return "\n".join(lines)


def runs_table(rows: list[dict]) -> str:
    """The runs side by side, one column per N and one row per figure (readable with many figures)."""
    keys = [k for k in rows[0] if k != "N"]
    lines = ["| figure | " + " | ".join(f"N = {row['N']}" for row in rows) + " |", "|" + " --- |" * (len(rows) + 1)]
    lines += ["| " + k + " | " + " | ".join(str(row.get(k, "")) for row in rows) + " |" for k in keys]
    return "\n".join(lines)


def measured_results() -> list[dict]:
    """Every class-N.json in artifacts/bench measured by this version of the driver (with its kernel figures)."""
    found = []
    for path in sorted(OUT.glob("class-*.json")):
        with contextlib.suppress(ValueError, OSError):
            result = json.loads(path.read_text())
            if isinstance(result, dict) and all("kernel_pss_mb" in s for s in result.get("students", [])):
                found.append(result)
    return sorted(found, key=lambda r: r["n"])


def write_sizing() -> str | None:
    """Every run measured so far side by side, and the sizing table from them, to artifacts/bench/class-sizing.md."""
    results = measured_results()
    measured = measured_from(results)
    if measured is None:
        return None
    every_run = [summary(result) for result in results]
    text = (
        "## Measured by make bench-class\n\n"
        f"{runs_table(every_run)}\n\n"
        "median / max over the students (one figure for a class of one); times in s unless marked; PSS in MiB. "
        'A move\'s picture is "in page" when the kernel had sent it ahead (the page shows it at once); the wait is '
        "that of the others.\n\n"
        "## Sizing\n\n" + sizing_markdown(measured)
    )
    SIZING.write_text(text)
    return text


def main(argv: list[str]) -> int:
    if argv == ["--sizing"]:  # no run: the table again from the class-N.json measured so far
        text = write_sizing()
        print(
            text or "bench_class: no class-N.json with every student's figures yet",
            file=sys.stdout if text else sys.stderr,
        )
        return 0 if text else 1
    if not all(a.isdigit() for a in argv):
        print(f"bench_class: {argv}: give class sizes (whole numbers), or --sizing alone", file=sys.stderr)
        return 2
    sizes = [int(a) for a in argv] or [1]
    if any(n < 1 or n > 40 for n in sizes):
        print(
            f"bench_class: N={sizes}: each N must be 1 to 40 (this is a 127.0.0.1 load test, bounded)", file=sys.stderr
        )
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        print(f"class of {n}: load average {os.getloadavg()[0]:.2f} ...", flush=True)
        result = run_class(n)
        (OUT / f"class-{n}.json").write_text(json.dumps(result, indent=2))
        rows.append(summary(result))
        print(json.dumps(rows[-1], indent=1), flush=True)
    print("\n" + markdown_table(rows))
    print("\nmedian / max over the students; PSS in MiB; figures in artifacts/bench/class-N.json")
    text = write_sizing()
    if text is None:
        print("\nno class-N.json with every student's figures yet: no sizing table", file=sys.stderr)
        return 1
    print(f"\n{text}\n(written to {SIZING.relative_to(REPO_ROOT)})")
    return 0 if all(not r["failed students"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
