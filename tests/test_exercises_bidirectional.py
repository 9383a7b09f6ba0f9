"""Notebook 03's checkers: the reference solutions pass, and named mistakes get their message."""

import pytest
import torch

from helpers.exercises.bidirectional import BOTTOM_CASES, TOP_CASES, check_bottom_backward, check_top_final_states
from helpers.exercises.solutions import bidirectional as solutions


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as error:
        check(answer)
    return str(error.value)


def test_solutions_pass(capsys):
    check_bottom_backward(solutions.bottom_backward)
    check_top_final_states(solutions.top_final_states)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 and all(line.startswith("Correct:") for line in printed)


def test_none_is_not_answered_yet(capsys):
    check_bottom_backward(None)
    check_top_final_states(None)
    assert all(line.startswith("Not answered yet") for line in capsys.readouterr().out.splitlines())


def test_solutions_agree_with_plain_indexing():
    for case in BOTTOM_CASES:
        r = case.run()
        h_view = r.h_n.view(r.config.num_layers, 2, *r.h_n.shape[1:])  # (num_layers, D, N, H_out)
        assert torch.equal(solutions.bottom_backward(r.h_n), h_view[0, 1])
    for case in TOP_CASES:
        r = case.run()
        assert not r.config.batch_first
        assert torch.equal(solutions.top_final_states(r.output), torch.cat([r.h_n[-2], r.h_n[-1]], dim=-1))


@pytest.mark.parametrize("answer,named", [
    (lambda h_n: h_n.view(2, h_n.shape[0] // 2, *h_n.shape[1:])[1, 0], "that is h_n[num_layers]"),
    (lambda h_n: h_n[-1], "that is h_n[-1], the top layer's backward state"),
    (lambda h_n: h_n[0], "that is h_n[0], the bottom layer's forward state"),
])
def test_bottom_backward_named_mistakes(answer, named):
    message = failure(check_bottom_backward, answer)
    assert message.startswith("Not yet.") and f"Likely mistake: {named}" in message


def test_bottom_backward_hard_coded_row_breaks_on_another_size():
    message = failure(check_bottom_backward, lambda h_n: h_n[3])  # right for nothing: 3 is layer 1 backward
    assert message.startswith("Not yet.")


@pytest.mark.parametrize("answer,named", [
    (lambda output: output[-1], "that is output[-1], both halves at the last step"),
    (lambda output: output[0], "that is output[0], both halves at step 0"),
    (lambda output: torch.cat([output[0, :, :output.shape[-1] // 2], output[-1, :, output.shape[-1] // 2:]], -1),
     "that takes each half at the other end"),
    (lambda output: torch.cat([output[:, -1, :output.shape[-1] // 2], output[:, 0, output.shape[-1] // 2:]], -1),
     "that indexes output as if it were batch first"),
])
def test_top_final_states_named_mistakes(answer, named):
    message = failure(check_top_final_states, answer)
    assert message.startswith("Not yet.") and f"Likely mistake: {named}" in message
