"""Notebook 07's checkers: reference solutions pass, None waits, each plausible mistake is named, and answers that
raise get a message, not a traceback."""

import pytest
import torch

from helpers.cells import scratch_forward
from helpers.exercises.inside_the_cell import (
    FROZEN_CASES,
    WEIGHTS_CONFIG,
    check_first_backward_forget_gate,
    check_frozen_update_gate,
    check_weight_shapes,
    weight_shapes,
)
from helpers.exercises.solutions import inside_the_cell as solutions
from helpers.models import build_module

CHECKS = [
    (check_weight_shapes, solutions.weight_shapes),
    (check_first_backward_forget_gate, solutions.first_backward_forget_gate),
    (check_frozen_update_gate, solutions.frozen_update_gate),
]


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as caught:
        check(answer)
    message = str(caught.value)
    assert message.startswith("Not yet") and "Traceback" not in message, message
    return message


@pytest.mark.parametrize("check,solution", CHECKS)
def test_reference_solution_is_correct(check, solution, capsys):
    check(solution)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize("check,solution", CHECKS)
def test_none_is_not_answered_yet(check, solution, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def test_the_weight_shapes_are_torchs():
    module = torch.nn.LSTM(input_size=5, hidden_size=3, num_layers=2, bidirectional=True, proj_size=2)
    assert weight_shapes() == {name: tuple(getattr(module, name).shape) for name in solutions.weight_shapes}
    assert build_module(WEIGHTS_CONFIG).weight_ih_l1.shape == module.weight_ih_l1.shape


@pytest.mark.parametrize(
    "answer,says",
    [
        ({"weight_ih_l0": (3, 5)}, "the rows hold all four gates stacked (i, f, g, o), so 4 * hidden_size = 12"),
        ({"weight_ih_l0": (9, 5)}, "an LSTM has four gates, i, f, g, o: 4 * hidden_size = 12 rows (three is the GRU)"),
        ({"weight_hh_l0": (12, 3)}, "weight_hh multiplies the previous h, which proj_size makes 2 wide"),
        ({"weight_hh_l0": (8, 2)}, "the gates are hidden_size wide, proj_size shrinks only h"),
        ({"weight_ih_l1": (12, 2)}, "layer 1 reads layer 0's output, both directions side by side: D * proj_size"),
        ({"weight_ih_l1": (12, 6)}, "layer 0's output is proj_size wide per direction, not hidden_size"),
        ({"weight_ih_l1": (12, 5)}, "only layer 0 reads x; layer 1 reads layer 0's output"),
        ({"weight_hr_l1_reverse": (3, 2)}, "rows and columns are swapped: weight_hr turns o * tanh(c)"),
    ],
)
def test_weight_shape_mistakes_are_named(answer, says):
    full = dict(solutions.weight_shapes, **answer)
    message = failure(check_weight_shapes, full)
    assert says in message and message.count('- "') == 1, message


def _reverse_parts(lstm, suffix="_reverse"):
    w = getattr(lstm, f"weight_ih_l0{suffix}").chunk(4)
    b_i = getattr(lstm, f"bias_ih_l0{suffix}").chunk(4)
    b_h = getattr(lstm, f"bias_hh_l0{suffix}").chunk(4)
    return w, b_i, b_h


def _gate(lstm, x, t, suffix="_reverse", k=1, hh_bias=True, sigmoid=True):
    w, b_i, b_h = _reverse_parts(lstm, suffix)
    pre = x[t] @ w[k].T + b_i[k] + (b_h[k] if hh_bias else 0)
    return torch.sigmoid(pre) if sigmoid else pre


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda lstm, x: _gate(lstm, x, 0, suffix=""), "the forward direction's forget gate at step 0"),
        (lambda lstm, x: _gate(lstm, x, 0), "the first step it computes is x[L - 1]"),
        (lambda lstm, x: _gate(lstm, x, -1, suffix=""), "the ones whose names end in _reverse"),
        (lambda lstm, x: _gate(lstm, x, -1, k=0), "the first chunk is i, the forget gate is the second"),
        (lambda lstm, x: _gate(lstm, x, -1, k=3), "the last chunk is o"),
        (lambda lstm, x: _gate(lstm, x, -1, hh_bias=False), "even when h is zeros, b_hf is still added"),
        (lambda lstm, x: _gate(lstm, x, -1, sigmoid=False), "apply torch.sigmoid"),
        (
            lambda lstm, x: torch.sigmoid(x[-1] @ lstm.weight_ih_l0_reverse.T + lstm.bias_ih_l0_reverse),
            "the gate is (N, hidden_size), one row per sequence",
        ),
        (lambda lstm, x: _gate(lstm, x.transpose(0, 1), -1), "the gate is (N, hidden_size)"),
    ],
)
def test_backward_forget_gate_mistakes_are_named(wrong, says):
    message = failure(check_first_backward_forget_gate, wrong)
    assert says in message and "07, sections 4" in message, message


