"""Give every cell its slide type and insert the speaker notes, from the notebook's own structure.

Usage: python -m tools.slides [notebooks/*.ipynb]           write slide metadata and notes cells
       python -m tools.slides --check [notebooks/*.ipynb]   change nothing; exit 1 if a notebook is stale

The rules (CONTRIBUTING's frame, shown as a talk, one idea per slide):
- cell 0 (the title) starts a slide; cells tagged `nav`, the versions cell and import-only cells are skipped;
- each `## ` heading starts a slide, each `### ` heading a subslide;
- a claim (markdown) and the code that checks it stay on one slide; a slide that would overflow 1280x720
  is continued on a subslide, cut only before a markdown cell;
- a live view (a cell tagged `nbval-ignore-output`) gets a slide of its own, and its static twin (the
  next code cell with an image) is skipped: the live deck has the view. The static deck (`make slides`,
  tools/deck.py) swaps the two, since it has no kernel.
Speaker notes live in notebooks/notes/NN_name.md, one `## ` section per `## ` heading of the notebook
(the text before the first section goes with the title). They become markdown cells of type `notes`,
tagged `slide-notes`, right after their heading: collapsed in JupyterLab (`jupyter.source_hidden`), so a
learner sees one line, "Teacher's notes ...", that opens on a click; not shown on the live slides (RISE
hides cells of type `notes`); shown in the static deck's speaker view (nbconvert puts them in reveal's
`<aside class="notes">`).
A notes section may hold the line `Path: self-study`: a 50-minute class skips that section. The tool then
puts a short marker cell (tagged `course-path`) right after the section's heading, and one after the title
that names the class's core path and the self-study sections, so the learner, the live slides and the
static decks all show the same plan as TEACHING.md. Running the tool twice changes nothing.
"""

from __future__ import annotations

import argparse
import ast
import base64
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.execute_notebooks import write

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
NOTES = NOTEBOOKS / "notes"
NAV_TAG, NOTES_TAG, LIVE_TAG, PATH_TAG = "nav", "slide-notes", "nbval-ignore-output", "course-path"
TOOL_TAGS = {NOTES_TAG, PATH_TAG}  # cells this tool writes, and removes before writing them again
# The first line of a notes cell: what JupyterLab shows of the collapsed cell.
NOTES_HEADER = "Teacher's notes (say, ask, answer): hidden on the live slides; click to open."
CORE, SELF_STUDY = "core", "self-study"
PATH_LINE = re.compile(r"^Path:\s*(\S.*?)\s*$")
SLIDE, SUBSLIDE, SKIP, NOTES_TYPE, CONTINUE = "slide", "subslide", "skip", "notes", "-"
# What fits on a 1280x720 slide, in lines of text (an image counts by its height).
SLIDE_LINES = 24
PIXELS_PER_LINE = 28
WRAP = 100  # characters of markdown per line on a slide
VERSIONS = "__version__"


@dataclass
class Report:
    """What one run found: notes sections without a heading and headings without notes."""

    unused_notes: list[str] = field(default_factory=list)
    headings_without_notes: list[str] = field(default_factory=list)

    def warnings(self, name: str) -> list[str]:
        """One line per mismatch, for the lead to fix at integration."""
        return [f"warning: {name}: notes section {k!r} matches no heading" for k in self.unused_notes] + [
            f"warning: {name}: heading {h!r} has no notes" for h in self.headings_without_notes
        ]


# --- reading cells ---------------------------------------------------------------------------------


def tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


def headings(cell) -> list[tuple[int, str]]:
    """(level, text) of every heading in a markdown cell, in order; fenced code is skipped."""
    if cell.cell_type != "markdown":
        return []
    found, fenced = [], False
    for line in cell.source.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if match:
            found.append((len(match.group(1)), match.group(2)))
    return found


def heading(cell) -> tuple[int, str] | None:
    """The first heading of a markdown cell, or None."""
    return next(iter(headings(cell)), None)


def is_live_view(cell) -> bool:
    return cell.cell_type == "code" and LIVE_TAG in tags(cell)


def has_image(cell) -> bool:
    return cell.cell_type == "code" and any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def is_setup(cell) -> bool:
    """The versions cell, or a code cell that only imports (nothing to show a class)."""
    if cell.cell_type != "code":
        return False
    if VERSIONS in cell.source:
        return True
    # Statement by statement, so that a `from helpers import (...)` over several lines counts as one import.
    python = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        statements = ast.parse(python).body
    except SyntaxError:
        return False
    return all(isinstance(statement, ast.Import | ast.ImportFrom) for statement in statements)


