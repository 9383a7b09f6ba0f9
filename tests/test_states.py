"""helpers.states: h_n's (layer, direction) layout and where final states sit in output.

Expected values are cut out of output and h_n with plain indexing written here, not with
the helpers under test.
"""

import itertools
import re

import pytest
import torch

from helpers import (
    BACKWARD,
    FORWARD,
    RNNConfig,
    StateLocation,
    final_state_from_h_n,
    final_state_from_output,
    flat_view,
    last_valid_output,
    last_valid_steps,
    layer_direction_view,
    locate_final_state,
    run,
    sequence_summary,
    state_index,
    time_major,
)

H = 3  # hidden_size in the runs below; H_out too, except with proj_size
SEQ_LEN = 4

# cell, num_layers, bidirectional, batch_first, proj_size, unbatched, lengths
CASES = [
    (cell, num_layers, bidirectional, batch_first, proj_size, unbatched, lengths)
    for cell, num_layers, bidirectional, batch_first, proj_size, unbatched, lengths in itertools.product(
        ["rnn", "gru", "lstm"], [1, 3], [False, True], [False, True], [0, 2], [False, True], [None, (4, 1, 3)]
    )
    if (proj_size == 0 or cell == "lstm") and not (unbatched and lengths)
]


def case_id(case):
    cell, num_layers, bidirectional, batch_first, proj_size, unbatched, lengths = case
    return (
        f"{cell}-L{num_layers}-{'bi' if bidirectional else 'uni'}-{'bf' if batch_first else 'tf'}"
        f"-proj{proj_size}-{'unbatched' if unbatched else 'batched'}-{'packed' if lengths else 'full'}"
    )


def make_run(case):
    cell, num_layers, bidirectional, batch_first, proj_size, unbatched, lengths = case
    cfg = RNNConfig(cell, 2, H, num_layers, bidirectional, batch_first, proj_size, seed=3)
    return run(cfg, seq_len=SEQ_LEN, batch_size=3, lengths=lengths, unbatched=unbatched)


def out_at(r, step, n, features):
    """output at one time step of sequence n, written out for each layout."""
    if r.unbatched:
        return r.output[step, features]
    if r.config.batch_first:
        return r.output[n, step, features]
    return r.output[step, n, features]


def batch_indices(r):
    return [None] if r.unbatched else range(r.h_n.shape[1])


def last_step(r, n):
    """Sequence n's last valid time step."""
    return SEQ_LEN - 1 if r.lengths is None else int(r.lengths[n]) - 1


def h_n_row(r, row, n):
    return r.h_n[row] if r.unbatched else r.h_n[row, n]


# --- layer_direction_view / flat_view / state_index ---------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_layer_direction_view_row_l_d_is_h_n_row_l_times_D_plus_d(case):
    r = make_run(case)
    num_layers, bidirectional = r.config.num_layers, r.config.bidirectional
    D = 2 if bidirectional else 1
    for tensor in [r.h_n] + ([r.c_n] if r.c_n is not None else []):
        view = layer_direction_view(tensor, num_layers, bidirectional)
        assert view.shape == (num_layers, D, *tensor.shape[1:])
        for layer in range(num_layers):
            for direction in range(D):
                assert torch.equal(view[layer, direction], tensor[layer * D + direction])
        assert torch.equal(flat_view(view), tensor)
        assert torch.equal(layer_direction_view(flat_view(view), num_layers, bidirectional), view)
        assert view.data_ptr() == tensor.data_ptr()  # a view, not a copy


def test_layer_direction_view_matches_the_seed_answers_view():
    r = run(RNNConfig("gru", 8, 5, num_layers=3, batch_first=True), seq_len=7, batch_size=4)
    assert torch.equal(layer_direction_view(r.h_n, 3, False), r.h_n.view(3, 1, 4, 5))


@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (1, True), (3, False), (4, True)])
def test_state_index(num_layers, bidirectional):
    D = 2 if bidirectional else 1
    for layer in range(num_layers):
        for direction in range(D):
            assert state_index(layer, direction, num_layers, bidirectional) == layer * D + direction
            assert state_index(layer - num_layers, direction, num_layers, bidirectional) == layer * D + direction
    assert state_index(-1, FORWARD, num_layers, bidirectional) == (num_layers - 1) * D
    assert type(state_index(0, 0, num_layers, bidirectional)) is int


# --- time_major / last_valid_steps ---------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_time_major_and_last_valid_steps(case):
    r = make_run(case)
    tm = time_major(r)
    assert tm.dim() == 3
    for n in batch_indices(r):
        for step in range(SEQ_LEN):
            assert torch.equal(tm[step, n or 0], out_at(r, step, n, slice(None)))
    expected_last = [last_step(r, n) for n in batch_indices(r)]
    assert last_valid_steps(r).tolist() == expected_last


