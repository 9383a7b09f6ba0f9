"""Checkers for notebook 02's exercises: predict a stacked LSTM's shapes, and rebuild a layer's output by hand."""

from __future__ import annotations

import torch
from torch import nn

from ..models import RNNConfig, RNNRun
from ..stack import run_layers, split_layers
from .core import Case, check_shapes
from .named import Mistakes, verify_with_mistakes

SECTION = "notebook 02, section 2 (the same module, built by hand)"


def check_layer_shapes(shapes) -> None:
    """Exercise 1: the shapes nn.LSTM(6, 8, num_layers=4, batch_first=True) returns on x of shape (2, 9, 6)."""
    torch.manual_seed(0)
    lstm = nn.LSTM(input_size=6, hidden_size=8, num_layers=4, batch_first=True)
    with torch.no_grad():
        output, (h_n, c_n) = lstm(torch.zeros(2, 9, 6))  # the shapes come from torch itself
    expected = {"output": tuple(output.shape), "h_n": tuple(h_n.shape), "c_n": tuple(c_n.shape)}
    check_shapes(
        shapes,
        name="layer_shapes",
        expected=expected,
        section="notebook 02, sections 1 and 3; notebook 01 for batch_first",
        success="output is the top layer at every step, h_n and c_n one row per layer, "
        "and batch_first moves only output's batch axis",
    )


# The layer asked for is the one just below the top: a layer output does not show.
LAYER_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=3, seed=41), seq_len=5, batch_size=2),
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=2, seed=42), seq_len=4, batch_size=3),
    Case(RNNConfig("rnn", input_size=5, hidden_size=2, num_layers=4, seed=43), seq_len=6, batch_size=2),
]


def asked_layer(r: RNNRun) -> int:
    """The layer the checker asks for on run r: the one below the top."""
    return r.config.num_layers - 2


def _call(f, r: RNNRun):
    return f(r.module, r.x, asked_layer(r))


def _layer(r: RNNRun, layer: int) -> torch.Tensor | None:
    """Every step of one layer, from the stack built by hand; None for a layer that does not exist."""
    if not 0 <= layer < r.config.num_layers:
        return None
    return run_layers(split_layers(r.module), r.x).layer_outputs[layer]


LAYER_MISTAKES: Mistakes = {
    "top": (
        lambda r: r.output,
        "that is the module's output, the top layer (the one above the layer asked for). "
        "The module returns no other layer's steps: run one-layer modules with the "
        "module's weights up to the layer asked for.",
    ),
    "below": (
        lambda r: _layer(r, asked_layer(r) - 1),
        "that is the layer below the one asked for. Layers count from 0, and layer 0 is the one that reads x.",
    ),
    "final": (
        lambda r: r.h_n[asked_layer(r)],
        "that is h_n[layer], the layer's last step only; the task wants "
        "every step, which only a stack built by hand gives.",
    ),
}


OTHERWISE = (
    "its numbers are not that layer's. Give one-layer module k the weights of layer k (weight_ih_l{k} "
    "and the others, copied into weight_ih_l0 ...), feed layer 0 with x and each next one with the "
    "output of the one before, and stop at the layer asked for."
)


def check_layer_output(answer) -> None:
    """Exercise 2: layer_output(module, x, layer) returns every step of that layer, (L, N, H_out)."""
    verify_with_mistakes(
        answer,
        name="layer_output",
        signature="layer_output(module, x, layer)",
        cases=LAYER_CASES,
        call=_call,
        expected=lambda r: _layer(r, asked_layer(r)),
        wanted=lambda r: (
            f"every step of layer {asked_layer(r)} of {r.config.num_layers} (L, N, H_out), which output does not show"
        ),
        section=SECTION,
        mistakes=LAYER_MISTAKES,
        otherwise=OTHERWISE,
        success="a multi-layer module is a stack of one-layer modules, and you can rebuild any layer of it",
    )