def static_twins(cells) -> set[int]:
    """Indices of the static figure right after each live view (the next code cell, if it has an image)."""
    twins = set()
    for index, cell in enumerate(cells):
        if is_live_view(cell):
            following = [i for i in range(index + 1, len(cells)) if cells[i].cell_type == "code"][:1]
            twins.update(i for i in following if has_image(cells[i]))
    return twins


def png_height(data: str) -> int:
    """Height in pixels of a base64 PNG (from its IHDR chunk); 0 if it cannot be read."""
    try:
        raw = base64.b64decode(data[:64])
        return struct.unpack(">I", raw[20:24])[0]
    except (ValueError, struct.error):
        return 0


def lines_of(cell) -> int:
    """How many lines of a slide a cell takes: its source plus (for code) its outputs."""
    if cell.cell_type == "markdown":
        return sum(1 + len(line) // WRAP for line in cell.source.splitlines()) + 1
    total = len(cell.source.splitlines()) + 1
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            total += max(8, png_height(data["image/png"]) // PIXELS_PER_LINE)
        else:
            total += len(str(out.get("text") or data.get("text/plain", "")).splitlines())
    return total


def claim_lines(cells, index: int) -> int:
    """Lines of a markdown cell and of the code cells after it (its checks), which share its slide."""
    end = next((i for i in range(index + 1, len(cells)) if cells[i].cell_type == "markdown"), len(cells))
    return sum(lines_of(cells[i]) for i in range(index, end) if NOTES_TAG not in tags(cells[i]))


# --- slide types -----------------------------------------------------------------------------------


def slide_types(cells) -> list[str]:
    """The slide type of every cell (notes cells keep `notes`)."""
    twins = static_twins(cells)
    types, used = [], SLIDE_LINES  # a full slide before cell 0, so cell 0 starts one
    after_view = False
    for index, cell in enumerate(cells):
        head = heading(cell)
        if NOTES_TAG in tags(cell):
            kind = NOTES_TYPE
        elif PATH_TAG in tags(cell):
            kind, used = CONTINUE, used + lines_of(cell)  # the marker stays on its heading's slide
        elif index == 0:
            kind, used = SLIDE, lines_of(cell)
        elif NAV_TAG in tags(cell) or is_setup(cell) or index in twins:
            kind = SKIP
        elif is_live_view(cell):
            kind, used, after_view = SLIDE, SLIDE_LINES, True  # nothing else joins this slide
        elif head is not None and head[0] <= 2:
            kind, used = SLIDE, lines_of(cell)
        elif (
            head is not None
            or after_view
            or (cell.cell_type == "markdown" and used + claim_lines(cells, index) > SLIDE_LINES)
        ):
            kind, used = SUBSLIDE, lines_of(cell)
        else:
            kind, used = CONTINUE, used + lines_of(cell)
        if kind not in (SKIP, NOTES_TYPE) and not is_live_view(cell):
            after_view = False
        types.append(kind)
    return types


def static_deck_types(cells) -> list[str]:
    """The slide types for a deck without a kernel: each live view is skipped and its twin takes its slide."""
    types = [cell.metadata.get("slideshow", {}).get("slide_type", CONTINUE) for cell in cells]
    for index in sorted(static_twins(cells)):
        view = max(i for i in range(index) if is_live_view(cells[i]))
        types[index], types[view] = types[view], SKIP
    return types


# --- speaker notes ---------------------------------------------------------------------------------


def notes_path(notebook: Path) -> Path:
    return notebook.parent / "notes" / f"{notebook.stem}.md"


def key(text: str) -> str:
    """A heading as a notes key: without its number ('3. '), backticks and case."""
    return re.sub(r"^\d+\.\s*", "", text).replace("`", "").strip().lower()


def read_sections(path: Path) -> dict[str, str]:
    """{heading key: section text, as written}; the text before the first `## ` goes under '' (the title)."""
    if not path.exists():
        return {}
    sections, current, lines = {}, "", []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^##\s+(.*?)\s*$", line)
        if match:
            sections[current] = "\n".join(lines).strip()
            current, lines = key(match.group(1)), []
        elif not line.startswith("# ") or current:
            lines.append(line)
    sections[current] = "\n".join(lines).strip()
    return sections


def section_path(text: str) -> str:
    """The section's `Path:` line (core or self-study); core when it has none."""
    found = [m.group(1) for line in text.splitlines() if (m := PATH_LINE.match(line))]
    if len(found) > 1 or (found and found[0] not in (CORE, SELF_STUDY)):
        raise ValueError(f"Path line: got {found!r}; allowed: one line, 'Path: {CORE}' or 'Path: {SELF_STUDY}'")
    return found[0] if found else CORE


def read_notes(path: Path) -> dict[str, str]:
    """{heading key: notes text}, without `Path:` lines; the text before the first `## ` goes under '' (the title)."""
    sections = {
        k: "\n".join(line for line in v.splitlines() if not PATH_LINE.match(line)).strip()
        for k, v in read_sections(path).items()
    }
    return {k: v for k, v in sections.items() if v}


def read_self_study(path: Path) -> set[str]:
    """Keys of the sections that a notes file marks `Path: self-study`."""
    return {k for k, v in read_sections(path).items() if k and section_path(v) == SELF_STUDY}


def notes_cell(text: str, anchor: str) -> nbformat.NotebookNode:
    """A notes cell: collapsed in JupyterLab, its first line says whose it is; type `notes` on slides."""
    cell = nbformat.v4.new_markdown_cell(f"{NOTES_HEADER}\n\n{text}")
    cell.id = f"notes-{anchor}"[:64]
    cell.metadata = {"jupyter": {"source_hidden": True}, "slideshow": {"slide_type": NOTES_TYPE}, "tags": [NOTES_TAG]}
    return cell


def path_cell(text: str, anchor: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = f"path-{anchor}"[:64]
    cell.metadata = {"slideshow": {"slide_type": CONTINUE}, "tags": [PATH_TAG]}
    return cell


SELF_STUDY_TEXT = "*Self-study: a 50-minute class skips this section (TEACHING.md); read it on your own.*"


def section_label(text: str) -> str:
    """'§3' for '3. Reading h_n', else the heading itself ('Summary')."""
    match = re.match(r"^(\d+)\.", text)
    return f"§{match.group(1)}" if match else text


def plan_text(sections: list[str], self_study: set[str]) -> str:
    """The title's marker: the class's core path and the self-study sections, by section number."""
    core = [section_label(t) for t in sections if key(t) not in self_study]
    skipped = [section_label(t) for t in sections if key(t) in self_study]
    return f"*In a 50-minute class: {', '.join(core)}. Self-study: {', '.join(skipped)}.*"


def with_notes(cells, notes: dict[str, str], report: Report, self_study: set[str] = frozenset()) -> list:
    """The cells without old notes and path cells, with a fresh notes cell after each heading that has notes,
    and (when some sections are self-study) a marker after the title and after each self-study heading."""
    cells = [c for c in cells if not TOOL_TAGS & tags(c)]
    out, used = [], set()
    title_anchor = 1 if len(cells) > 1 and NAV_TAG in tags(cells[1]) else 0
    sections = [t for c in cells for level, t in headings(c) if level == 2]
    marked = {key(t) for t in sections} & set(self_study)
    for index, cell in enumerate(cells):
        out.append(cell)
        here = [("", "")] if index == title_anchor else [(key(t), t) for level, t in headings(cell) if level == 2]
        for name, text in here:
            slug = re.sub(r"\W+", "-", name).strip("-") or "title"
            if marked and (name == "" or name in marked):
                out.append(path_cell(plan_text(sections, marked) if name == "" else SELF_STUDY_TEXT, slug))
            if name in notes:
                out.append(notes_cell(notes[name], slug))
                used.add(name)
            elif name:
                report.headings_without_notes.append(text)
    report.unused_notes.extend(k or "(title)" for k in notes if k not in used)
    report.unused_notes.extend(f"{k} (Path: self-study)" for k in sorted(set(self_study) - marked))
    return out


# --- the tool --------------------------------------------------------------------------------------


def apply(nb: nbformat.NotebookNode, notes: dict[str, str], self_study: set[str] = frozenset()) -> Report:
    """Set notes cells, path markers and slide types in place."""
    report = Report()
    nb.cells = with_notes(nb.cells, notes, report, self_study)
    for cell, kind in zip(nb.cells, slide_types(nb.cells)):
        cell.metadata["slideshow"] = {"slide_type": kind}
    return report


def run(path: Path, check: bool = False) -> tuple[bool, Report]:
    """Apply the rules to one notebook file; return (whether it changed or would change, report)."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    report = apply(nb, read_notes(notes_path(path)), read_self_study(notes_path(path)))
    changed = nbformat.writes(nb) != before
    if changed and not check:
        write(nb, path)
    return changed, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is stale")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    stale = []
    for path in paths:
        changed, report = run(path, check=args.check)
        for line in report.warnings(path.name):
            print(line)
        if changed:
            stale.append(path.name)
            print(f"{'stale' if args.check else 'updated'}: {path}")
    for name in sorted(p.name for p in NOTES.glob("*.md")) if NOTES.exists() and not args.notebooks else []:
        if not (NOTEBOOKS / name.replace(".md", ".ipynb")).exists():
            print(f"warning: notes/{name} has no notebook")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
