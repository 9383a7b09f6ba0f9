"""Write every notebook's `## Summary` and 09's rule list from the rule registry, helpers.rules.

Usage: python -m tools.summaries [notebooks/]          write the cells tagged `summary` (and `rules` in 09)
       python -m tools.summaries --check [notebooks/]  change nothing; exit 1 and name what is stale

A summary sentence and a cheat-sheet rule are each one registry sentence (its scope, then its claim),
so a notebook cannot say a rule more broadly than the registry's property test proves it. A notebook
without a tagged cell gets its `## Summary` markdown cell tagged (split from its exercises if they
share a cell). Only these cells change; outputs stay.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from helpers.rules import NOTEBOOKS, RULES, cheat_sheet_markdown, summary_markdown
from tools.execute_notebooks import write
from tools.nav import tagged

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO / "notebooks"
SUMMARY_TAG, RULES_TAG = "summary", "rules"
CHEAT_SHEET = "09"
RULES_HEADING = "## 2. Every rule on one page"
RULES_INTRO = (
    "Each rule starts with its scope, in italics: the configurations where it holds (a rule without one "
    "holds for every module it speaks of). Each links to the notebook section that shows it. The course's "
    f"tests check all {len(RULES)} rules against torch on configurations drawn from inside each scope, and "
    "show each restriction needed: just outside it, the rule fails. A rule that says two tensors differ, or "
    "that a state is nowhere in `output`, is about their numbers: with trained or random weights they differ, "
    "but numbers can coincide by chance, such as the all-zero states of a ReLU `nn.RNN` without bias fed zeros."
)


def rules_text() -> str:
    """09's rule list cell: heading, how to read it, the numbered rules by topic."""
    return "\n\n".join([RULES_HEADING, RULES_INTRO, cheat_sheet_markdown()])


def _find_or_tag(nb: nbformat.NotebookNode, tag: str, heading: str) -> int | None:
    """The index of the cell tagged tag; else tag the markdown cell holding the line heading, after splitting off
    the text before it and any section after it (e.g. Summary and Exercises in one cell) into cells of their own."""
    found = tagged(nb, tag)
    if found:
        return found[0]
    for i, cell in enumerate(nb.cells):
        lines = cell.source.split("\n")
        if cell.cell_type != "markdown" or heading not in lines:
            continue
        start = lines.index(heading)
        end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("## ")), len(lines))
        before, mine, after = lines[:start], lines[start:end], lines[end:]
        cell.source = "\n".join(mine).strip()
        cell.metadata.setdefault("tags", []).append(tag)
        if after:
            nb.cells.insert(i + 1, nbformat.v4.new_markdown_cell("\n".join(after).strip()))
        if "\n".join(before).strip():
            nb.cells.insert(i, nbformat.v4.new_markdown_cell("\n".join(before).strip()))
            i += 1
        return i
    return None


def update(nb: nbformat.NotebookNode, number: str) -> list[str]:
    """Bring the notebook's summary (and 09's rule list) up to date in place; return what was stale."""
    stale = []
    wanted = [(SUMMARY_TAG, "## Summary", summary_markdown(number))]
    if number == CHEAT_SHEET:
        wanted.append((RULES_TAG, RULES_HEADING, rules_text()))
    for tag, starts, text in wanted:
        index = _find_or_tag(nb, tag, starts)
        if index is None:
            stale.append(f"no markdown cell starts with {starts!r}")
        elif nb.cells[index].source != text:
            nb.cells[index].source = text
            stale.append(f"cell {index} ({tag}) is stale")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=FOLDER)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a summary is stale")
    args = parser.parse_args(argv)
    problems = 0
    for number, name in NOTEBOOKS.items():
        path = args.folder / name
        nb = nbformat.read(path, as_version=4)
        stale = update(nb, number)
        if stale and args.check:
            print(f"{name}: " + "; ".join(stale))
            problems += 1
        elif stale:
            write(nb, path)
            print(f"summaries: wrote {name}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
