"""Notebook 09's checkers: reference solutions pass, None waits, the usual mistakes are named, and an answer that
raises gets a message, never a traceback."""

import pytest
import torch
from torch.nn.utils.rnn import pad_packed_sequence

from helpers.exercises.cheat_sheet import check_projected_shapes, check_summary_from_packed
from helpers.exercises.solutions import cheat_sheet as solutions

CHECKS = [
    (check_projected_shapes, solutions.projected_shapes),
    (check_summary_from_packed, solutions.summary_from_packed),
]


@pytest.mark.parametrize("check,solution", CHECKS)
def test_reference_solution_is_correct(check, solution, capsys):
    check(solution)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize("check,solution", CHECKS)
def test_none_is_not_answered_yet(check, solution, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def halves(p):
    output, lengths = pad_packed_sequence(p)  # (L, N, 2 * H_out)
    return output, lengths, output.shape[-1] // 2, torch.arange(output.shape[1])


def summary_sorted(p):
    output, lengths, h, n = halves(p)
    return torch.cat([output[lengths - 1, n, :h], output[0, :, h:]], dim=1)[p.sorted_indices]


def batch_first_indexing(p):
    output, lengths, h, n = halves(p)
    return torch.cat([output[n, lengths - 1, :h], output[:, 0, h:]], dim=1)


@pytest.mark.parametrize(
    "answer,named",
    [
        (lambda p: halves(p)[0][-1], "zeros for every sequence shorter"),
        (lambda p: (lambda o, lengths, h, n: o[lengths - 1, n])(*halves(p)), "the backward pass ends at step 0"),
        (
            lambda p: (lambda o, lengths, h, n: torch.cat([o[0, :, h:], o[lengths - 1, n, :h]], 1))(*halves(p)),
            "backward half first",
        ),
        (summary_sorted, "sorted order"),
        (lambda p: halves(p)[0][0], "both halves at step 0"),
        (batch_first_indexing, "time first"),
        (lambda p: p[0][0], "Pad the packed output first"),
        (lambda p: p.shape, "packed_output is a PackedSequence"),
    ],
)
def test_summary_from_packed_mistakes_are_named(answer, named):
    with pytest.raises(AssertionError, match="Not yet") as error:
        check_summary_from_packed(answer)
    assert named in str(error.value) and "expected shape" in str(error.value)


@pytest.mark.parametrize(
    "answer,named",
    [
        ({"output": (7, 1, 8), "h_n": (4, 4), "c_n": (4, 10)}, "output"),
        ({"output": (7, 8), "h_n": (4, 10), "c_n": (4, 10)}, "proj_size"),
    ],
)
def test_projected_shapes_mistakes_are_named(answer, named):
    with pytest.raises(AssertionError, match="Not yet") as error:
        check_projected_shapes(answer)
    assert named in str(error.value)


def off_by_one(p):
    output, lengths, h, n = halves(p)
    return torch.cat([output[lengths, n, :h], output[0, :, h:]], dim=1)


def time_first_read_as_batch_first(p):
    output, lengths, h, n = halves(p)
    return torch.cat([output[n, lengths - 1, :h], output[:, 0, h:]], dim=1)


@pytest.mark.parametrize(
    "answer,named,not_named",
    [
        (off_by_one, "lengths[n] - 1", "batch_first=True"),
        (time_first_read_as_batch_first, "returns output time first", "one past the last step"),
    ],
)
def test_summary_from_packed_index_errors_name_their_own_cause(answer, named, not_named):
    with pytest.raises(AssertionError, match="raised IndexError") as error:
        check_summary_from_packed(answer)
    assert named in str(error.value) and not_named not in str(error.value)


def test_summary_from_packed_answers_that_raise_get_a_message():
    def raises(p):
        raise RuntimeError("my own bug")

    with pytest.raises(AssertionError, match="Your function raised RuntimeError: my own bug"):
        check_summary_from_packed(raises)


def test_projected_shapes_are_read_off_a_run_and_leave_the_random_state():
    from helpers.exercises.cheat_sheet import projected_run_shapes

    torch.manual_seed(5)
    state = torch.random.get_rng_state()
    shapes = projected_run_shapes()
    assert torch.equal(torch.random.get_rng_state(), state)
    # by the rules: unbatched drops N; output D * H_out = 2 * proj_size; c_n keeps hidden_size
    assert shapes == {"output": (7, 2 * 4), "h_n": (2 * 2, 4), "c_n": (2 * 2, 10)}
