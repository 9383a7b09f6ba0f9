"""Notebook 05's checkers: the reference solutions pass, and each named mistake gets its own message."""

import pytest

from helpers import check_batch_first_shapes, check_per_sequence, check_unbatched_shapes, run
from helpers.exercises.batch_first import BATCH_FIRST_CONFIG, UNBATCHED_CONFIG
from helpers.exercises.solutions import batch_first as solutions


def test_reference_solutions_pass(capsys):
    check_batch_first_shapes(solutions.batch_first_shapes)
    check_unbatched_shapes(solutions.unbatched_shapes)
    check_per_sequence(solutions.per_sequence)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct:") for line in lines)


def test_the_expected_shapes_are_torchs():
    r = run(BATCH_FIRST_CONFIG, seq_len=9, batch_size=3)
    assert tuple(r.output.shape) == (3, 9, 10) and tuple(r.h_n.shape) == (4, 3, 5)
    r = run(UNBATCHED_CONFIG, seq_len=9, unbatched=True)
    assert tuple(r.output.shape) == (9, 2) and tuple(r.h_n.shape) == (3, 2) and tuple(r.c_n.shape) == (3, 6)


@pytest.mark.parametrize("check", [check_batch_first_shapes, check_unbatched_shapes, check_per_sequence])
def test_none_is_not_answered_yet(check, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda h_n: h_n.view(h_n.shape[1], -1), "reshape (or view) without a transpose"),
        (lambda h_n: h_n.reshape(h_n.shape[1], -1), "reshape (or view) without a transpose"),
        (lambda h_n: h_n.transpose(0, 1), "torch.stack makes a new dimension"),
    ],
)
def test_per_sequence_mistakes_are_named(wrong, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_per_sequence(wrong)
    assert says in str(caught.value) and "05, section 6" in str(caught.value)


@pytest.mark.parametrize(
    "check,answer,says",
    [
        (
            check_batch_first_shapes,
            {"output": (3, 9, 10), "h_n": (3, 4, 5), "h_0": (3, 4, 5)},
            "batch_first never applies to h_n or c_n",
        ),
        (
            check_batch_first_shapes,
            {"output": (9, 3, 10), "h_n": (4, 3, 5), "h_0": (4, 3, 5)},
            "batch_first=True puts the batch N first",
        ),
        (check_batch_first_shapes, {"output": (3, 9, 5), "h_n": (4, 3, 5), "h_0": (4, 3, 5)}, "so D = 2"),
        (check_unbatched_shapes, {"output": (9, 1, 2), "h_n": (3, 1, 2), "c_n": (3, 1, 6)}, "it has 3 sizes"),
        (check_unbatched_shapes, {"output": (9, 6), "h_n": (3, 6), "c_n": (3, 6)}, "proj_size if it is set"),
    ],
)
def test_shape_mistakes_are_named(check, answer, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check(answer)
    assert says in str(caught.value)
