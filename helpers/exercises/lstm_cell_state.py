"""Checkers for notebook 04's exercises: the LSTM's shapes with proj_size, (h_0, c_0), and the final cell state."""

from __future__ import annotations

import torch

from ..models import RNNConfig, RNNRun, run
from .core import Case, check_shapes
from .named import Mistakes, verify_with_mistakes

# Exercise 1's module: nn.LSTM(3, 6, num_layers=3, proj_size=2, bidirectional=True, batch_first=True), x (5, 7, 3)
SHAPES_CONFIG = RNNConfig(
    cell="lstm", input_size=3, hidden_size=6, num_layers=3, proj_size=2, bidirectional=True, batch_first=True
)
# Exercise 2's module: 2 layers, two directions, hidden_size=8, proj_size=3, a batch of 5
INITIAL_CONFIG = RNNConfig(cell="lstm", input_size=3, hidden_size=8, num_layers=2, proj_size=3, bidirectional=True)
# Exercise 3: c_n with the batch first, each layer's two directions side by side. N, num_layers and 2 differ in
# every case, so that no wrong arrangement can have the right shape by chance.
CELL_CASES = [
    Case(RNNConfig(cell="lstm", input_size=3, hidden_size=4, num_layers=3, bidirectional=True, seed=41), 5, 4),
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
        5,
    ),
    Case(RNNConfig(cell="lstm", input_size=3, hidden_size=3, num_layers=1, bidirectional=True, seed=43), 6, 4),
]
CELL_SECTION = "04, section 1 (c_n is laid out like h_n), 03, section 2 (row 2 * layer + direction), 01, section 3"


def _by_layer(c_n: torch.Tensor) -> torch.Tensor:
    """(num_layers * 2, N, hidden_size) -> (N, num_layers, 2 * hidden_size): forward then backward, per layer."""
    rows, N, H = c_n.shape
    return c_n.detach().view(rows // 2, 2, N, H).permute(2, 0, 1, 3).reshape(N, rows // 2, 2 * H)


def _sizes(r: RNNRun) -> tuple[int, int, int]:
    rows, N, H = r.c_n.shape
    return rows // 2, N, H


CELL_MISTAKES: Mistakes = {
    "no_transpose": (
        lambda r: r.c_n.detach().reshape(_sizes(r)[1], _sizes(r)[0], -1),
        "reshape alone reads c_n in the order it is stored, row of c_n by row (each row all N sequences), so "
        "one row of your answer mixes several sequences. Put the batch first with transpose(0, 1), then reshape.",
    ),
    "direction_first": (
        lambda r: (
            r.c_n.detach()
            .view(2, _sizes(r)[0], _sizes(r)[1], _sizes(r)[2])
            .permute(2, 1, 0, 3)
            .reshape(_sizes(r)[1], _sizes(r)[0], -1)
        ),
        "this reads c_n as (2, num_layers, ...), direction first. c_n's rows go like h_n's, layer by layer, "
        "forward then backward inside each layer (row 2 * layer + direction): view it as (num_layers, 2, N, "
        "hidden_size).",
    ),
    "swapped": (
        lambda r: _by_layer(
            r.c_n.detach().view(_sizes(r)[0], 2, _sizes(r)[1], _sizes(r)[2]).flip(1).reshape(r.c_n.shape)
        ),
        "the right states with each layer's halves swapped: forward first, then backward, as in c_n's rows.",
    ),
    "direction_outer": (
        lambda r: (
            r.c_n.detach()
            .view(_sizes(r)[0], 2, _sizes(r)[1], _sizes(r)[2])
            .transpose(0, 2)
            .reshape(_sizes(r)[1], _sizes(r)[0], -1)
        ),
        "each sequence's states are laid out direction first (every layer's forward state, then every layer's "
        "backward one), then cut into num_layers pieces. Keep the layer axis before the direction axis: from "
        "c_n.view(num_layers, 2, N, hidden_size), permute(2, 0, 1, 3) before reshaping.",
    ),
    "layers_reversed": (
        lambda r: _by_layer(r.c_n.detach()).flip(1) if _sizes(r)[0] > 1 else None,
        "the layers are in reverse order: c_n's first rows are layer 0, the bottom layer, and so is index 0 "
        "of the task's layer axis.",
    ),
}


def _cell_shape_hint(got: torch.Tensor, r: RNNRun) -> str | None:
    num_layers, N, H = _sizes(r)
    shape = tuple(got.shape)
    if shape == (N, num_layers, 2, H):
        return "the two directions are still on an axis of their own: put them side by side, 2 * hidden_size wide."
    if shape == (N, 2 * num_layers, H):
        return "each (layer, direction) is a row of its own: join each layer's two rows side by side."
    if shape == (num_layers, N, 2 * H) or shape == (2 * num_layers, N, H) and r.config.h_out == H:
        return "the batch is not first: the task wants one entry per sequence first, (N, num_layers, 2 * hidden_size)."
    if r.config.proj_size and shape[-1:] == (2 * r.config.proj_size,):
        return "your answer is proj_size wide per direction: c_n keeps hidden_size, which proj_size does not change."
    if shape == (N, 2 * H):
        return "that is one layer only (the top one?): the task wants every layer, (N, num_layers, 2 * hidden_size)."
    return None


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


def check_cell_by_layer(answer) -> None:
    """Exercise 3: cell_by_layer(c_n) -> (N, num_layers, 2 * hidden_size), each layer's two cell states side by side."""
    verify_with_mistakes(
        answer,
        name="cell_by_layer",
        signature="cell_by_layer(c_n)",
        cases=CELL_CASES,
        call=lambda f, r: f(r.c_n),
        expected=lambda r: _by_layer(r.c_n),
        wanted=lambda r: (
            "c_n with the batch first and each layer's forward, then backward, cell state side by side: "
            f"(N, num_layers, 2 * hidden_size) = {tuple(_by_layer(r.c_n).shape)}"
        ),
        section=CELL_SECTION,
        mistakes=CELL_MISTAKES,
        shape_hint=_cell_shape_hint,
        success="c_n's rows go layer by layer, forward then backward, like h_n's; the batch is its second axis",
        say_what_changed=False,
    )
