"""Stored notebooks are clean, deterministic and strict-nbval friendly; the sanitize file hides nothing real."""

import io
import json
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

from tools.execute_notebooks import PLACEHOLDER, WIDGET_VIEW

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

IGNORE_TAG = "nbval-ignore-output"
FORBIDDEN_TAGS = {"nbval-skip", "raises-exception", "nbval-raises-exception", "skip-execution"}
ABSOLUTE_PATH = re.compile(r"/home/|/root/|/tmp/|/work/|/Users/|\bC:\\|\b[A-Z]:\\Users\\")
# Timings, progress rates, dates and clock times, memory addresses: none is ever printed on purpose.
VARYING = re.compile(
    r"Wall time|CPU times|\d\s*(it/s|s/it)\b|\d\s*(ms|µs|us|ns)\b|\belapsed\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{2}:\d{2}:\d{2}\b|\b0x[0-9a-fA-F]{4,}\b",
    re.IGNORECASE,
)
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")


def test_there_is_at_least_one_notebook():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb yet"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def nb(request):
    return nbformat.read(request.param, as_version=nbformat.NO_CONVERT)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def output_texts(cell):
    """Every piece of text a code cell's stored outputs show (images left out)."""
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield out.text
        elif out.output_type in ("display_data", "execute_result"):
            for mime in TEXT_TYPES:
                if mime in out.data:
                    yield out.data[mime]
        elif out.output_type == "error":
            yield "\n".join([out.ename, out.evalue, *out.traceback])


def is_widget_cell(cell):
    return any(out.get("data", {}).get("text/plain") == PLACEHOLDER for out in cell.get("outputs", []))


def tags(cell):
    return set(cell.metadata.get("tags", []))


def where(nb, cell):
    return f"cell {nb.cells.index(cell)}: {cell.source[:60]!r}"


# --- format and kernel -----------------------------------------------------------------------------


def test_valid_nbformat(nb):
    assert nb.nbformat == 4
    nbformat.validate(nb)


def test_kernelspec_is_python3(nb):
    kernelspec = nb.metadata["kernelspec"]
    assert kernelspec["name"] == "python3"
    assert kernelspec["display_name"] == "Python 3 (ipykernel)"
    assert kernelspec["language"] == "python"


def test_no_widget_state_in_metadata(nb):
    assert "widgets" not in nb.metadata


def test_first_code_cell_prints_the_torch_version(nb):
    first = code_cells(nb)[0]
    assert "torch.__version__" in first.source
    assert any("2.13.0" in text for text in output_texts(first))


# --- execution ---------------------------------------------------------------------------------------


def test_code_cells_executed_in_order(nb):
    cells = code_cells(nb)
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        for out in cell.outputs:
            if out.output_type == "execute_result":
                assert out.execution_count == cell.execution_count, where(nb, cell)


def test_no_errors_and_no_stderr(nb):
    for cell in code_cells(nb):
        for out in cell.outputs:
            assert out.output_type != "error", where(nb, cell)
            assert not (out.output_type == "stream" and out.name == "stderr"), f"{where(nb, cell)}: {out.text!r}"


def test_no_timings_dates_or_addresses_in_outputs(nb):
    for cell in code_cells(nb):
        for text in output_texts(cell):
            found = VARYING.search(text)
            assert not found, f"{where(nb, cell)} prints {found.group(0)!r}"


def test_no_absolute_paths(nb):
    for cell in nb.cells:
        found = ABSOLUTE_PATH.search(cell.source)
        assert not found, f"{where(nb, cell)}: source has {found.group(0)!r}"
        for text in output_texts(cell) if cell.cell_type == "code" else []:
            found = ABSOLUTE_PATH.search(text)
            assert not found, f"{where(nb, cell)}: output has {found.group(0)!r}"
    found = ABSOLUTE_PATH.search(json.dumps(nb.metadata))
    assert not found, f"notebook metadata has {found.group(0)!r}"


