"""helpers.exercises: right answers pass, each mistake gets its full message, any learner input gets a message.

The right answers here are written with plain indexing and checked against torch, not taken from helpers.
"""

import re

import pytest
import torch

from helpers import (
    Case,
    RNNConfig,
    check_backward_final,
    check_classifier_summary,
    check_function,
    check_h_n_batch_first,
    check_last_step,
    check_predicted_shapes,
    check_rows_not_in_output,
    check_shapes,
    check_tensor,
)
from helpers.exercises.output_vs_h_n import (
    BACKWARD_CASES,
    BATCH_FIRST_CASES,
    LAST_STEP_CASES,
    ROWS_CASES,
    SUMMARY_CASES,
    rows_not_in_output,
)


def H(output):
    return output.shape[-1] // 2


def body(message: str) -> str:
    """The message without its expected/got value lines (those are checked separately)."""
    return "\n".join(line for line in message.splitlines() if not line.startswith("  "))


def failure(check, answer) -> str:
    with pytest.raises(AssertionError) as caught:
        check(answer)
    return str(caught.value)


# --- notebook 01: the exercises' cases and right answers agree with torch ----------------------------------


@pytest.mark.parametrize("case", BACKWARD_CASES)
def test_backward_answer_is_h_n_top_backward_row(case):
    r = case.run()
    cfg = case.config
    assert cfg.bidirectional and cfg.batch_first
    h_view = r.h_n.view(cfg.num_layers, 2, case.batch_size, cfg.h_out)  # (num_layers, D, N, H_out)
    assert torch.equal(r.output[:, 0, H(r.output) :], h_view[-1, 1])


@pytest.mark.parametrize("case", SUMMARY_CASES)
def test_summary_answer_is_output_ends(case):
    r = case.run()
    h = case.config.h_out
    out = r.output if case.config.batch_first else r.output.transpose(0, 1)  # (N, L, 2 * H_out)
    last = (torch.tensor(case.lengths) - 1) if case.lengths else torch.full((case.batch_size,), case.seq_len - 1)
    forward_end = out[torch.arange(case.batch_size), last, :h]
    assert torch.equal(torch.cat([r.h_n[-2], r.h_n[-1]], dim=-1), torch.cat([forward_end, out[:, 0, h:]], dim=-1))


@pytest.mark.parametrize("case", LAST_STEP_CASES)
def test_last_step_answer_is_h_n_top_row(case):
    r = case.run()
    assert not case.config.bidirectional and case.config.batch_first
    assert torch.equal(r.output[:, case.seq_len - 1, :], r.h_n[-1])


@pytest.mark.parametrize("case", ROWS_CASES)
def test_rows_not_in_output_are_the_lower_layers(case):
    r = case.run()
    D = case.config.num_directions
    assert rows_not_in_output(r).tolist() == list(range((case.config.num_layers - 1) * D))
    out = r.output.reshape(-1, case.config.h_out)  # every (step, sequence, direction) vector
    for row in range(r.h_n.shape[0]):
        seen = any(torch.equal(out[i], r.h_n[row, 0]) for i in range(out.shape[0]))
        assert seen == (row >= (case.config.num_layers - 1) * D)


def test_rows_not_in_output_counts_a_partial_match_as_not_in_output():
    r = ROWS_CASES[0].run()  # GRU, 2 layers: row 1 is in output
    r.h_n[1, 0, 0] += 1.0  # sequence 0's state no longer matches output; sequence 1's still does
    assert rows_not_in_output(r).tolist() == [0, 1]


def test_each_exercise_uses_cases_of_different_sizes():
    for cases in (BACKWARD_CASES, SUMMARY_CASES, LAST_STEP_CASES, ROWS_CASES, BATCH_FIRST_CASES):
        assert len({(c.config.hidden_size, c.config.num_layers, c.seq_len, c.batch_size) for c in cases}) >= 2


# --- notebook 01: right answers, and the placeholders the notebook stores ---------------------------------


