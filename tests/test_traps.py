"""explain's trap notes against torch: each note's claim is checked on the configuration it is said for,
and on the configuration just outside it (one layer against two and three)."""

import re

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from helpers import explain
from helpers.stack import run_layers, split_layers

CELLS = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}
H = 4  # hidden_size


def seeded(cell, num_layers, **kwargs):
    torch.manual_seed(0)
    return CELLS[cell](3, H, num_layers=num_layers, bidirectional=True, **kwargs)


def randn(*shape):
    return torch.randn(shape, generator=torch.Generator().manual_seed(1))


def note_of(report, *rule_ids):
    """The one note that states one of these rules."""
    [note] = [n.text for n in report.notes if n.rule_id in rule_ids]
    return note


def backward_note(report):
    """Where the backward direction ends, and what its half of output has read at the last step."""
    return (
        note_of(report, "backward-at-step-0")
        + " "
        + note_of(report, "halves-read-their-side", "deep-halves-read-everything")
    )


def backward_half_at_last_steps(module, x, lengths):
    """The backward half of output at each sequence's last (valid) step: (N, H)."""
    with torch.no_grad():
        if lengths is None:
            output, _ = module(x)
            return output[-1, :, H:]
        output, _ = pad_packed_sequence(module(pack_padded_sequence(x, lengths, enforce_sorted=False))[0])
    return output[torch.tensor(lengths) - 1, torch.arange(x.shape[1]), H:]


def reads_one_token(module, x, lengths):
    """True if, at each sequence's last step, the backward half of output changes with that step's input only.

    Every earlier step of every sequence is changed in turn; the last step's input is changed too, to show that
    the comparison can see a change at all.
    """
    lengths_or_full = lengths or [x.shape[0]] * x.shape[1]
    before = backward_half_at_last_steps(module, x, lengths)
    for n, length in enumerate(lengths_or_full):
        last = x.clone()
        last[length - 1, n] += 1.0
        assert not torch.equal(backward_half_at_last_steps(module, last, lengths)[n], before[n])
        for t in range(length - 1):
            earlier = x.clone()
            earlier[t, n] += 1.0
            if not torch.equal(backward_half_at_last_steps(module, earlier, lengths)[n], before[n]):
                return False
    return True


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("lengths", [None, [5, 2, 4]])
def test_one_token_is_said_exactly_where_torch_shows_it(cell, num_layers, lengths):
    module, x = seeded(cell, num_layers), randn(5, 3, 3)
    note = backward_note(explain(module, x, lengths=lengths))
    one_token = reads_one_token(module, x, lengths)
    assert one_token == (num_layers == 1)  # the finding: exact for one layer only
    assert ("one token" in note) == one_token
    if not one_token:
        assert "already depends on the whole sequence" in note and f"num_layers={num_layers}" in note
    assert ("each sequence's own last step" in note) == (lengths is not None)


def test_one_token_means_the_last_input_alone():
    module, x = seeded("GRU", 1), randn(5, 2, 3)
    with torch.no_grad():
        output, _ = module(x)
        alone, _ = module(x[-1:])  # the last step's input alone
    torch.testing.assert_close(output[-1, :, H:], alone[0, :, H:])
    assert "the input at that step alone" in backward_note(explain(module, x))


def test_the_backward_final_state_is_at_step_0_for_every_depth():
    for num_layers in (1, 2, 3):
        report = explain(seeded("GRU", num_layers), randn(5, 2, 3))
        assert "final state is at step 0, in the last H_out=4 features" in backward_note(report)
        assert torch.equal(report.output[0, :, H:], report.h_n[-1])


# --- splitting h_n by layer and direction: said by index order ------------------------------------


def view_note(report):
    [note] = [n.detail for n in report.notes if "[layer, direction]" in n.text]
    return note


