"""Notebook 04's checkers: the reference solutions pass, and each named mistake gets its own message."""

import pytest
import torch

from helpers import check_final_cell, check_initial_state_shapes, check_lstm_shapes, run
from helpers.exercises.lstm_cell_state import INITIAL_CONFIG, SHAPES_CONFIG
from helpers.exercises.solutions import lstm_cell_state as solutions


def test_reference_solutions_pass(capsys):
    check_lstm_shapes(solutions.lstm_shapes)
    check_initial_state_shapes(solutions.initial_state_shapes)
    check_final_cell(solutions.final_cell)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct:") for line in lines)


def test_the_expected_shapes_are_torchs():
    r = run(SHAPES_CONFIG, seq_len=7, batch_size=5)
    assert tuple(r.output.shape) == (5, 7, 4) and tuple(r.h_n.shape) == (6, 5, 2) and tuple(r.c_n.shape) == (6, 5, 6)
    r = run(INITIAL_CONFIG, seq_len=2, batch_size=5)
    assert tuple(r.h_n.shape) == (4, 5, 3) and tuple(r.c_n.shape) == (4, 5, 8)


@pytest.mark.parametrize("check", [check_lstm_shapes, check_initial_state_shapes, check_final_cell])
def test_none_is_not_answered_yet(check, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def test_a_function_that_still_returns_none_is_not_answered_yet(capsys):
    check_final_cell(lambda c_n: None)
    assert "Not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda c_n: c_n[-1], "lacks c_n[-2, 0]"),  # backward half only
        (lambda c_n: torch.stack([c_n[-2], c_n[-1]], dim=-1), "torch.stack makes a new dimension"),
        (lambda c_n: torch.cat([c_n[-1], c_n[-2]], dim=-1), "two halves of each row swapped"),
        (lambda c_n: torch.cat([c_n[0], c_n[1]], dim=-1), "wrong layer"),
    ],
)
def test_final_cell_mistakes_are_named(wrong, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_final_cell(wrong)
    assert says in str(caught.value) and "04, section 1" in str(caught.value)


@pytest.mark.parametrize(
    "answer,says",
    [
        ({"output": (5, 7, 12), "h_n": (6, 5, 6), "c_n": (6, 5, 6)}, "proj_size if it is set"),  # proj_size forgotten
        ({"output": (5, 7, 4), "h_n": (3, 5, 2), "c_n": (3, 5, 6)}, "num_layers * D, not num_layers"),
        ({"output": (5, 7, 4), "h_n": (6, 5, 2), "c_n": (6, 5, 2)}, "c_n keeps hidden_size"),
        ({"output": (5, 7, 4), "h_n": (5, 6, 2), "c_n": (5, 6, 6)}, "batch_first never applies to h_n or c_n"),
    ],
)
def test_shape_mistakes_are_named(answer, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_lstm_shapes(answer)
    assert says in str(caught.value)


def test_initial_state_with_hidden_size_for_h_0_is_named():
    with pytest.raises(AssertionError, match=r'"h_0": you said \(4, 5, 8\), it is \(4, 5, 3\)'):
        check_initial_state_shapes({"h_0": (4, 5, 8), "c_0": (4, 5, 8)})