@pytest.mark.parametrize(
    "raises,says",
    [
        (lambda lstm, x: torch.sigmoid(x[-1] @ _reverse_parts(lstm)[0][1]), "x[t] @ W_if.T gives (N, hidden_size)"),
        (lambda lstm, x: _gate(lstm, x, x.shape[0]), "its indices run from 0 to"),
        (lambda lstm, x: lstm.weight_ih_l0_backward, "weight_ih_l0_reverse"),
        (lambda lstm: lstm, "with 2 arguments, but your function takes 1"),
    ],
)
def test_backward_forget_gate_answers_that_raise_get_a_message(raises, says):
    message = failure(check_first_backward_forget_gate, raises)
    assert says in message, message


def test_the_frozen_gru_keeps_its_start_state():
    """The claim behind Exercise 3: with z's bias at +100, z is 1.0 and every layer keeps h_0[layer]."""
    for case in FROZEN_CASES:
        r = case.run()
        h = r.config.hidden_size
        mine = scratch_forward(r.module, r.x)  # zero start: the gates alone
        assert torch.equal(mine.gates[0, 0]["z"], torch.ones_like(mine.gates[0, 0]["z"]))
        torch.testing.assert_close(r.output, r.h_n[-1].expand(r.output.shape[0], -1, -1))
        assert r.h_n.shape == (r.config.num_layers, r.output.shape[1], h)
    # just outside: the same GRU with its bias left alone does move away from h_0
    r = FROZEN_CASES[0]
    plain = build_module(r.config)
    h_0 = torch.randn(r.config.num_layers, r.batch_size, r.config.hidden_size)
    output, _ = plain(torch.randn(r.seq_len, r.batch_size, r.config.input_size), h_0)
    assert not torch.allclose(output[-1], h_0[-1])


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda h_0, L: torch.zeros(L, *h_0.shape[1:]), "the first old state is the h_0 you start from, not zeros"),
        (lambda h_0, L: h_0[0].expand(L, -1, -1), "output shows the top layer, h_0[-1]"),
        (lambda h_0, L: h_0, "That is h_0 itself, one row per layer"),
        (lambda h_0, L: h_0[-1], "Your tensor is one step"),
        (lambda h_0, L: h_0[-1].expand(L, -1, -1).transpose(0, 1), "output is (L, N, H): one entry per time step"),
        (lambda h_0, L: h_0.mean(0).expand(L, -1, -1), "nothing moves from the state each layer starts from"),
    ],
)
def test_frozen_update_gate_mistakes_are_named(wrong, says):
    message = failure(check_frozen_update_gate, wrong)
    assert says in message and "07, section 2" in message, message


def test_frozen_update_gate_hard_coded_steps_are_named():
    def four_steps(h_0, L):
        return torch.stack([h_0[-1]] * 4)

    message = failure(check_frozen_update_gate, four_steps)
    assert "Your code has the number 4 written in it" in message, message


@pytest.mark.parametrize(
    "raises,says",
    [
        (lambda h_0, L: h_0[5], "its indices run from 0 to"),
        (lambda h_0, L: h_0[-1].expand(L, 7), "Your function raised RuntimeError"),
        (lambda h_0: h_0, "with 2 arguments, but your function takes 1"),
    ],
)
def test_frozen_update_gate_answers_that_raise_get_a_message(raises, says):
    message = failure(check_frozen_update_gate, raises)
    assert says in message, message
