"""Write the navigation links and the start page's map of the course from the notebooks' own titles.

Usage: python -m tools.nav [notebooks/]          write the cells tagged `nav` (and `map` in 00)
       python -m tools.nav --check [notebooks/]  change nothing; exit 1 and name what is stale

Every notebook's cell 1 and last cell are markdown cells tagged `nav`: previous, start page, next.
Notebook 00's cell tagged `map` lists every notebook with the first sentence of its cell 0. A notebook
missing a nav cell gets one (id nav-top or nav-bottom). Only these cells change; outputs stay.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.execute_notebooks import write

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
NAV_TAG, MAP_TAG = "nav", "map"
NAME = re.compile(r"^(\d\d)_\w+\.ipynb$")
START = "00"
MISSING_MAP = "the start page has no cell tagged map"


@dataclass(frozen=True)
class Entry:
    """One notebook of the course, as its own cell 0 describes it."""

    path: Path
    number: str  # "01"
    title: str  # the heading without "# " and without "NN · "
    summary: str  # the first sentence after the heading

    @property
    def label(self) -> str:
        return f"{self.number} · {self.title}"


def course(folder: Path = NOTEBOOKS) -> list[Entry]:
    """Every NN_name.ipynb in folder, in order, with the title and summary from its cell 0."""
    entries = []
    for path in sorted(folder.glob("*.ipynb")):
        match = NAME.match(path.name)
        if match:
            entries.append(describe(path, nbformat.read(path, as_version=4), match.group(1)))
    return entries


def describe(path: Path, nb: nbformat.NotebookNode, number: str) -> Entry:
    """Title and one-line summary from cell 0: '# NN · Title', then a sentence saying what the notebook is for."""
    first = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
    lines = first.splitlines()
    heading = next((line[2:].strip() for line in lines if line.startswith("# ")), path.stem)
    title = re.sub(rf"^{number}\s*·\s*", "", heading)
    body = " ".join(line.strip() for line in lines[1:] if line.strip() and not line.startswith("#"))
    body = body.split("**You will learn**")[0].strip()
    sentence = re.match(r"(.+?[.!?])(\s|$)", body)
    return Entry(path, number, title, sentence.group(1) if sentence else body)


def nav_text(entries: list[Entry], index: int) -> str:
    """The links of notebook entries[index]: previous, start page, next."""
    here = entries[index]
    start = next((e for e in entries if e.number == START), entries[0])
    parts = [f"[← {entries[index - 1].label}]({entries[index - 1].path.name})" if index else "← (first notebook)"]
    parts.append("**Start page**" if here is start else f"[Start page]({start.path.name})")
    parts.append(
        f"[{entries[index + 1].label} →]({entries[index + 1].path.name})"
        if index + 1 < len(entries)
        else "(last notebook) →"
    )
    return " | ".join(parts)


def map_text(entries: list[Entry]) -> str:
    """The start page's table of every notebook, from the notebooks themselves (written by tools/nav.py)."""
    rows = [f"| [{e.label}]({e.path.name}) | {e.summary} |" for e in entries]
    return "\n".join(["| notebook | what it is for |", "| --- | --- |", *rows])


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[int]:
    """Indices of the cells carrying tag."""
    return [i for i, cell in enumerate(nb.cells) if tag in cell.metadata.get("tags", [])]


def nav_cell(cell_id: str) -> nbformat.NotebookNode:
    """An empty markdown cell tagged nav."""
    cell = nbformat.v4.new_markdown_cell("", metadata={"tags": [NAV_TAG]})
    cell.id = cell_id
    return cell


def update(nb: nbformat.NotebookNode, entries: list[Entry], index: int) -> list[str]:
    """Bring nb's nav cells (and map) up to date in place; return what was stale, in words."""
    stale = []
    if not tagged(nb, NAV_TAG)[:1] == [1]:
        nb.cells.insert(1, nav_cell("nav-top"))
        stale.append("no nav cell at index 1")
    navs = tagged(nb, NAV_TAG)
    if len(navs) < 2 or navs[-1] != len(nb.cells) - 1:  # one at the top and one at the bottom, even if adjacent
        nb.cells.append(nav_cell("nav-bottom"))
        stale.append("no nav cell at the end")
    text = nav_text(entries, index)
    for i in tagged(nb, NAV_TAG):
        if nb.cells[i].source != text:
            nb.cells[i].source = text
            stale.append(f"cell {i} (nav) is stale")
    if entries[index].number == START:
        maps = tagged(nb, MAP_TAG)
        if not maps:
            stale.append(MISSING_MAP)
        for i in maps:
            if nb.cells[i].source != map_text(entries):
                nb.cells[i].source = map_text(entries)
                stale.append(f"cell {i} (map) is stale")
    return stale


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, only report) every notebook's navigation; 1 if stale under --check, or no map."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=NOTEBOOKS)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a nav or map cell is stale")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"folder {str(args.folder)!r} is not allowed: give the folder that holds the notebooks")
    entries = course(args.folder)
    problems = 0
    for index, entry in enumerate(entries):
        nb = nbformat.read(entry.path, as_version=4)
        stale = update(nb, entries, index)
        if MISSING_MAP in stale:  # the tool cannot guess where the map belongs in the start page's text
            print(f"{entry.path.name}: {MISSING_MAP}: add an empty markdown cell tagged {MAP_TAG!r}")
            problems += 1
        if stale and args.check:
            print(f"{entry.path.name}: " + "; ".join(stale))
            problems += 1
        elif stale:
            write(nb, entry.path)
            print(f"nav: wrote {entry.path.name}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
