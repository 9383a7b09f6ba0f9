"""Notebooks 00-04 (issue 24): every exercise passes its reference solution, names at least three wrong answers,
and turns an answer that raises into a message; predictions are compared with what torch gives."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import helpers
from helpers import (
    check_both_finals,
    check_classifier_summary,
    check_grid_shapes,
    check_last_step,
    check_layer_output,
    check_packed_steps,
    check_predicted_shapes,
    check_reshape_blocks,
    check_rows_not_in_output,
    check_top_layer_final,
    run,
    split_layers,
)
from helpers.exercises.output_vs_h_n import PREDICTED, PREDICTED_INPUT, reshape_blocks
from helpers.exercises.solutions import output_vs_h_n as solutions_01
from helpers.exercises.solutions import start_here as solutions_00
from helpers.exercises.start_here import PACKED_CONFIG, PACKED_LENGTHS, packed_steps


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as error:
        check(answer)
    message = str(error.value)
    assert message.startswith("Not yet"), message
    assert "Traceback" not in message
    return message


def H(output):
    return output.shape[-1] // 2


def arange(output):
    return torch.arange(output.shape[1])


# --- 00 -----------------------------------------------------------------------------------------------------------


def test_00_demonstration_is_not_an_exercise_answer():
    """The demonstration's task is answered in section 4 already; its wrong answer gives away no exercise."""
    message = failure(check_top_layer_final, lambda h_n: h_n[0])
    assert "Likely mistake: that is h_n[0], the bottom layer's final state" in message
    assert "output[" not in message.split("Likely mistake:")[1].split("\n")[0]  # says nothing of last_step


@pytest.mark.parametrize(
    "answer,says",
    [
        (lambda h_n: h_n[0], "the bottom layer's final state"),
        (lambda h_n: h_n, "Your answer"),  # the whole h_n: shared diagnosis
        (lambda h_n: h_n[:, -1], "Your answer"),
    ],
)
def test_00_demonstration_names_mistakes(answer, says):
    assert says in failure(check_top_layer_final, answer)


def test_00_packed_steps_come_from_torch():
    assert packed_steps() == solutions_00.packed_steps
    # just outside: not packed, each forward row ends at the tensor's last step
    r = run(PACKED_CONFIG, seq_len=6, batch_size=2)
    boxes = helpers.unroll_module(r.module, r.x).hidden  # (num_layers, D, L, N, H_out)
    assert torch.equal(r.h_n[0, 1], boxes[0, 0, -1, 1]) and not torch.equal(r.h_n[0, 1], boxes[0, 0, 3, 1])
    assert PACKED_LENGTHS[1] - 1 == solutions_00.packed_steps[0] != 5


@pytest.mark.parametrize(
    "answer,says",
    [
        ([5, 0, 5, 0], "step 5 is the padded tensor's last step"),
        ([3, 3, 3, 3], "the backward pass starts at the sequence's last valid step (3)"),
        ([3, 3, 0, 0], "You listed the directions first"),
        ([0, 3, 0, 3], "the forward pass reads steps 0 to 3 and ends at step 3"),
        ([3, 0], "so the list needs 4 numbers, not 2"),
        ([6, 0, 3, 0], "Step 6 does not exist"),
    ],
)
def test_00_packed_steps_named_mistakes(answer, says):
    message = failure(check_packed_steps, answer)
    assert says in message and "expected [3, 0, 3, 0]" in message and f"got      {answer}" in message


@pytest.mark.parametrize("answer", ["3, 0, 3, 0", {"row 0": 3}, [3.0, 0, 3, 0], [True, 0, 3, 0]])
def test_00_packed_steps_odd_forms(answer):
    assert "packed_steps should be a list of whole numbers" in failure(check_packed_steps, answer)


