"""Checkers for notebook 09's exercises: predict shapes for a new configuration, rebuild the summary from output."""

from __future__ import annotations

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


def check_projected_shapes(answer) -> None:
    """Exercise 1: shapes of a projected bidirectional LSTM's results on one unbatched sequence."""
    # nn.LSTM(5, 10, num_layers=2, proj_size=4, bidirectional=True) on x of shape (7, 5)
    check_shapes(
        answer,
        name="projected_shapes",
        expected={"output": (7, 8), "h_n": (4, 4), "c_n": (4, 10)},
        section="09, section 1 (the shape reference)",
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
