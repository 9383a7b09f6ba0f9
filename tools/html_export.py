"""`make html`: every notebook as one static HTML page whose slider views work with no kernel and no network.

Usage: python -m tools.html_export [--out artifacts/html] [notebooks/*.ipynb]

A page holds the notebook's stored outputs, and in place of each live view's placeholder the view itself:
plain inputs and its pictures, embedded (helpers/views/page.py; all of them, or a subset the page states).

Where the pictures come from: the stored notebook holds only a placeholder for each live view (a widget needs a
kernel), and keeping every picture in the notebook would make it megabytes larger and every diff noisy. So the
notebook's code cells run once in a fresh kernel, as `make outputs` runs them, and each view, right after its
cell, gives its controls and pictures (SliderView.static_state). Those are kept in artifacts/pictures/, named
by a hash of the notebook's code and of helpers/, so they are made again only when either changes. `make slides`
uses the same pictures (tools/deck.py).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from tools.execute_notebooks import KERNELSPEC, PLACEHOLDER

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
OUT = REPO / "artifacts" / "html"
PICTURES = REPO / "artifacts" / "pictures"
TEMPLATES = Path(__file__).resolve().parent / "templates"  # templates/page: lab without CDNs
LIVE_TAG = "nbval-ignore-output"
MAX_BYTES = 8_000_000  # each page stays under this

# Sent before the notebook's cells: remember every widget made; after each live view's cell, keep the last slider
# view that cell made (the one it displays).
RECORD_WIDGETS = """
from ipywidgets import Widget as _RnnWidget
from helpers.views.base import SliderView as _RnnSliderView
_rnn_made, _rnn_export_views = [], []
_RnnWidget.on_widget_constructed(_rnn_made.append)
"""
KEEP_VIEW = """
_rnn_export_views.append([w for w in _rnn_made if isinstance(w, _RnnSliderView)][-1])
_rnn_made.clear()
"""
WRITE_STATES = """
import json as _rnn_json
with open({path!r}, "w") as _rnn_file:
    _rnn_json.dump([_rnn_view.static_state() for _rnn_view in _rnn_export_views], _rnn_file)
"""


def is_live_view(cell) -> bool:
    return cell.cell_type == "code" and LIVE_TAG in cell.metadata.get("tags", [])


def fingerprint(nb: nbformat.NotebookNode) -> str:
    """A hash of what the pictures depend on: the notebook's code cells and every file of helpers/."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode() + b"\0")
    for path in sorted((REPO / "helpers").rglob("*")):
        if path.suffix in (".py", ".js"):
            digest.update(path.relative_to(REPO).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def view_states(notebook: Path, cache: Path = PICTURES) -> list[dict]:
    """Each live view's static state (controls, pictures, note), in the order of the notebook's views."""
    nb = nbformat.read(notebook, as_version=4)
    path = cache / f"{notebook.stem}-{fingerprint(nb)}.json"
    cache.mkdir(parents=True, exist_ok=True)
    # One process at a time per notebook (the browser tests build pages and decks in several at once): the others
    # wait, then read what it wrote. The file appears whole (written aside, then renamed).
    with file_lock(cache / f"{notebook.stem}.lock"):
        if not path.exists():
            states = run_views(notebook, nb)
            aside = path.with_suffix(".part")
            aside.write_text(json.dumps(states, separators=(",", ":")))
            os.replace(aside, path)
            for old in cache.glob(f"{notebook.stem}-*.json"):
                if old != path:
                    old.unlink()
    return json.loads(path.read_text())


@contextlib.contextmanager
def file_lock(path: Path):
    """Hold an exclusive lock on `path` (POSIX; elsewhere nothing runs these builds at once, and no lock is taken)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_views(notebook: Path, nb: nbformat.NotebookNode) -> list[dict]:
    """Run the notebook's code cells in a fresh kernel (in its folder) and collect each live view's state."""
    from jupyter_client.manager import start_new_kernel

    pythonpath = filter(None, [str(REPO), os.environ.get("PYTHONPATH")])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}
    km, kc = start_new_kernel(
        kernel_name=KERNELSPEC["name"], cwd=str(notebook.parent), env=env, stderr=subprocess.DEVNULL
    )
    with tempfile.TemporaryDirectory(prefix="rnn-pictures-") as tmp:
        out = Path(tmp) / "states.json"
        try:
            execute(kc, RECORD_WIDGETS, "set-up", store_history=False)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if is_live_view(cell):
                    execute(kc, "_rnn_made.clear()", "set-up", store_history=False)
                execute(kc, cell.source, f"{notebook.name} cell {index}")
                if is_live_view(cell):
                    execute(kc, KEEP_VIEW, f"{notebook.name} cell {index}'s view", store_history=False)
            execute(kc, WRITE_STATES.format(path=str(out)), "the views' pictures", store_history=False)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        return json.loads(out.read_text())


def execute(kc, code: str, what: str, store_history: bool = True) -> None:
    """Run code in the kernel; raise if it failed."""
    reply = kc.execute_interactive(code, timeout=900, store_history=store_history, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{what} failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")


def with_views(nb: nbformat.NotebookNode, states: list[dict]) -> nbformat.NotebookNode:
    """A copy of nb whose live views' placeholders are the static views (HTML with their pictures)."""
    from helpers.views.page import static_html

    nb = nbformat.from_dict(nb)
    views = [cell for cell in nb.cells if is_live_view(cell)]
    if len(views) != len(states):
        raise ValueError(f"{len(views)} live views in the notebook, {len(states)} views' pictures")
    for cell, state in zip(views, states):
        cell.outputs = [
            nbformat.v4.new_output("display_data", data={"text/html": static_html(state)})
            if out.get("data", {}).get("text/plain") == PLACEHOLDER
            else out
            for out in cell.outputs
        ]
    return nb


def build(notebook: Path, out: Path) -> Path:
    """Write out/<notebook stem>.html."""
    nb = with_views(nbformat.read(notebook, as_version=4), view_states(notebook))
    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="page")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    path = out / f"{notebook.stem}.html"
    path.write_text(body, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for notebook in args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")):
        path = build(notebook, args.out)
        size = path.stat().st_size
        over = size >= MAX_BYTES
        status |= over
        print(f"wrote {path} ({size / 1e6:.1f} MB{', OVER 8 MB' if over else ''})")
    return status


if __name__ == "__main__":
    sys.exit(main())