@pytest.mark.parametrize(
    "answer,says",
    [
        ({"output": (3, 7, 6), "h_n": (4, 3, 6)}, "the first two sizes are swapped"),
        ({"output": (7, 3, 6), "h_n": (8, 3, 6)}, '"h_n"'),
        ({"output": (7, 3, 24), "h_n": (4, 3, 6)}, '"output"'),
    ],
)
def test_00_grid_shapes_names_each_wrong_entry(answer, says):
    assert says in failure(check_grid_shapes, answer)


# --- 01 -----------------------------------------------------------------------------------------------------------


def test_01_predicted_shapes_are_torchs_and_time_first():
    L, N, _ = PREDICTED_INPUT
    r = run(PREDICTED, seq_len=L, batch_size=N)
    assert not PREDICTED.batch_first and L != N
    assert solutions_01.predicted_shapes == {"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape)}


@pytest.mark.parametrize(
    "answer,says",
    [
        ({"output": (12, 3, 20), "h_n": (8, 12, 10)}, "the first two sizes are swapped"),  # read it as batch first
        ({"output": (3, 12, 10), "h_n": (8, 12, 10)}, "D * H_out"),
        ({"output": (3, 12, 20), "h_n": (4, 12, 10)}, "num_layers * D, not num_layers"),
        ({"output": (3, 12, 20), "h_n": (8, 3, 10)}, '"h_n"'),
    ],
)
def test_01_predicted_shapes_mistakes(answer, says):
    assert says in failure(check_predicted_shapes, answer)


@pytest.mark.parametrize(
    "answer,says",
    [
        (lambda num_layers, bidirectional: list(range(num_layers - 1)), "You listed layers, not rows"),
        (lambda num_layers, bidirectional: [0] if num_layers > 1 else [], "appears nowhere in output"),
        (lambda num_layers, bidirectional: list(range(num_layers * (1 + bidirectional) - 1)), "does appear in output"),
        (lambda num_layers, bidirectional: [num_layers * 2], "does not exist"),
        (lambda num_layers, bidirectional: "0", "return a list of row indices"),
    ],
)
def test_01_rows_not_in_output_mistakes_and_no_hard_coded_blame(answer, says):
    message = failure(check_rows_not_in_output, answer)
    assert says in message
    assert "written into the code" not in message  # the answer gets only sizes: nothing was hard-coded


def test_01_rows_not_in_output_still_passes_with_a_tensor_of_indices(capsys):
    check_rows_not_in_output(lambda num_layers, bidirectional: torch.arange((num_layers - 1) * (1 + bidirectional)))
    assert capsys.readouterr().out.startswith("Correct:")


def test_01_reshape_blocks_come_from_torch():
    assert reshape_blocks() == solutions_01.reshape_blocks
    # and they are not what transpose-then-reshape gives: the prediction tells the two apart
    assert reshape_blocks()[0] != [(0, 0), (1, 0), (2, 0)]


@pytest.mark.parametrize(
    "answer,says",
    [
        ([[(0, 0), (1, 0), (2, 0)], [(0, 1), (1, 1), (2, 1)]], "That is what h_n.transpose(0, 1).reshape(N, -1) gives"),
        ([[(0, 0), (1, 0), (0, 1)], [(1, 1), (0, 2), (1, 2)]], "Each pair is (sequence, layer)"),
        ([[(0, 0), (0, 1)], [(1, 0), (1, 1)], [(2, 0), (2, 1)]], "the answer needs 2 rows of 3 pairs"),
        ([[(0, 0), (0, 1), (1, 1)], [(1, 0), (2, 0), (2, 1)]], "Row 0, block 2: you said h_n[1, 1], it is h_n[1, 0]"),
    ],
)
def test_01_reshape_blocks_mistakes(answer, says):
    message = failure(check_reshape_blocks, answer)
    assert says in message and "expected [[(0, 0), (0, 1), (1, 0)]" in message


@pytest.mark.parametrize("answer", [[1, 2, 3], "rows", [[(0, 0, 0)]], [[("0", 0)]]])
def test_01_reshape_blocks_odd_forms(answer):
    assert "reshape_blocks should be a list of N = 2 rows" in failure(check_reshape_blocks, answer)


@pytest.mark.parametrize(
    "answer,says",
    [
        (lambda o, lengths: torch.cat([o[-1, :, : H(o)], o[0, :, H(o) :]], -1), "at the tensor's last step"),
        (lambda o, lengths: o[lengths - 1, arange(o)], "both halves are taken at each sequence's last valid step"),
        (
            lambda o, lengths: torch.cat([o[0, :, H(o) :], o[lengths - 1, arange(o), : H(o)]], -1),
            "in the wrong order",
        ),
        (
            lambda o, lengths: torch.cat([o[lengths - 1, arange(o), : H(o)], o[0, :, : H(o)]], -1),
            "the forward half of step 0",
        ),
        (
            lambda o, lengths: torch.cat([o[:, -1, : H(o)], o[:, 0, H(o) :]], -1),  # sliced as if batch first
            "one row per time step",
        ),
        (lambda o, lengths: o[lengths - 1, arange(o), : H(o)], "both final states side by side"),
        (
            lambda o, lengths: torch.cat([o[lengths - 1, :, : H(o)], o[0, :, H(o) :]], -1),
            "index the step and the sequence together",
        ),
        (
            lambda o, lengths: torch.cat([o[lengths, arange(o), : H(o)], o[0, :, H(o) :]], -1),
            "its last valid step is lengths[n] - 1",
        ),
    ],
)
def test_01_both_finals_mistakes(answer, says):
    assert says in failure(check_both_finals, answer)


def test_01_both_finals_does_not_give_away_exercise_5():
    message = failure(check_both_finals, lambda o, lengths: o[-1])
    assert "h_n[-2]" not in message and "torch.cat([h_n" not in message


@pytest.mark.parametrize(
    "answer,says",
    [
        (lambda h_n: h_n[-1], "It lacks h_n[-2, 0]"),
        (lambda h_n: torch.cat([h_n[-1], h_n[-2]], -1), "two halves of each row swapped"),
        (lambda h_n: torch.cat([h_n[0], h_n[1]], -1), "That is the wrong layer"),
        (lambda h_n: h_n[:, -1], "your answer is h_n[:, n], sequence n's final states"),
        (lambda h_n: torch.stack([h_n[-2], h_n[-1]]), "torch.stack makes a new dimension"),
        (lambda h_n: torch.cat([h_n[-2], h_n[-1]], dim=0), "joined along dimension 0"),
    ],
)
def test_01_classifier_summary_mistakes_get_a_message(answer, says):
    assert says in failure(check_classifier_summary, answer)


# --- 02 -----------------------------------------------------------------------------------------------------------


def _by_hand(module, x, layer, *, feed_x=False, input_size_x=False, cell=None):
    inp = x
    for k in range(layer + 1):
        width = module.input_size if (k == 0 or input_size_x) else module.hidden_size
        torch.manual_seed(0)
        one = (cell or type(module))(input_size=width, hidden_size=module.hidden_size)
        with torch.no_grad():
            for name, p in one.named_parameters():
                p.copy_(getattr(module, name.replace("_l0", f"_l{k}")))
        inp = one(x if feed_x else inp)[0]
    return inp


def test_02_layer_output_by_hand_passes(capsys):
    check_layer_output(_by_hand)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    "answer,says",
    [
        (lambda m, x, layer: _by_hand(m, x, layer, feed_x=True), "only layer 0 reads x"),
        (lambda m, x, layer: _by_hand(m, x, layer, input_size_x=True), "A weight did not fit"),
        (lambda m, x, layer: _by_hand(m, x, layer, cell=nn.GRU), "another number of gates"),
    ],
)
def test_02_layer_output_torch_errors_are_named(answer, says):
    message = failure(check_layer_output, answer)
    assert says in message