@pytest.mark.parametrize("num_layers", [2, 3])
@pytest.mark.parametrize("unbatched", [False, True])
def test_view_note_is_said_by_index_order(num_layers, unbatched):
    module = seeded("GRU", num_layers)
    x = randn(5, 3) if unbatched else randn(5, 2, 3)
    report = explain(module, x)
    note = view_note(report)
    with torch.no_grad():
        stack = run_layers(split_layers(module), x)  # one one-layer module per layer, run by hand
        layer_outputs = stack.layer_outputs
        state = {}
        for layer, out in enumerate(layer_outputs):
            state[layer, 0] = out[-1, ..., :H]  # forward: its last step
            state[layer, 1] = out[0, ..., H:]  # backward: step 0
    h_n = report.h_n
    calls = re.findall(r"h_n\.view\(([\d, ]+)\)", note)
    assert len(calls) == len(set(calls)), f"the note compares a call with itself: {note}"
    assert calls[0].startswith(f"{num_layers}, 2, ")
    assert (len(calls) == 2) == (num_layers != 2)
    for args in calls:
        viewed = h_n.view(*(int(a) for a in args.split(",")))
        assert torch.equal(viewed[0, 1], state[0, 1])  # "[0, 1] is layer 0's backward state"
        assert not torch.equal(viewed[0, 1], state[1, 0])  # "not layer 1's forward one"
    split = h_n.view(*(int(a) for a in calls[0].split(",")))
    for (layer, direction), expected in state.items():  # [layer, direction], layer first, for every pair
        assert torch.equal(split[layer, direction], expected)
    if num_layers != 2:
        other = h_n.view(*(int(a) for a in calls[1].split(",")))
        assert not torch.equal(other[1, 0], state[0, 1])  # its first index is not the direction
    assert "layer 0's backward state, not layer 1's forward one" in note


def test_view_note_only_for_several_bidirectional_layers():
    for module in (seeded("GRU", 1), nn.GRU(3, H, num_layers=2)):
        assert not any("[layer, direction]" in n.text for n in explain(module, randn(5, 2, 3)).notes)


# --- the other notes that name a row or a shape --------------------------------------------------


@pytest.mark.parametrize("bidirectional", [False, True])
def test_h_n_0_is_the_bottom_layer_forward_state(bidirectional):
    torch.manual_seed(0)
    module, x = nn.GRU(3, H, num_layers=2, bidirectional=bidirectional), randn(5, 2, 3)
    note = note_of(explain(module, x), "h_n-every-final")
    assert "h_n[0] is the bottom layer's" in note
    with torch.no_grad():
        bottom = run_layers(split_layers(module)[:1], x)
    assert torch.equal(explain(module, x).h_n[0], bottom.h_n[0])
    assert ("forward final state" in note) == bidirectional


def test_hx_note_gives_c_0_its_own_width():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 5, num_layers=2, proj_size=2, batch_first=True)
    h_0, c_0 = torch.zeros(2, 4, 2), torch.zeros(2, 4, 5)  # (num_layers * D, N, H_out), (..., hidden_size)
    report = explain(lstm, randn(4, 6, 3), hx=(h_0, c_0))
    note = next(n.text for n in report.notes if "You passed hx" in n.text)
    assert "c_0 is (num_layers * D, N, hidden_size)" in note
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(2, 4, 5\), got \[2, 4, 2\]"):
        lstm(randn(4, 6, 3), (h_0, torch.zeros(2, 4, 2)))  # c_0 as wide as H_out is refused
    gru_note = next(
        n.detail  # the rule's own sentence speaks of an LSTM's c_0; the detail is this GRU's
        for n in explain(nn.GRU(3, 5, batch_first=True), randn(4, 6, 3), hx=torch.zeros(1, 4, 5)).notes
        if "You passed hx" in n.text
    )
    assert "c_0" not in gru_note


# --- every note states a rule of the registry, then its detail --------------------------------------


def test_every_note_starts_with_its_rule_s_sentence():
    from helpers.explain.traps import plain
    from helpers.rules import rule

    torch.manual_seed(0)
    cases = [
        (nn.LSTM(3, H, num_layers=2, bidirectional=True, batch_first=True, proj_size=2), randn(2, 5, 3), [5, 3]),
        (nn.GRU(3, H, batch_first=True), randn(2, 5, 3), None),
        (nn.RNN(3, H, num_layers=3, bidirectional=True), randn(5, 3), None),
    ]
    for module, x, lengths in cases:
        for note in explain(module, x, lengths=lengths).notes:
            sentence = plain(rule(note.rule_id).sentence)
            assert note.text.startswith(sentence), note.rule_id
            assert "`" not in note.text and not note.text.startswith("*")
            assert note.notebook == rule(note.rule_id).section.file
