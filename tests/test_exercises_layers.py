"""Notebook 02's checkers: the reference solutions pass, and named mistakes get their message."""

import pytest
import torch

from helpers.exercises.layers import LAYER_CASES, asked_layer, check_layer_output, check_layer_shapes
from helpers.exercises.solutions import layers as solutions
from helpers.stack import run_layers, split_layers


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as error:
        check(answer)
    return str(error.value)


def test_solutions_pass(capsys):
    check_layer_shapes(solutions.layer_shapes)
    check_layer_output(solutions.layer_output)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 and all(line.startswith("Correct:") for line in printed)


def test_none_is_not_answered_yet(capsys):
    check_layer_shapes(None)
    check_layer_output(None)
    assert all(line.startswith("Not answered yet") for line in capsys.readouterr().out.splitlines())


def test_the_solution_is_the_layer_by_plain_indexing():
    for case in LAYER_CASES:
        r = case.run()
        layer = asked_layer(r)
        assert 0 <= layer < r.config.num_layers - 1  # never the top layer, which output already shows
        by_hand = run_layers(split_layers(r.module), r.x).layer_outputs[layer]
        assert torch.equal(solutions.layer_output(r.module, r.x, layer), by_hand)
        assert not torch.equal(by_hand, r.output)


def test_shapes_with_batch_first_on_h_n():
    message = failure(check_layer_shapes, {**solutions.layer_shapes, "h_n": (2, 4, 8)})
    assert '"h_n": you said (2, 4, 8), it is (4, 2, 8)' in message and "batch_first never applies" in message


def test_shapes_with_output_time_first():
    message = failure(check_layer_shapes, {**solutions.layer_shapes, "output": (9, 2, 8)})
    assert '"output": you said (9, 2, 8), it is (2, 9, 8)' in message


@pytest.mark.parametrize(
    "answer,named",
    [
        (lambda module, x, layer: module(x)[0], "that is the module's output, the top layer"),
        (lambda module, x, layer: solutions.layer_output(module, x, layer + 1), "that is the module's output, the top"),
        (
            lambda module, x, layer: solutions.layer_output(module, x, layer - 1) if layer else module(x)[0],
            "that is the layer below the one asked for",
        ),
        (
            lambda module, x, layer: (
                module(x)[1][layer] if isinstance(module(x)[1], torch.Tensor) else module(x)[1][0][layer]
            ),
            "that is h_n[layer], the layer's last step only",
        ),
    ],
)
def test_named_mistakes(answer, named):
    message = failure(check_layer_output, answer)
    assert message.startswith("Not yet.") and f"Likely mistake: {named}" in message
    assert "expected shape" in message and "got      shape" in message and "Where it is explained" in message


def test_a_mistake_without_a_name_gets_the_general_advice():
    fresh = lambda module, x, layer: torch.nn.GRU(x.shape[-1], module.hidden_size)(x)[0]  # noqa: E731  new weights
    message = failure(check_layer_output, fresh)
    assert message.startswith("Not yet.") and "Likely mistake: its numbers are not that layer's" in message


def test_wrong_shape_falls_through_to_the_shared_checker():
    message = failure(check_layer_output, lambda module, x, layer: x)
    assert message.startswith("Not yet.") and "Likely mistake" not in message


def test_an_answer_that_raises_gets_a_message_not_a_traceback():
    message = failure(check_layer_output, lambda module, x, layer: 1 / 0)
    assert "ZeroDivisionError" in message
