"""Checkers for notebook 02's exercises: predict a stacked LSTM's shapes, and rebuild a layer's output by hand."""

from __future__ import annotations

import re
import sys

import torch
from torch import nn

from .. import stack
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


# The layer asked for is the one just below the top: a layer output does not show. input_size differs from
# hidden_size in the first three, so feeding x to a layer above 0 raises torch's size error (explained below); in the
# last it does not, and that mistake is named by its numbers instead.
LAYER_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=3, seed=41), seq_len=5, batch_size=2),
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=2, seed=42), seq_len=4, batch_size=3),
    Case(RNNConfig("rnn", input_size=5, hidden_size=2, num_layers=4, seed=43), seq_len=6, batch_size=2),
    Case(RNNConfig("gru", input_size=3, hidden_size=3, num_layers=3, seed=44), seq_len=4, batch_size=2),
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


def _on_x(r: RNNRun, layer: int) -> torch.Tensor | None:
    """Layer `layer`'s weights run on x itself (the mistake of nn.RNN's docs' pseudocode); None if sizes differ."""
    if r.config.input_size != r.config.h_out or layer < 1:
        return None
    return split_layers(r.module)[layer](r.x)[0]


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
    "x_to_each": (
        lambda r: _on_x(r, asked_layer(r)),
        "that is the layer's weights run on x itself. Only layer 0 reads x: layer k reads the output of layer "
        "k - 1 (the pseudocode in nn.RNN's docs, which seems to give every layer x, means the input of each layer). "
        "Feed each one-layer module the output of the one before.",
    ),
}


OTHERWISE = (
    "its numbers are not that layer's. Give one-layer module k the weights of layer k (weight_ih_l{k} "
    "and the others, copied into weight_ih_l0 ...), feed layer 0 with x and each next one with the "
    "output of the one before, and stop at the layer asked for."
)

HELPERS = ("split_layers", "run_layers")


class UsedHelper(Exception):
    """Raised in place of split_layers / run_layers while the learner's function runs."""


def _names(code) -> set[str]:
    """Every global and attribute name a function's code uses, nested functions included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names(const)
    return names


def _refuse(name: str):
    def refused(*args, **kwargs):
        raise UsedHelper(name)

    return refused


def _no_helpers(answer, r: RNNRun) -> None:
    """AssertionError if the answer uses split_layers or run_layers: this exercise asks for the stack by hand."""
    message = (
        "Not yet: your function uses helpers.{name}, which builds the stack for you (section 2 uses it to check "
        "the rule). This exercise asks you to write it by hand: make one-layer modules (nn.GRU(..., num_layers=1) "
        "or the module's own type), copy layer k's weights into module k, and run them one after the other."
    )
    code = getattr(answer, "__code__", None)
    used = [name for name in HELPERS if code is not None and name in _names(code)]
    if used:
        raise AssertionError(message.format(name=used[0]))
    # Called through another name: run it once with the helpers replaced by functions that refuse.
    package = sys.modules[__name__.split(".")[0]]  # helpers, as the notebooks import it

    originals = {name: getattr(stack, name) for name in HELPERS}
    spaces = [stack, package]
    namespace = getattr(answer, "__globals__", None)
    saved: list[tuple[object, str, object]] = []
    try:
        for space in spaces:
            for name in HELPERS:
                saved.append((space, name, getattr(space, name)))
                setattr(space, name, _refuse(name))
        if isinstance(namespace, dict):
            for key, value in list(namespace.items()):
                if any(value is original for original in originals.values()):
                    saved.append((namespace, key, value))
                    namespace[key] = _refuse(next(n for n, o in originals.items() if o is value))
        try:
            _call(answer, r)
        except UsedHelper as used_one:
            raise AssertionError(message.format(name=used_one.args[0])) from None
        except Exception:  # anything else the answer raises: check_function reports it
            pass
    finally:
        for space, name, value in reversed(saved):
            if isinstance(space, dict):
                space[name] = value
            else:
                setattr(space, name, value)


def _size_error(answer, r: RNNRun, error: Exception) -> str | None:
    """Name the mistake behind torch's size errors: x fed to a layer above 0, or that layer built for x's width."""
    text = str(error)
    H_in, H = r.config.input_size, r.config.h_out
    feeds = re.search(r"input.size\(-1\) must be equal to input_size. Expected (\d+), got (\d+)", text)
    if feeds:
        expected, got = int(feeds.group(1)), int(feeds.group(2))
        if expected == H and got == H_in:
            return (
                f"A layer above 0 was given x ({H_in} features): only layer 0 reads x; layer k reads the output of "
                f"layer k - 1 ({H} features). (The pseudocode in nn.RNN's docs seems to give every layer x; it means "
                "each layer's own input.) Feed each one-layer module the output of the one before."
            )
        if expected == H_in and got == H:
            return (
                f"A one-layer module for a layer above 0 was built with input_size={H_in}, x's width. Layers above 0 "
                f"read the output of the layer below, so theirs is input_size={H} (hidden_size)."
            )
    sizes = re.search(
        r"tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (\d+)", text
    )
    shapes = re.findall(r"torch.Size\(\[(\d+), (\d+)\]\)", text)  # load_state_dict's size mismatch
    pairs = []
    if sizes:
        a, b, dim = (int(v) for v in sizes.groups())
        pairs.append((dim, a, b))
    elif len(shapes) >= 2:
        (r0, c0), (r1, c1) = [(int(r), int(c)) for r, c in shapes[:2]]
        pairs += [(0, r0, r1)] if r0 != r1 else []
        pairs += [(1, c0, c1)] if c0 != c1 else []
    for dim, a, b in pairs:
        if dim == 1 and {a, b} == {H_in, H}:
            return (
                f"A weight did not fit: weight_ih_l{{k}} of a layer above 0 has {H} columns (it reads the layer "
                f"below, hidden_size wide), while layer 0's has {H_in} (x's width). Build one-layer module k with "
                f"input_size={H_in} for k = 0 and {H} for the others."
            )
        if dim == 0 and a != b:
            return (
                f"A weight did not fit: its rows are the gates times hidden_size, and the module's cell type "
                f"({type(r.module).__name__}) has another number of gates than the one-layer module you built. "
                "Build the one-layer modules with the module's own type: type(module)(...)."
            )
    return None


def check_layer_output(answer) -> None:
    """Exercise 2: layer_output(module, x, layer) returns every step of that layer, (L, N, H_out), by hand."""
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
        explain_error=_size_error,
        before_call=_no_helpers,
        success="a multi-layer module is a stack of one-layer modules, and you can rebuild any layer of it",
        say_what_changed=False,
    )
