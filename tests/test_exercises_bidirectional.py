"""Notebook 03's checkers: the reference solutions pass, and named mistakes get their message."""

import dataclasses

import pytest
import torch

from helpers.exercises.bidirectional import (
    AFTER_CASES,
    AFTER_MISTAKES,
    BOTTOM_CASES,
    check_backward_after,
    check_bottom_backward,
)
from helpers.exercises.solutions import bidirectional as solutions


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as error:
        check(answer)
    return str(error.value)


def test_solutions_pass(capsys):
    check_bottom_backward(solutions.bottom_backward)
    check_backward_after(solutions.backward_after)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 and all(line.startswith("Correct:") for line in printed)


def test_none_is_not_answered_yet(capsys):
    check_bottom_backward(None)
    check_backward_after(None)
    assert all(line.startswith("Not answered yet") for line in capsys.readouterr().out.splitlines())


def test_solutions_agree_with_plain_indexing():
    for case in BOTTOM_CASES:
        r = case.run()
        h_view = r.h_n.view(r.config.num_layers, 2, *r.h_n.shape[1:])  # (num_layers, D, N, H_out)
        assert torch.equal(solutions.bottom_backward(r.h_n), h_view[0, 1])
    for case, k in AFTER_CASES:
        r = case.run()
        assert not r.config.batch_first
        seq_len, h_out = r.output.shape[0], r.config.h_out
        out4 = r.output.view(seq_len, -1, 2, h_out)  # (L, N, D, H_out)
        assert torch.equal(solutions.backward_after(r.output, k), out4[seq_len - k, :, 1])
        if k == seq_len:  # read everything: the backward final state
            assert torch.equal(solutions.backward_after(r.output, k), r.h_n[-1])


@pytest.mark.parametrize(
    "answer,named",
    [
        (lambda h_n: h_n.view(2, h_n.shape[0] // 2, *h_n.shape[1:])[1, 0], "that is h_n[num_layers]"),
        (lambda h_n: h_n[-1], "that is h_n[-1], the top layer's backward state"),
        (lambda h_n: h_n[0], "that is h_n[0], the bottom layer's forward state"),
    ],
)
def test_bottom_backward_named_mistakes(answer, named):
    message = failure(check_bottom_backward, answer)
    assert message.startswith("Not yet.") and f"Likely mistake: {named}" in message


def test_bottom_backward_hard_coded_row_breaks_on_another_size():
    message = failure(check_bottom_backward, lambda h_n: h_n[3])  # right for nothing: 3 is layer 1 backward
    assert message.startswith("Not yet.")


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