def test_02_feeding_x_to_every_layer_is_named_when_sizes_agree():
    """input_size == hidden_size: no size error, and the mistake is named by its numbers."""
    from helpers.exercises.layers import LAYER_CASES, _on_x, asked_layer

    case = next(c for c in LAYER_CASES if c.config.input_size == c.config.hidden_size)
    r = case.run()
    assert torch.equal(_by_hand(r.module, r.x, asked_layer(r), feed_x=True), _on_x(r, asked_layer(r)))


def test_02_layer_output_refuses_the_helpers():
    message = failure(
        lambda a: check_layer_output(a), lambda m, x, layer: helpers.run_layers(split_layers(m), x).layer_outputs[layer]
    )
    assert "uses helpers.split_layers" in message and "by hand" in message


def test_02_layer_output_refuses_the_helpers_under_another_name():
    stacked = helpers.stack.run_layers

    def through_a_name(m, x, layer):
        return stacked(helpers.stack.split_layers(m), x).layer_outputs[layer]

    message = failure(check_layer_output, through_a_name)
    assert "uses helpers." in message
    assert helpers.stack.run_layers is stacked and helpers.run_layers is stacked  # put back afterwards


# --- every function exercise of 00-04: an answer that raises gets a message ----------------------------------------

FUNCTION_CHECKERS = {
    check_top_layer_final: 1,
    check_last_step: 2,
    check_rows_not_in_output: 2,
    check_both_finals: 2,
    check_classifier_summary: 1,
    check_layer_output: 3,
    helpers.check_backward_after: 2,
    helpers.check_cell_by_layer: 1,
}