def _ends_with_semicolon(source):
    """True if the last code token of a cell is `;` (comments and blank lines do not count)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source.rstrip().endswith(";")
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    significant = [t for t in tokens if t.type not in skip]
    return bool(significant) and significant[-1].string == ";"


def test_no_trailing_semicolon(nb):
    for cell in code_cells(nb):
        assert not _ends_with_semicolon(cell.source), f"{where(nb, cell)} ends with ';'"


# --- widgets and nbval tags ----------------------------------------------------------------------------


def test_only_live_widget_cells_ignore_output_and_all_of_them_do(nb):
    for cell in code_cells(nb):
        if is_widget_cell(cell):
            assert IGNORE_TAG in tags(cell), f"{where(nb, cell)} shows a live widget but is not tagged"
            assert [out.data for out in cell.outputs] == [{"text/plain": PLACEHOLDER}], where(nb, cell)
        else:
            assert IGNORE_TAG not in tags(cell), f"{where(nb, cell)} ignores output but shows no live widget"
    for cell in nb.cells:
        assert not tags(cell) & FORBIDDEN_TAGS, f"{where(nb, cell)} has tags {tags(cell) & FORBIDDEN_TAGS}"
        assert "NBVAL_" not in cell.source, f"{where(nb, cell)} has an nbval marker comment"


def test_no_raw_widget_views_stored(nb):
    for cell in code_cells(nb):
        for out in cell.outputs:
            assert WIDGET_VIEW not in out.get("data", {}), where(nb, cell)


def test_every_widget_cell_is_followed_by_a_static_figure(nb):
    cells = code_cells(nb)
    for i, cell in enumerate(cells):
        if is_widget_cell(cell):
            following = cells[i + 1 : i + 3]
            assert any("image/png" in out.get("data", {}) for c in following for out in c.outputs), (
                f"{where(nb, cell)}: no image/png output in the next two code cells"
            )


# --- closing sections ------------------------------------------------------------------------------------


def headings(nb):
    """(level, text) of every markdown heading, in order; fenced code is skipped."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            match = None if fenced else re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if match:
                found.append((len(match.group(1)), match.group(2)))
    return found


def test_notebook_ends_with_summary_and_exercises(nb):
    found = headings(nb)
    summary = [h for h in found if re.search(r"\bsummary\b", h[1], re.IGNORECASE)]
    exercises = [h for h in found if re.search(r"\bexercises\b", h[1], re.IGNORECASE)]
    assert summary and exercises, f"headings: {found}"
    level = min(summary[-1][0], exercises[-1][0])
    last_two = [h for h in found if h[0] <= level][-2:]
    assert sorted(last_two, key=lambda h: "exercises" in h[1].lower()) == [summary[-1], exercises[-1]], (
        f"the last sections should be Summary and Exercises, not {last_two}"
    )


# --- strict nbval everywhere -------------------------------------------------------------------------------


def test_no_nbval_lax_anywhere():
    for name in ["Makefile", "pyproject.toml", ".ci/run", "setup.cfg", "tox.ini", "pytest.ini"]:
        path = REPO / name
        if path.exists():
            assert "nbval-lax" not in path.read_text(), name


def test_pytest_runs_strict_nbval_with_the_sanitize_file():
    import tomllib

    addopts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    options = addopts.split()
    assert "--nbval" in options and "--nbval-current-env" in options
    assert re.search(r"--(nbval-)?sanitize-with[ =]tests/nbval_sanitize.cfg", addopts)
    assert (REPO / "tests" / "nbval_sanitize.cfg").is_file()


# --- the sanitize file ------------------------------------------------------------------------------------


def sanitize(text):
    """What nbval does with tests/nbval_sanitize.cfg, using nbval's own parser."""
    for regex, replace in get_sanitize_patterns((REPO / "tests" / "nbval_sanitize.cfg").read_text()):
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize(
    "real",
    [
        "tensor([[ 0.1234, -0.5678,  0.0000]], grad_fn=<StackBackward0>)",
        "torch.Size([5, 2, 6])",
        "<Figure size 640x480 with 1 Axes>",
        "True   output[:, 0, 50:] == h_n.view(num_layers, D, N, H_out)[-1, 1]  # top layer, backward",
        "torch 2.13.0",
        "h_n: (num_layers * D, N, H_out) = (6, 4, 50)",
        "0x1 0x2f",  # short hex is not an address
        PLACEHOLDER,
    ],
)
def test_sanitize_keeps_real_content(real):
    assert sanitize(real) == real


@pytest.mark.parametrize(
    "a,b",
    [
        ("<matplotlib.image.AxesImage at 0x7f3b2c1d0e50>", "<matplotlib.image.AxesImage at 0x7f00aa11bb22>"),
        ("<function f at 0x10a2b3c4d>", "<function f at 0x7ffde001>"),
        ("torch 2.13.0+cpu", "torch 2.13.0"),
        ("torch 2.13.0+cu121", "torch 2.13.0"),
    ],
)
def test_sanitize_hides_what_varies(a, b):
    assert sanitize(a) == sanitize(b)


def test_sanitize_keeps_versions_apart():
    assert sanitize("torch 2.13.0+cpu") != sanitize("torch 2.12.1+cpu")
