"""Checkers for notebook 03's exercises: a row of a bidirectional h_n, and one layer's backward half after k tokens."""

from __future__ import annotations

import torch

from ..models import RNNConfig, RNNRun
from .core import Case
from .named import Mistakes, verify_with_mistakes

BOTTOM_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=3, bidirectional=True, seed=51)),
    Case(
        RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=4, bidirectional=True, batch_first=True, seed=52),
        seq_len=4,
        batch_size=3,
    ),
    Case(RNNConfig("rnn", input_size=5, hidden_size=2, num_layers=2, bidirectional=True, seed=53), seq_len=6),
]

BOTTOM_MISTAKES: Mistakes = {
    "view_order": (
        lambda r: r.h_n[r.config.num_layers],
        "that is h_n[num_layers], what h_n.view(2, num_layers, N, H_out)[1, 0] picks. h_n's rows go "
        "layer by layer, forward then backward: row 2 * layer + direction.",
    ),
    "top": (lambda r: r.h_n[-1], "that is h_n[-1], the top layer's backward state; the bottom layer is layer 0."),
    "forward": (
        lambda r: r.h_n[0],
        "that is h_n[0], the bottom layer's forward state; its backward state is the next row.",
    ),
}


def check_bottom_backward(answer) -> None:
    """Exercise 1: bottom_backward(h_n) returns the bottom layer's backward final state, (N, H_out)."""
    verify_with_mistakes(
        answer,
        name="bottom_backward",
        signature="bottom_backward(h_n)",
        cases=BOTTOM_CASES,
        call=lambda f, r: f(r.h_n),
        expected=lambda r: r.h_n[1],
        wanted=lambda r: "h_n[1], layer 0's backward final state (row 2 * layer + direction)",
        section="notebook 03, sections 2 and 5",
        mistakes=BOTTOM_MISTAKES,
        success="h_n's rows go layer by layer, forward then backward inside each layer",
    )


# (case, k): in a ONE-LAYER module, the backward half's state after reading k tokens sits at step L - k. With two
# layers or more, the top layer's backward half at step L - k has taken k steps but depends on every token (layer 1
# reads both halves of layer 0's output), so "has read k tokens" would be false there: every case has one layer.
# The cases keep that step apart from the step where the forward half has read k tokens (k - 1), and from its
# neighbours.
AFTER_NUM_LAYERS = 1
AFTER_CASES = [
    (
        Case(
            RNNConfig("gru", input_size=4, hidden_size=3, num_layers=AFTER_NUM_LAYERS, bidirectional=True, seed=61),
            seq_len=5,
            batch_size=2,
        ),
        2,
    ),
    (
        Case(
            RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=AFTER_NUM_LAYERS, bidirectional=True, seed=62),
            seq_len=6,
            batch_size=3,
        ),
        4,
    ),
    (
        Case(
            RNNConfig("rnn", input_size=2, hidden_size=5, num_layers=AFTER_NUM_LAYERS, bidirectional=True, seed=63),
            seq_len=4,
            batch_size=1,
        ),
        1,
    ),
]
K = {case.config.seed: k for case, k in AFTER_CASES}


def asked_k(r: RNNRun) -> int:
    """How many tokens the checker asks about on run r."""
    return K[r.config.seed]


def _backward_at(r: RNNRun, step: int) -> torch.Tensor | None:
    """output[step, :, H_out:] of a time-first output, or None for a step outside the sequence."""
    if not 0 <= step < r.output.shape[0]:
        return None
    return r.output[step, :, r.config.h_out :]


def _steps_left(r: RNNRun) -> int:
    return r.output.shape[0] - asked_k(r)  # L - k


AFTER_MISTAKES: Mistakes = {
    "forward_count": (
        lambda r: _backward_at(r, asked_k(r) - 1),
        "that is step k - 1, where the forward half has read k tokens. The backward half reads from "
        "the end: in one layer, at step t it has read x[t] ... x[L-1], L - t tokens.",
    ),
    "one_more": (
        lambda r: _backward_at(r, _steps_left(r) - 1),
        "that is one step too early: there the backward half has read k + 1 tokens. In one layer, at step t "
        "it has read L - t tokens.",
    ),
    "one_less": (
        lambda r: _backward_at(r, _steps_left(r) + 1),
        "that is one step too late: there the backward half has read k - 1 tokens. In one layer, at step t it "
        "has read L - t tokens.",
    ),
    "forward_half": (
        lambda r: r.output[_steps_left(r), :, : r.config.h_out],
        "that is the forward half of the right step; the backward half is the second H_out features.",
    ),
}


def check_backward_after(answer) -> None:
    """Exercise 2: backward_after(output, k) returns a one-layer module's backward half after k tokens, (N, H_out)."""
    verify_with_mistakes(
        answer,
        name="backward_after",
        signature="backward_after(output, k)",
        cases=[c for c, _ in AFTER_CASES],
        call=lambda f, r: f(r.output, asked_k(r)),
        expected=lambda r: _backward_at(r, _steps_left(r)),
        wanted=lambda r: (
            f"output[{_steps_left(r)}, :, H_out:] for L = {r.output.shape[0]} and k = {asked_k(r)}: "
            f"the backward half at step L - k"
        ),
        section="notebook 03, section 4 (how much has each half read?)",
        mistakes=AFTER_MISTAKES,
        success="in one layer, the backward half at step t has read the L - t tokens from x[t] to the end",
    )