# --- locate_final_state ----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_locate_final_state(case):
    r = make_run(case)
    cfg = r.config
    h_out = cfg.proj_size or H
    for layer in range(cfg.num_layers):
        for direction in range(2 if cfg.bidirectional else 1):
            where = locate_final_state(r, layer, direction)
            assert isinstance(where, StateLocation)
            assert (where.layer, where.direction) == (layer, direction)
            if layer < cfg.num_layers - 1:
                assert (where.in_output, where.step, where.features) == (False, None, None)
                assert "not in output" in where.describe()
            elif direction == FORWARD:
                assert (where.in_output, where.step, where.features) == (True, "last valid step", slice(0, h_out))
                assert where.describe().endswith(f"forward: output at the last valid step, features 0:{h_out}")
            else:
                assert (where.in_output, where.step, where.features) == (True, "step 0", slice(h_out, 2 * h_out))
                assert where.describe().endswith(f"backward: output at the step 0, features {h_out}:{2 * h_out}")
    assert locate_final_state(r, -1, FORWARD) == locate_final_state(r, cfg.num_layers - 1, FORWARD)


# --- final_state_from_output / final_state_from_h_n --------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_final_state_from_output_matches_hand_written_slices(case):
    r = make_run(case)
    cfg = r.config
    D, h_out, top = (2 if cfg.bidirectional else 1), cfg.proj_size or H, cfg.num_layers - 1
    got_forward = final_state_from_output(r, top, FORWARD)
    got_h_n = final_state_from_h_n(r, top, FORWARD)
    if r.unbatched:
        assert torch.equal(got_forward, r.output[-1, :h_out])
        assert torch.equal(got_h_n, r.h_n[top * D])
    for n in batch_indices(r):
        expected = out_at(r, last_step(r, n), n, slice(0, h_out))
        assert torch.equal(got_forward if n is None else got_forward[n], expected)
        assert torch.equal(expected, h_n_row(r, top * D, n))  # the identity itself, from torch
    if cfg.bidirectional:
        got_backward = final_state_from_output(r, top, BACKWARD)
        for n in batch_indices(r):
            expected = out_at(r, 0, n, slice(h_out, 2 * h_out))
            assert torch.equal(got_backward if n is None else got_backward[n], expected)
            assert torch.equal(expected, h_n_row(r, top * D + 1, n))
        assert torch.equal(final_state_from_h_n(r, -1, BACKWARD), r.h_n[-1])
    for layer in range(top):
        for direction in range(D):
            assert final_state_from_output(r, layer, direction) is None
            assert torch.equal(final_state_from_h_n(r, layer, direction), r.h_n[layer * D + direction])


def test_padded_last_row_is_not_the_final_state_of_a_short_sequence():
    r = run(RNNConfig("gru", 2, H, bidirectional=True), seq_len=5, batch_size=2, lengths=[5, 2])
    assert torch.equal(r.output[-1, 1], torch.zeros(2 * H))
    assert not torch.equal(r.output[-1, 1, :H], r.h_n[0, 1])
    assert torch.equal(final_state_from_output(r, 0, FORWARD)[1], r.output[1, 1, :H])
    assert torch.equal(final_state_from_output(r, 0, FORWARD)[1], r.h_n[0, 1])


# --- sequence_summary / last_valid_output --------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_sequence_summary(case):
    r = make_run(case)
    cfg = r.config
    h_out = cfg.proj_size or H
    summary = sequence_summary(r.h_n, cfg.bidirectional)
    if cfg.bidirectional:
        assert torch.equal(summary, torch.cat([r.h_n[-2], r.h_n[-1]], dim=-1))
    else:
        assert torch.equal(summary, r.h_n[-1])
    width = (2 if cfg.bidirectional else 1) * h_out
    assert summary.shape == ((width,) if r.unbatched else (3, width))
    if r.unbatched:
        return
    # forward half: output at each sequence's last valid step
    assert torch.equal(summary[:, :h_out], last_valid_output(r.output, r.lengths, cfg.batch_first)[:, :h_out])
    if cfg.bidirectional:  # backward half: output at step 0, second half
        step0 = r.output[:, 0] if cfg.batch_first else r.output[0]
        assert torch.equal(summary[:, h_out:], step0[:, h_out:])
    else:
        assert torch.equal(summary, last_valid_output(r.output, r.lengths, cfg.batch_first))


@pytest.mark.parametrize("batch_first", [False, True])
def test_last_valid_output_in_a_padded_batch(batch_first):
    lengths = [5, 2, 3, 1]
    r = run(RNNConfig("lstm", 2, H, 2, True, batch_first), seq_len=5, batch_size=4, lengths=lengths)
    got = last_valid_output(r.output, r.lengths, batch_first)
    assert got.shape == (4, 2 * H)
    for n, length in enumerate(lengths):
        expected = r.output[n, length - 1] if batch_first else r.output[length - 1, n]
        assert torch.equal(got[n], expected)
    padded_last = r.output[:, -1] if batch_first else r.output[-1]
    assert torch.equal(got[0], padded_last[0])
    assert not torch.equal(got, padded_last)
    assert torch.equal(padded_last[1:], torch.zeros(3, 2 * H))
    # list and tensor lengths agree; no lengths means the last step
    assert torch.equal(last_valid_output(r.output, lengths, batch_first), got)
    assert torch.equal(last_valid_output(r.output, None, batch_first), padded_last)


