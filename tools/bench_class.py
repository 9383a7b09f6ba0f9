"""`make bench-class`: how big a class fits on this machine. N simulated students on the class hub, all at once.

Usage (as root): python -m tools.bench_class N [N ...]     e.g. 1 5 10 20

For each N, a fresh hub on 127.0.0.1 (tools.hub.running_hub) with N students. Every student, in
its own thread and at the same moment: logs in, starts a server, opens notebook 01 in a kernel over
its websocket as JupyterLab does, runs every code cell, moves a slider of its first view five times
(the widget's own messages: a comm update in, a new picture out), shuts that kernel down, then does
the same with notebook 08 (no slider). When every student is done, the driver reads each student's
memory (PSS of all their processes, while their 08 kernel is still up, then with no kernel) and CPU
seconds. Everything is bounded: each student has DEADLINE seconds, and the hub and every user are
removed afterwards, also after a failure.

Figures go to artifacts/bench/class-N.json and are printed as a table, with the load average.
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

from tools.hub import COURSE_BRANCH, REPO_ROOT, processes_of, running_hub
from tools.hub_client import Student, StudentError

NOTEBOOKS = ["01_output_vs_h_n.ipynb", "08_using_the_states.ipynb"]
SLIDER_NOTEBOOK = NOTEBOOKS[0]
SLIDER_MOVES = 5
DEADLINE = 1500  # seconds one simulated student may take, all steps together
OUT = REPO_ROOT / "artifacts" / "bench"


@dataclass
class StudentFigures:
    name: str
    failures: list[str] = field(default_factory=list)
    login_s: float | None = None
    start_s: float | None = None  # from asking for the server to its being ready and logged in
    run_s: dict = field(default_factory=dict)  # notebook -> seconds to run every code cell
    first_picture_s: dict = field(default_factory=dict)  # notebook -> seconds from opening it to the first picture
    cell_errors: dict = field(default_factory=dict)  # notebook -> [error, ...]
    slider_s: list[float] = field(default_factory=list)  # each move: seconds until the new picture came
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


def run_notebook(
    student: Student,
    cells: list[str],
    notebook: str,
    figures: StudentFigures,
    ledger: CpuLedger,
    uid: int,
    deadline: float,
):
    opened = time.monotonic()
    kernel_id = student.new_session(f"rnn-outputs/notebooks/{notebook}")
    kernel = student.kernel(kernel_id)
    try:
        errors = []
        started = time.monotonic()
        for code in cells:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StudentError(f"out of time in {notebook}")
            run = kernel.execute(code, timeout=left)
            if run.status != "ok":
                errors.append(run.error)
        figures.run_s[notebook] = time.monotonic() - started
        figures.cell_errors[notebook] = errors
        if kernel.first_picture is not None:
            figures.first_picture_s[notebook] = kernel.first_picture - opened
        else:
            figures.failures.append(f"{notebook}: no picture came back")
        if notebook == SLIDER_NOTEBOOK:
            sliders = kernel.sliders()
            if not sliders:
                figures.failures.append(f"{notebook}: no slider found")
            else:
                state = kernel.widget_state[sliders[0]]
                value, step = state["value"], state.get("step", 1) or 1
                if state["max"] - state["min"] < step:
                    raise StudentError("the slider cannot move")
                for _ in range(SLIDER_MOVES):  # along the slider, turning back at its end, as a hand does
                    if not state["min"] <= value + step <= state["max"]:
                        step = -step
                    value += step
                    figures.slider_s.append(kernel.move_slider(sliders[0], value, timeout=120))
        ledger.sample(uid)
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


def _stats(values: list[float]) -> str:
    values = sorted(v for v in values if v is not None)
    if not values:
        return "-"
    return f"{statistics.median(values):.1f} / {values[-1]:.1f}"


def summary(result: dict) -> dict:
    students = result["students"]
    failed = [s for s in students if s["failures"] or any(s["cell_errors"].values())]
    return {
        "N": result["n"],
        "failed students": len(failed),
        "load before / after": f"{result['load_average_before'][0]:.1f} / {result['load_average_after_run'][0]:.1f}",
        "log in s (median / max)": _stats([s["login_s"] for s in students]),
        "start s": _stats([s["start_s"] for s in students]),
        "run 01 s": _stats([s["run_s"].get(NOTEBOOKS[0]) for s in students]),
        "run 08 s": _stats([s["run_s"].get(NOTEBOOKS[1]) for s in students]),
        "first picture 01 s": _stats([s["first_picture_s"].get(NOTEBOOKS[0]) for s in students]),
        "slider move ms": _stats([1000 * m for s in students for m in s["slider_s"]]),
        "PSS MB, server + kernel": _stats([s["pss_mb_with_kernel"] for s in students]),
        "PSS MB, server only": _stats([s["pss_mb_server_only"] for s in students]),
        "CPU s per student": _stats([s["cpu_s"] for s in students]),
        "hub + proxy PSS MB": f"{result['hub_and_proxy_pss_mb']:.0f}",
        "whole class s": f"{result['class_seconds']:.0f}",
    }


def main(argv: list[str]) -> int:
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
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + " --- |" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")
    print("\nmedian / max over the students; PSS in MiB; figures in artifacts/bench/class-N.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
