"""Every summary sentence and every cheat-sheet rule is a registry sentence, and every rule points at a real section.

tools/summaries.py writes them (make outputs runs it); these tests fail when a notebook's summary or 09's
rule list is stale, or when a rule names a section heading that its notebook does not have.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.rules import NOTEBOOKS, RULES, Scope, cheat_sheet_markdown, summary_markdown, summary_rules
from tools import summaries
from tools.nav import tagged

FOLDER = summaries.FOLDER


def read(number: str) -> nbformat.NotebookNode:
    return nbformat.read(FOLDER / NOTEBOOKS[number], as_version=4)


@pytest.mark.parametrize("number", sorted(NOTEBOOKS))
def test_summary_is_the_registrys(number):
    nb = read(number)
    cells = tagged(nb, summaries.SUMMARY_TAG)
    assert len(cells) == 1, f"{NOTEBOOKS[number]}: one cell tagged summary; run `make outputs`"
    assert nb.cells[cells[0]].source == summary_markdown(number), "stale summary: run `make outputs`"
    assert summary_rules(number), f"{NOTEBOOKS[number]}: its summary states no rule"


@pytest.mark.parametrize("number", sorted(NOTEBOOKS))
def test_every_summary_bullet_is_a_registry_sentence(number):
    nb = read(number)
    (index,) = tagged(nb, summaries.SUMMARY_TAG)
    bullets = [line[2:] for line in nb.cells[index].source.splitlines() if line.startswith("* ")]
    sentences = {r.sentence for r in RULES}
    assert bullets and all(b in sentences for b in bullets)


def test_cheat_sheet_lists_every_rule_from_the_registry():
    nb = read(summaries.CHEAT_SHEET)
    (index,) = tagged(nb, summaries.RULES_TAG)
    text = nb.cells[index].source
    assert text == summaries.rules_text(), "stale rule list in 09: run `make outputs`"
    numbered = re.findall(r"^\d+\. (.*) \[\d\d §\d+\]", text, flags=re.M)
    assert numbered == [r.sentence for r in sorted(RULES, key=lambda r: summaries_topic_order(r))]
    assert cheat_sheet_markdown() in text


def summaries_topic_order(r):
    from helpers.rules import TOPICS

    return (TOPICS.index(r.topic), RULES.index(r))


@pytest.mark.parametrize("r", RULES, ids=[r.id for r in RULES])
def test_each_rule_names_a_real_section(r):
    nb = read(r.section.notebook)
    headings = [line for cell in nb.cells if cell.cell_type == "markdown" for line in cell.source.splitlines()]
    assert r.section.heading in headings, f"{r.id}: {r.section.file} has no heading {r.section.heading!r}"


def test_the_tool_reports_a_stale_summary(tmp_path):
    """--check fails on a summary that says something else, and writing fixes it."""
    for name in NOTEBOOKS.values():
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    nb = nbformat.read(tmp_path / NOTEBOOKS["01"], as_version=4)
    (index,) = tagged(nb, summaries.SUMMARY_TAG)
    nb.cells[index].source += "\n* `h_n` is the last step of `output`."  # the broad sentence of issue 23
    nbformat.write(nb, tmp_path / NOTEBOOKS["01"])
    assert summaries.main(["--check", str(tmp_path)]) == 1
    assert summaries.main([str(tmp_path)]) == 0
    assert summaries.main(["--check", str(tmp_path)]) == 0


def test_a_sentence_states_its_scope():
    """The scope's words open the sentence, so a narrowed rule can never read as a general one."""
    r = next(r for r in RULES if r.id == "one-layer-h_n-is-last-step")
    assert r.sentence.startswith("*One layer, one direction, not packed:*")
    assert Scope().words() == []
