"""Notebook 03's checkers: the reference solutions pass, and named mistakes get their message."""

import dataclasses

import pytest
import torch

from helpers import run
from helpers.exercises.bidirectional import (
    AFTER_CASES,
    AFTER_MISTAKES,
    VIEW_CONFIG,
    check_backward_after,
    check_wrong_view,
    wrong_view_holds,
)
from helpers.exercises.solutions import bidirectional as solutions


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as error:
        check(answer)
    return str(error.value)


def test_solutions_pass(capsys):
    check_wrong_view(solutions.wrong_view)
    check_backward_after(solutions.backward_after)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 and all(line.startswith("Correct:") for line in printed)


def test_none_is_not_answered_yet(capsys):
    check_wrong_view(None)
    check_backward_after(None)
    assert all(line.startswith("Not answered yet") for line in capsys.readouterr().out.splitlines())


def test_solutions_agree_with_plain_indexing():
    r = run(VIEW_CONFIG, seq_len=5, batch_size=2)
    h_n, names = r.h_n, ("forward", "backward")
    wrong = h_n.view(2, VIEW_CONFIG.num_layers, *h_n.shape[1:])  # read as (D, num_layers, N, H_out)
    for key, (layer, direction) in solutions.wrong_view.items():
        d, k = (int(v) for v in key[len("wrong[") : -1].split(", "))
        assert torch.equal(wrong[d, k], h_n[2 * layer + names.index(direction)])  # row 2 * layer + direction
    for case, k in AFTER_CASES:
        r = case.run()
        assert not r.config.batch_first
        seq_len, h_out = r.output.shape[0], r.config.h_out
        out4 = r.output.view(seq_len, -1, 2, h_out)  # (L, N, D, H_out)
        assert torch.equal(solutions.backward_after(r.output, k), out4[seq_len - k, :, 1])
        if k == seq_len:  # read everything: the backward final state
            assert torch.equal(solutions.backward_after(r.output, k), r.h_n[-1])


def test_wrong_view_expected_comes_from_torch_and_differs_from_the_names():
    holds = wrong_view_holds()
    assert holds == solutions.wrong_view
    assert holds["wrong[0, -1]"] != (VIEW_CONFIG.num_layers - 1, "forward")  # not what the view's name says


@pytest.mark.parametrize(
    "answer,named",
    [
        (  # what the names promise
            {"wrong[0, 1]": (1, "forward"), "wrong[0, -1]": (3, "forward"), "wrong[1, 0]": (0, "backward")},
            "that is what the view's name promises (forward, layer 3)",
        ),
        (  # rows given as layers
            {"wrong[0, 1]": (1, "backward"), "wrong[0, -1]": (3, "backward"), "wrong[1, 0]": (4, "forward")},
            "row 3 is layer 3 // 2 = 1: a row is not a layer",
        ),
        (  # directions swapped in every answer
            {"wrong[0, 1]": (0, "forward"), "wrong[0, -1]": (1, "forward"), "wrong[1, 0]": (2, "backward")},
            "row k is layer k // 2, direction k % 2",
        ),
        (  # the right view's reading, as if the view were fine for these cells
            {"wrong[0, 1]": (0, "backward"), "wrong[0, -1]": (3, "forward"), "wrong[1, 0]": (0, "backward")},
            "wrong[1, 0] is row 1 * 4 + 0 = 4 of h_n",
        ),
    ],
)
def test_wrong_view_named_mistakes(answer, named):
    message = failure(check_wrong_view, answer)
    assert message.startswith("Not yet. In wrong_view:") and named in message
    assert "expected {" in message and "got      {" in message


@pytest.mark.parametrize(
    "answer,says",
    [
        ([1, 2], "should be a dict like"),
        ({"wrong[0, 1]": (0, "b"), "wrong[0, -1]": (1, 1)}, '"wrong[1, 0]" is missing'),
        ({"wrong[0, 1]": "layer 0", "wrong[0, -1]": (1, 1), "wrong[1, 0]": (2, 0)}, "is not (layer,"),
        ({**solutions.wrong_view, "wrong[1, 1]": (1, "forward")}, "not asked for"),
    ],
)
def test_wrong_view_odd_forms_get_a_message(answer, says):
    assert says in failure(check_wrong_view, answer)


