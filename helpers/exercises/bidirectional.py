"""Checkers for notebook 03's exercises: a row of a bidirectional h_n, and both final states from output."""

from __future__ import annotations

import torch

from ..models import RNNConfig, RNNRun
from ..states import sequence_summary
from .core import Case
from .named import Mistakes, check_with_mistakes

BOTTOM_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=3, bidirectional=True, seed=51)),
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=4, bidirectional=True, batch_first=True, seed=52),
         seq_len=4, batch_size=3),
    Case(RNNConfig("rnn", input_size=5, hidden_size=2, num_layers=2, bidirectional=True, seed=53), seq_len=6),
]

BOTTOM_MISTAKES: Mistakes = {
    "view_order": (lambda r: r.h_n[r.config.num_layers],
                   "that is h_n[num_layers], what h_n.view(2, num_layers, N, H_out)[1, 0] picks. h_n's rows go "
                   "layer by layer, forward then backward: row 2 * layer + direction."),
    "top": (lambda r: r.h_n[-1], "that is h_n[-1], the top layer's backward state; the bottom layer is layer 0."),
    "forward": (lambda r: r.h_n[0], "that is h_n[0], the bottom layer's forward state; its backward state is the "
                                    "next row."),
}


def check_bottom_backward(answer) -> None:
    """Exercise 1: bottom_backward(h_n) returns the bottom layer's backward final state, (N, H_out)."""
    check_with_mistakes(
        answer, name="bottom_backward", signature="bottom_backward(h_n)", cases=BOTTOM_CASES,
        call=lambda f, r: f(r.h_n), expected=lambda r: r.h_n[1],
        wanted=lambda r: "h_n[1], layer 0's backward final state (row 2 * layer + direction)",
        section="notebook 03, sections 2 and 5", mistakes=BOTTOM_MISTAKES,
        success="h_n's rows go layer by layer, forward then backward inside each layer")


TOP_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, seed=61), seq_len=5,
         batch_size=2),
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=1, bidirectional=True, seed=62), seq_len=3,
         batch_size=4),
    Case(RNNConfig("rnn", input_size=2, hidden_size=5, num_layers=3, bidirectional=True, seed=63), seq_len=7,
         batch_size=1),
]


def _halves(r: RNNRun, step_forward: int, step_backward: int) -> torch.Tensor:
    """cat(output[step_forward, :, :H_out], output[step_backward, :, H_out:]) for a time-first output."""
    h = r.config.h_out
    return torch.cat([r.output[step_forward, :, :h], r.output[step_backward, :, h:]], dim=-1)


def _batch_first_slip(r: RNNRun) -> torch.Tensor:
    """The batch-first indexing applied to a time-first output: (L, 2 * H_out)."""
    h = r.config.h_out
    return torch.cat([r.output[:, -1, :h], r.output[:, 0, h:]], dim=-1)


TOP_MISTAKES: Mistakes = {
    "last_step": (lambda r: r.output[-1], "that is output[-1], both halves at the last step. The backward half "
                                          "there has read one token: the backward final state is at step 0."),
    "first_step": (lambda r: r.output[0], "that is output[0], both halves at step 0. The forward half there has "
                                          "read one token: the forward final state is at the last step."),
    "swapped": (lambda r: _halves(r, 0, -1), "that takes each half at the other end: forward ends at the last step, "
                                             "backward at step 0."),
    "batch_first": (_batch_first_slip, "that indexes output as if it were batch first. Here output is "
                                       "(L, N, 2 * H_out): time is the first axis, so the last step is output[-1]."),
}


def check_top_final_states(answer) -> None:
    """Exercise 2: top_final_states(output) returns cat(forward final, backward final) from a time-first output."""
    check_with_mistakes(
        answer, name="top_final_states", signature="top_final_states(output)", cases=TOP_CASES,
        call=lambda f, r: f(r.output), expected=lambda r: sequence_summary(r.h_n, bidirectional=True),
        wanted=lambda r: "cat(output[-1, :, :H_out], output[0, :, H_out:]), equal to cat(h_n[-2], h_n[-1])",
        section="notebook 03, section 3", mistakes=TOP_MISTAKES,
        success="the forward run ends at the last step, the backward run at step 0")