@pytest.mark.parametrize(
    "check,answer",
    [
        (check_backward_final, lambda output: output[:, 0, H(output) :]),
        (check_backward_final, lambda output: output[:, 0, output.shape[-1] // 2 :].clone()),
        (check_classifier_summary, lambda h_n: torch.cat([h_n[-2], h_n[-1]], dim=-1)),
        (check_classifier_summary, lambda h_n: torch.cat([h_n[-2:][0], h_n[-2:][1]], 1)),
        (check_last_step, lambda output, L: output[:, L - 1, :]),
        (check_last_step, lambda output, L: output[:, -1]),
        (check_rows_not_in_output, lambda num_layers, bidirectional: [*range((num_layers - 1) * (1 + bidirectional))]),
        (check_rows_not_in_output, lambda num_layers, bidirectional: torch.arange((num_layers - 1) * 2**bidirectional)),
        (check_h_n_batch_first, lambda h_n: h_n.transpose(0, 1)),
        (check_h_n_batch_first, lambda h_n: h_n.permute(1, 0, 2).contiguous()),
    ],
)
def test_right_answers_pass(check, answer, capsys):
    assert check(answer) is None
    out = capsys.readouterr().out
    assert out.startswith("Correct: ") and re.search(r"\(checked on [2-9] configurations\)\.\n$", out)


@pytest.mark.parametrize(
    "check,name",
    [
        (check_backward_final, "backward_final(output)"),
        (check_classifier_summary, "classifier_summary(h_n)"),
        (check_last_step, "last_step(output, L)"),
        (check_rows_not_in_output, "rows_not_in_output(num_layers, bidirectional)"),
        (check_h_n_batch_first, "h_n_batch_first(h_n)"),
    ],
)
def test_not_answered_yet(check, name, capsys):
    check(None)
    assert capsys.readouterr().out == f"Not answered yet: define {name} and pass it to check_{name.split('(')[0]}.\n"
    check(lambda *tensors: None)  # the notebook's placeholder function
    assert capsys.readouterr().out == f"Not answered yet: {name} returns None; replace None with your answer.\n"


def test_predicted_shapes(capsys):
    check_predicted_shapes({"output": (3, 12, 20), "h_n": torch.Size([8, 12, 10])})
    assert capsys.readouterr().out == (
        "Correct: time first, output is (L, N, D * H_out); h_n is (num_layers * D, N, H_out) whatever "
        "batch_first says.\n"
    )
    check_predicted_shapes({"output": None, "h_n": None})
    assert capsys.readouterr().out.startswith("Not answered yet")
    message = failure(check_predicted_shapes, {"output": (3, 12, 10), "h_n": (12, 8, 10)})
    assert message.startswith("Not yet. In predicted_shapes:\n")
    assert '- "output": you said (3, 12, 10), it is (3, 12, 20):' in message and "D = 2" in message
    assert '- "h_n": you said (12, 8, 10), it is (8, 12, 10): the first two sizes are swapped' in message
    assert message.endswith(
        "Where it is explained: notebook 01, section 1 (why output and h_n can look like transposes)."
    )


# --- notebook 01: each mistake's message, in full ---------------------------------------------------------

MISTAKES = [
    (
        check_backward_final,  # the top answer's slip: forward half at the last step
        lambda o: o[:, -1, : H(o)],
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of"
        " 5 steps:\n"
        "Your answer[0] is output[0, 4, 0:3]: the top layer's output at step 4, forward, sequence 0. It "
        "should be output[0, 0, 3:6]: the top layer's output at step 0, backward, sequence 0. That is the"
        " forward direction; the task wants the backward one. The forward direction ends at the last "
        "valid step, the backward direction at step 0. (1 more piece of your answer differs too.)\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_backward_final,
        lambda o: o[:, -1, H(o) :],  # backward half at the last step
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of"
        " 5 steps:\n"
        "Your answer[0] is output[0, 4, 3:6]: the top layer's output at step 4, backward, sequence 0. It "
        "should be output[0, 0, 3:6]: the top layer's output at step 0, backward, sequence 0. That is the"
        " wrong step. The forward direction ends at the last valid step; the backward direction reads the"
        " sequence from the end, so it ends at step 0. Here: step 4 instead of step 0. (1 more piece of "
        "your answer differs too.)\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_backward_final,
        lambda o: o[:, 0, : H(o)],  # forward half at step 0
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of"
        " 5 steps:\n"
        "Your answer[0] is output[0, 0, 0:3]: the top layer's output at step 0, forward, sequence 0. It "
        "should be output[0, 0, 3:6]: the top layer's output at step 0, backward, sequence 0. That is the"
        " forward direction; the task wants the backward one. The forward direction ends at the last "
        "valid step, the backward direction at step 0. (1 more piece of your answer differs too.)\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_backward_final,
        lambda o: o[:, 0],  # both halves
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of"
        " 5 steps:\n"
        "Your answer holds what the task wants, and more besides: your answer[0, 0:3] is output[0, 0, "
        "0:3] (the top layer's output at step 0, forward, sequence 0); your answer[0, 3:6] is output[0, "
        "0, 3:6] (the top layer's output at step 0, backward, sequence 0), and more. Keep only features "
        "3:6 of each row: answer[..., 3:6].\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_backward_final,
        lambda o: o[0, :, H(o) :],  # time indexed in the batch dimension
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of"
        " 5 steps:\n"
        "The rows of your answer are the steps of one sequence: your answer[0] is output[0, 0, 3:6] (the "
        "top layer's output at step 0, backward, sequence 0); your answer[1] is output[0, 1, 3:6] (the "
        "top layer's output at step 1, backward, sequence 0), and more. The task wants one row per "
        "sequence. Here output is (N, L, ...): check which dimension is time and which is the batch.\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_backward_final,
        lambda o: o[:, :1, H(o) :],  # extra dimension of size 1
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of"
        " 5 steps:\n"
        "Your answer holds the right numbers, with an extra dimension of size 1 at position 1 (shape (2, "
        "1, 3), wanted (2, 3)). A slice such as 0:1 keeps a dimension; an integer index such as 0 drops "
        "it. Drop it with answer.squeeze(1).\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_backward_final,
        lambda o: o[:, 0, 3:],  # hard-coded hidden_size
        "Not yet. On bidirectional LSTM with num_layers=1, hidden_size=4, batch_first=True, 3 sequences "
        "of 3 steps:\n"
        "Your answer[0, 0:1] is only features 3:4 of output[0, 0, 0:4] (the top layer's output at step 0,"
        " forward, sequence 0), which has 4 features. A slice bound written as a number cuts a vector in "
        "the middle once the sizes change: compute it from the shape, for example H_out = "
        "output.shape[-1] // 2. Your answer was right on the first configuration (bidirectional GRU with "
        "num_layers=2, hidden_size=3, batch_first=True, 2 sequences of 5 steps) and breaks on this one "
        "(hidden_size is 4 here, 3 there; num_layers is 1 here, 2 there; seq_len is 3 here, 5 there; "
        "batch size is 3 here, 2 there). Your code has the number 3 written in it, a size of the earlier "
        "configuration: compute sizes from the tensors' shapes or the module's settings instead.\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_backward_final,
        lambda o: o[:, 1, H(o) :],  # off by one
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of"
        " 5 steps:\n"
        "Your answer[0] is output[0, 1, 3:6]: the top layer's output at step 1, backward, sequence 0. It "
        "should be output[0, 0, 3:6]: the top layer's output at step 0, backward, sequence 0. That is one"
        " step off: step 1 instead of step 0. Steps run from 0 to L - 1. (1 more piece of your answer "
        "differs too.)\n"
        "In short, the task wants the top layer's backward final state, one row per sequence: the "
        "backward half of output at step 0 (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: h[-1],  # backward only
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer holds only part of what the task wants: your answer[0] is h_n[-1, 0] (final state of"
        " layer 1 (the top layer), backward, sequence 0); your answer[1] is h_n[-1, 1] (final state of "
        "layer 1 (the top layer), backward, sequence 1). It lacks h_n[-2, 0] (final state of layer 1 (the"
        " top layer), forward, sequence 0), among others.\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: torch.cat([h[-1], h[-2]], -1),  # halves swapped
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer has the two halves of each row swapped: its first half is the backward direction "
        "(h_n[-1, 0]). output puts the forward direction first, then the backward one: put h_n[-2] first.\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: torch.cat([h[0], h[1]], -1),  # bottom layer
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer[0, 0:3] is h_n[0, 0]: final state of layer 0, forward, sequence 0. It should be "
        "h_n[-2, 0]: final state of layer 1 (the top layer), forward, sequence 0. That is the wrong "
        "layer: the last rows of h_n hold the top layer, the one output shows. (3 more pieces of your "
        "answer differ too.)\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: torch.cat([h[-2], h[-1]]),  # cat along dim 0
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer holds the right numbers, joined along dimension 0 (shape (4, 3), wanted (2, 6)): "
        "torch.cat(..., dim=0) puts the pieces one under the other. The task wants them side by side in "
        "each row: torch.cat(..., dim=-1). From your answer: torch.cat(answer.chunk(2, 0), dim=-1).\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: h[-2:].reshape(h.shape[1], -1),  # reshape mixes sequences
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer[0, 3:6] is h_n[-2, 1]: final state of layer 1 (the top layer), forward, sequence 1. "
        "It should be h_n[-1, 0]: final state of layer 1 (the top layer), backward, sequence 0. That row "
        "belongs to another sequence. Rows that belong to other sequences are the sign of a reshape (or "
        "view) without a transpose: reshape regroups the numbers in memory order and moves no axis. Move "
        "the batch axis with .transpose(0, 1) (or .permute) instead. (1 more piece of your answer differs"
        " too.)\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: torch.stack([h[-2], h[-1]]),  # stack, not cat
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer holds the right numbers, stacked on a new dimension 0 (shape (2, 2, 3), wanted (2, "
        "6)): torch.stack makes a new dimension, torch.cat(..., dim=-1) puts the pieces side by side in "
        "each row. Join them with torch.cat(answer.unbind(0), dim=-1).\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: torch.cat([h[0], h[-1]], -1),  # forward half from layer 0
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer[0, 0:3] is h_n[0, 0]: final state of layer 0, forward, sequence 0. It should be "
        "h_n[-2, 0]: final state of layer 1 (the top layer), forward, sequence 0. That is the wrong "
        "layer: the last rows of h_n hold the top layer, the one output shows. (1 more piece of your "
        "answer differs too.)\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,  # (D, num_layers) view
        lambda h: torch.cat(list(h.view(2, -1, *h.shape[1:])[:, -1]), -1),
        "Not yet. On bidirectional LSTM with num_layers=2, hidden_size=3, batch_first=True, 2 sequences "
        "of 4 steps:\n"
        "Your answer[0, 0:3] is h_n[1, 0]: final state of layer 0, backward, sequence 0. It should be "
        "h_n[-2, 0]: final state of layer 1 (the top layer), forward, sequence 0. That is the row a view "
        "with the directions before the layers would pick. h_n's rows go layer by layer, forward then "
        "backward inside each layer: view it as (num_layers, D, N, H_out), not (D, num_layers, N, H_out)."
        " (1 more piece of your answer differs too.)\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_classifier_summary,
        lambda h: torch.cat([h[-2], h[-1]], -1)[:, :6],  # hard-coded width
        "Not yet. On bidirectional LSTM with num_layers=1, hidden_size=4, batch_first=False, 3 packed "
        "sequences of lengths [5, 3, 2]:\n"
        "Your answer[0, 4:6] is only features 0:2 of h_n[-1, 0] (final state of layer 0, backward, "
        "sequence 0), which has 4 features. A slice bound written as a number cuts a vector in the middle"
        " once the sizes change: compute it from the shape, for example H_out = h_n.shape[-1]. Your "
        "answer was right on the first 2 configurations (bidirectional LSTM with num_layers=3, "
        "hidden_size=2, batch_first=False, 3 sequences of 6 steps) and breaks on this one (hidden_size is"
        " 4 here, 2 there; num_layers is 1 here, 3 there; seq_len is 5 here, 6 there). Your code has the "
        "number 6 written in it, a size of the earlier configuration: compute sizes from the tensors' shapes or "
        "the module's settings instead.\n"
        "In short, the task wants the top layer's forward final state, then its backward one, side by "
        "side: (N, 2 * H_out), one row per sequence.\n"
        "Where it is explained: notebook 01, section 4 (bidirectional: two final states, at opposite "
        "ends).",
    ),
    (
        check_last_step,
        lambda o, L: o[:, L, :],  # the top answer's line
        "Not yet. On GRU with num_layers=3, hidden_size=5, batch_first=True, 2 sequences of 7 steps:\n"
        "Your function raised IndexError: index 7 is out of bounds for dimension 1 with size 7. Dimension"
        " 1 of output (2, 7, 5) is L, the time steps: its indices run from 0 to 6 (or -1 for the last). "
        "Off by one: with L steps, the steps are numbered 0 to L - 1, so the last one is L - 1 (or -1).\n"
        "In short, the task wants output at the last step, one row per sequence (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 6 (two slips in the top answer).",
    ),
    (
        check_last_step,
        lambda o, L: o[:, 0],  # step 0
        "Not yet. On GRU with num_layers=3, hidden_size=5, batch_first=True, 2 sequences of 7 steps:\n"
        "Your answer[0] is output[0, 0]: the top layer's output at step 0, sequence 0. It should be "
        "output[0, 6]: the top layer's output at step 6, sequence 0. That is the wrong step: step 0 "
        "instead of step 6, where the final state is. (1 more piece of your answer differs too.)\n"
        "In short, the task wants output at the last step, one row per sequence (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 6 (two slips in the top answer).",
    ),
    (
        check_last_step,
        lambda o, L: o[:, L - 2],  # off by one
        "Not yet. On GRU with num_layers=3, hidden_size=5, batch_first=True, 2 sequences of 7 steps:\n"
        "Your answer[0] is output[0, 5]: the top layer's output at step 5, sequence 0. It should be "
        "output[0, 6]: the top layer's output at step 6, sequence 0. That is one step off: step 5 instead"
        " of step 6. Steps run from 0 to L - 1. (1 more piece of your answer differs too.)\n"
        "In short, the task wants output at the last step, one row per sequence (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 6 (two slips in the top answer).",
    ),
    (
        check_last_step,
        lambda o, L: o[-1],  # time indexed in the batch dimension
        "Not yet. On GRU with num_layers=3, hidden_size=5, batch_first=True, 2 sequences of 7 steps:\n"
        "The rows of your answer are the steps of one sequence: your answer[0] is output[1, 0] (the top "
        "layer's output at step 0, sequence 1); your answer[1] is output[1, 1] (the top layer's output at"
        " step 1, sequence 1), and more. The task wants one row per sequence. Here output is (N, L, ...):"
        " check which dimension is time and which is the batch.\n"
        "In short, the task wants output at the last step, one row per sequence (it equals h_n[-1]).\n"
        "Where it is explained: notebook 01, section 6 (two slips in the top answer).",
    ),
    (
        check_h_n_batch_first,  # reshape without a transpose
        lambda h: h.reshape(h.shape[1], -1, h.shape[-1]),
        "Not yet. On bidirectional GRU with num_layers=3, hidden_size=5, batch_first=True, 4 sequences of"
        " 7 steps:\n"
        "Your answer[0, 1] is h_n[0, 1]: final state of layer 0, forward, sequence 1. It should be h_n[1,"
        " 0]: final state of layer 0, backward, sequence 0. That row belongs to another sequence. Rows "
        "that belong to other sequences are the sign of a reshape (or view) without a transpose: reshape "
        "regroups the numbers in memory order and moves no axis. Move the batch axis with .transpose(0, "
        "1) (or .permute) instead. (21 more pieces of your answer differ too.)\n"
        "In short, the task wants h_n with the batch first, (N, num_layers * D, H_out): row n holds "
        "sequence n's states.\n"
        "Where it is explained: notebook 01, section 3 (reading h_n by layer and direction, and making it"
        " batch-first).",
    ),
    (
        check_h_n_batch_first,
        lambda h: h.view(h.shape[1], -1),  # view without a transpose, flattened
        "Not yet. On bidirectional GRU with num_layers=3, hidden_size=5, batch_first=True, 4 sequences of"
        " 7 steps:\n"
        "Your answer has shape (4, 30), not (4, 6, 5), and its rows mix sequences. Reshaped to (4, 6, 5):"
        " your answer[0, 1] is h_n[0, 1]: final state of layer 0, forward, sequence 1. It should be "
        "h_n[1, 0]: final state of layer 0, backward, sequence 0. That row belongs to another sequence. "
        "Rows that belong to other sequences are the sign of a reshape (or view) without a transpose: "
        "reshape regroups the numbers in memory order and moves no axis. Move the batch axis with "
        ".transpose(0, 1) (or .permute) instead. (21 more pieces of your answer differ too.)\n"
        "In short, the task wants h_n with the batch first, (N, num_layers * D, H_out): row n holds "
        "sequence n's states.\n"
        "Where it is explained: notebook 01, section 3 (reading h_n by layer and direction, and making it"
        " batch-first).",
    ),
    (
        check_h_n_batch_first,
        lambda h: h,  # unchanged
        "Not yet. On bidirectional GRU with num_layers=3, hidden_size=5, batch_first=True, 4 sequences of"
        " 7 steps:\n"
        "Your answer holds the right numbers, with its dimensions in another order (shape (6, 4, 5), "
        "wanted (4, 6, 5)). Put them in the wanted order with answer.permute(1, 0, 2).\n"
        "In short, the task wants h_n with the batch first, (N, num_layers * D, H_out): row n holds "
        "sequence n's states.\n"
        "Where it is explained: notebook 01, section 3 (reading h_n by layer and direction, and making it"
        " batch-first).",
    ),
    (
        check_rows_not_in_output,  # layers, not rows
        lambda num_layers, bidirectional: list(range(num_layers - 1)),
        "Not yet. On bidirectional LSTM with num_layers=3, hidden_size=4, batch_first=True, 2 sequences "
        "of 5 steps:\n"
        "You listed layers, not rows: h_n has two rows per layer (forward, then backward), so layer l is "
        "rows 2 * l and 2 * l + 1. Row 2 (layer 1, forward) appears nowhere in output: output holds the "
        "top layer only. Row 3 (layer 1, backward) appears nowhere in output: output holds the top layer "
        "only. Your answer was right on the first 2 configurations (bidirectional GRU with num_layers=1, "
        "hidden_size=3, batch_first=False, 2 sequences of 5 steps) and breaks on this one (hidden_size is"
        " 4 here, 3 there; num_layers is 3 here, 1 there; batch_first is True here, False there). "
        "Check how it follows what changed: num_layers sets how many rows h_n has (num_layers * D), and "
        "output shows the top layer only; batch_first moves the batch axis of x and output, never of h_n or c_n.\n"
        "In short, the task wants the rows of h_n that appear nowhere in output: every row of the layers "
        "below the top.\n"
        "Where it is explained: notebook 01, sections 2 and 4 (the tags beside h_n say which rows appear "
        "in output).",
    ),
    (
        check_rows_not_in_output,
        lambda num_layers, bidirectional: [num_layers - 1],  # the top row
        "Not yet. On GRU with num_layers=2, hidden_size=3, batch_first=False, 2 sequences of 5 steps:\n"
        "Row 1 (layer 1) does appear in output: output holds the top layer at every step, and its final "
        "states are among them. Row 0 (layer 0) appears nowhere in output: output holds the top layer "
        "only.\n"
        "In short, the task wants the rows of h_n that appear nowhere in output: every row of the layers "
        "below the top.\n"
        "Where it is explained: notebook 01, sections 2 and 4 (the tags beside h_n say which rows appear "
        "in output).",
    ),
    (
        check_rows_not_in_output,
        lambda num_layers, bidirectional: [0, 9],  # a row past the end
        "Not yet. On GRU with num_layers=2, hidden_size=3, batch_first=False, 2 sequences of 5 steps:\n"
        "h_n has 2 rows here (0 to 1), so row 9 does not exist.\n"
        "In short, the task wants the rows of h_n that appear nowhere in output: every row of the layers "
        "below the top.\n"
        "Where it is explained: notebook 01, sections 2 and 4 (the tags beside h_n say which rows appear "
        "in output).",
    ),
    (
        check_rows_not_in_output,
        lambda num_layers, bidirectional: "rows 0 and 1",  # a string
        "Not yet. On GRU with num_layers=2, hidden_size=3, batch_first=False, 2 sequences of 5 steps:\n"
        "Your function returned 'rows 0 and 1' (of type str); return a list of row indices of h_n, like "
        "[0, 1] (or [] if every row appears in output).\n"
        "In short, the task wants the rows of h_n that appear nowhere in output: every row of the layers "
        "below the top.\n"
        "Where it is explained: notebook 01, sections 2 and 4 (the tags beside h_n say which rows appear "
        "in output).",
    ),
]


@pytest.mark.parametrize("check,answer,expected", MISTAKES)
def test_each_mistake_gets_its_full_message(check, answer, expected):
    message = failure(check, answer)
    assert body(message) == expected
    assert re.search(r"\n  expected shape \(\d+(, \d+)*,?\), first values \[-?\d", message), message


def test_the_values_lines_show_expected_beside_got():
    message = failure(check_classifier_summary, lambda h: torch.cat([h[-1], h[-2]], -1))
    r = SUMMARY_CASES[0].run()
    want, got = torch.cat([r.h_n[-2], r.h_n[-1]], -1), torch.cat([r.h_n[-1], r.h_n[-2]], -1)
    shown = lambda t: ", ".join(f"{v:.4f}" for v in t.reshape(-1)[:6].tolist())  # noqa: E731
    assert f"\n  expected shape (2, 6), first values [{shown(want)}, ...]\n" in message
    assert f"\n  got      shape (2, 6), first values [{shown(got)}, ...]\n" in message


# --- the shared runner: helpers.exercises.core ----------------------------------------------------------------

CORE_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True, seed=1)),
    Case(
        RNNConfig("lstm", input_size=3, hidden_size=5, num_layers=1, bidirectional=True, seed=2),
        seq_len=4,
        batch_size=3,
        lengths=(4, 2, 3),
    ),
]


def top_backward(output):
    """h_n[-1] written with plain indexing: the backward half of output at step 0, either layout."""
    H = output.shape[-1] // 2
    return output[:, 0, H:] if output.shape[0] == 2 else output[0, :, H:]


CORE = dict(
    name="backward_final",
    signature="backward_final(output)",
    cases=CORE_CASES,
    call=lambda f, r: f(r.output),
    expected=lambda r: r.h_n[-1],
    wanted="h_n[-1]",
    section="01, section 4",
    success="the backward final state",
)


def test_core_right_answer_passes_on_every_case(capsys):
    assert check_function(top_backward, **CORE) is None
    assert capsys.readouterr().out == "Correct: the backward final state (checked on 2 configurations).\n"


def test_core_none_and_placeholder_say_not_answered(capsys):
    check_function(None, **CORE)
    assert capsys.readouterr().out == (
        "Not answered yet: define backward_final(output) and pass it to check_backward_final.\n"
    )
    check_function(lambda output: None, **CORE)
    assert capsys.readouterr().out == (
        "Not answered yet: backward_final(output) returns None; replace None with your answer.\n"
    )


def core_failure(answer, **changes) -> str:
    with pytest.raises(AssertionError) as caught:
        check_function(answer, **{**CORE, **changes})
    return str(caught.value)


@pytest.mark.parametrize(
    "answer,words",
    [
        (3, "the answer must be a function backward_final(output), but you passed 3 (of type int)"),
        (torch.zeros(2, 3), "you passed a tensor of shape (2, 3). Pass the function itself, not what it returns."),
        (lambda: 1, "The checker calls backward_final(output) with 1 argument, but your function takes 0."),
        (lambda a, b: a, "with 1 argument, but your function takes 2 (a, b)."),
        (lambda o: 1 / 0, "Your function raised ZeroDivisionError: division by zero."),
        (
            lambda o: o[:, 9],
            "Your function raised IndexError: index 9 is out of bounds for dimension 1 with size 5. "
            "Dimension 1 of output (2, 5, 6) is L, the time steps: its indices run from 0 to 4",
        ),
        (
            lambda o: o.tolist(),
            "Your answer is a list, not a torch tensor: drop .tolist() and return the tensor itself.",
        ),
        (
            lambda o: o.detach().numpy()[:, 0, 3:],
            "Your answer is a numpy array, not a torch tensor: drop .numpy(). Its numbers are the right ones.",
        ),
        (
            lambda o: top_backward(o).double(),
            "Your answer has dtype torch.float64, but the run's tensors are torch.float32",
        ),
        (lambda o: (o, o), "Your answer is a tuple of 2 tensors ((2, 5, 6), (2, 5, 6)), not one tensor"),
        (lambda o: "x", "Your answer is 'x' (of type str), not a tensor."),
    ],
)
def test_core_any_learner_input_gets_a_message(answer, words):
    message = core_failure(answer)
    assert words in message, message
    assert "Traceback" not in message


def test_core_message_names_the_case_wanted_and_section():
    message = core_failure(lambda o: o[:, 1, 3:])
    assert message.startswith(
        "Not yet. On bidirectional GRU with num_layers=2, hidden_size=3, batch_first=True, 2 sequences of 5 steps:\n"
    )
    assert "In short, the task wants h_n[-1].\n" in message
    assert re.search(r"  expected shape \(2, 3\), first values \[-?\d\.\d{4}, ", message)
    assert re.search(r"  got      shape \(2, 3\), first values \[-?\d\.\d{4}, ", message)
    assert message.endswith("Where it is explained: 01, section 4.")


def test_core_hard_coded_size_says_where_it_broke():
    message = core_failure(lambda o: o[:, 0, 3:])  # right for hidden_size=3 and batch_first=True only
    assert message.startswith("Not yet. On bidirectional LSTM with num_layers=1, hidden_size=5")
    assert (
        "Your answer was right on the first configuration (bidirectional GRU with num_layers=2, hidden_size=3, "
        "batch_first=True, 2 sequences of 5 steps) and breaks on this one (hidden_size is 5 here, 3 there;"
    ) in message


def test_core_explain_error_adds_its_sentence():
    message = core_failure(lambda o: o[:, 9], explain_error=lambda f, r, e: "Count from 0.")
    assert "its indices run from 0 to 4 (or -1 for the last). Count from 0." in message


def test_core_learner_cannot_change_the_reference(capsys):
    def vandal(output):
        output.data.zero_()
        return top_backward(output)

    message = core_failure(vandal)
    assert "expected shape (2, 3), first values [0.0000" not in message


def test_check_tensor(capsys):
    case = CORE_CASES[0]
    kwargs = dict(
        name="summary",
        case=case,
        expected=lambda r: r.h_n[-1],
        wanted="h_n[-1]",
        section="01, section 4",
        success="h_n[-1]",
    )
    check_tensor(None, **kwargs)
    assert capsys.readouterr().out == "Not answered yet: compute summary and pass it to check_summary.\n"
    check_tensor(case.run().h_n[-1], **kwargs)
    assert capsys.readouterr().out == "Correct: h_n[-1].\n"
    with pytest.raises(AssertionError, match="Not yet. On bidirectional GRU"):
        check_tensor(case.run().h_n[0], **kwargs)
    with pytest.raises(AssertionError, match="should be a tensor, but you passed a function"):
        check_tensor(top_backward, **kwargs)


SHAPES = dict(
    name="shapes", expected={"output": (4, 7, 100), "h_n": (6, 4, 50)}, section="01, section 1", success="both shapes"
)


def test_check_shapes_right_and_unanswered(capsys):
    check_shapes({"output": torch.Size([4, 7, 100]), "h_n": [6, 4, 50]}, **SHAPES)
    assert capsys.readouterr().out == "Correct: both shapes.\n"
    check_shapes(None, **SHAPES)
    check_shapes({"output": None, "h_n": None}, **SHAPES)
    assert capsys.readouterr().out.count("Not answered yet") == 2


@pytest.mark.parametrize(
    "answer,reason",
    [
        (
            {"output": (4, 7, 100), "h_n": (4, 6, 50)},
            '- "h_n": you said (4, 6, 50), it is (6, 4, 50): the first two sizes are swapped: batch_first never applies '
            "to h_n or c_n, nor to the h_0 and c_0 you pass: they stay (num_layers * D, N, H_out).",
        ),
        (
            {"output": (4, 7, 50), "h_n": (6, 4, 50)},
            '- "output": you said (4, 7, 50), it is (4, 7, 100): the last size is D * H_out: a bidirectional module puts '
            "both directions side by side, so D = 2.",
        ),
        (
            {"output": (4, 7, 100), "h_n": (3, 4, 50)},
            '- "h_n": you said (3, 4, 50), it is (6, 4, 50): the first size is num_layers * D, not num_layers: '
            "a bidirectional module has two rows per layer (forward, then backward).",
        ),
        (
            {"output": (7, 4, 100), "h_n": (6, 4, 50)},
            '- "output": you said (7, 4, 100), it is (4, 7, 100): the first two sizes are swapped: batch_first=True puts '
            "the batch N first, False puts time L first.",
        ),
        (
            {"output": (4, 7, 100), "h_n": (6, 4, 100)},
            '- "h_n": you said (6, 4, 100), it is (6, 4, 50): each row of h_n is one direction only, H_out wide: '
            "the two directions are separate rows.",
        ),
        ({"output": (4, 7, 100)}, '- "h_n" is missing.'),
        (
            {"output": "4, 7, 100", "h_n": (6, 4, 50)},
            "- \"output\": '4, 7, 100' (of type str) is not a tuple of integers, like (2, 5, 3).",
        ),
    ],
)
def test_check_shapes_names_each_wrong_entry(answer, reason):
    with pytest.raises(AssertionError) as caught:
        check_shapes(answer, **SHAPES)
    message = str(caught.value)
    assert message.startswith("Not yet. In shapes:\n") and message.endswith("Where it is explained: 01, section 1.")
    assert reason in message.splitlines(), message


# --- anything a learner can pass: only the checker's own AssertionError or a printed line comes out -----------

import contextlib  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import pkgutil  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import helpers.exercises as exercises  # noqa: E402


def every_checker():
    """Every check_* defined in a notebook's exercise module, plus the generic runner on a few cases."""
    found = {}
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name in ("core", "answers", "shapes", "diagnose", "solutions"):
            continue
        module = importlib.import_module(f"helpers.exercises.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("check_") and callable(value) and value.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = value
    found["core.check_function"] = lambda answer: check_function(answer, **CORE)
    found["core.check_tensor"] = lambda answer: check_tensor(
        answer,
        name="summary",
        case=CORE_CASES[1],
        expected=lambda r: r.h_n[-1],
        wanted="h_n[-1]",
        section="01, section 4",
        success="h_n[-1]",
    )
    found["core.check_shapes"] = lambda answer: check_shapes(answer, **SHAPES)
    return found


CHECKERS = every_checker()


class Odd:
    """An object whose repr, len and call all misbehave."""

    def __repr__(self):
        raise RuntimeError("no repr")

    def __len__(self):
        raise TypeError("no len")


def tensors():
    shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4)
    dtypes = st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool])
    return st.builds(
        lambda shape, dtype, seed: (torch.randn(shape, generator=torch.Generator().manual_seed(seed)) * 3).to(dtype),
        shapes,
        dtypes,
        st.integers(0, 99),
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.binary(max_size=8),
)
objects = st.recursive(
    st.one_of(
        scalars,
        tensors(),
        tensors().map(lambda t: t.numpy()),
        st.builds(Odd),
        st.just(torch.Size([2, 3])),
        st.just(range(3)),
        st.just(print.__call__),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.sampled_from(["output", "h_n", "c_n", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)

OPS = [
    lambda t, i: t[i],
    lambda t, i: t[:, i],
    lambda t, i: t[..., i:],
    lambda t, i: t[i : i + 1],
    lambda t, i: t.transpose(0, 1),
    lambda t, i: t.reshape(i + 1, -1),
    lambda t, i: t.flatten(),
    lambda t, i: t.sum(i),
    lambda t, i: t * i,
    lambda t, i: t.view(-1)[i:],
    lambda t, i: torch.cat([t, t], i),
    lambda t, i: torch.stack([t[i], t[-1]]),
    lambda t, i: t.tolist(),
    lambda t, i: t.numpy(),
    lambda t, i: t.long(),
    lambda t, i: t.unsqueeze(i),
    lambda t, i: (t, t),
    lambda t, i: t[..., :i].transpose(0, -1),
]
EXCEPTIONS = [
    ValueError,
    IndexError,
    KeyError,
    RuntimeError,
    ZeroDivisionError,
    TypeError,
    AttributeError,
    AssertionError,
    RecursionError,
    NotImplementedError,
]


def _raiser(error):
    def answer(*args, **kwargs):
        raise error("from the learner")

    return answer


def _op(op, index):
    def answer(first, *rest):
        return op(first, index)

    return answer


functions = st.one_of(
    objects.map(lambda value: lambda *args, **kwargs: value),
    st.sampled_from(EXCEPTIONS).map(_raiser),
    st.builds(_op, st.sampled_from(OPS), st.integers(-3, 3)),
    st.sampled_from([lambda: 0, lambda a, b, c: a, lambda *, key: key, lambda *args: args, int, list, Odd]),
)


def run_checker(check, answer) -> str:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            result = check(answer)
    except AssertionError as error:
        message = str(error)
        assert message.startswith("Not yet"), message
        return message
    assert result is None
    printed = out.getvalue().splitlines()  # the learner's own prints (print is an answer too) come first
    assert printed and printed[-1].startswith(("Not answered yet", "Correct: ")), printed
    return printed[-1]


@pytest.mark.parametrize("name", sorted(CHECKERS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=st.one_of(objects, functions))
def test_any_answer_gets_a_message_and_nothing_else_escapes(name, answer):
    run_checker(CHECKERS[name], answer)


def test_the_fuzzed_checkers_include_every_notebook_01_checker():
    assert {
        "output_vs_h_n.check_backward_final",
        "output_vs_h_n.check_classifier_summary",
        "output_vs_h_n.check_last_step",
        "output_vs_h_n.check_predicted_shapes",
        "output_vs_h_n.check_rows_not_in_output",
        "output_vs_h_n.check_h_n_batch_first",
    } <= set(CHECKERS)


# --- a checker written with the wrong arguments: ValueError for its author --------------------------------------


@pytest.mark.parametrize(
    "changes,words",
    [
        (dict(cases=[]), "cases=[] is not allowed: cases must be a non-empty sequence of Case"),
        (dict(cases=[RNNConfig()]), "cases=[RNNConfig("),
        (dict(name=""), "name='' is not allowed: name must be a non-empty string"),
        (dict(section=None), "section=None is not allowed"),
    ],
)
def test_check_function_bad_setup_is_a_value_error(changes, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        check_function(None, **{**CORE, **changes})


def test_check_tensor_and_check_shapes_bad_setup_is_a_value_error():
    with pytest.raises(ValueError, match=r"case=RNNConfig\(.* is not allowed: case must be a Case"):
        check_tensor(None, name="x", case=RNNConfig(), expected=lambda r: r.h_n, wanted="h_n", section="s", success="y")
    with pytest.raises(ValueError, match=r"expected=\{'h_n': 'big'\} is not allowed"):
        check_shapes(None, name="x", expected={"h_n": "big"}, section="s", success="y")


# --- the remaining hints, in full ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer,text",
    [
        (
            lambda o: o[0, 0, 0, 0],
            "Your function raised IndexError: too many indices for tensor of dimension 3. The index "
            "uses a dimension the tensor does not have. output is (2, 5, 6): (N, L, D * H_out); x "
            "is (2, 5, 4): (N, L, H_in); h_n is (4, 2, 3): (num_layers * D, N, H_out).",
        ),
        (
            lambda o: o[:, :, 9],
            "Your function raised IndexError: index 9 is out of bounds for dimension 2 with size 6. "
            "Dimension 2 of output (2, 5, 6) is D * H_out, the features of both directions: its "
            "indices run from 0 to 5 (or -1 for the last).",
        ),
        (
            lambda o: o[[7]],
            "Your function raised IndexError: index 7 is out of bounds for dimension 0 with size 2. "
            "Dimension 0 of output (2, 5, 6) is N, the sequences: its indices run from 0 to 1 (or -1 for "
            "the last).",
        ),
        (
            lambda o: o.to(torch.complex64),
            "Your answer has dtype torch.complex64, which holds no real numbers like the run's.",
        ),
        (
            lambda o: [[1.0], [2.0, 3.0]],
            "Your answer is a list, not a torch tensor, and its items are not a grid of numbers.",
        ),
        (
            lambda o: (o[:, 0], o[:, 1]),
            "Your answer is a tuple of 2 tensors ((2, 6), (2, 6)), not one tensor: return one tensor (if the "
            "task wants them side by side, torch.cat(..., dim=-1) joins them).",
        ),
        (
            lambda o: o[:, 0, 3:].long(),
            "Your answer has dtype torch.int64, but the run's tensors are torch.float32: keep "
            "the tensor's own dtype (no .long(), .double() or .int()). Converting to "
            "integers rounds every number toward zero, so the run's values are lost.",
        ),
        (
            lambda o: o[:, 0, 3:].double(),
            "Your answer has dtype torch.float64, but the run's tensors are torch.float32: "
            "keep the tensor's own dtype (no .long(), .double() or .int()). Its numbers are "
            "the right ones.",
        ),
    ],
)
def test_learner_input_hints_in_full(answer, text):
    message = core_failure(answer)
    assert message.split("\n")[1].startswith(text), message


def test_a_function_given_to_check_tensor_and_a_judge_that_trips(capsys):
    with pytest.raises(AssertionError) as caught:
        check_tensor(
            top_backward,
            name="summary",
            case=CORE_CASES[0],
            expected=lambda r: r.h_n[-1],
            wanted="h_n[-1]",
            section="s",
            success="y",
        )
    assert str(caught.value) == (
        "Not yet: summary should be a tensor, but you passed a function. Call it on the "
        "run's tensors and pass what it returns."
    )
    message = core_failure(lambda o: o, judge=lambda got, r, expected: 1 / 0)
    assert message.split("\n")[1] == (
        "Your function returned a tensor of shape (2, 5, 6), which this exercise cannot read."
    )


@pytest.mark.parametrize(
    "answer,line",
    [
        (
            {"output": (4, 7, 100, 1), "h_n": (6, 4, 50)},
            '- "output": you said (4, 7, 100, 1), it is (4, 7, 100): it has 4 sizes, but output has 3 dimensions, '
            "(N, L, D * H_out): N, one entry per sequence; L, one entry per time step; D * H_out, both directions side "
            "by side (D = 2).",
        ),
        (
            {"output": (4, 7, 100), "h_n": (6, 50)},
            '- "h_n": you said (6, 50), it is (6, 4, 50): you left out the batch axis N = 4: only one unbatched '
            "sequence (L, H_in) gives results without it; here h_n is (num_layers * D, N, H_out).",
        ),
        (
            {"output": (4, 7, 100), "h_n": (12, 4, 50)},
            '- "h_n": you said (12, 4, 50), it is (6, 4, 50): the first size is num_layers * D, one row per layer and '
            "direction (D = 2 only for a bidirectional module): you counted twice as many rows.",
        ),
        (
            {"output": (4, 7, 100), "h_n": (6, 5, 50)},
            '- "h_n": you said (6, 5, 50), it is (6, 4, 50): size 1 should be 4, not 5: h_n\'s axis 1 is N, one entry '
            "per sequence.",
        ),
        (
            {"output": (4, 7, 64), "h_n": (6, 4, 50)},
            '- "output": you said (4, 7, 64), it is (4, 7, 100): the last size is D * H_out = 2 * 50: both directions '
            "side by side, each H_out (proj_size if it is set, else hidden_size) wide.",
        ),
        (
            {"output": (4, 8, 100), "h_n": (6, 4, 50)},
            '- "output": you said (4, 8, 100), it is (4, 7, 100): size 1 should be 7, not 8: output\'s axis 1 is L, '
            "one entry per time step.",
        ),
        (
            {"output": (4, 7, 100), "h_n": (6, 4, 50), "c_n": (6, 4, 50)},
            "- 'c_n': not asked for; the keys are output, h_n.",
        ),
    ],
)
def test_every_shape_hint_in_full(answer, line):
    with pytest.raises(AssertionError) as caught:
        check_shapes(answer, **SHAPES)
    assert line in str(caught.value).splitlines(), str(caught.value)


def test_shape_hints_for_one_direction_and_c_n():
    expected = {"h_n": (2, 3, 5), "c_n": (2, 3, 8)}
    with pytest.raises(AssertionError) as caught:
        check_shapes({"h_n": (4, 3, 5), "c_n": (3, 2, 8)}, name="s", expected=expected, section="x", success="y")
    assert str(caught.value).splitlines()[1:3] == [
        '- "h_n": you said (4, 3, 5), it is (2, 3, 5): the first size is num_layers * D, one row per layer and '
        "direction (D = 2 only for a bidirectional module): you counted twice as many rows.",
        '- "c_n": you said (3, 2, 8), it is (2, 3, 8): the first two sizes are swapped: batch_first never applies to '
        "h_n or c_n, nor to the h_0 and c_0 you pass: they stay (num_layers * D, N, hidden_size).",
    ]


def test_the_predicted_shapes_and_their_hints_agree_with_torch():
    torch.manual_seed(0)
    gru = torch.nn.GRU(input_size=6, hidden_size=10, num_layers=4, bidirectional=True)  # time first
    output, h_n = gru(torch.randn(3, 12, 6))
    check_predicted_shapes({"output": output.shape, "h_n": h_n.shape})  # the expected shapes are torch's own
    # the hint "batch_first never applies to h_n": with batch_first, h_n has the very same shape
    gru_batch_first = torch.nn.GRU(input_size=6, hidden_size=10, num_layers=4, bidirectional=True, batch_first=True)
    assert gru_batch_first(torch.randn(12, 3, 6))[1].shape == h_n.shape
    # the hint "a bidirectional module has two rows per layer" and "D = 2 in output's last size"
    assert h_n.shape[0] == 4 * 2 and output.shape[-1] == 2 * 10


def test_an_integer_expected_tensor_is_compared_as_integers(capsys):
    kwargs = dict(
        name="lengths",
        case=CORE_CASES[1],
        expected=lambda r: r.lengths,
        wanted="lengths",
        section="s",
        success="the lengths",
    )
    check_tensor(torch.tensor([4, 2, 3]), **kwargs)
    assert capsys.readouterr().out == "Correct: the lengths.\n"
    with pytest.raises(AssertionError) as caught:
        check_tensor(torch.tensor([4.0, 2.0, 3.0]), **kwargs)
    assert str(caught.value).split("\n")[1] == "Your answer has dtype torch.float32; the task wants torch.int64."
    with pytest.raises(AssertionError) as caught:
        check_tensor(torch.tensor([3, 1, 2]), **kwargs)
    assert str(caught.value).split("\n")[1] == "Your answer holds other values than the wanted ones."
    assert "  expected shape (3,), first values [4, 2, 3]" in str(caught.value)
