"""Notebook 05's checkers: the reference solutions pass, each plausible mistake gets its own message, and nothing
the learner's code raises reaches them as a traceback."""

import pytest
import torch

from helpers.exercises.batch_first import (
    BATCH_FIRST_CONFIG,
    TO_H_0_CASES,
    UNBATCHED_CONFIG,
    check_batch_first_shapes,
    check_rows_to_h_0,
    check_unbatched_shapes,
    per_sequence_rows,
)
from helpers.exercises.solutions import batch_first as solutions
from helpers.models import run

CHECKS = [check_batch_first_shapes, check_unbatched_shapes, check_rows_to_h_0]


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as caught:
        check(answer)
    message = str(caught.value)
    assert message.startswith("Not yet") and "Traceback" not in message, message
    return message


def test_reference_solutions_pass(capsys):
    check_batch_first_shapes(solutions.batch_first_shapes)
    check_unbatched_shapes(solutions.unbatched_shapes)
    check_rows_to_h_0(solutions.rows_to_h_0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct:") for line in lines)


def test_the_expected_shapes_are_torchs():
    r = run(BATCH_FIRST_CONFIG, seq_len=9, batch_size=3)
    assert tuple(r.output.shape) == (3, 9, 10) and tuple(r.h_n.shape) == (4, 3, 5)
    r = run(UNBATCHED_CONFIG, seq_len=9, unbatched=True)
    assert tuple(r.output.shape) == (9, 2) and tuple(r.h_n.shape) == (3, 2) and tuple(r.c_n.shape) == (3, 6)


@pytest.mark.parametrize("check", CHECKS)
def test_none_is_not_answered_yet(check, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def test_exercise_3_rows_hold_every_sequence_and_the_answer_is_a_real_h_0():
    """What the learner is given is section 6's flattening; the wanted tensor is a start state the module takes."""
    for case in TO_H_0_CASES:
        r = case.run()
        rows = per_sequence_rows(r)
        n = r.h_n.shape[1]
        assert rows.shape == (n, r.h_n.numel() // n)
        assert torch.equal(rows[0], torch.cat(list(r.h_n[:, 0])))  # row 0: sequence 0's states, row by row
        h_0 = solutions.rows_to_h_0(rows, r.module)
        start = (h_0, torch.zeros_like(r.c_n)) if r.c_n is not None else h_0
        r.module(r.x, start)  # torch accepts it as h_0: the layout really is (num_layers * D, N, H_out)
    # the third case is section 3's trap: a batch-first h_0 has the very shape of the right one
    r = TO_H_0_CASES[2].run()
    rows_n = r.config.num_layers * r.config.num_directions
    assert r.h_n.shape[1] == rows_n and not r.config.batch_first


def _d(module) -> int:
    return 2 if module.bidirectional else 1


def _reshape_only(rows, module):
    return rows.reshape(module.num_layers * _d(module), rows.shape[0], -1)


def _batch_first(rows, module):
    return rows.reshape(rows.shape[0], module.num_layers * _d(module), -1)


def _layers_only(rows, module):
    return rows.reshape(rows.shape[0], module.num_layers, -1).transpose(0, 1)


def _hidden_size_wide(rows, module):
    return rows.reshape(rows.shape[0], -1, module.hidden_size).transpose(0, 1)


def _one_row(rows, module):
    return rows.unsqueeze(0)


def _features_moved(rows, module):
    return rows.reshape(rows.shape[0], -1, module.num_layers * _d(module)).permute(2, 0, 1)


def _hard_coded(rows, module):
    return rows.reshape(3, 2, 3).transpose(0, 1)  # right for the first case only


def _hard_coded_fits(rows, module):
    return rows.reshape(rows.shape[0], 2, -1).transpose(0, 1)  # 2 rows: right on the first case only


def _wrong_attribute(rows, module):
    return rows.reshape(rows.shape[0], module.layers, -1).transpose(0, 1)


def _as_numpy(rows, module):
    return solutions.rows_to_h_0(rows, module).numpy()


@pytest.mark.parametrize(
    "wrong,says",
    [
        (_reshape_only, "reshape regroups the numbers in memory order"),
        (_batch_first, "h_0 is never batch first, even for a module made with batch_first=True"),
        (_layers_only, "num_layers * D rows (D = 2 with bidirectional=True)"),
        (_hidden_size_wide, "H_out is proj_size when it is set, not hidden_size"),
        (_one_row, "h_0 has num_layers * D rows, each H_out wide"),
        (_features_moved, "the numbers of different rows end up alternating"),
        (_hard_coded_fits, "Your code has the number 2 written in it"),
        (_hard_coded, "each row num_layers * D * H_out = 2 * 2 * 2 = 8 numbers wide"),
        (_wrong_attribute, "The module's settings are module.num_layers"),
        (_as_numpy, "drop .numpy()"),
    ],
)
def test_rows_to_h_0_mistakes_are_named(wrong, says):
    message = failure(check_rows_to_h_0, wrong)
    assert says in message and "05, section 6" in message, message


def test_rows_to_h_0_batch_first_slip_is_named_where_its_shape_fits():
    """Section 3's silent case: N == num_layers * D, the batch-first h_0 has the right shape, and is still named."""
    case = TO_H_0_CASES[2]

    def batch_first_only_where_it_fits(rows, module):
        right = solutions.rows_to_h_0(rows, module)
        return right.transpose(0, 1) if right.shape[0] == right.shape[1] else right

    message = failure(check_rows_to_h_0, batch_first_only_where_it_fits)
    assert case.describe() in message and "h_0 is never batch first" in message, message


@pytest.mark.parametrize(
    "raises",
    [
        lambda rows, module: rows[rows.shape[0]],  # IndexError
        lambda rows, module: rows.view(-1, module.num_layers).transpose(0, 1).view(5, -1),  # view after transpose
        lambda rows, module: 1 / 0,
        lambda rows: rows,  # one argument too few
    ],
)
def test_answers_that_raise_get_a_message_not_a_traceback(raises):
    message = failure(check_rows_to_h_0, raises)
    assert (
        "Your function raised" in message or "The checker calls rows_to_h_0(rows, module) with 2 arguments" in message
    )


@pytest.mark.parametrize(
    "check,answer,says",
    [
        (
            check_batch_first_shapes,
            {"output": (3, 9, 10), "h_n": (3, 4, 5), "h_0": (3, 4, 5)},
            "batch_first never applies to h_n or c_n, nor to the h_0 and c_0 you pass",
        ),
        (
            check_batch_first_shapes,
            {"output": (9, 3, 10), "h_n": (4, 3, 5), "h_0": (4, 3, 5)},
            "batch_first=True puts the batch N first",
        ),
        (check_batch_first_shapes, {"output": (3, 9, 5), "h_n": (4, 3, 5), "h_0": (4, 3, 5)}, "so D = 2"),
        (
            check_batch_first_shapes,
            {"output": (3, 9, 10), "h_n": (4, 9, 5), "h_0": (4, 3, 5)},
            "size 1 should be 3, not 9: h_n's axis 1 is N, one entry per sequence",
        ),
        (
            check_batch_first_shapes,
            {"output": (3, 9, 10), "h_n": (4, 3, 5), "h_0": (4, 5)},
            "you left out the batch axis N = 3",
        ),
        (
            check_unbatched_shapes,
            {"output": (9, 1, 2), "h_n": (3, 1, 2), "c_n": (3, 1, 6)},
            "you kept a batch axis of size 1 (position 1): one unbatched sequence (L, H_in) gives results with no "
            "batch axis at all",
        ),
        (
            check_unbatched_shapes,
            {"output": (9, 6), "h_n": (3, 6), "c_n": (3, 6)},
            "the last size of h_n is H_out = 2: proj_size, since proj_size is set",
        ),
        (
            check_unbatched_shapes,
            {"output": (9, 2), "h_n": (3, 2), "c_n": (3, 2)},
            "c_n keeps hidden_size = 6: proj_size shrinks h_n and output, never the cell state",
        ),
        (
            check_unbatched_shapes,
            {"output": (9, 2), "h_n": (6, 2), "c_n": (3, 6)},
            "you counted twice as many rows",
        ),
    ],
)
def test_shape_mistakes_are_named(check, answer, says):
    message = failure(check, answer)
    assert says in message, message
