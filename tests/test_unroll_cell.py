"""unroll(run) against an independent step-by-step computation, at every step of every layer and direction.

helpers.unroll re-runs one-layer twins of the module over whole sequences, prefixes and suffixes. Here each
state is computed another way: nn.RNNCell / nn.GRUCell / nn.LSTMCell loaded with the module's own weights,
run one step at a time, for each sequence on its own over its own length (forward from step 0, backward from
its own last step), each layer reading the previous layer's two directions side by side. With proj_size,
where nn.LSTMCell has no projection, the step is written out from the documented LSTM equations.
Past a sequence's end, unroll holds zeros.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from helpers import RNNConfig, layer_twin, run, unroll, unroll_module


def weights(module, layer, direction):
    suffix = f"_l{layer}" + ("_reverse" if direction else "")
    return {name: getattr(module, f"{name}{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def one_step_cell(module, layer, direction, input_size):
    """An nn.*Cell holding (layer, direction)'s weights; None for a projected LSTM (see lstm_step)."""
    w = weights(module, layer, direction)
    if isinstance(module, nn.LSTM):
        if module.proj_size:
            return None
        cell = nn.LSTMCell(input_size, module.hidden_size)
    elif isinstance(module, nn.GRU):
        cell = nn.GRUCell(input_size, module.hidden_size)
    else:
        cell = nn.RNNCell(input_size, module.hidden_size, nonlinearity=module.nonlinearity)
    with torch.no_grad():
        for name, value in w.items():
            getattr(cell, name).copy_(value)
    return cell


def lstm_step(module, layer, direction, x, h, c):
    """One LSTM step from the equations in nn.LSTM's documentation, projection included."""
    w = weights(module, layer, direction)
    gates = x @ w["weight_ih"].T + w["bias_ih"] + h @ w["weight_hh"].T + w["bias_hh"]
    i, f, g, o = gates.chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    if module.proj_size:
        h = h @ getattr(module, f"weight_hr_l{layer}" + ("_reverse" if direction else "")).T
    return h, c


def step_by_step(r):
    """(hidden, cell) like unroll's: (num_layers, D, L, N, H_out) and (num_layers, D, L, N, hidden_size) or None."""
    cfg, module = r.config, r.module
    x = r.x.unsqueeze(1) if r.unbatched else r.x.transpose(0, 1) if cfg.batch_first else r.x  # (L, N, H_in)
    seq_len, batch_size = x.shape[:2]
    lengths = [seq_len] * batch_size if r.lengths is None else [int(n) for n in r.lengths]
    is_lstm = cfg.cell == "lstm"
    hidden = torch.zeros(cfg.num_layers, cfg.num_directions, seq_len, batch_size, cfg.h_out)
    cell = torch.zeros(cfg.num_layers, cfg.num_directions, seq_len, batch_size, cfg.hidden_size) if is_lstm else None
    layer_input = x
    with torch.no_grad():
        for layer in range(cfg.num_layers):
            for direction in range(cfg.num_directions):
                one_step = one_step_cell(module, layer, direction, layer_input.shape[-1])
                for b, length in enumerate(lengths):
                    h = torch.zeros(1, cfg.h_out)
                    c = torch.zeros(1, cfg.hidden_size)
                    steps = range(length) if direction == 0 else range(length - 1, -1, -1)
                    for t in steps:
                        inp = layer_input[t, b].unsqueeze(0)
                        if is_lstm and one_step is None:
                            h, c = lstm_step(module, layer, direction, inp, h, c)
                        elif is_lstm:
                            h, c = one_step(inp, (h, c))
                        else:
                            h = one_step(inp, h)
                        hidden[layer, direction, t, b] = h[0]
                        if is_lstm:
                            cell[layer, direction, t, b] = c[0]
            # the next layer reads both directions side by side: (L, N, D * H_out)
            layer_input = hidden[layer].permute(1, 2, 0, 3).reshape(seq_len, batch_size, -1)
    return hidden, cell


def check_against_step_by_step(r):
    states = unroll(r)
    hidden, cell = step_by_step(r)
    assert states.hidden.shape == hidden.shape
    torch.testing.assert_close(states.hidden, hidden, msg=lambda m: f"hidden states of {r.config}: {m}")
    if r.config.cell == "lstm":
        assert states.cell.shape == cell.shape
        torch.testing.assert_close(states.cell, cell, msg=lambda m: f"cell states of {r.config}: {m}")
    else:
        assert states.cell is None
    # each (layer, direction)'s final step is h_n's (and c_n's) row bit for bit: forward at each sequence's
    # own last step, backward at step 0
    seq_len, batch_size = states.valid.shape
    last = states.valid.sum(0) - 1  # (N,)
    batch = torch.arange(batch_size)
    h_n = r.h_n.unsqueeze(1) if r.unbatched else r.h_n  # (num_layers * D, N, H_out)
    c_n = None if r.c_n is None else r.c_n.unsqueeze(1) if r.unbatched else r.c_n
    for layer in range(r.config.num_layers):
        for direction in range(r.config.num_directions):
            row, step = layer * r.config.num_directions + direction, last if direction == 0 else 0
            assert torch.equal(states.hidden[layer, direction, step, batch], h_n[row])
            if c_n is not None:
                assert torch.equal(states.cell[layer, direction, step, batch], c_n[row])
    # every step of every sequence is compared above; past a sequence's end both are exactly zero
    padding = ~states.valid
    assert not states.hidden[:, :, padding].any()
    if states.cell is not None:
        assert not states.cell[:, :, padding].any()


