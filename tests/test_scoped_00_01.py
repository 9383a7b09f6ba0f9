"""Notebooks 00 and 01 (issue 23): the sentences that were broader than their checks stay gone, and the cells that
print the case just outside each scoped sentence stay, with the verdicts that prove the scope is needed.

nbval already proves each stored output is what torch prints today; this file proves the boundary cells are there
at all, so that deleting one cannot pass unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NB00 = REPO / "notebooks" / "00_start_here.ipynb"
NB01 = REPO / "notebooks" / "01_output_vs_h_n.ipynb"
PROSE = [
    NB00,
    NB01,
    REPO / "notebooks" / "notes" / "00_start_here.md",
    REPO / "notebooks" / "notes" / "01_output_vs_h_n.md",
    REPO / "README.md",
    REPO / "TEACHING.md",
    REPO / "CONTRIBUTING.md",
]
# The wordings issue 23 found broader than the truth (each proven wrong with torch), as regular expressions.
BROAD = [
    r"accepted answer",  # nothing on the question's page marks an answer as accepted: "the top answer"
    r"every cell can be re-run on its own",  # in 01, an earlier cell failed after a later section
    r"can be re-run alone",
    r"[Tt]hey share one state: the top layer at the last step",  # two directions share two
    r"[Ww]ith one one-direction layer, `h_n` is the last step of `output`",  # false for a packed batch
    r"[Tt]he question itself ran a \*\*2-layer\*\* GRU",  # an inference from its printout, not a fact
    r"two slices of `output` at different steps",  # the same step for a sequence of one step
    r"glues together\s+\*\*sequences 0 and 1",  # only with two rows in h_n
]


def prose(path: Path) -> str:
    """The text a reader sees: a notebook's markdown cells (speaker notes included), or a whole markdown file."""
    if path.suffix != ".ipynb":
        return path.read_text()
    nb = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def printed(path: Path) -> str:
    """Everything the stored code cells of a notebook printed."""
    nb = nbformat.read(path, as_version=4)
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


@pytest.mark.parametrize("pattern", BROAD)
def test_broad_wordings_are_found_when_present(pattern):
    """Each pattern matches the wording it stands for (as it was written before the fix)."""
    before = {
        BROAD[0]: "the two lines of the accepted answer",
        BROAD[1]: "For teachers: every cell can be re-run on its own (random numbers",
        BROAD[2]: "so any cell can be re-run alone. CPU only.",
        BROAD[3]: "They share one state: the top layer at the last step.",
        BROAD[4]: "With one one-direction layer, `h_n` is the last step of `output`; with",
        BROAD[5]: "The question itself ran a **2-layer** GRU on a single time step",
        BROAD[6]: "it is two\n  slices of `output` at different steps",
        BROAD[7]: "its row 0 glues together\n**sequences 0 and 1 of layer 0**",
    }
    assert re.search(pattern, before[pattern].replace("\n  ", " ").replace("\n", " "))


@pytest.mark.parametrize("path", PROSE, ids=lambda p: p.name)
def test_the_broad_wordings_are_gone(path):
    text = re.sub(r"\s+", " ", prose(path))
    found = [pattern for pattern in BROAD if re.search(pattern, text)]
    assert not found, f"{path.name} still says: {found}"


# Each line: what a cell prints for the case just outside a scoped sentence (or at its edge), verdict included.
BOUNDARIES = {
    NB00: [
        # one direction: h_n is the last column; two directions: the backward rows come from step 0
        "h_n's backward rows come from the first column: True",
        "h_n's backward rows come from the last column:  False",
        "shared: forward final state at the last step:   True",
        "shared: backward final state at step 0:         True",
        "backward final state at the last step:          False",
        # packed: h_n is not the last column, even with one direction
        "packed: h_n[-1] equals output at the last step:        False",
        "packed: h_n[-1] equals output at each last valid step: True",
        "packed: backward final state at step 0: True",
        "unbatched: output (5, 3)  h_n (1, 3)",
    ],
    NB01: [
        # one layer, one direction: h_n[0] is output[:, -1] only if not packed (or every sequence full length)
        "packed: h_n[0] equals output[:, -1]:                   False",
        "packed: h_n[0] equals each sequence's last valid step: True",
        "packed, every sequence full length: h_n[0] equals output[:, -1]: True",
        # the question's two blocks: two layers fit its printout, one bidirectional layer does not
        "2 layers, 1 direction: output's rows begin like h_n[0] False, like h_n[1] True; end like h_n[1] True",
        "1 layer, 2 directions: output's rows begin like h_n[0] True, like h_n[1] False; end like h_n[1] True",
        # the transpose: time first, and two directions
        "time first: h_n equals output itself: True",
        "two directions: output.transpose(0, 1) (1, 5, 6)  h_n (2, 5, 3)",
        "unbatched: output (7, 3)  h_n (1, 3)",
        # one row of h_n: reshape is harmless; more rows: it mixes sequences
        "one row: h_n_1.reshape(N, -1) equals h_n_1.transpose(0, 1).reshape(N, -1): True",
        "h_n.reshape(N, -1)[0] is sequences 0 and 1, layer 0: True",
        # one bidirectional layer: two slices, at the same step for a single step
        "one step: forward final state at step 0:  True",
        "one step: backward final state at step 0: True",
        # the prefix and reverse-pass sentences hold for one direction, or one layer, only
        "1 layer : output[:, 2] is the same after 3 steps: forward half True, backward half False",
        "2 layers: output[:, 2] is the same after 3 steps: forward half False, backward half False",
        "1 layer : backward half at the last step changed: False",
        "2 layers: backward half at the last step changed: True",
        "packed: sequence 1 (3 valid steps) has zeros at step L-1: True",
        "nn.GRU(..., proj_size=2): ValueError",
        "nn.RNN(..., proj_size=2): ValueError",
    ],
}


@pytest.mark.parametrize("path", BOUNDARIES, ids=lambda p: p.name)
def test_the_boundary_cells_are_there(path):
    shown = printed(path)
    missing = [line for line in BOUNDARIES[path] if line not in shown]
    assert not missing, f"{path.name} no longer prints: {missing}"
