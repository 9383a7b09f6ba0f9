"""Slide metadata: every stored notebook has it, and tools/slides.py applies the talk's rules."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tools import slides
from tools.deck import slide_count
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


# --- hygiene of the stored notebooks -------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_cell_has_slide_metadata_and_the_title_is_the_first_slide(path):
    nb = nbformat.read(path, as_version=4)
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
    missing = [i for i, kind in enumerate(kinds) if kind not in TYPES]
    assert not missing, f"{path.name}: cells {missing} have no slide type; run `python -m tools.slides`"
    assert kinds[0] == "slide" and nb.cells[0].source.startswith("# "), f"{path.name}: cell 0 must be the title slide"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_slide_metadata_is_what_the_tool_writes(path):
    changed, _ = slides.run(path, check=True)
    assert not changed, f"{path.name} is stale: run `python -m tools.slides {path.relative_to(REPO_ROOT)}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_has_speaker_notes(path):
    assert slides.notes_path(path).exists(), f"no speaker notes: {slides.notes_path(path)}"
    nb = nbformat.read(path, as_version=4)
    assert any(slides.NOTES_TAG in slides.tags(cell) for cell in nb.cells), f"{path.name} has no notes cell"


# --- the rules, on small made-up notebooks ---------------------------------------------------------------


PNG_600x400 = (  # an 8-byte signature, then IHDR with width 600 and height 400 (enough for png_height)
    "iVBORw0KGgoAAAANSUhEUgAAAlgAAAGQCAYAAAA="
)


def md(text, tags=()):
    cell = nbformat.v4.new_markdown_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(text, tags=(), image=False, lines=0):
    cell = nbformat.v4.new_code_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    if image:
        data = {"image/png": PNG_600x400, "text/plain": "<Figure>"}
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    if lines:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n" * lines)]
    return cell


def notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        md("# 99 · Made up\n\nWhat it is for."),  # 0 slide
        md("links", tags=["nav"]),  # 1 skip
        code('import torch\nprint("torch", torch.__version__)'),  # 2 skip (versions)
        md("## 1. A claim\n\n`output[-1]` equals `h_n[-1]`."),  # 3 slide
        code("print(torch.equal(a, b))"),  # 4 same slide
        code("from helpers import thing"),  # 5 skip (imports only)
        md("## 2. Explore"),  # 6 slide
        code("view = thing_view()\nview", tags=["nbval-ignore-output"]),  # 7 slide of its own
        code("thing_figure()", image=True),  # 8 skip: the static twin
        md("What the view shows."),  # 9 new subslide after the view
        md("## Exercises"),  # 10 slide
        md("### Exercise 1"),  # 11 subslide
        code("check(None)"),  # 12 same subslide
        md("links", tags=["nav"]),  # 13 skip
    ]
    return nb


def kinds(nb):
    return [cell.metadata["slideshow"]["slide_type"] for cell in nb.cells]


def test_rules_for_title_nav_setup_sections_claims_and_views():
    nb = notebook()
    slides.apply(nb, {})
    assert kinds(nb) == [
        "slide",
        "skip",
        "skip",
        "slide",
        "-",
        "skip",
        "slide",
        "slide",
        "skip",
        "subslide",
        "slide",
        "subslide",
        "-",
        "skip",
    ]


def test_the_static_deck_shows_the_figure_in_place_of_the_live_view():
    nb = notebook()
    slides.apply(nb, {})
    static = slides.static_deck_types(nb.cells)
    assert static[7] == "skip" and static[8] == "slide"
    assert slide_count(nb) == sum(k in ("slide", "subslide") for k in kinds(nb))


def test_a_long_section_is_continued_on_a_subslide_before_a_markdown_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        md("# 99 · Long"),
        md("## 1. Long"),
        code("print(1)", lines=15),
        md("More."),
        code("print(2)", lines=15),
    ]
    slides.apply(nb, {})
    assert kinds(nb) == ["slide", "slide", "-", "subslide", "-"]


def test_notes_go_after_their_heading_and_running_twice_changes_nothing():
    nb = notebook()
    notes = {"": "Say: hello.", "a claim": "Ask: which row?", "no such heading": "lost"}
    report = slides.apply(nb, notes)
    once = nbformat.writes(nb)
    assert nb.cells[2].source == f"{slides.NOTES_HEADER}\n\nSay: hello." and kinds(nb)[2] == "notes"  # after nav
    assert nb.cells[5].source.endswith("\n\nAsk: which row?") and kinds(nb)[5] == "notes"  # after "## 1. A claim"
    assert report.unused_notes == ["no such heading"]
    assert "2. Explore" in report.headings_without_notes
    slides.apply(nb, notes)
    assert nbformat.writes(nb) == once


def test_changed_notes_replace_the_old_notes_cell():
    nb = notebook()
    slides.apply(nb, {"a claim": "old"})
    slides.apply(nb, {"a claim": "new"})
    texts = [c.source for c in nb.cells if slides.NOTES_TAG in slides.tags(c)]
    assert texts == [f"{slides.NOTES_HEADER}\n\nnew"]


def test_notes_file_sections_are_keyed_without_numbers_or_backticks(tmp_path):
    path = tmp_path / "99_x.md"
    path.write_text("# 99 · notes\n\nTitle notes.\n\n## 3. Reading `h_n`\n\nSay this.\n\n## Empty\n")
    assert slides.read_notes(path) == {"": "Title notes.", "reading h_n": "Say this."}


def test_the_command_line_warns_about_mismatches_and_check_finds_stale_files(tmp_path, capsys):
    path = tmp_path / "99_made_up.ipynb"
    nbformat.write(notebook(), path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "99_made_up.md").write_text("## Nowhere\n\nlost\n")
    assert slides.main(["--check", str(path)]) == 1
    assert slides.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "notes section 'nowhere' matches no heading" in out and "heading '1. A claim' has no notes" in out
    assert slides.main(["--check", str(path)]) == 0


def test_a_heading_below_text_in_the_same_cell_still_starts_a_slide_and_gets_its_notes():
    nb = nbformat.v4.new_notebook()
    nb.cells = [md("# 99 · x"), md("## 1. A"), md("Why.\n\n## 2. B\n\nText."), md("```\n## not a heading\n```")]
    slides.apply(nb, {"b": "Say B."})
    assert kinds(nb) == ["slide", "slide", "slide", "notes", "-"]


def test_every_section_heading_of_a_cell_gets_its_notes():
    nb = nbformat.v4.new_notebook()
    nb.cells = [md("# 99 · x"), md("## Summary\n\nAll.\n\n## Exercises\n\nTwo.")]
    slides.apply(nb, {"summary": "Say S.", "exercises": "Say E."})
    assert [c.source.split("\n\n")[-1] for c in nb.cells[2:]] == ["Say S.", "Say E."]


@pytest.mark.parametrize(
    "source,skipped",
    [
        ("import warnings\n\nfrom helpers import (\n    RNNConfig,\n    run,\n)", True),  # one import over lines
        ("%matplotlib inline\nimport torch  # tensors", True),
        ("from helpers import run\nrun()", False),  # does something the class should see
        ("from helpers import (", False),  # not Python: shown, so the error is seen
    ],
)
def test_a_cell_is_set_up_only_when_every_statement_imports(source, skipped):
    assert slides.is_setup(nbformat.v4.new_code_cell(source)) is skipped


# --- teacher's notes out of the learner's way, and the class's core path ----------------------------------


def notes_cells(nb):
    return [cell for cell in nb.cells if slides.NOTES_TAG in slides.tags(cell)]


def test_notes_cells_are_collapsed_and_say_they_are_the_teachers():
    nb = notebook()
    slides.apply(nb, {"": "Say: hello.", "a claim": "Ask: which row?"})
    for cell in notes_cells(nb):
        # JupyterLab shows a cell with hidden source as one line: its first one, which says whose notes they are.
        assert cell.metadata["jupyter"] == {"source_hidden": True}
        assert cell.source.splitlines()[0] == slides.NOTES_HEADER and "Teacher's notes" in slides.NOTES_HEADER
        assert cell.metadata["slideshow"]["slide_type"] == "notes"  # RISE hides it, the deck's speaker view shows it


def test_self_study_sections_are_marked_after_the_title_and_their_heading():
    nb = notebook()
    slides.apply(nb, {"a claim": "Say: x."}, {"explore"})
    sources = [cell.source for cell in nb.cells]
    marks = [i for i, cell in enumerate(nb.cells) if slides.PATH_TAG in slides.tags(cell)]
    assert len(marks) == 2
    title_mark, section_mark = (nb.cells[i] for i in marks)
    assert marks[0] == 2  # after the title and its nav cell
    assert title_mark.source == "*In a 50-minute class: §1, Exercises. Self-study: §2.*"
    assert sources[marks[1] - 1].startswith("## 2. Explore") and section_mark.source == slides.SELF_STUDY_TEXT
    assert kinds(nb)[marks[0]] == "-" and kinds(nb)[marks[1]] == "-"  # on the slide of their heading
    once = nbformat.writes(nb)
    slides.apply(nb, {"a claim": "Say: x."}, {"explore"})
    assert nbformat.writes(nb) == once
    slides.apply(nb, {"a claim": "Say: x."}, set())  # the notes no longer mark it: the markers go
    assert not [cell for cell in nb.cells if slides.PATH_TAG in slides.tags(cell)]


def test_a_self_study_mark_for_a_missing_heading_is_reported():
    report = slides.apply(notebook(), {}, {"no such section"})
    assert report.unused_notes == ["no such section (Path: self-study)"]


def test_path_lines_are_read_from_the_notes_and_left_out_of_the_notes_cells(tmp_path):
    path = tmp_path / "99_x.md"
    path.write_text("Title notes.\n\n## 1. A\n\nPath: self-study\n\nSay: a.\n\n## 2. B\n\nPath: core\n\nSay: b.\n")
    assert slides.read_self_study(path) == {"a"}
    assert slides.read_notes(path) == {"": "Title notes.", "a": "Say: a.", "b": "Say: b."}
    path.write_text("## 1. A\n\nPath: optional\n")
    with pytest.raises(ValueError, match="Path line: got \\['optional'\\]"):
        slides.read_self_study(path)


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    """A copy of notebooks/ (and its notes) with the tool applied, as `make outputs` will apply it."""
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copytree(REPO_ROOT / "notebooks" / "notes", folder / "notes")
    copies = [Path(shutil.copy(path, folder / path.name)) for path in NOTEBOOKS]
    assert slides.main([str(path) for path in copies]) == 0
    return copies


def test_the_tool_on_a_copy_of_the_notebooks_hides_every_notes_cell_and_changes_nothing_twice(applied):
    for path in applied:
        nb = nbformat.read(path, as_version=4)
        cells = notes_cells(nb)
        assert cells, path.name
        for cell in cells:
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{path.name}: {cell.id} open"
            assert cell.source.startswith(slides.NOTES_HEADER + "\n\n"), f"{path.name}: {cell.id}"
            assert "Path:" not in cell.source
        assert slides.main(["--check", str(path)]) == 0, f"{path.name}: a second run would change it"


def test_the_tool_on_a_copy_marks_exactly_the_self_study_sections_of_the_notes(applied):
    for path in applied:
        nb = nbformat.read(path, as_version=4)
        self_study = slides.read_self_study(slides.notes_path(REPO_ROOT / "notebooks" / path.name))
        marks = [i for i, cell in enumerate(nb.cells) if slides.PATH_TAG in slides.tags(cell)]
        if not self_study:
            assert not marks, path.name
            continue
        marked = set()
        for i in marks[1:]:
            assert nb.cells[i].source == slides.SELF_STUDY_TEXT
            marked.update(slides.key(t) for level, t in slides.headings(nb.cells[i - 1]) if level == 2)
        assert marked == self_study, path.name
        title = nb.cells[marks[0]].source
        assert marks[0] < 4 and "In a 50-minute class" in title, path.name
        for heading in (t for c in nb.cells for level, t in slides.headings(c) if level == 2):
            label = slides.section_label(heading)
            side = title.split("Self-study:")[1 if slides.key(heading) in self_study else 0]
            assert re.search(re.escape(label) + r"[,.]", side), f"{path.name}: {label} on the wrong side of {title!r}"


def test_the_static_deck_of_the_copy_shows_the_notes_to_the_teacher_and_the_marks_to_all(applied):
    from nbconvert import SlidesExporter

    from tools.deck import TEMPLATES, deck_notebook

    exporter = SlidesExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="deck", reveal_url_prefix="r")
    for path in applied:
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(deck_notebook(nb))
        asides = re.findall(r'<aside class="notes">(.*?)</aside>', body, flags=re.S)
        assert len(asides) == len(notes_cells(nb)), path.name
        assert all("Teacher" in aside for aside in asides), path.name
        for cell in (c for c in nb.cells if slides.PATH_TAG in slides.tags(c)):
            words = cell.source.strip("*").split(":")[0]
            outside = re.sub(r'<aside class="notes">.*?</aside>', "", body, flags=re.S)
            assert words in outside, f"{path.name}: the marker {words!r} is not on a slide"