# The case that a step-off backward suffix breaks: packed, bidirectional, unequal lengths with a length of 1.
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch_first"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("lengths", [(5, 3, 1, 4), (1, 5), (2, 1, 2), None], ids=str)
def test_packed_bidirectional_lstm_cell_state_at_every_step(num_layers, batch_first, lengths):
    cfg = RNNConfig(
        cell="lstm", input_size=3, hidden_size=4, num_layers=num_layers, bidirectional=True, batch_first=batch_first
    )
    seq_len = 5 if lengths is None or max(lengths) == 5 else 3
    batch_size = 3 if lengths is None else len(lengths)
    check_against_step_by_step(run(cfg, seq_len=seq_len, batch_size=batch_size, lengths=lengths))


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_hidden_states_of_every_cell_at_every_step(cell, bidirectional):
    cfg = RNNConfig(cell=cell, input_size=2, hidden_size=3, num_layers=2, bidirectional=bidirectional)
    check_against_step_by_step(run(cfg, seq_len=4, batch_size=3, lengths=[4, 1, 2]))


def test_projected_lstm_cell_and_hidden_states_at_every_step():
    cfg = RNNConfig(cell="lstm", input_size=3, hidden_size=5, proj_size=2, num_layers=2, bidirectional=True)
    check_against_step_by_step(run(cfg, seq_len=4, batch_size=3, lengths=[2, 4, 1]))


@st.composite
def runs(draw):
    cell = draw(st.sampled_from(["rnn", "gru", "lstm"]))
    hidden_size = draw(st.integers(1, 4))
    proj_size = draw(st.integers(0, hidden_size - 1)) if cell == "lstm" else 0
    cfg = RNNConfig(
        cell=cell,
        input_size=draw(st.integers(1, 3)),
        hidden_size=hidden_size,
        num_layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        proj_size=proj_size,
        seed=draw(st.integers(0, 50)),
    )
    seq_len = draw(st.integers(1, 5))
    batch_size = draw(st.integers(1, 4))
    lengths = draw(st.none() | st.lists(st.integers(1, seq_len), min_size=batch_size, max_size=batch_size))
    unbatched = lengths is None and draw(st.booleans())
    return run(cfg, seq_len=seq_len, batch_size=batch_size, lengths=lengths, unbatched=unbatched)


@settings(max_examples=100)
@given(r=runs())
def test_unroll_equals_a_step_by_step_computation(r):
    check_against_step_by_step(r)


# --- layer_twin: a one-layer copy of one layer, and what it refuses ------------------------------------------------


class NamedGRU(nn.GRU):
    """A subclass: layer_twin cannot know what its forward adds, so it refuses it."""


@pytest.mark.parametrize(
    "module, name",
    [(nn.Linear(2, 2), "Linear"), (nn.GRUCell(2, 3), "GRUCell"), (NamedGRU(2, 3), "NamedGRU")],
)
def test_layer_twin_refuses_what_is_not_an_rnn_gru_or_lstm_with_a_value_error(module, name):
    with pytest.raises(ValueError) as refused:
        layer_twin(module, 0)
    assert str(refused.value) == f"module={name} is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM"


@pytest.mark.parametrize("layer", [-1, 3])
def test_layer_twin_names_the_layers_there_are(layer):
    with pytest.raises(ValueError) as refused:
        layer_twin(nn.LSTM(2, 3, num_layers=3), layer)
    assert str(refused.value) == f"layer={layer} is not allowed: layer must be an integer from 0 to 2"


# --- what unroll returns besides the states, what it says and what it refuses ----------------------------------


@pytest.mark.parametrize("lengths", [None, [3, 1]])
def test_unroll_returns_its_run_and_a_boolean_mask_of_the_valid_steps(lengths):
    r = run(RNNConfig(cell="gru", input_size=2, hidden_size=3), seq_len=3, batch_size=2, lengths=lengths)
    states = unroll(r)
    assert states.run is r
    assert states.valid.dtype == torch.bool  # a mask: states.hidden[..., states.valid, :] picks the valid steps
    expected = torch.tensor([[True, True], [True, False], [True, False]]) if lengths else torch.ones(3, 2).bool()
    assert torch.equal(states.valid, expected)  # valid[t, n]: step t is before sequence n's end


