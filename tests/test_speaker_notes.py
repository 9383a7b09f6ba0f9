"""The teacher's side: every question in the speaker notes has its answer, with the section that shows it, and
TEACHING.md has a 50-minute plan for every notebook that keys to sections that exist and skips exactly the
sections the notes mark as self-study (the marks tools/slides.py writes into the notebooks and slides)."""

from __future__ import annotations

import re

import nbformat
import pytest

from tools import slides
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
TEACHING = REPO_ROOT / "TEACHING.md"
LABEL = re.compile(r"^(Say|Ask|Answer|Path):")
PLACE = re.compile(r"(?:\b(\d\d) )?§(\d+)")


def sections_of(path) -> set[int]:
    """The numbers N of a notebook's `## N. ...` headings."""
    nb = nbformat.read(path, as_version=4)
    found = (re.match(r"(\d+)\.", text) for cell in nb.cells for level, text in slides.headings(cell) if level == 2)
    return {int(m.group(1)) for m in found if m}


SECTIONS = {path.name[:2]: sections_of(path) for path in NOTEBOOKS}


def paragraphs(text: str) -> list[tuple[str, str]]:
    """(label, text) of each labelled paragraph of a notes section: Say, Ask, Answer or Path."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        match = LABEL.match(block.strip())
        if match:
            out.append((match.group(1), block.strip()))
        elif out:  # an unlabelled paragraph continues the one before
            out[-1] = (out[-1][0], out[-1][1] + "\n\n" + block.strip())
    return out


def notes_sections(path):
    return slides.read_sections(slides.notes_path(path)).items()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_ask_in_the_notes_is_followed_by_its_answer(path):
    for name, text in notes_sections(path):
        labels = [label for label, _ in paragraphs(text) if label != "Path"]
        where = f"{slides.notes_path(path).name}, section {name or '(title)'!r}"
        assert "Ask" in labels, f"{where}: no Ask"
        for i, label in enumerate(labels):
            if label == "Ask":
                assert labels[i + 1 : i + 2] == ["Answer"], f"{where}: an Ask without its Answer right after it"
            if label == "Answer":
                assert labels[i - 1] == "Ask", f"{where}: an Answer without an Ask before it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_answer_names_a_section_that_exists(path):
    own = path.name[:2]
    for name, text in notes_sections(path):
        for label, answer in paragraphs(text):
            if label != "Answer":
                continue
            places = PLACE.findall(answer)
            where = f"{slides.notes_path(path).name}, section {name or '(title)'!r}: {answer[:70]!r}"
            assert places or "Exercises" in answer, f"{where} names no section (§N) where the class can see it"
            for notebook, number in places:
                assert int(number) in SECTIONS[notebook or own], f"{where}: {notebook or own} has no section {number}"


def test_the_place_pattern_reads_own_and_other_notebooks_sections():
    assert PLACE.findall("§3: the cell; 06 §5 shows it; 01 §3's cell") == [("", "3"), ("06", "5"), ("01", "3")]
    answer = "Answer: it is so.\n\nmore"
    assert paragraphs(f"Say: x.\n\nAsk: y?\n\n{answer}") == [("Say", "Say: x."), ("Ask", "Ask: y?"), ("Answer", answer)]


# --- TEACHING.md's plans ------------------------------------------------------------------------------------


def plans() -> dict[str, str]:
    """{'01': that notebook's plan in TEACHING.md}, from each `### NN · ...` heading to the next heading."""
    text = TEACHING.read_text(encoding="utf-8")
    start = text.index("## A 50-minute plan for every notebook")
    body = text[start : text.index("\n## ", start + 1)]
    parts = re.split(r"^### (\d\d) · .*$", body, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_teaching_has_a_plan_for_every_notebook():
    assert sorted(plans()) == sorted(SECTIONS), "TEACHING.md needs a 50-minute plan per notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_plan_keys_to_existing_sections_and_skips_exactly_the_self_study_ones(path):
    number = path.name[:2]
    plan = plans()[number]
    table = [line for line in plan.splitlines() if line.startswith("| ") and "§" in line]
    in_class = {int(n) for line in table for n in re.findall(r"§(\d+)", line.split("|")[2])}
    line = next(line for line in plan.splitlines() if line.startswith("**Self-study:**"))
    self_study = {int(n) for n in re.findall(r"§(\d+)", line)}
    assert self_study or line.strip() == "**Self-study:** none.", line
    marked = {
        int(m.group(1))
        for cell in nbformat.read(path, as_version=4).cells
        for level, text in slides.headings(cell)
        if level == 2
        and (m := re.match(r"(\d+)\.", text))
        and slides.key(text) in slides.read_self_study(slides.notes_path(path))
    }
    assert self_study == marked, f"TEACHING.md says self-study {self_study}, the notes mark {marked}"
    assert in_class | self_study == SECTIONS[number], f"sections in no plan: {SECTIONS[number] - in_class - self_study}"
    assert not in_class & self_study, f"sections both in class and self-study: {in_class & self_study}"
    minutes = [re.match(r"\| (\d+)-(\d+) \|", line) for line in plan.splitlines() if re.match(r"\| \d+-\d+ \|", line)]
    assert minutes[0].group(1) == "0" and minutes[-1].group(2) == "50", "a plan runs from minute 0 to 50"
    assert all(a.group(2) == b.group(1) for a, b in zip(minutes, minutes[1:])), "the timed rows follow each other"
    assert "**Live demo:**" in plan and "**When time runs short:**" in plan
