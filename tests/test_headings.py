"""A screen reader moves by headings and lists links out of context (issue 29): each notebook has one level-1
heading, in its first cell, no skipped levels, and links whose text says where they go."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VAGUE = {"here", "click here", "this", "this link", "link", "more", "read more", "there", "page"}
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
HTML_LINK = re.compile(r"<a\s[^>]*>(.*?)</a>", re.S)
URL = re.compile(r"https?://[^\s)>\]]+")


def headings(markdown: str) -> list[int]:
    """The levels of the markdown headings in a cell, outside code fences."""
    levels, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^(#{1,6})\s+\S", line)):
            levels.append(len(m.group(1)))
    return levels


def link_problems(markdown: str) -> list[str]:
    """Links whose text does not say where they go, and URLs shown bare."""
    problems = []
    texts = [m.group(1) for m in LINK.finditer(markdown)] + [m.group(1) for m in HTML_LINK.finditer(markdown)]
    for text in texts:
        words = re.sub(r"[`*_]", "", text).strip()
        if not words or words.lower() in VAGUE or URL.fullmatch(words):
            problems.append(f"link text {text!r}")
    prose = LINK.sub(" ", HTML_LINK.sub(" ", re.sub(r"```.*?```|`[^`]*`", " ", markdown, flags=re.S)))
    problems += [f"bare URL {u}" for u in URL.findall(prose)]
    return problems


def _markdown_cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_level_one_heading_in_the_first_cell_and_no_skipped_level(path):
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown"
    levels = [
        (i, level)
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "markdown"
        for level in headings("".join(cell["source"]))
    ]
    assert [i for i, level in levels if level == 1] == [0], f"{path.name}: level-1 headings at cells {levels}"
    assert levels[0] == (0, 1)
    previous = 0
    for i, level in levels:
        assert level <= previous + 1, f"{path.name} cell {i}: heading level {level} after level {previous}"
        previous = level


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_links_say_where_they_go(path):
    problems = [(i, p) for i, md in enumerate(_markdown_cells(path)) for p in link_problems(md)]
    assert not problems, f"{path.name}: {problems}"


def test_the_checks_catch_what_they_forbid():
    assert headings("# A\n```\n# not a heading\n```\n### C") == [1, 3]
    assert link_problems("see [here](https://x.org)") == ["link text 'here'"]
    assert link_problems("[https://x.org](https://x.org)") == ["link text 'https://x.org'"]
    assert link_problems("go to https://x.org now") == ["bare URL https://x.org"]
    assert link_problems("[04 · The LSTM's cell state](04_lstm_cell_state.ipynb), `https://in.code`") == []