# --- bad input -------------------------------------------------------------------------------------


def _message(*parts):
    return ".*".join(re.escape(p) for p in parts)


H_N = torch.zeros(4, 2, 3)  # num_layers=2, bidirectional


@pytest.mark.parametrize(
    "call,parts",
    [
        (lambda: layer_direction_view(torch.zeros(3), 1, False), ["h_n=(3,)", "2-D or 3-D tensor"]),
        (lambda: layer_direction_view([[0.0]], 1, False), ["h_n=list", "2-D or 3-D tensor"]),
        (
            lambda: layer_direction_view(H_N, 3, True),
            ["h_n.shape[0]=4", "num_layers=3", "bidirectional=True", "num_layers * D = 6"],
        ),
        (lambda: layer_direction_view(H_N, 2, False), ["h_n.shape[0]=4", "num_layers=2", "num_layers * D = 2"]),
        (lambda: layer_direction_view(H_N, 0, True), ["num_layers=0", "integer >= 1"]),
        (lambda: layer_direction_view(H_N, 2, "yes"), ["bidirectional='yes'", "True or False"]),
        (lambda: flat_view(torch.zeros(2, 3)), ["h_view=(2, 3)", "(num_layers, D, [N,] H)"]),
        (lambda: flat_view(torch.zeros(2, 3, 4, 5)), ["h_view=(2, 3, 4, 5)", "D of 1 or 2"]),
        (lambda: flat_view("h"), ["h_view=str", "D of 1 or 2"]),
        (lambda: state_index(2, 0, 2, True), ["layer=2", "from -2 to 1"]),
        (lambda: state_index(-3, 0, 2, True), ["layer=-3", "from -2 to 1"]),
        (lambda: state_index(1.0, 0, 2, True), ["layer=1.0", "from -2 to 1"]),
        (lambda: state_index(0, 1, 2, False), ["direction=1", "0 (forward) for a one-direction module"]),
        (lambda: state_index(0, 2, 2, True), ["direction=2", "0 (forward) or 1 (backward)"]),
        (lambda: state_index(0, 0.0, 2, True), ["direction=0.0", "0 (forward) or 1 (backward)"]),
        (lambda: state_index(0, True, 2, True), ["direction=True", "0 (forward) or 1 (backward)"]),
        (lambda: state_index(0, 0, 0, True), ["num_layers=0", "integer >= 1"]),
        (lambda: state_index(0, 0, 2, None), ["bidirectional=None", "True or False"]),
        (lambda: sequence_summary(torch.zeros(5), False), ["h_n=(5,)", "2-D or 3-D tensor"]),
        (lambda: sequence_summary(torch.zeros(3, 2, 4), True), ["h_n.shape[0]=3", "bidirectional=True", "even"]),
        (lambda: sequence_summary(H_N, 1), ["bidirectional=1", "True or False"]),
        (lambda: last_valid_output(torch.zeros(5, 6), None, False), ["output=(5, 6)", "batched 3-D tensor"]),
        (lambda: last_valid_output(torch.zeros(5, 2, 6), [5], False), ["lengths=[5]", "1 entries", "batch_size=2"]),
        (
            lambda: last_valid_output(torch.zeros(5, 2, 6), [0, 5], False),
            ["lengths=[0, 5]", "integer from 1 to seq_len=5"],
        ),
        (
            lambda: last_valid_output(torch.zeros(5, 2, 6), [6, 5], False),
            ["lengths=[6, 5]", "integer from 1 to seq_len=5"],
        ),
        (
            lambda: last_valid_output(torch.zeros(2, 5, 6), [6, 5], True),
            ["lengths=[6, 5]", "integer from 1 to seq_len=5"],
        ),
        (
            lambda: last_valid_output(torch.zeros(5, 2, 6), torch.tensor([2.0, 3.0]), False),
            ["lengths=[2.0, 3.0]", "integer from 1 to seq_len=5"],
        ),
        (lambda: last_valid_output(torch.zeros(5, 2, 6), "ab", False), ["lengths='ab'", "sequence of 2 integers"]),
        (lambda: last_valid_output(torch.zeros(5, 2, 6), None, "no"), ["batch_first='no'", "True or False"]),
    ],
    ids=lambda v: "" if callable(v) else v[0],
)
def test_bad_input_raises_value_error_naming_parameter_value_and_rule(call, parts):
    with pytest.raises(ValueError, match=_message(*parts)):
        call()


@pytest.mark.parametrize(
    "layer,direction,parts",
    [
        (3, FORWARD, ["layer=3", "from -3 to 2"]),
        (0, BACKWARD, ["direction=1", "one-direction module"]),
    ],
)
def test_locate_and_cut_reject_a_state_the_run_does_not_have(layer, direction, parts):
    r = run(RNNConfig("gru", 2, H, num_layers=3))
    for helper in (locate_final_state, final_state_from_output, final_state_from_h_n):
        with pytest.raises(ValueError, match=_message(*parts)):
            helper(r, layer, direction)
