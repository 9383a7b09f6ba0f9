"""helpers.cells: the hand-written step equations and loop give what nn.RNN, nn.GRU and nn.LSTM return."""

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from helpers.cells import (
    GATE_ORDER,
    cell_of,
    gru_step,
    largest_difference,
    layer_weights,
    lstm_step,
    rnn_step,
    scratch_forward,
    significant,
)


def torch_run(module, x):
    """What the module itself returns: output, h_n, c_n (None for RNN and GRU)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        output, state = module(x)
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    return output, h_n, c_n


@st.composite
def modules_and_inputs(draw):
    """A random small RNN, GRU or LSTM (proj_size, relu, bias=False included) and an input for it."""
    kind = draw(st.sampled_from(["rnn", "gru", "lstm"]))
    hidden_size = draw(st.integers(1, 5))
    kwargs = dict(
        input_size=draw(st.integers(1, 4)),
        hidden_size=hidden_size,
        num_layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        bias=draw(st.booleans()),
    )
    if kind == "lstm" and hidden_size > 1 and draw(st.booleans()):
        kwargs["proj_size"] = draw(st.integers(1, hidden_size - 1))
    if kind == "rnn":
        kwargs["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    torch.manual_seed(draw(st.integers(0, 2**16)))
    module = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[kind](**kwargs)
    seq_len = draw(st.integers(1, 6))
    if draw(st.booleans()):
        x = torch.randn(seq_len, kwargs["input_size"])  # unbatched (L, H_in)
    else:
        batch = draw(st.integers(1, 3))
        x = torch.randn(
            (batch, seq_len, kwargs["input_size"]) if kwargs["batch_first"] else (seq_len, batch, kwargs["input_size"])
        )
    return module, x


@given(modules_and_inputs())
def test_scratch_forward_matches_torch(case):
    module, x = case
    output, h_n, c_n = torch_run(module, x)
    mine = scratch_forward(module, x)
    torch.testing.assert_close(mine.output, output)
    torch.testing.assert_close(mine.h_n, h_n)
    if c_n is None:
        assert mine.c_n is None
    else:
        torch.testing.assert_close(mine.c_n, c_n)


def test_gates_are_kept_for_every_layer_direction_and_step():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    x = torch.randn(5, 2, 3)
    mine = scratch_forward(lstm, x)
    assert set(mine.gates) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for gates in mine.gates.values():
        assert list(gates) == ["i", "f", "g", "o"]
        assert all(g.shape == (5, 2, 4) for g in gates.values())
    # the forget and input gates rebuild the cell state step by step: c_t = f * c_{t-1} + i * g
    g = mine.gates[1, 0]
    c = torch.zeros(2, 4)
    for t in range(5):
        c = g["f"][t] * c + g["i"][t] * g["g"][t]
    torch.testing.assert_close(c, torch_run(lstm, x)[2][2])  # c_n row of (layer 1, forward)
    # the backward direction's gates are stored by real time step: step 0 is where it ends
    gb = mine.gates[1, 1]
    c = torch.zeros(2, 4)
    for t in reversed(range(5)):
        c = gb["f"][t] * c + gb["i"][t] * gb["g"][t]
    torch.testing.assert_close(c, torch_run(lstm, x)[2][3])


def test_layer_weights_follow_pytorch_chunk_order():
    torch.manual_seed(0)
    gru = nn.GRU(3, 2, num_layers=2, bidirectional=True)
    w = layer_weights(gru, layer=1, direction=1)
    assert list(w.gates) == list(GATE_ORDER["gru"]) == ["r", "z", "n"]
    assert torch.equal(w.gates["z"].w_i, gru.weight_ih_l1_reverse[2:4])  # rows H:2H
    assert torch.equal(w.gates["n"].b_h, gru.bias_hh_l1_reverse[4:6])
    lstm = nn.LSTM(3, 4, proj_size=2)
    w = layer_weights(lstm)
    assert list(w.gates) == ["i", "f", "g", "o"]
    assert torch.equal(w.gates["g"].w_h, lstm.weight_hh_l0[8:12]) and w.gates["g"].w_h.shape == (4, 2)
    assert torch.equal(w.w_hr, lstm.weight_hr_l0)


def test_one_step_each_matches_torch_cells():
    torch.manual_seed(0)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    for module, cell in [
        (nn.RNN(3, 4), nn.RNNCell(3, 4)),
        (nn.GRU(3, 4), nn.GRUCell(3, 4)),
        (nn.LSTM(3, 4), nn.LSTMCell(3, 4)),
    ]:
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(getattr(module, name + "_l0"))
        w = layer_weights(module)
        if isinstance(module, nn.LSTM):
            h_new, c_new, _ = lstm_step(w, x, h, h * 0.5)
            expected = cell(x, (h, h * 0.5))
            torch.testing.assert_close(h_new, expected[0])
            torch.testing.assert_close(c_new, expected[1])
        elif isinstance(module, nn.GRU):
            torch.testing.assert_close(gru_step(w, x, h)[0], cell(x, h))
        else:
            torch.testing.assert_close(rnn_step(w, x, h), cell(x, h))


def test_the_papers_gru_form_does_not_match():
    torch.manual_seed(0)
    gru = nn.GRU(4, 3, num_layers=2)
    x = torch.randn(6, 2, 4)
    paper = scratch_forward(gru, x, gru_form="paper").output
    assert largest_difference(paper, torch_run(gru, x)[0]) > 1e-2
    with pytest.raises(AssertionError):
        torch.testing.assert_close(paper, torch_run(gru, x)[0])


def test_significant_digits():
    assert significant(0.012345) == "0.012"
    assert significant(0.38, 1) == "0.4"


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: cell_of(nn.Linear(2, 2)), r"module=Linear is not allowed"),
        (lambda: layer_weights(nn.GRU(2, 2), layer=1), r"layer=1 is not allowed"),
        (lambda: layer_weights(nn.GRU(2, 2), direction=1), r"direction=1 is not allowed"),
        (lambda: scratch_forward(nn.GRU(2, 2), torch.zeros(3, 2, 5)), r"x.shape\[-1\]=5 is not allowed"),
        (lambda: scratch_forward(nn.GRU(2, 2), torch.zeros(3)), r"x=\(3,\) is not allowed"),
        (lambda: scratch_forward(nn.GRU(2, 2), torch.zeros(3, 2), gru_form="cho"), r"gru_form='cho' is not allowed"),
        (
            lambda: scratch_forward(nn.GRU(2, 2, num_layers=2, dropout=0.5), torch.zeros(3, 2)),
            r"module.dropout=0.5 is not allowed",
        ),
        (
            lambda: gru_step(layer_weights(nn.GRU(2, 2)), torch.zeros(1, 2), torch.zeros(1, 2), form="x"),
            r"form='x' is not allowed",
        ),
        (lambda: significant(0.1, 0), r"digits=0 is not allowed"),
    ],
)
def test_bad_input_gets_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
