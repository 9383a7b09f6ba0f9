"""Checkers for notebook 09's exercises: predict shapes for a new configuration, rebuild the summary from output."""

from __future__ import annotations

import warnings

import torch
from torch import nn

from ..models import RNNConfig
from ..states import sequence_summary
from .core import Case, check_function, check_shapes

SUMMARY_CASES = [
    Case(
        RNNConfig("gru", input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True, seed=91),
        seq_len=5,
        batch_size=3,
        lengths=(4, 1, 5),
    ),
    Case(
        RNNConfig("lstm", input_size=2, hidden_size=5, proj_size=2, bidirectional=True, batch_first=True, seed=92),
        seq_len=6,
        batch_size=2,
        lengths=(2, 6),
    ),
]


def projected_run_shapes() -> dict[str, tuple[int, ...]]:
    """Exercise 1's shapes, as torch returns them: nn.LSTM(5, 10, num_layers=2, proj_size=4, bidirectional=True)
    run on one unbatched sequence x of shape (7, 5)."""
    with torch.random.fork_rng(devices=[]):  # the learner's random state is left as it was
        lstm = nn.LSTM(5, 10, num_layers=2, proj_size=4, bidirectional=True)
    with torch.no_grad(), warnings.catch_warnings():  # a note about which CPU kernel runs, not about the shapes
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        output, (h_n, c_n) = lstm(torch.zeros(7, 5))
    return {"output": tuple(output.shape), "h_n": tuple(h_n.shape), "c_n": tuple(c_n.shape)}


def check_projected_shapes(answer) -> None:
    """Exercise 1: shapes of a projected bidirectional LSTM's results on one unbatched sequence."""
    check_shapes(
        answer,
        name="projected_shapes",
        expected=projected_run_shapes(),
        section="04, section 3 (`proj_size`: a smaller `h`, the same `c`) and 05, section 4 (one sequence, no batch axis)",
        success="unbatched drops N everywhere; H_out is proj_size = 4 for output and h_n, c_n stays hidden_size = 10",
    )


def check_summary_from_output(answer) -> None:
    """Exercise 2: the classifier summary of a packed bidirectional run, read from output alone."""
    check_function(
        answer,
        name="summary_from_output",
        signature="summary_from_output(output, lengths)",
        cases=SUMMARY_CASES,
        call=lambda fn, r: fn(r.output, r.lengths),
        expected=lambda r: sequence_summary(r.h_n, bidirectional=True),
        wanted="cat(output[n, lengths[n] - 1, :H_out], output[n, 0, H_out:]) for each sequence n, "
        "which is cat(h_n[-2], h_n[-1])",
        section="09, section 1 (the shape reference, packed and bidirectional) and 08, section 1",
        success="forward half at each sequence's last valid step, backward half at step 0: the same as "
        "cat(h_n[-2], h_n[-1])",
    )
