"""Notebook 06's checkers: the reference solutions pass, and each named mistake gets its own message."""

import pytest
import torch

from helpers import check_last_valid, check_packed_backward_final, check_padded_shapes
from helpers.exercises.solutions import variable_lengths as solutions


def test_reference_solutions_pass(capsys):
    check_last_valid(solutions.last_valid)
    check_packed_backward_final(solutions.packed_backward_final)
    check_padded_shapes(solutions.padded_shapes)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct:") for line in lines)


@pytest.mark.parametrize(
    "check,name",
    [
        (check_last_valid, "check_last_valid"),
        (check_packed_backward_final, "check_packed_backward_final"),
        (check_padded_shapes, "padded_shapes"),
    ],
)
def test_none_is_not_answered_yet_and_names_the_checker(check, name, capsys):
    check(None)
    out = capsys.readouterr().out
    assert out.startswith("Not answered yet") and name in out


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda output, lengths: output[:, -1], "is zeros: what output holds after a sequence's end (padding)"),
        (lambda output, lengths: output[torch.arange(output.shape[0]), lengths], "raised IndexError"),
        (lambda output, lengths: output[lengths - 1, torch.arange(output.shape[0])], "Not yet"),  # time-major indexing
    ],
)
def test_last_valid_mistakes_are_named(wrong, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_last_valid(wrong)
    assert says in str(caught.value) and "06, section 3" in str(caught.value)


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda output: output[:, 0, : output.shape[-1] // 2], "That is the forward direction"),
        (lambda output: output[:, -1, output.shape[-1] // 2 :], "padding"),
    ],
)
def test_backward_final_mistakes_are_named(wrong, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_packed_backward_final(wrong)
    assert says in str(caught.value) and "06, section 5" in str(caught.value)


def test_padded_shapes_mistake_is_shown_against_torchs_shape():
    with pytest.raises(AssertionError, match=r'"output": you said \(4, 10, 10\), it is \(4, 9, 10\)'):
        check_padded_shapes({"output": (4, 10, 10), "output_total_length": (4, 10, 10), "h_n": (2, 4, 5)})
