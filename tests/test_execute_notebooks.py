"""tools.execute_notebooks: runs a notebook in place, stores the widget placeholder, and is stable across runs.

Kernel-backed tests use tiny notebooks made in tmp_path; the clean-up steps are also tested on their own.
"""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools import execute_notebooks as tool
from tools.execute_notebooks import PLACEHOLDER, WIDGET_VIEW

SHARED_PLACEHOLDER = (  # written out again: the browser test and test_hygiene rely on this exact text
    "Live view (ipywidgets): run this cell in JupyterLab to use it. The static figure below shows the same view."
)


def write_notebook(path, *sources, minor=5):
    nb = new_notebook(cells=[new_markdown_cell("# tiny"), *(new_code_cell(s) for s in sources)])
    nb.nbformat_minor = minor
    if minor < 5:
        for cell in nb.cells:
            del cell["id"]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A tiny notebook run twice: (path, bytes after run 1, bytes after run 2)."""
    folder = tmp_path_factory.mktemp("tiny")
    path = write_notebook(
        folder / "tiny.ipynb",
        "print('hello')\nprint('world')",
        "import ipywidgets\nslider = ipywidgets.IntSlider(3)\nslider",
        "from pathlib import Path\nPath.cwd().name",
        "%matplotlib inline\nimport matplotlib.figure\nfig = matplotlib.figure.Figure(figsize=(2, 1))\n"
        "_ = fig.add_subplot().plot([0, 1])\nfig",
        minor=4,  # no cell ids yet: the tool must add stable ones
    )
    assert tool.main([str(path)]) == 0
    first = path.read_bytes()
    assert tool.main([str(path)]) == 0
    return path, first, path.read_bytes()


def test_outputs_are_stored(executed):
    path, _, _ = executed
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3, 4]
    assert code[0].outputs == [new_output("stream", name="stdout", text="hello\nworld\n")]
    assert code[2].outputs[0].data["text/plain"] == repr(path.parent.name)  # ran in the notebook's folder
    figure = code[3].outputs[0].data
    assert figure["text/plain"] == "<Figure size 200x100 with 1 Axes>" and figure["image/png"]


def test_widget_view_is_replaced_by_the_placeholder(executed):
    path, _, _ = executed
    nb = nbformat.read(path, as_version=4)
    widget_cell = nb.cells[2]
    assert PLACEHOLDER == SHARED_PLACEHOLDER
    assert widget_cell.outputs == [new_output("display_data", data={"text/plain": PLACEHOLDER})]
    assert WIDGET_VIEW not in path.read_text()


def test_no_widget_state_timing_or_random_ids(executed):
    path, _, _ = executed
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert [c.id for c in nb.cells] == [f"cell-{i}" for i in range(5)]
    assert all("execution" not in c.metadata for c in nb.cells)
    nbformat.validate(nb)


def test_second_run_changes_nothing(executed):
    path, first, second = executed
    assert first == second  # figures included: their PNG bytes are the same on every run
    assert second.endswith(b"}\n")  # nbformat's layout with a trailing newline, as git likes it


def test_a_failing_cell_leaves_the_notebook_untouched(tmp_path, capsys):
    path = write_notebook(tmp_path / "bad.ipynb", "print('fine')", "1 / 0", "print('never')")
    before = path.read_bytes()
    assert tool.main([str(path)]) == 1
    assert path.read_bytes() == before
    err = capsys.readouterr().err
    assert "FAILED, left unchanged" in err and "ZeroDivisionError" in err


def test_stderr_output_fails_too(tmp_path, capsys):
    path = write_notebook(tmp_path / "warns.ipynb", "import warnings\nwarnings.warn('careful')")
    before = path.read_bytes()
    assert tool.main([str(path)]) == 1
    assert path.read_bytes() == before
    assert "careful" in capsys.readouterr().err


# --- the clean-up steps, without a kernel ----------------------------------------------------------------


def test_replace_widget_outputs_swaps_only_widget_views():
    view = new_output(
        "execute_result",
        data={"text/plain": "IntSlider(value=3)", WIDGET_VIEW: {"model_id": "abc", "version_major": 2}},
        execution_count=1,
    )
    text = new_output("stream", name="stdout", text="kept\n")
    nb = new_notebook(cells=[new_code_cell("x", outputs=[text, view]), new_markdown_cell("m")])
    assert tool.replace_widget_outputs(nb) == 1
    assert nb.cells[0].outputs == [text, tool.placeholder_output()]


def test_merge_streams_joins_pieces_of_one_stream_only():
    pieces = [
        new_output("stream", name="stdout", text="a"),
        new_output("stream", name="stdout", text="b\n"),
        new_output("stream", name="stderr", text="e\n"),
        new_output("stream", name="stdout", text="c\n"),
    ]
    nb = new_notebook(cells=[new_code_cell("x", outputs=pieces)])
    tool.merge_streams(nb)
    assert [(o.name, o.text) for o in nb.cells[0].outputs] == [("stdout", "ab\n"), ("stderr", "e\n"), ("stdout", "c\n")]


def test_normalise_keeps_existing_ids_and_drops_per_run_metadata():
    cell = new_code_cell("x", id="kept-id")
    cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    nb = new_notebook(cells=[cell])
    nb.metadata["widgets"] = {}
    tool.normalise(nb)
    assert nb.cells[0].id == "kept-id" and "execution" not in nb.cells[0].metadata and "widgets" not in nb.metadata


@pytest.mark.parametrize("argument", ["missing.ipynb", "notes.txt"])
def test_bad_arguments_exit_with_usage_error(tmp_path, argument, capsys):
    (tmp_path / "notes.txt").write_text("not a notebook")
    with pytest.raises(SystemExit) as caught:
        tool.main([str(tmp_path / argument)])
    assert caught.value.code == 2
    assert "is not allowed: give existing .ipynb files" in capsys.readouterr().err
