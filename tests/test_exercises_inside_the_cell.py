"""Notebook 07's checkers: reference solutions pass, None waits, and each named mistake is named."""

import pytest
import torch

from helpers.exercises.inside_the_cell import check_first_forget_gate, check_gru_step, check_update_gate_rows
from helpers.exercises.solutions import inside_the_cell as solutions

CHECKS = [
    (check_update_gate_rows, solutions.update_gate_rows),
    (check_first_forget_gate, solutions.first_forget_gate),
    (check_gru_step, solutions.gru_step),
]


@pytest.mark.parametrize("check,solution", CHECKS)
def test_reference_solution_is_correct(check, solution, capsys):
    check(solution)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize("check,solution", CHECKS)
def test_none_is_not_answered_yet(check, solution, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def _gru_parts(gru, x_t, h):
    a = (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)
    b = (h @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)
    r, z = torch.sigmoid(a[0] + b[0]), torch.sigmoid(a[1] + b[1])
    return a, b, r, z


def paper_step(gru, x_t, h):
    a, _, r, z = _gru_parts(gru, x_t, h)
    _, _, w_hn = gru.weight_hh_l0.chunk(3)
    n = torch.tanh(a[2] + (r * h) @ w_hn.T + gru.bias_hh_l0.chunk(3)[2])
    return (1 - z) * n + z * h


def swapped_step(gru, x_t, h):
    a, b, r, z = _gru_parts(gru, x_t, h)
    n = torch.tanh(a[2] + r * b[2])
    return z * n + (1 - z) * h


def forget_without_hh_bias(lstm, x):
    return torch.sigmoid(x[0] @ lstm.weight_ih_l0.chunk(4)[1].T + lstm.bias_ih_l0.chunk(4)[1])


def input_gate(lstm, x):
    return torch.sigmoid(
        x[0] @ lstm.weight_ih_l0.chunk(4)[0].T + lstm.bias_ih_l0.chunk(4)[0] + lstm.bias_hh_l0.chunk(4)[0]
    )


@pytest.mark.parametrize(
    "check,answer,named",
    [
        (check_update_gate_rows, lambda gru: gru.weight_ih_l0[: gru.hidden_size], "reset gate"),
        (check_update_gate_rows, lambda gru: gru.weight_ih_l0[2 * gru.hidden_size :], "new gate"),
        (check_update_gate_rows, lambda gru: gru.weight_hh_l0[gru.hidden_size : 2 * gru.hidden_size], "weight_hh_l0"),
        (check_update_gate_rows, lambda gru: gru.weight_ih_l0[4:8], "breaks on this one"),
        (check_first_forget_gate, forget_without_hh_bias, "without bias_hh"),
        (check_first_forget_gate, input_gate, "the input gate i"),
        (check_gru_step, paper_step, "the paper's GRU"),
        (check_gru_step, swapped_step, "z and (1 - z) swapped"),
        (check_gru_step, lambda gru, x_t, h: h, "numbers are not"),
    ],
)
def test_mistakes_are_named(check, answer, named):
    with pytest.raises(AssertionError, match="Not yet") as error:
        check(answer)
    assert named in str(error.value)
    assert "expected shape" in str(error.value)
