"""The stored-figure check bites: a changed colour or a moved outline fails nbval, with three images to look at."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tools import execute_notebooks
from tools.figure_check import (
    CHANNEL_TOLERANCE,
    MAX_CHANGED_PIXELS,
    check_cell_figures,
    compare_images,
    decode_png,
    difference_image,
)

REPO = Path(__file__).resolve().parent.parent
FIGURE_CELL = "import helpers\nhelpers.output_vs_h_n_figure(num_layers=2, seq_len=5, bidirectional=True)"
PATCHES = {  # one change to how the figure is drawn, made before the figure cell runs
    "unchanged": "",
    "colour": "import helpers.plots.base as h\nh.MARK_STYLE[0]['edgecolor'] = 'tab:orange'",
    # every outline drawn one row lower (sys.modules: the package re-exports a function of the module's name)
    "outline": (
        "import sys, helpers\nmodule = sys.modules['helpers.plots.output_vs_h_n']\nplace = module.place_mark\n"
        "module.place_mark = lambda rect, row, cols: place(rect, row + 1, cols)"
    ),
}


def stored_notebook(folder: Path) -> Path:
    """A two-cell notebook whose figure output is stored by tools.execute_notebooks, as `make outputs` does."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nimport torch\nprint(torch.__version__ != '')"),
        nbformat.v4.new_code_cell(FIGURE_CELL),
    ]
    path = folder / "figure.ipynb"
    nbformat.write(nb, path)
    execute_notebooks.write(execute_notebooks.execute(path), path)
    return path


@pytest.fixture(scope="module")
def nbval_runs(tmp_path_factory):
    """Strict nbval over a copy of the notebook for each patch; returns (pytest output, artifacts folder)."""
    folder = tmp_path_factory.mktemp("figure-check")
    original = nbformat.read(stored_notebook(folder), as_version=4)
    paths = []
    for name, patch in PATCHES.items():
        copy = nbformat.from_dict(original)
        copy.cells[0].source += "\n" + patch  # prints nothing, so the cell's stored output still matches
        paths.append(folder / f"{name}.ipynb")
        nbformat.write(copy, paths[-1])
    artifacts = folder / "artifacts"
    env = {**os.environ, "FIGURE_CHECK_DIR": str(artifacts), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tools.figure_check",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "-q",
            "-rf",
            "--rootdir",
            str(folder),
            *map(str, paths),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.stdout + done.stderr, artifacts


def test_an_unchanged_figure_passes(nbval_runs):
    output, _ = nbval_runs
    assert "6 passed" not in output and "4 passed" in output, output  # 3 notebooks x 2 cells, 2 of them failing
    assert not [line for line in output.splitlines() if line.startswith("FAILED") and "unchanged.ipynb" in line]


@pytest.mark.parametrize("name", ["colour", "outline"])
def test_a_changed_figure_fails_with_three_images(nbval_runs, name):
    output, artifacts = nbval_runs
    assert f"FAILED {name}.ipynb::Cell 1" in output, output
    assert "Cell figures differ from the stored ones" in output
    for kind in ("stored", "new", "diff"):
        image = artifacts / f"{name}-cell1-figure0-{kind}.png"
        assert image.is_file(), f"{image} missing; pytest said:\n{output}"
        assert str(image) in output  # named in the failure message
    assert decode_png((artifacts / f"{name}-cell1-figure0-diff.png").read_bytes()).shape[-1] == 4


# --- the comparison itself --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figure():
    """A stored figure of notebook 01, decoded."""
    nb = nbformat.read(REPO / "notebooks" / "01_output_vs_h_n.ipynb", as_version=4)
    png = next(
        out.data["image/png"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "image/png" in out.get("data", {})
    )
    return decode_png(png)


def test_antialiasing_noise_is_tolerated(figure):
    noisy = figure.astype(np.int16) + np.random.default_rng(0).integers(
        -CHANNEL_TOLERANCE, CHANNEL_TOLERANCE + 1, figure.shape
    )
    noisy = noisy.clip(0, 255).astype(np.uint8)
    assert compare_images(figure, noisy).matches


def test_a_few_stray_pixels_are_tolerated_but_not_more(figure):
    changed = figure.copy()
    changed[:1, :MAX_CHANGED_PIXELS, :3] = 255 - changed[:1, :MAX_CHANGED_PIXELS, :3] // 2 * 2
    changed[:1, :MAX_CHANGED_PIXELS, :3] = np.where(figure[:1, :MAX_CHANGED_PIXELS, :3] > 127, 0, 255)
    assert compare_images(figure, changed).changed_pixels == MAX_CHANGED_PIXELS
    assert compare_images(figure, changed).matches
    changed[1, 0, :3] = np.where(figure[1, 0, :3] > 127, 0, 255)
    assert not compare_images(figure, changed).matches


def test_a_size_change_fails_and_still_gives_a_difference_image(figure):
    result = compare_images(figure, figure[:-1])
    assert not result.same_size and not result.matches
    assert difference_image(figure, figure[:-1]).shape[0] == figure.shape[0]


def test_a_missing_or_extra_figure_is_reported(tmp_path):
    out = {"output_type": "display_data", "data": {"image/png": "", "text/plain": "<Figure>"}}
    assert check_cell_figures([out], [], "cell", tmp_path) == ["the cell drew 0 figure(s) where 1 are stored"]
