"""Notebook 08's checkers: reference solutions pass, None waits, and the usual mistakes are named."""

import pytest
import torch

from helpers.exercises.solutions import using_the_states as solutions
from helpers.exercises.using_the_states import check_decoder_h_0, check_last_valid_step, check_seq2seq_shapes

CHECKS = [
    (check_last_valid_step, solutions.last_valid_step),
    (check_decoder_h_0, solutions.decoder_h_0),
    (check_seq2seq_shapes, solutions.seq2seq_shapes),
]


@pytest.mark.parametrize("check,solution", CHECKS)
def test_reference_solution_is_correct(check, solution, capsys):
    check(solution)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize("check,solution", CHECKS)
def test_none_is_not_answered_yet(check, solution, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


@pytest.mark.parametrize(
    "check,answer,named",
    [
        (check_last_valid_step, lambda output, lengths: output[:, -1], "padding"),
        (check_decoder_h_0, lambda h_n, num_layers: h_n.view(num_layers, h_n.shape[1], -1), "glues the states"),
        (
            check_decoder_h_0,
            lambda h_n, num_layers: torch.cat(
                [h_n.view(num_layers, 2, *h_n.shape[1:])[:, 1], h_n.view(num_layers, 2, *h_n.shape[1:])[:, 0]], dim=-1
            ),
            "backward state first",
        ),
        (
            check_decoder_h_0,
            lambda h_n, num_layers: h_n.view(num_layers, 2, *h_n.shape[1:]).sum(1),
            "added, not joined",
        ),
        (
            check_seq2seq_shapes,
            {"enc_output": (8, 12, 16), "h_n": (3, 8, 16), "c_n": (6, 8, 16), "decoder_h_0": (3, 8, 32)},
            "num_layers * D",
        ),
    ],
)
def test_mistakes_are_named(check, answer, named):
    with pytest.raises(AssertionError, match="Not yet") as error:
        check(answer)
    assert named in str(error.value)