def test_unroll_refuses_dropout_in_train_mode_and_says_what_to_do():
    r = run(RNNConfig(num_layers=2, dropout=0.5), seq_len=3)
    r.module.train()
    with pytest.raises(ValueError) as refused:
        unroll(r)
    assert str(refused.value) == (
        "dropout=0.5 is not allowed in train mode: dropout between layers is random, "
        "so the layers cannot be re-run to the same states; call run.module.eval() first"
    )
    r.module.eval()
    assert unroll(r).hidden.shape[0] == 2  # what the message says to do works


SILENT = """
import torch
from torch import nn
from helpers import unroll_module
lstm, x = nn.LSTM(2, 3, proj_size=2), torch.randn(3, 2, 2)
{call}
"""


def test_unroll_keeps_torch_s_onednn_note_on_projections_off_stderr():
    """Run unpacked, a projected LSTM makes torch note (a UserWarning on stderr) that oneDNN has no projections,
    once per process. unroll_module keeps it off the learner's screen: checked in fresh processes."""
    import subprocess
    import sys
    from pathlib import Path

    import helpers

    where = Path(helpers.__file__).parent.parent  # the fresh process imports the same helpers as this one

    def stderr(call):
        code = SILENT.format(call=call)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=where)
        return done.stderr

    assert "LSTM with projections is not supported with oneDNN" in stderr("lstm(x)")  # torch says it
    assert stderr("unroll_module(lstm, x)") == ""


def test_unroll_lets_every_other_warning_through():
    """unroll silences that one note only: a warning raised while its modules run reaches the learner."""
    import warnings

    from torch.nn.modules.module import register_module_forward_hook

    r = run(RNNConfig(cell="lstm", input_size=2, hidden_size=3, proj_size=2), seq_len=3, batch_size=2)

    def warn(module, args, output):
        warnings.warn("a warning of the learner's own", UserWarning, stacklevel=1)

    handle = register_module_forward_hook(warn)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            unroll(r)
    finally:
        handle.remove()
    assert caught and all(str(w.message) == "a warning of the learner's own" for w in caught)


# --- the cell state at step t, bit for bit: c_n of the batch cut after step t ----------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    seed=st.integers(0, 50),
    lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
)
def test_the_cell_state_at_step_t_is_c_n_of_the_batch_cut_after_step_t(bidirectional, batch_first, seed, lengths):
    """What a learner can check with torch alone, for a one-layer LSTM: cut the batch after step t (each sequence keeps
    its first min(length, t + 1) steps, packed), and the forward c_n is the cell state at step t of every sequence
    still running there, bit for bit; its backward half, run on steps t.. (lengths - t), is the backward cell state at
    step t. At each sequence's own end the state is the full run's own c_n row."""
    from torch.nn.utils.rnn import pack_padded_sequence

    seq_len = max(lengths)
    cfg = RNNConfig(
        cell="lstm", input_size=2, hidden_size=3, bidirectional=bidirectional, batch_first=batch_first, seed=seed
    )
    r = run(cfg, seq_len=seq_len, batch_size=len(lengths), lengths=lengths)
    cell = unroll(r).cell[0]  # (D, L, N, hidden_size)
    lstm, n_lengths = r.module, torch.tensor(lengths)
    time = 1 if batch_first else 0

    def c_n(start, stop, cut):
        steps = r.x.narrow(time, start, stop - start)
        packed = pack_padded_sequence(steps, cut, batch_first=batch_first, enforce_sorted=False)
        with torch.enable_grad():  # as unroll runs it: under no_grad an LSTM may take another kernel
            return lstm(packed)[1][1].detach()

    for t in range(seq_len):
        running = n_lengths > t + 1  # still running after step t (at its own last step: the full run's c_n)
        forward = c_n(0, t + 1, n_lengths.clamp(max=t + 1))[0]
        assert torch.equal(cell[0, t][running], forward[running])
        if bidirectional and t > 0:
            backward = c_n(t, seq_len, (n_lengths - t).clamp(min=1))[1]
            inside = n_lengths > t
            assert torch.equal(cell[1, t][inside], backward[inside])
    ends = n_lengths - 1
    assert torch.equal(cell[0, ends, torch.arange(len(lengths))], r.c_n[0])
    if bidirectional:
        assert torch.equal(cell[1, 0], r.c_n[1])


@pytest.mark.parametrize("cell", [nn.RNN, nn.GRU, nn.LSTM])
def test_unroll_module_takes_a_module_without_biases(cell):
    """bias=False: each one-layer twin has no biases either, and the top layer's states are output's."""
    torch.manual_seed(0)
    module = cell(2, 3, num_layers=2, bias=False, bidirectional=True)
    x = torch.randn(4, 2, 2)
    assert [name for name, _ in layer_twin(module, 1).named_parameters() if "bias" in name] == []
    states = unroll_module(module, x)
    output, _ = module(x)
    top = states.hidden[-1]  # (D, L, N, H_out)
    assert torch.equal(torch.cat([top[0], top[1]], dim=-1), output.detach())
