"""Checkers for notebook 04's exercises: the LSTM's shapes with proj_size, (h_0, c_0), and the final cell state."""

from __future__ import annotations

import torch

from ..models import RNNConfig, RNNRun, run
from .core import Case, check_function, check_shapes

# Exercise 1's module: nn.LSTM(3, 6, num_layers=3, proj_size=2, bidirectional=True, batch_first=True), x (5, 7, 3)
SHAPES_CONFIG = RNNConfig(
    cell="lstm", input_size=3, hidden_size=6, num_layers=3, proj_size=2, bidirectional=True, batch_first=True
)
# Exercise 2's module: 2 layers, two directions, hidden_size=8, proj_size=3, a batch of 5
INITIAL_CONFIG = RNNConfig(cell="lstm", input_size=3, hidden_size=8, num_layers=2, proj_size=3, bidirectional=True)
FINAL_CELL_CASES = [
    Case(RNNConfig(cell="lstm", input_size=3, hidden_size=4, num_layers=2, bidirectional=True, seed=41), 5, 2),
    Case(
        RNNConfig(
            cell="lstm",
            input_size=2,
            hidden_size=5,
            num_layers=3,
            proj_size=2,
            bidirectional=True,
            batch_first=True,
            seed=42,
        ),
        4,
        3,
    ),
    Case(RNNConfig(cell="lstm", input_size=3, hidden_size=3, num_layers=1, bidirectional=True, seed=43), 6, 4),
]


def _shapes(r: RNNRun, **names: torch.Tensor) -> dict[str, tuple[int, ...]]:
    return {name: tuple(t.shape) for name, t in names.items()}


def check_lstm_shapes(answer) -> None:
    """Exercise 1: the shapes of output, h_n and c_n, taken from really running the module."""
    r = run(SHAPES_CONFIG, seq_len=7, batch_size=5)
    check_shapes(
        answer,
        name="lstm_shapes",
        expected=_shapes(r, output=r.output, h_n=r.h_n, c_n=r.c_n),
        section="04, sections 1 and 3 (proj_size)",
        success="output has D * proj_size features, h_n proj_size, and c_n keeps hidden_size",
    )


def check_initial_state_shapes(answer) -> None:
    """Exercise 2: h_0 is shaped like h_n and c_0 like c_n; the shapes come from a real run."""
    r = run(INITIAL_CONFIG, seq_len=4, batch_size=5)
    h_0, c_0 = torch.zeros_like(r.h_n), torch.zeros_like(r.c_n)
    r.module(r.x, (h_0, c_0))  # torch accepts them: these really are the shapes to pass
    check_shapes(
        answer,
        name="initial_state_shapes",
        expected={"h_0": tuple(h_0.shape), "c_0": tuple(c_0.shape)},
        section="04, section 5 (passing your own (h_0, c_0))",
        success="h_0 is shaped like h_n (proj_size wide) and c_0 like c_n (hidden_size wide)",
    )


def check_final_cell(answer) -> None:
    """Exercise 3: final_cell(c_n) -> the top layer's forward and backward cell states side by side."""
    check_function(
        answer,
        name="final_cell",
        signature="final_cell(c_n)",
        cases=FINAL_CELL_CASES,
        call=lambda f, r: f(r.c_n),
        expected=lambda r: torch.cat([r.c_n[-2], r.c_n[-1]], dim=-1),  # (N, 2 * hidden_size)
        wanted="torch.cat([c_n[-2], c_n[-1]], dim=-1): the top layer's forward, then backward, final cell state",
        section="04, section 1, and 01, section 4 (two directions)",
        success="the top layer's two final cell states, side by side",
    )