@pytest.mark.parametrize("check,arity", FUNCTION_CHECKERS.items(), ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("error", [ZeroDivisionError, KeyError, IndexError, RuntimeError])
def test_an_answer_that_raises_gets_a_clear_message(check, arity, error):
    def raises(*args):
        raise error("inside the learner's function")

    message = failure(check, raises)
    assert f"Your function raised {error.__name__}" in message and "Where it is explained" in message


@pytest.mark.parametrize("check,arity", FUNCTION_CHECKERS.items(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_a_function_with_the_wrong_arguments_gets_a_clear_message(check, arity):
    message = failure(check, lambda *args, **kwargs: (_ for _ in ()).throw(TypeError("bad")))
    assert "Your function raised TypeError" in message
    wrong_count = {1: lambda a, b: a, 2: lambda a: a, 3: lambda a: a}[arity]
    message = failure(check, wrong_count)
    assert "Give your function exactly the arguments" in message


# --- 02 and 04: the predict-the-shapes exercises, three wrong predictions each ------------------------------------


@pytest.mark.parametrize(
    "answer,line",
    [
        ({"output": (9, 2, 8), "h_n": (4, 2, 8), "c_n": (4, 2, 8)}, '"output": you said (9, 2, 8), it is (2, 9, 8)'),
        ({"output": (2, 9, 8), "h_n": (2, 4, 8), "c_n": (4, 2, 8)}, '"h_n": you said (2, 4, 8), it is (4, 2, 8)'),
        ({"output": (2, 9, 32), "h_n": (1, 2, 8), "c_n": (4, 2, 8)}, '"output": you said (2, 9, 32), it is (2, 9, 8)'),
    ],
)
def test_02_layer_shapes_wrong_predictions(answer, line):
    from helpers import check_layer_shapes

    message = failure(check_layer_shapes, answer)
    assert line in message and "Where it is explained" in message


@pytest.mark.parametrize(
    "answer,line",
    [
        ({"h_0": (2, 5, 3), "c_0": (2, 5, 8)}, '"h_0": you said (2, 5, 3), it is (4, 5, 3)'),  # one direction
        ({"h_0": (4, 5, 3), "c_0": (4, 5, 3)}, '"c_0": you said (4, 5, 3), it is (4, 5, 8)'),  # c_0 projected
        ({"h_0": (5, 4, 3), "c_0": (4, 5, 8)}, '"h_0": you said (5, 4, 3), it is (4, 5, 3)'),  # batch first
    ],
)
def test_04_initial_state_wrong_predictions(answer, line):
    from helpers import check_initial_state_shapes

    message = failure(check_initial_state_shapes, answer)
    assert line in message and "Where it is explained" in message
