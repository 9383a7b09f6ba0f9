"""Notebook 04's checkers: the reference solutions pass, and each named mistake gets its own message."""

import pytest
import torch

from helpers import check_cell_by_layer, check_initial_state_shapes, check_lstm_shapes, run
from helpers.exercises.lstm_cell_state import CELL_CASES, INITIAL_CONFIG, SHAPES_CONFIG
from helpers.exercises.solutions import lstm_cell_state as solutions


def test_reference_solutions_pass(capsys):
    check_lstm_shapes(solutions.lstm_shapes)
    check_initial_state_shapes(solutions.initial_state_shapes)
    check_cell_by_layer(solutions.cell_by_layer)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct:") for line in lines)


def test_the_expected_shapes_are_torchs():
    r = run(SHAPES_CONFIG, seq_len=7, batch_size=5)
    assert tuple(r.output.shape) == (5, 7, 4) and tuple(r.h_n.shape) == (6, 5, 2) and tuple(r.c_n.shape) == (6, 5, 6)
    r = run(INITIAL_CONFIG, seq_len=2, batch_size=5)
    assert tuple(r.h_n.shape) == (4, 5, 3) and tuple(r.c_n.shape) == (4, 5, 8)


@pytest.mark.parametrize("check", [check_lstm_shapes, check_initial_state_shapes, check_cell_by_layer])
def test_none_is_not_answered_yet(check, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def test_a_function_that_still_returns_none_is_not_answered_yet(capsys):
    check_cell_by_layer(lambda c_n: None)
    assert "Not answered yet" in capsys.readouterr().out


def _n(c_n):
    return c_n.shape[1]


def _layers(c_n):
    return c_n.shape[0] // 2


def test_cell_by_layer_by_plain_indexing():
    for case in CELL_CASES:
        c_n = case.run().c_n
        got = solutions.cell_by_layer(c_n)
        for n in range(_n(c_n)):
            for layer in range(_layers(c_n)):
                assert torch.equal(got[n, layer], torch.cat([c_n[2 * layer, n], c_n[2 * layer + 1, n]]))


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda c_n: c_n.reshape(_n(c_n), _layers(c_n), -1), "reshape alone reads c_n in the order it is stored"),
        (
            lambda c_n: c_n.view(2, _layers(c_n), _n(c_n), -1).permute(2, 1, 0, 3).reshape(_n(c_n), _layers(c_n), -1),
            "direction first",
        ),
        (
            lambda c_n: (
                c_n.view(_layers(c_n), 2, _n(c_n), -1).flip(1).permute(2, 0, 1, 3).reshape(_n(c_n), _layers(c_n), -1)
            ),
            "halves swapped",
        ),
        (lambda c_n: c_n.transpose(0, 1).reshape(_n(c_n), _layers(c_n), -1).flip(1), "layers are in reverse order"),
        (
            lambda c_n: c_n.view(_layers(c_n), 2, _n(c_n), -1).transpose(0, 2).reshape(_n(c_n), _layers(c_n), -1),
            "laid out direction first",
        ),
        (lambda c_n: c_n.transpose(0, 1).reshape(_n(c_n), _layers(c_n), 2, -1), "still on an axis of their own"),
        (lambda c_n: c_n.transpose(0, 1), "a row of its own"),
        (lambda c_n: torch.cat([c_n[-2], c_n[-1]], dim=-1), "one layer only"),
    ],
)
def test_cell_by_layer_mistakes_are_named(wrong, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_cell_by_layer(wrong)
    message = str(caught.value)
    assert says in message and "04, section 1" in message
    assert "h_n[" not in message  # a c_n exercise speaks of c_n


def test_cell_by_layer_raising_answer_gets_a_message():
    with pytest.raises(AssertionError, match="Your function raised RuntimeError") as caught:
        check_cell_by_layer(lambda c_n: c_n.view(7, -1, 13))
    assert "Traceback" not in str(caught.value)


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
