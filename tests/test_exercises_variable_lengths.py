"""Notebook 06's checkers: the reference solutions pass, each plausible mistake gets its own diagnosis, and an
answer that raises gets a message, never a traceback."""

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from helpers import check_packed_fields, check_padded_shapes, check_state_at
from helpers.exercises.solutions import variable_lengths as solutions
from helpers.exercises.variable_lengths import packed_fields


def test_reference_solutions_pass(capsys):
    check_packed_fields(solutions.packed_fields)
    check_state_at(solutions.state_at)
    check_padded_shapes(solutions.padded_shapes)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct:") for line in lines)


@pytest.mark.parametrize("check", [check_packed_fields, check_state_at, check_padded_shapes])
def test_none_is_not_answered_yet(check, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def test_the_prediction_is_compared_with_torch():
    x = torch.zeros(4, 6, 2)
    packed = pack_padded_sequence(x, [3, 6, 1, 4], batch_first=True, enforce_sorted=False)
    assert packed_fields() == {
        "data_shape": tuple(packed.data.shape),
        "batch_sizes": packed.batch_sizes.tolist(),
        "sorted_indices": packed.sorted_indices.tolist(),
        "unsorted_indices": packed.unsorted_indices.tolist(),
    }
    assert solutions.packed_fields["batch_sizes"] == packed.batch_sizes.tolist()


RIGHT = solutions.packed_fields


@pytest.mark.parametrize(
    "change,says",
    [
        ({"batch_sizes": [6, 4, 3, 1]}, "Those are the lengths, sorted"),
        ({"batch_sizes": [3, 3, 2, 1, 1, 0]}, "Counted from step 1"),
        ({"batch_sizes": [4, 4, 4, 4, 4, 4]}, "a finished sequence drops out"),
        ({"data_shape": (24, 2)}, "That counts the padding"),
        ({"data_shape": (4, 6, 2)}, "That is x itself"),
        ({"sorted_indices": [2, 0, 3, 1]}, "That is unsorted_indices"),
        ({"unsorted_indices": [1, 3, 0, 2]}, "That is sorted_indices"),
        ({"batch_sizes": [5, 5, 5, 5, 5, 5]}, "batch_sizes[t] counts the sequences still running at step t"),
    ],
)
def test_packed_fields_mistakes_are_named(change, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_packed_fields({**RIGHT, **change})
    text = str(caught.value)
    assert says in text and "06, section 8" in text
    for value in change.values():  # expected and got are both shown
        assert f"you predicted {list(value)}" in text and "torch gives" in text


def test_packed_fields_odd_answers():
    with pytest.raises(AssertionError, match="must be a dict"):
        check_packed_fields([4, 3, 3])
    with pytest.raises(AssertionError, match='"batch_sizes" is missing'):
        check_packed_fields({k: v for k, v in RIGHT.items() if k != "batch_sizes"})


def start(p, t):
    return int(p.batch_sizes[:t].sum())


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda p, n, t: p.data[t * len(p.unsorted_indices) + n], "counts N rows for every step"),
        (lambda p, n, t: p.data[start(p, t) + n], "at position n of it"),
        (lambda p, n, t: p.data[start(p, t) + int(p.sorted_indices[n])], "at position sorted_indices[n]"),
        (lambda p, n, t: p.data[start(p, t + 1) + int(p.unsorted_indices[n])], "one step late"),
        (lambda p, n, t: pad_packed_sequence(p, batch_first=True)[0][n, t], "read from a padded tensor"),
        (lambda p, n, t: p.shape, "packed_output is a PackedSequence, not a tensor"),
        (lambda p, n, t: p.data[start(p, t)], "Find the rows of step t first"),
    ],
)
def test_state_at_mistakes_are_named(wrong, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_state_at(wrong)
    text = str(caught.value)
    assert says in text and "06, section 8" in text and "expected shape" in text
    assert "Traceback" not in text


def test_state_at_batch_major_reading_is_named():
    def batch_major(p, n, t):
        lengths = torch.zeros(len(p.unsorted_indices), dtype=torch.long)
        for size in p.batch_sizes:  # rebuild the sorted lengths from batch_sizes
            lengths[:size] += 1
        k = int(p.unsorted_indices[n])
        return p.data[int(lengths[:k].sum()) + t]

    with pytest.raises(AssertionError, match="time-major") as caught:
        check_state_at(batch_major)
    assert "one sequence after another" in str(caught.value)


def test_state_at_answers_that_raise_get_a_message():
    def raises(p, n, t):
        raise ValueError("my own bug")

    with pytest.raises(AssertionError, match="Your function raised ValueError: my own bug"):
        check_state_at(raises)
    with pytest.raises(AssertionError, match="not a tensor"):
        check_state_at(lambda p, n, t: [1.0, 2.0])
    with pytest.raises(AssertionError, match="The checker calls state_at"):
        check_state_at(lambda p, n: p.data[0])


@pytest.mark.parametrize(
    "change,says",
    [
        ({"output": (4, 10, 10)}, "max(lengths) = 9, not to x's 10 steps"),
        ({"output_total_length": (4, 9, 10)}, "total_length=10 asks for 10 steps"),
        ({"output": (4, 7, 10)}, "pads to the longest sequence: max(lengths) = 9"),
        ({"h_n": (2, 4, 10)}, "Not yet"),
    ],
)
def test_padded_shapes_name_max_lengths_and_total_length(change, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_padded_shapes({**solutions.padded_shapes, **change})
    assert says in str(caught.value)
