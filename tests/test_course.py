"""The course frame of every notebook: title, learn list, navigation, versions, a view and its twin, summary, exercises.

See CONTRIBUTING.md ("The frame of every notebook"). The navigation and the start page's map are written by
tools/nav.py; these tests fail when they are stale or link to a file that does not exist.
"""

import re
from pathlib import Path

import nbformat
import pytest

from tools import nav
from tools.execute_notebooks import PLACEHOLDER

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").glob("*.ipynb") if nav.NAME.match(p.name))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CHECKER_CALL = re.compile(r"\b(check_\w+)\(")


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def path(request):
    return request.param


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def texts(cell):
    """Printed text and text/plain of a code cell's outputs."""
    for out in cell.get("outputs", []):
        yield out.get("text") or out.get("data", {}).get("text/plain", "")


def test_the_course_starts_at_00():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


# --- the top: title, what it is for, what you will learn ---------------------------------------------------------


def test_title_is_number_dot_title(path):
    first = read(path).cells[0]
    assert first.cell_type == "markdown"
    heading = first.source.splitlines()[0]
    assert re.fullmatch(rf"# {path.name[:2]} · \S.*", heading), (
        f"cell 0 starts {heading!r}, not '# {path.name[:2]} · Title'"
    )


def test_a_sentence_says_what_the_notebook_is_for(path):
    entry = nav.describe(path, read(path), path.name[:2])
    assert entry.summary.endswith((".", "!", "?")) and len(entry.summary) > 20, f"summary: {entry.summary!r}"


def test_you_will_learn_lists_three_to_five_items(path):
    source = read(path).cells[0].source
    assert "**You will learn**" in source, "cell 0 has no '**You will learn**'"
    after = source.split("**You will learn**", 1)[1]
    items = [line for line in after.splitlines() if re.match(r"\s*([-*]|\d+\.)\s+\S", line)]
    assert 3 <= len(items) <= 5, f"{len(items)} items to learn: {items}"


# --- navigation, written by tools/nav.py -----------------------------------------------------------------------


def test_nav_cells_at_the_top_and_the_bottom(path):
    nb = read(path)
    assert nav.tagged(nb, nav.NAV_TAG) == [1, len(nb.cells) - 1], "nav cells must be cell 1 and the last cell"
    assert all(nb.cells[i].cell_type == "markdown" for i in nav.tagged(nb, nav.NAV_TAG))


def test_nav_and_map_are_up_to_date(path):
    entries = nav.course(path.parent)
    index = [e.path for e in entries].index(path)
    stale = nav.update(read(path), entries, index)
    assert not stale, f"{path.name}: {'; '.join(stale)}; run `make outputs` (or python -m tools.nav)"


def missing_links(path):
    """(cell index, target) of every relative link in path's markdown that names no existing file."""
    return [
        (index, target)
        for index, cell in enumerate(read(path).cells)
        if cell.cell_type == "markdown"
        for target in LINK.findall(cell.source)
        if "://" not in target and not target.startswith("#") and not (path.parent / target.split("#")[0]).is_file()
    ]


def test_links_point_to_notebooks_that_exist(path):
    assert not missing_links(path), f"links to files that do not exist: {missing_links(path)}"


def test_start_page_has_a_map_of_every_notebook():
    start = read(NOTEBOOKS[0])
    maps = nav.tagged(start, nav.MAP_TAG)
    assert len(maps) == 1
    linked = set(LINK.findall(start.cells[maps[0]].source))
    assert linked == {p.name for p in NOTEBOOKS}


# --- the first code cell, the views, the closing sections -------------------------------------------------------


def test_first_code_cell_prints_the_versions(path):
    first = code_cells(read(path))[0]
    printed = "".join(texts(first))
    for name in ("torch", "ipywidgets", "matplotlib"):
        assert f"{name}.__version__" in first.source, f"the first code cell does not print {name}.__version__"
        assert re.search(rf"\b{name} \d+\.\d+", printed), (
            f"the first code cell's output lacks '{name} X.Y': {printed!r}"
        )


def is_live_view(cell):
    return any(PLACEHOLDER in text for text in texts(cell))


def test_every_view_is_followed_by_its_static_twin(path):
    cells = code_cells(read(path))
    views = [i for i, cell in enumerate(cells) if is_live_view(cell)]
    assert views, "no slider view (a cell calling helpers.<name>_view, stored as the placeholder)"
    for i in views:
        view, twin = cells[i], cells[i + 1] if i + 1 < len(cells) else None
        name = re.search(r"\b(\w+)_view\(", view.source)
        assert name, f"live view cell {view.source!r} does not call a helpers.<name>_view function"
        assert twin is not None and f"{name.group(1)}_figure(" in twin.source, (
            f"{view.source!r} is not followed right away by {name.group(1)}_figure(...)"
        )
        assert any("image/png" in out.get("data", {}) for out in twin.outputs), f"{twin.source!r} stores no image"


def markdown_headings(nb):
    """(cell index, heading text) of every '## ' heading."""
    return [
        (i, line[3:].strip())
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]


def test_summary_then_exercises_with_two_checked_exercises(path):
    nb = read(path)
    found = markdown_headings(nb)
    names = [text for _, text in found]
    assert "Summary" in names and "Exercises" in names, f"'## Summary' and '## Exercises' needed; headings: {names}"
    assert names[-2:] == ["Summary", "Exercises"], f"the last two sections must be Summary, Exercises: {names}"
    start = dict((text, i) for i, text in found)["Exercises"]
    called = {m for cell in nb.cells[start:] if cell.cell_type == "code" for m in CHECKER_CALL.findall(cell.source)}
    assert len(called) >= 2, f"exercises need at least two helpers checkers; the cells call {sorted(called)}"


def test_readme_has_a_row_for_every_notebook(path):
    readme = (REPO / "README.md").read_text()
    assert re.search(rf"^\| `notebooks/{re.escape(path.name)}` \| \S", readme, re.MULTILINE), (
        f"README.md's notebook table has no row for notebooks/{path.name}"
    )


# --- tools/nav.py itself --------------------------------------------------------------------------------------


def fake_course(folder, titles, with_map=True):
    """Notebooks NN_x.ipynb with a title cell (and a map cell in 00), one per title."""
    for number, title in enumerate(titles):
        cells = [
            nbformat.v4.new_markdown_cell(f"# {number:02d} · {title}\n\nIt does {title}."),
            nbformat.v4.new_markdown_cell("## 1. The body"),
        ]
        if number == 0 and with_map:
            cells.append(nbformat.v4.new_markdown_cell("", metadata={"tags": ["map"]}))
        nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{number:02d}_{title.lower()}.ipynb")


def test_nav_writes_links_then_check_passes(tmp_path):
    fake_course(tmp_path, ["Start", "Middle", "End"])
    assert nav.main(["--check", str(tmp_path)]) == 1  # no nav cells yet
    assert nav.main([str(tmp_path)]) == 0
    assert nav.main(["--check", str(tmp_path)]) == 0
    middle = read(tmp_path / "01_middle.ipynb")
    assert nav.tagged(middle, "nav") == [1, 3]
    assert (
        middle.cells[1].source
        == "[← 00 · Start](00_start.ipynb) | [Start page](00_start.ipynb) | [02 · End →](02_end.ipynb)"
    )
    assert middle.cells[-1].source == middle.cells[1].source
    assert read(tmp_path / "02_end.ipynb").cells[1].source.endswith("(last notebook) →")


def test_nav_fails_without_a_map_on_the_start_page(tmp_path, capsys):
    fake_course(tmp_path, ["Start", "End"], with_map=False)
    assert nav.main([str(tmp_path)]) == 1
    assert "no cell tagged map" in capsys.readouterr().out


def test_nav_check_fails_on_a_stale_title(tmp_path, capsys):
    fake_course(tmp_path, ["Start", "Middle", "End"])
    assert nav.main([str(tmp_path)]) == 0
    start = read(tmp_path / "00_start.ipynb")
    assert "| [01 · Middle](01_middle.ipynb) | It does Middle. |" in start.cells[nav.tagged(start, "map")[0]].source
    middle = read(tmp_path / "01_middle.ipynb")
    middle.cells[0].source = "# 01 · Renamed\n\nIt does more."
    nbformat.write(middle, tmp_path / "01_middle.ipynb")
    capsys.readouterr()
    assert nav.main(["--check", str(tmp_path)]) == 1
    said = capsys.readouterr().out
    assert "00_start.ipynb" in said and "(map) is stale" in said and "02_end.ipynb" in said


def test_a_link_to_a_removed_notebook_is_caught(tmp_path):
    fake_course(tmp_path, ["Start", "Middle", "End"])
    nav.main([str(tmp_path)])
    (tmp_path / "02_end.ipynb").unlink()
    assert missing_links(tmp_path / "01_middle.ipynb") == [(1, "02_end.ipynb"), (3, "02_end.ipynb")]
    assert nav.main(["--check", str(tmp_path)]) == 1


def test_nav_refuses_a_missing_folder(tmp_path):
    with pytest.raises(SystemExit):
        nav.main([str(tmp_path / "nowhere")])


# --- the start page's warm-up checker ---------------------------------------------------------------------------


def test_start_page_warm_up_checker_names_the_mistake(capsys):
    from helpers import check_grid_shapes

    check_grid_shapes(None)
    assert capsys.readouterr().out.startswith("Not answered yet")
    with pytest.raises(AssertionError, match=r"you said \(4, 7, 6\), it is \(7, 3, 6\)"):
        check_grid_shapes({"output": (4, 7, 6), "h_n": (4, 3, 6)})
    with pytest.raises(AssertionError, match="num_layers \\* D"):
        check_grid_shapes({"output": (7, 3, 6), "h_n": (8, 3, 6)})  # two rows per layer: only with two directions
