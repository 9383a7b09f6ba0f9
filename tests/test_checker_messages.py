"""The shared checker messages (issue 24): a shape message names what the axis means, for output, h_n, c_n, h_0
and x; c_n's message speaks of proj_size only where proj_size is involved; an unbatched answer that keeps a batch
axis of one is named as such; a c_n exercise is told about c_n's rows, not h_n's; an answer that breaks on a later
configuration is told of a number in its code only when its code has one; a permute that moves the features is
named as such, not as a slice bound."""

import pytest
import torch

from helpers.exercises.core import Case, _broke_after, check_function
from helpers.exercises.diagnose import diagnose
from helpers.exercises.shapes import check_shapes
from helpers.models import RNNConfig, run


def shape_lines(answer, expected, config=None) -> list[str]:
    with pytest.raises(AssertionError) as caught:
        check_shapes(answer, name="s", expected=expected, section="x", success="y", config=config)
    return str(caught.value).splitlines()[1:-1]


# each tensor, a wrong size in one axis that no special rule explains, and the meaning that axis must be given
@pytest.mark.parametrize(
    "key,expected,answer,meaning",
    [
        ("output", (4, 7, 10), (4, 8, 10), "output's axis 1 is L, one entry per time step"),
        ("output", (4, 7, 10), (5, 7, 10), "output's axis 0 is N, one entry per sequence"),
        ("h_n", (6, 4, 5), (1, 4, 5), "h_n's axis 0 is num_layers * D, one row per layer and direction"),
        ("h_n", (6, 4, 5), (6, 9, 5), "h_n's axis 1 is N, one entry per sequence"),
        ("c_n", (6, 4, 8), (6, 9, 8), "c_n's axis 1 is N, one entry per sequence"),
        ("h_0", (6, 4, 5), (1, 4, 5), "h_0's axis 0 is num_layers * D, one row per layer and direction"),
        ("x", (4, 7, 3), (4, 7, 3, 2), "(N, L, H_in): N, one entry per sequence; L, one entry per time step"),
        ("x", (4, 7, 3), (4, 9, 3), "x's axis 1 is L, one entry per time step"),
    ],
)
def test_every_tensors_shape_message_names_the_axis(key, expected, answer, meaning):
    # output (4, 7, 10) with h_n (6, 4, 5): batch first (N = 4 first), two directions (10 = 2 * 5)
    shapes = {"output": (4, 7, 10), "h_n": (6, 4, 5), key: expected}
    lines = shape_lines({**shapes, key: answer}, shapes)
    assert len(lines) == 1 and meaning in lines[0], lines


def test_time_first_layout_is_read_off_the_expected_shapes():
    shapes = {"output": (7, 4, 10), "h_n": (6, 4, 5)}
    lines = shape_lines({"output": (7, 5, 10), "h_n": (6, 4, 5)}, shapes)
    assert "output's axis 1 is N, one entry per sequence" in lines[0], lines


@pytest.mark.parametrize(
    "expected,answer,involved",
    [
        ({"h_n": (2, 3, 4), "c_n": (2, 3, 8)}, {"h_n": (2, 3, 4), "c_n": (2, 3, 4)}, True),  # h's width given to c
        ({"output": (5, 3, 4), "c_n": (2, 3, 8)}, {"output": (5, 3, 4), "c_n": (2, 3, 4)}, True),  # output's width
        ({"h_n": (2, 3, 8), "c_n": (2, 3, 8)}, {"h_n": (2, 3, 8), "c_n": (2, 3, 5)}, False),  # no projection
        ({"c_n": (2, 3, 8)}, {"c_n": (2, 3, 5)}, False),
    ],
)
def test_c_n_message_speaks_of_proj_size_only_where_it_is_involved(expected, answer, involved):
    lines = shape_lines(answer, expected)
    line = next(line for line in lines if '"c_n"' in line)
    assert ("proj_size" in line) == involved, line
    assert "hidden_size = 8" in line or "hidden_size = " in line


def test_c_n_message_with_a_config_that_has_proj_size():
    config = RNNConfig("lstm", input_size=3, hidden_size=6, proj_size=2)
    line = shape_lines({"c_n": (1, 3, 5)}, {"c_n": (1, 3, 6)}, config)[0]
    assert "proj_size shrinks h_n and output, never the cell state" in line, line
    config = RNNConfig("lstm", input_size=3, hidden_size=6)
    line = shape_lines({"c_n": (1, 3, 5)}, {"c_n": (1, 3, 6)}, config)[0]
    assert "proj_size" not in line and "the width of the cell state" in line, line


