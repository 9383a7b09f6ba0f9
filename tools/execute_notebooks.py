"""Execute notebooks in place with nbclient and store only outputs that are the same on every run.

Usage: python -m tools.execute_notebooks notebooks/*.ipynb

Each notebook runs with kernel python3 in its own folder. A live widget's output (its view carries a
random model id) is replaced by a fixed placeholder; widget state, timings and per-run metadata are
not stored. If any cell raises or writes to stderr, the tool exits non-zero and the file is untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

PLACEHOLDER = (
    "Live view (ipywidgets): run this cell in JupyterLab to use it. The static figure below shows the same view."
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TIMEOUT = 600  # seconds per cell


class NotebookFailed(Exception):
    """A cell raised or wrote to stderr; the message says which."""


def placeholder_output() -> nbformat.NotebookNode:
    """The display_data stored in place of a live widget."""
    return nbformat.v4.new_output("display_data", data={"text/plain": PLACEHOLDER})


def replace_widget_outputs(nb: nbformat.NotebookNode) -> int:
    """Swap every output that shows a widget view for the placeholder; returns how many were swapped."""
    swapped = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if WIDGET_VIEW in out.get("data", {}):
                out, swapped = placeholder_output(), swapped + 1
            outputs.append(out)
        cell.outputs = outputs
    return swapped


def merge_streams(nb: nbformat.NotebookNode) -> None:
    """Join consecutive stdout (or stderr) outputs: how the kernel splits a print into messages varies by run."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.outputs:
            previous = merged[-1] if merged else None
            if (
                out.output_type == "stream"
                and previous is not None
                and previous.output_type == "stream"
                and previous.name == out.name
            ):
                previous.text += out.text
            else:
                merged.append(out)
        cell.outputs = merged


def check_clean(nb: nbformat.NotebookNode, path: Path) -> None:
    """Raise NotebookFailed if a cell stored an error or anything on stderr."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr"):
                text = out.get("text") or f"{out.get('ename')}: {out.get('evalue')}"
                raise NotebookFailed(f"{path}: cell {index} wrote to stderr or raised:\n{text}")


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop widget state and per-run metadata; fix the kernelspec; give id-less cells stable ids."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.nbformat, nb.nbformat_minor = 4, max(nb.get("nbformat_minor", 0), 5)  # 4.5: cells have ids
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if not cell.get("id"):
            cell.id = f"cell-{index}"
    return nb


def execute(path: Path, timeout: int = TIMEOUT) -> nbformat.NotebookNode:
    """Run a notebook in its own folder and return it, cleaned; raise NotebookFailed if a cell fails."""
    nb = nbformat.read(path, as_version=4)
    normalise(nb)  # ids before execution, so nothing random is added on the way
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=False,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        raise NotebookFailed(f"{path}: a cell raised:\n{error}") from None
    check_clean(nb, path)
    merge_streams(nb)
    replace_widget_outputs(nb)
    return normalise(nb)


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write atomically with nbformat's own formatting (indent 1, sorted keys, trailing newline)."""
    nbformat.validate(nb)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            nbformat.write(nb, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Execute each notebook given; 0 if all ran clean, 1 if any failed (those are left unchanged)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"notebook {str(path)!r} is not allowed: give existing .ipynb files")
    failed = 0
    for path in args.notebooks:
        try:
            nb = execute(path, timeout=args.timeout)
        except NotebookFailed as error:
            print(f"FAILED, left unchanged: {error}", file=sys.stderr)
            failed += 1
            continue
        write(nb, path)
        print(f"executed {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
