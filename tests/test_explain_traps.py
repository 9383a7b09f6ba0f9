"""explain's dropout notes, for every combination of num_layers, dropout and training mode, checked against torch.

The rule (helpers/explain/traps.py): torch applies dropout to the outputs of every layer but the last, and only
in training mode. So
- one layer with dropout > 0: "dropout does nothing here", in training and in eval mode alike;
- more than one layer with dropout > 0, in training mode: a note that two calls can give different results;
- more than one layer in eval mode, or dropout = 0: no dropout note at all.
Each note (and each silence) is then checked against what torch does with the same module.
"""

import warnings

import pytest
import torch
from torch import nn

from helpers.explain import explain

CELLS = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}
DOES_NOTHING = "does nothing here"
TRAINING = "The module is in training mode"


def build(cell, num_layers, dropout, bidirectional=False, seed=0):
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that dropout with one layer does nothing
        return CELLS[cell](3, 4, num_layers=num_layers, dropout=dropout, bidirectional=bidirectional)


def x_for(seed=1):
    return torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(seed))  # (L, N, H_in)


def dropout_notes(module, x):
    """The report's notes that speak of dropout, as {kind: note}."""
    found = {}
    for note in explain(module, x).notes:
        if "dropout" in note.text:
            kind = DOES_NOTHING if DOES_NOTHING in note.text else TRAINING if TRAINING in note.text else note.text
            assert kind not in found, f"two notes of one kind: {note.text!r}"
            found[kind] = note
    return found


def call(module, x, seed):
    """module(x)'s output, with torch's RNG (which dropout draws from) seeded first."""
    torch.manual_seed(seed)
    output, _ = module(x)
    return output


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dropout", [0.0, 0.3, 0.5])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_dropout_notes_follow_layers_dropout_and_mode(num_layers, dropout, training, cell, bidirectional):
    module = build(cell, num_layers, dropout, bidirectional).train(training)
    notes = dropout_notes(module, x_for())
    expected = set()
    if dropout > 0 and num_layers == 1:
        expected.add(DOES_NOTHING)
    if dropout > 0 and num_layers > 1 and training:
        expected.add(TRAINING)
    assert set(notes) == expected, [note.text for note in notes.values()]
    for note in notes.values():
        assert f"dropout={dropout:g}" in note.text
        assert note.notebook == "02_layers.ipynb"
    assert module.training is training  # explain leaves the mode as it found it


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_each_note_and_each_silence_is_what_torch_does(num_layers, dropout, training, cell):
    module = build(cell, num_layers, dropout).train(training)
    x = x_for()
    notes = dropout_notes(module, x)
    first, second = call(module, x, seed=10), call(module, x, seed=11)
    without_dropout = build(cell, num_layers, 0.0).train(training)  # same seed: the same weights
    plain = call(without_dropout, x, seed=10)
    if TRAINING in notes:
        # dropout between layers is at work: two calls differ, and eval() makes them agree again
        assert not torch.equal(first, second)
        assert not torch.equal(first, plain)
        module.eval()
        assert torch.equal(call(module, x, seed=10), call(module, x, seed=11))
    else:
        # no dropout at work: the calls are repeatable and the same as with dropout=0
        assert torch.equal(first, second)
        assert torch.equal(first, plain)
    if DOES_NOTHING in notes:
        assert num_layers == 1 and dropout > 0
        module.train()  # nothing, in training mode too
        assert torch.equal(call(module, x, seed=10), call(module, x, seed=11))
        assert torch.equal(call(module, x, seed=10), plain)


def test_a_two_layer_module_with_dropout_is_never_told_that_dropout_does_nothing():
    for training in (True, False):
        module = build("LSTM", 2, 0.3).train(training)
        assert not any(DOES_NOTHING in note.text for note in explain(module, x_for()).notes)
