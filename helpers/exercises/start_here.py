"""Checker for notebook 00's warm-up: predict the shapes of output and h_n from the unrolled grid."""

from __future__ import annotations

from ..models import RNNConfig, run
from .shapes import check_shapes

# The warm-up's module: nn.LSTM(input_size=4, hidden_size=6, num_layers=4) on x of shape (7, 3, 4) = (L, N, H_in).
GRID_SHAPES_CONFIG = RNNConfig(cell="lstm", input_size=4, hidden_size=6, num_layers=4)
GRID_SHAPES_INPUT = (7, 3, 4)


def check_grid_shapes(answer: dict | None) -> None:
    """Warm-up: predict output's and h_n's shapes for a 4-layer LSTM over 7 steps, from the grid picture."""
    seq_len, batch_size, _ = GRID_SHAPES_INPUT
    r = run(GRID_SHAPES_CONFIG, seq_len=seq_len, batch_size=batch_size)  # the shapes come from torch itself
    check_shapes(
        answer,
        name="grid_shapes",
        expected={"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape)},
        section="00, section 4 (one direction: the top row is output, the last column h_n)",
        success="output has one state per step (the top row), h_n one per layer (the last column), each (N, H_out)",
    )
