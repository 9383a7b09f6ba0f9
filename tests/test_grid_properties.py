"""Property test of the unrolled grid: each box's colour agrees with torch, by equality, over random configurations.

A box's state comes from helpers.unroll (the module re-run one layer at a time); its colour and index
expressions come from helpers.states through helpers.unroll.grid_model. The expressions are evaluated here
on the module's own output, h_n and c_n, so a wrong colour or a wrong index both fail.
"""

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import RNNConfig, grid_model, run, unroll
from helpers.states import IN_BOTH, IN_H_N, IN_NEITHER, IN_OUTPUT, PADDING


@st.composite
def runs(draw):
    """A random small config, input shape and (maybe) packed lengths, and its run."""
    cell = draw(st.sampled_from(["rnn", "gru", "lstm"]))
    # Two or more features: with one, a deep saturated stack can give two sequences the very same number.
    hidden_size = draw(st.integers(2, 5))
    cfg = RNNConfig(
        cell=cell,
        input_size=draw(st.integers(1, 3)),
        hidden_size=hidden_size,
        num_layers=draw(st.integers(1, 4)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        proj_size=draw(st.sampled_from([0, *range(2, hidden_size)])) if cell == "lstm" else 0,
        seed=draw(st.integers(0, 2**16)),
    )
    seq_len = draw(st.integers(1, 8))
    unbatched = draw(st.booleans()) and draw(st.booleans())  # one in four
    batch_size = 1 if unbatched else draw(st.integers(1, 3))
    lengths = None
    if not unbatched and draw(st.booleans()):
        lengths = draw(st.lists(st.integers(1, seq_len), min_size=batch_size, max_size=batch_size))
    return run(cfg, seq_len=seq_len, batch_size=batch_size, lengths=lengths, unbatched=unbatched)


def every_slice(r, b):
    """Every (H_out,) slice of output and every row of h_n for sequence b, as plain indexing gives them."""
    h = r.config.h_out
    out = r.output.unsqueeze(1) if r.unbatched else (r.output.transpose(0, 1) if r.config.batch_first else r.output)
    h_n = r.h_n.unsqueeze(1) if r.unbatched else r.h_n  # (num_layers * D, N, H_out)
    outputs = [out[t, b, k * h : (k + 1) * h] for t in range(out.shape[0]) for k in range(r.config.num_directions)]
    finals = [h_n[k, b] for k in range(h_n.shape[0])]
    c_finals = (
        [] if r.c_n is None else [(r.c_n.unsqueeze(1) if r.unbatched else r.c_n)[k, b] for k in range(h_n.shape[0])]
    )
    return outputs, finals, c_finals


def evaluate(expression, r):
    """The tensor a student gets by typing expression (H stands for H_out)."""
    return eval(expression, {"output": r.output, "h_n": r.h_n, "c_n": r.c_n, "H": r.config.h_out})


def boxes_and_states(r):
    """(model, box, b, sequence b's state, what the box's expressions must give) for every box and sequence."""
    states = unroll(r)
    batches = [None] if r.lengths is None else list(range(len(r.lengths)))
    for batch in batches:
        for cell_states in [False, True] if r.config.cell == "lstm" else [False]:
            model = grid_model(r, batch, cell_states)
            source = states.cell if cell_states else states.hidden
            for box in model.boxes:
                state = source[box.layer, box.direction, box.step]  # (N, H)
                for b in range(state.shape[0]) if batch is None else [batch]:
                    yield model, box, b, state[b], state if batch is None else state[batch]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_every_box_is_where_its_colour_says(r):
    for model, box, b, state, expected_value in boxes_and_states(r):
        where = f"{box}, sequence {b} of {r.config}, lengths={model.lengths}, cell_states={model.cell_states}"
        outputs, finals, c_finals = every_slice(r, b)
        for expression in box.expressions:  # each gives exactly this state (for every sequence it stands for)
            assert torch.equal(evaluate(expression, r).reshape(expected_value.shape), expected_value), where
        if box.category == PADDING:
            assert model.lengths is not None and box.step >= model.length, where
            continue
        if model.cell_states:  # no cell state is in output; those marked in c_n are rows of c_n
            assert box.category in (IN_H_N, IN_NEITHER), where
            assert [e.startswith("c_n") for e in box.expressions] == ([True] if box.category == IN_H_N else []), where
            if box.category == IN_NEITHER:
                assert not any(torch.equal(row, state) for row in c_finals), where
            continue
        in_output = any(torch.equal(s, state) for s in outputs)
        in_h_n = any(torch.equal(s, state) for s in finals)
        expected = {(True, True): IN_BOTH, (True, False): IN_OUTPUT, (False, True): IN_H_N, (False, False): IN_NEITHER}
        assert box.category == expected[in_output, in_h_n], where
        assert len(box.expressions) == in_output + in_h_n, where