def test_wrong_view_accepts_directions_as_0_and_1(capsys):
    check_wrong_view({"wrong[0, 1]": (0, 1), "wrong[0, -1]": (1, 1), "wrong[1, 0]": (2, 0)})
    assert capsys.readouterr().out.startswith("Correct:")


def test_wrong_view_with_nones_is_not_answered_yet(capsys):
    check_wrong_view({"wrong[0, 1]": None, "wrong[0, -1]": None, "wrong[1, 0]": None})
    assert capsys.readouterr().out.startswith("Not answered yet")


def test_backward_after_k_is_checked_at_steps_that_tell_the_mistakes_apart():
    for case, k in AFTER_CASES:
        seq_len = case.seq_len
        assert seq_len - k != k - 1 and 1 <= k <= seq_len  # the right step is never the forward count


@pytest.mark.parametrize(
    "answer,named",
    [
        (lambda output, k: output[k - 1, :, output.shape[-1] // 2 :], "that is step k - 1, where the forward half"),
        (lambda output, k: output[output.shape[0] - k - 1, :, output.shape[-1] // 2 :], "that is one step too early"),
        (lambda output, k: output[output.shape[0] - k + 1, :, output.shape[-1] // 2 :], "that is one step too late"),
        (lambda output, k: output[output.shape[0] - k, :, : output.shape[-1] // 2], "that is the forward half"),
    ],
)
def test_backward_after_named_mistakes(answer, named):
    message = failure(check_backward_after, answer)
    assert message.startswith("Not yet.") and f"Likely mistake: {named}" in message


def test_backward_after_hard_coded_step_breaks_on_another_length():
    message = failure(check_backward_after, lambda output, k: output[3, :, output.shape[-1] // 2 :])  # right on case 1
    assert message.startswith("Not yet.") and "LSTM" in message  # fails on the second configuration


def _module_output(r, x):
    return r.module(x)[0].detach()  # output: (L, N, 2 * H_out)


def test_backward_after_cases_have_one_layer_where_k_tokens_is_exact():
    """The exercise says "after it has read exactly k tokens": true in one layer, so every case has one layer."""
    for case, k in AFTER_CASES:
        r = case.run()
        assert r.config.num_layers == 1 and r.config.bidirectional
        seq_len, h_out = r.output.shape[0], r.config.h_out
        expected = solutions.backward_after(r.output, k)
        # what "has read k tokens" means: the backward state of a run over the last k tokens alone ...
        h_tail = r.module(r.x[seq_len - k :])[1]
        h_tail = h_tail[0] if r.config.cell == "lstm" else h_tail  # h_n: (2, N, H_out)
        torch.testing.assert_close(expected, h_tail[1].detach())
        # ... and no earlier token moves it, while the token k + 1 from the end does (when there is one)
        changed = r.x.clone()
        changed[: seq_len - k] += 1.0
        assert torch.equal(_module_output(r, changed)[seq_len - k, :, h_out:], expected)
        if k < seq_len:
            moved = r.x.clone()
            moved[seq_len - k - 1 :] += 1.0
            assert not torch.equal(_module_output(r, moved)[seq_len - k, :, h_out:], expected)


@pytest.mark.parametrize("num_layers", [2, 3])
def test_backward_after_k_tokens_is_false_just_outside_one_layer(num_layers):
    """With two layers or more, the backward half at step L - k depends on x[0]: why the exercise has one layer."""
    for case, k in AFTER_CASES:
        outside = dataclasses.replace(case, config=dataclasses.replace(case.config, num_layers=num_layers))
        r = outside.run()
        seq_len, h_out = r.output.shape[0], r.config.h_out
        changed = r.x.clone()
        changed[0] += 1.0  # a token the backward half has not reached at step L - k when k < L
        before = r.output[seq_len - k, :, h_out:].detach()
        assert not torch.equal(_module_output(r, changed)[seq_len - k, :, h_out:], before)


def test_backward_after_messages_scope_the_count_to_one_layer():
    message = failure(check_backward_after, lambda output, k: output[k - 1, :, output.shape[-1] // 2 :])
    assert "in one layer, at step t it has read" in message
    for _, sentence in AFTER_MISTAKES.values():
        assert "has read" not in sentence or "one layer" in sentence
