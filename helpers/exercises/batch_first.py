"""Checkers for notebook 05's exercises: shapes with batch_first and unbatched input, and h_n per sequence."""

from __future__ import annotations

import torch

from ..models import RNNConfig, run
from .core import Case, check_function, check_shapes

# Exercise 1's module: nn.GRU(3, 5, num_layers=2, bidirectional=True, batch_first=True), x (3, 9, 3)
BATCH_FIRST_CONFIG = RNNConfig(
    cell="gru", input_size=3, hidden_size=5, num_layers=2, bidirectional=True, batch_first=True
)
# Exercise 2's module: nn.LSTM(3, 6, num_layers=3, proj_size=2, batch_first=True), one sequence x (9, 3)
UNBATCHED_CONFIG = RNNConfig(cell="lstm", input_size=3, hidden_size=6, num_layers=3, proj_size=2, batch_first=True)
PER_SEQUENCE_CASES = [
    Case(RNNConfig(cell="gru", input_size=4, hidden_size=3, num_layers=2, seed=51), 5, 3),
    Case(
        RNNConfig(
            cell="lstm", input_size=3, hidden_size=2, num_layers=2, bidirectional=True, batch_first=True, seed=52
        ),
        4,
        4,
    ),
    Case(RNNConfig(cell="rnn", input_size=2, hidden_size=4, num_layers=3, seed=53), 3, 2),
]


def check_batch_first_shapes(answer) -> None:
    """Exercise 1: output, h_n and the h_0 to pass, for a batch-first bidirectional GRU; from a real run."""
    r = run(BATCH_FIRST_CONFIG, seq_len=9, batch_size=3)
    h_0 = torch.zeros_like(r.h_n)
    r.module(r.x, h_0)  # torch accepts it: this really is the shape to pass
    check_shapes(
        answer,
        name="batch_first_shapes",
        expected={"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape), "h_0": tuple(h_0.shape)},
        section="05, sections 1 and 2 (batch_first moves the batch axis of x and output only)",
        success="batch_first puts N first in x and output, never in h_0 or h_n",
    )


def check_unbatched_shapes(answer) -> None:
    """Exercise 2: one unbatched sequence through a projected LSTM with batch_first=True; from a real run."""
    r = run(UNBATCHED_CONFIG, seq_len=9, unbatched=True)
    check_shapes(
        answer,
        name="unbatched_shapes",
        expected={"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape), "c_n": tuple(r.c_n.shape)},
        section="05, section 4 (one unbatched sequence) and 04, section 3 (proj_size)",
        success="no batch axis anywhere, batch_first has nothing to move, and c_n keeps hidden_size",
    )


def check_per_sequence(answer) -> None:
    """Exercise 3: per_sequence(h_n) -> one row per sequence holding all its final states, layer by layer."""
    check_function(
        answer,
        name="per_sequence",
        signature="per_sequence(h_n)",
        cases=PER_SEQUENCE_CASES,
        call=lambda f, r: f(r.h_n),
        expected=lambda r: r.h_n.transpose(0, 1).reshape(r.h_n.shape[1], -1),  # (N, num_layers * D * H_out)
        wanted=(
            "h_n.transpose(0, 1).reshape(N, -1): row n holds sequence n's final states, "
            "h_n[0, n], h_n[1, n], ... side by side"
        ),
        section="05, section 6 (h_n.view(N, -1) mixes sequences)",
        success="one row per sequence, with no numbers from another sequence",
    )
