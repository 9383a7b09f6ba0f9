"""Notebook 09's checkers: reference solutions pass, None waits, and the usual mistakes are named."""

import pytest
import torch

from helpers.exercises.cheat_sheet import check_projected_shapes, check_summary_from_output
from helpers.exercises.solutions import cheat_sheet as solutions

CHECKS = [
    (check_projected_shapes, solutions.projected_shapes),
    (check_summary_from_output, solutions.summary_from_output),
]


@pytest.mark.parametrize("check,solution", CHECKS)
def test_reference_solution_is_correct(check, solution, capsys):
    check(solution)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize("check,solution", CHECKS)
def test_none_is_not_answered_yet(check, solution, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def padded_last(output, lengths):
    h = output.shape[-1] // 2
    return torch.cat([output[:, -1, :h], output[:, 0, h:]], dim=1)


@pytest.mark.parametrize(
    "check,answer,named",
    [
        (check_projected_shapes, {"output": (7, 1, 8), "h_n": (4, 4), "c_n": (4, 10)}, "output"),
        (check_projected_shapes, {"output": (7, 8), "h_n": (4, 10), "c_n": (4, 10)}, "proj_size"),
        (check_summary_from_output, padded_last, "padding"),
        (check_summary_from_output, lambda output, lengths: output[:, -1], "Not yet"),
    ],
)
def test_mistakes_are_named(check, answer, named):
    with pytest.raises(AssertionError, match="Not yet") as error:
        check(answer)
    assert named in str(error.value)


def test_projected_shapes_are_read_off_a_run_and_leave_the_random_state():
    from helpers.exercises.cheat_sheet import projected_run_shapes

    torch.manual_seed(5)
    state = torch.random.get_rng_state()
    shapes = projected_run_shapes()
    assert torch.equal(torch.random.get_rng_state(), state)
    # by the rules: unbatched drops N; output D * H_out = 2 * proj_size; c_n keeps hidden_size
    assert shapes == {"output": (7, 2 * 4), "h_n": (2 * 2, 4), "c_n": (2 * 2, 10)}