@pytest.mark.parametrize("key", ["output", "h_n", "c_n", "h_0"])
def test_an_unbatched_answer_with_a_batch_axis_of_one_is_named(key):
    expected = {"output": (9, 2), "h_n": (3, 2), "c_n": (3, 6), "h_0": (3, 2)}
    answer = dict(expected)
    answer[key] = expected[key][:1] + (1,) + expected[key][1:]
    line = shape_lines(answer, expected)[0]
    assert "you kept a batch axis of size 1 (position 1)" in line and "no batch axis at all" in line, line


def test_a_batched_answer_without_its_batch_axis_is_named():
    line = shape_lines({"output": (7, 4, 10), "h_n": (6, 5)}, {"output": (7, 4, 10), "h_n": (6, 4, 5)})[0]
    assert "you left out the batch axis N = 4" in line, line


def test_wrong_layer_in_a_c_n_exercise_speaks_of_c_n():
    r = run(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=2, bidirectional=True), seq_len=5, batch_size=2)
    expected = torch.cat([r.c_n[-2], r.c_n[-1]], dim=-1)
    got = torch.cat([r.c_n[0], r.c_n[1]], dim=-1)  # layer 0's rows
    text = diagnose(r, got, expected, "c_n").text
    assert "the last rows of c_n hold the top layer" in text and "h_n" not in text, text
    # the same mistake on h_n still says h_n and output
    text = diagnose(r, torch.cat([r.h_n[0], r.h_n[1]], -1), torch.cat([r.h_n[-2], r.h_n[-1]], -1), "h_n").text
    assert "the last rows of h_n hold the top layer, the one output shows" in text, text


def test_a_permute_that_moves_the_features_is_named_not_blamed_on_a_slice_bound():
    r = run(RNNConfig("gru", input_size=3, hidden_size=3, num_layers=2), seq_len=5, batch_size=3)
    expected = r.h_n.transpose(0, 1).reshape(3, -1)
    got = r.h_n.permute(1, 2, 0).reshape(3, -1)
    diagnosis = diagnose(r, got, expected, "h_n")
    assert diagnosis.pattern == "features_moved", diagnosis
    assert "slice bound" not in diagnosis.text and "permute(1, 2, 0)" in diagnosis.text, diagnosis.text


CASES = [
    Case(RNNConfig("gru", input_size=3, hidden_size=3, num_layers=1), 5, 2),
    Case(RNNConfig("gru", input_size=3, hidden_size=4, num_layers=1, bidirectional=True), 5, 2),
]


def top_rows(num_layers, bidirectional):  # forgets D: nothing is written as a number
    return list(range(num_layers))


def hard_coded(h_n):
    return h_n[:, :, :3]  # 3 is hidden_size of the first case


def test_broke_after_speaks_of_a_number_only_when_the_code_has_one():
    text = _broke_after([CASES[0]], CASES[1], top_rows)
    assert "number" not in text and "bidirectional=True each layer has two rows" in text, text
    text = _broke_after([CASES[0]], CASES[1], hard_coded)
    assert "Your code has the number 3 written in it" in text, text
    text = _broke_after([CASES[0]], CASES[1], len)  # code that cannot be read: both causes stay possible
    assert "would do this" in text and "Or it does not follow what changed" in text, text


def test_a_hard_coded_width_is_named_through_check_function():
    with pytest.raises(AssertionError) as caught:
        check_function(
            hard_coded,
            name="h",
            signature="h(h_n)",
            cases=CASES,
            call=lambda f, r: f(r.h_n),
            expected=lambda r: r.h_n,
            wanted="h_n",
            section="s",
            success="y",
        )
    assert "Your code has the number 3 written in it" in str(caught.value), str(caught.value)


def test_an_unbatched_tensor_answer_with_a_batch_axis_of_one_is_named():
    r = run(RNNConfig("gru", input_size=3, hidden_size=4, num_layers=2), seq_len=5, unbatched=True)
    expected = r.h_n[-1]  # (H_out,)
    diagnosis = diagnose(r, r.h_n[-1:].unsqueeze(1)[0], expected, "h_n")  # (1, H_out)
    assert diagnosis.pattern == "unbatched_batch_axis" and "a batch axis of one" in diagnosis.text, diagnosis
    answer = r.h_n[-1:].unsqueeze(1)[0]
    assert torch.equal(eval(diagnosis.advice, {"answer": answer}), expected)  # the advice gives the wanted tensor
    # batched: the same extra dimension is a kept slice, not a batch axis
    r = run(RNNConfig("gru", input_size=3, hidden_size=4, num_layers=2), seq_len=5, batch_size=2)
    assert diagnose(r, r.h_n[-1:], r.h_n[-1], "h_n").pattern == "extra_dim"
