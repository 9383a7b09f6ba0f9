"""What the pictures and tables mean is fixed here, not read back from the code that draws them.

Forward is a solid green outline and backward a dashed purple one; a state counts as "in output" only
if all its numbers sit in one place of output; and every notebook sentence that names an outline's
colour or line style names the direction that really has it.
"""

import re
from pathlib import Path

import matplotlib.colors
import nbformat
import pytest
import torch

from helpers import RNNConfig, run
from helpers.plots import MARK_STYLE, MARK_WORDS
from helpers.relations import _appears_in_output
from helpers.states import BACKWARD, FORWARD

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

# The meaning, written out: not taken from MARK_STYLE.
FORWARD_LOOK = {"colour": "green", "rgb": matplotlib.colors.to_rgb("tab:green"), "linestyle": "-", "style": "solid"}
BACKWARD_LOOK = {
    "colour": "purple",
    "rgb": matplotlib.colors.to_rgb("tab:purple"),
    "linestyle": "--",
    "style": "dashed",
}
LOOKS = {FORWARD: FORWARD_LOOK, BACKWARD: BACKWARD_LOOK}


@pytest.mark.parametrize("direction", [FORWARD, BACKWARD])
def test_each_direction_has_its_fixed_outline(direction):
    look = LOOKS[direction]
    assert matplotlib.colors.to_rgb(MARK_STYLE[direction]["edgecolor"]) == look["rgb"]
    assert MARK_STYLE[direction]["linestyle"] == look["linestyle"]
    assert MARK_WORDS[direction] == f"{look['colour']}, {look['style']}"


# --- notebook sentences ------------------------------------------------------------------------------

WORD_DIRECTION = {
    FORWARD_LOOK["colour"]: "forward",
    FORWARD_LOOK["style"]: "forward",
    BACKWARD_LOOK["colour"]: "backward",
    BACKWARD_LOOK["style"]: "backward",
}
WORDS = re.compile(r"[a-z]+")


def sentences(nb):
    """Every sentence of markdown, code comments and printed text in a notebook, lower-cased."""
    for cell in nb.cells:
        texts = [cell.source]
        if cell.cell_type == "code":
            texts += [out.get("text", "") for out in cell.get("outputs", [])]
        for text in texts:
            yield from (s.strip().lower() for s in re.split(r"[.;!?\n]|: ", text) if s.strip())


def misnamed(sentence):
    """(word, nearest direction) for each outline word whose nearest direction word is the other one."""
    words = WORDS.findall(sentence)
    directions = [(i, w) for i, w in enumerate(words) if w in ("forward", "backward")]
    wrong = []
    for i, word in enumerate(words):
        if word in WORD_DIRECTION and directions:
            nearest = min(directions, key=lambda d: (abs(d[0] - i), d[0] < i))[1]  # ties: the word after
            if nearest != WORD_DIRECTION[word]:
                wrong.append((word, nearest))
    return wrong


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_sentences_name_each_outline_with_its_direction(path):
    nb = nbformat.read(path, as_version=4)
    bad = [(s, m) for s in sentences(nb) if (m := misnamed(s))]
    assert not bad, f"{path.name}: outline words next to the other direction: {bad}"


@pytest.mark.parametrize(
    "sentence,wrong",
    [
        ("green (solid) marks the forward final state, purple (dashed) the backward one", []),
        ("the backward state is outlined in green", [("green", "backward")]),
        ("forward is dashed", [("dashed", "forward")]),
        ("purple, dashed: backward. green, solid: forward", [("green", "backward")]),  # one sentence here
    ],
)
def test_the_sentence_check_can_fail(sentence, wrong):
    assert misnamed(sentence) == wrong


def test_notebook_01_names_both_outlines():
    text = " ".join(sentences(nbformat.read(REPO / "notebooks" / "01_output_vs_h_n.ipynb", as_version=4)))
    for look in LOOKS.values():
        assert look["colour"] in text


# --- "in output" means every number of the state ----------------------------------------------------


@pytest.fixture
def two_layer_run():
    return run(RNNConfig("gru", 3, 4, 2, batch_first=True), seq_len=5, batch_size=2)


def test_a_state_equal_to_a_slice_of_output_is_in_output(two_layer_run):
    r = two_layer_run
    assert _appears_in_output(r.output[:, 2, :].clone(), r)  # (N, H_out): every sequence's step 2


def test_a_state_sharing_only_some_numbers_with_output_is_not_in_output(two_layer_run):
    r = two_layer_run
    made_up = r.output[:, 2, :].clone()  # (N, H_out)
    made_up[:, 0] += 1.0  # the first feature no longer matches; the other three still do
    assert torch.equal(made_up[:, 1:], r.output[:, 2, 1:])
    assert not _appears_in_output(made_up, r)
    assert not _appears_in_output(r.h_n[0], r)  # the real lower layer, for comparison
