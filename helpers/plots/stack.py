"""A multi-layer module drawn as what it is: a stack of one-layer modules, each reading the output of the one below.

stack_model takes the module apart with helpers.split_layers, runs the stack with helpers.run_layers and the
module itself on the same x, and keeps the shapes and whether the two agree; stack draws that, so every shape and
every "equals" in the picture comes from torch. x enters at the bottom; each module's output (every step) goes up
to the next; the top one's output is `output`; each module's final state goes right, to its rows of h_n, bottom
first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.text import Text
from torch import nn

from ..checks import check_tensor
from ..stack import RECURRENT, run_layers, split_layers
from .alt import listing, set_alt

WIDTH = 720.0  # points: 10 inches, 1000 px in a saved notebook (100 dpi)
BOX_W, BOX_H, GAP = 300.0, 46.0, 50.0  # a module's box, and the room between two (the arrow and its label)
BOX_X = 120.0  # left edge of the modules
ROW_X, ROW_W, ROW_H = 590.0, 56.0, 12.0  # h_n's rows, each next to the module it comes from
FILL = "#dcebf7"  # a pale blue for the modules; their names and the arrows' styles carry the meaning
HATCH_FWD, HATCH_BWD = "//", "\\\\"
OUTPUT_ARROW = dict(arrowstyle="-|>", mutation_scale=14, linewidth=1.8, color="#222222", linestyle="-")
FINAL_ARROW = dict(arrowstyle="-|>", mutation_scale=12, linewidth=1.3, color="#222222", linestyle=(0, (4, 3)))
NAMES = {nn.RNN: "nn.RNN", nn.GRU: "nn.GRU", nn.LSTM: "nn.LSTM"}


@dataclass(frozen=True)
class StackLayer:
    """One one-layer module of the stack: what it is, what it reads and returns, and its rows of h_n."""

    index: int
    call: str  # how it is built, e.g. "nn.GRU(input_size=3, hidden_size=3)"
    reads: tuple[int, ...]  # the shape of what it reads: x, or the output of the module below
    output: tuple[int, ...]  # the shape of its output, every step
    rows: tuple[int, ...]  # the rows of h_n (and c_n) that are its final states: forward first


@dataclass(frozen=True)
class StackModel:
    """Everything the stack picture shows, from a real module and input."""

    cell: str  # "nn.RNN", "nn.GRU" or "nn.LSTM"
    call: str  # the module's own settings, e.g. "nn.GRU(input_size=4, hidden_size=3, num_layers=3)"
    num_directions: int
    batch_first: bool
    unbatched: bool
    x: tuple[int, ...]
    output: tuple[int, ...]
    h_n: tuple[int, ...]
    c_n: tuple[int, ...] | None  # LSTM only
    layers: tuple[StackLayer, ...]  # bottom first
    output_equal: bool  # torch.equal(the top one-layer module's output, the module's output)
    h_n_equal: bool  # torch.equal(the one-layer modules' final states, bottom first, the module's h_n)
    c_n_equal: bool | None


def _call(module: nn.Module, num_layers: bool = True) -> str:
    """The settings of module, as the call that builds it (defaults left out)."""
    parts = [f"input_size={module.input_size}", f"hidden_size={module.hidden_size}"]
    if num_layers:
        parts.append(f"num_layers={module.num_layers}")
    if isinstance(module, nn.LSTM) and module.proj_size:
        parts.append(f"proj_size={module.proj_size}")
    if module.bidirectional:
        parts.append("bidirectional=True")
    if module.batch_first:
        parts.append("batch_first=True")
    return f"{NAMES[type(module)]}({', '.join(parts)})"


def stack_model(module: nn.Module, x: torch.Tensor) -> StackModel:
    """Take module apart into one-layer modules, run both on x, and keep what the picture shows."""
    if not isinstance(module, RECURRENT):
        raise ValueError(f"module={type(module).__name__} is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM")
    check_tensor("x", x, (2, 3), "a 2-D (L, H_in) or 3-D (L, N, H_in) / (N, L, H_in) tensor (not packed)")
    if x.shape[-1] != module.input_size:
        raise ValueError(f"x.shape[-1]={x.shape[-1]} is not allowed: the module has input_size={module.input_size}")
    if module.training and module.dropout > 0:
        raise ValueError(
            f"module.dropout={module.dropout!r} is not allowed in train mode: the stack is drawn without dropout, "
            "so call module.eval() first"
        )
    layers = split_layers(module)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        result = module(x)
        stack = run_layers(layers, x)
    output, state = result
    h_n, c_n = state if isinstance(module, nn.LSTM) else (state, None)
    d = 2 if module.bidirectional else 1
    drawn = tuple(
        StackLayer(
            index=k,
            call=_call(one, num_layers=False),
            reads=tuple((x if k == 0 else stack.layer_outputs[k - 1]).shape),
            output=tuple(stack.layer_outputs[k].shape),
            rows=tuple(range(k * d, (k + 1) * d)),
        )
        for k, one in enumerate(layers)
    )
    return StackModel(
        cell=NAMES[type(module)],
        call=_call(module),
        num_directions=d,
        batch_first=module.batch_first,
        unbatched=x.dim() == 2,
        x=tuple(x.shape),
        output=tuple(output.shape),
        h_n=tuple(h_n.shape),
        c_n=None if c_n is None else tuple(c_n.shape),
        layers=drawn,
        output_equal=torch.equal(stack.output, output),
        h_n_equal=torch.equal(stack.h_n, h_n),
        c_n_equal=None if c_n is None else torch.equal(stack.c_n, c_n),
    )


@dataclass
class StackArtists:
    """Everything stack() drew."""

    fig: Figure
    ax: Axes
    modules: list[Rectangle]  # one per module (two per module with two directions: forward, backward), bottom first
    rows: list[Rectangle]  # h_n's rows, h_n[0] first
    output_arrows: list[FancyArrowPatch]  # x -> layer 0 -> ... -> top -> output
    final_arrows: list[FancyArrowPatch]  # each module's final state -> its rows of h_n, bottom first
    texts: list[Text]


def _names(model: StackModel) -> tuple[str, str]:
    """The letters of x's and output's shapes in this layout, e.g. ("(L, N, H_in)", "(L, N, D * H_out)")."""
    if model.unbatched:
        return "(L, H_in)", "(L, D * H_out)"
    if model.batch_first:
        return "(N, L, H_in)", "(N, L, D * H_out)"
    return "(L, N, H_in)", "(L, N, D * H_out)"


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"


def stack(model: StackModel, fig: Figure | None = None) -> StackArtists:
    """Draw model: the one-layer modules bottom to top, x below, output above, h_n's rows at the right."""
    n = len(model.layers)
    footer_h, x_h, top_h = 74.0, 56.0, 78.0
    height = footer_h + x_h + n * BOX_H + (n - 1) * GAP + GAP + top_h
    if fig is None:
        fig = Figure(figsize=(WIDTH / 72, height / 72))
    else:
        fig.set_size_inches(WIDTH / 72, height / 72)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    texts, modules, rows, up, right = [], [], [], [], []

    def write(x, y, s, size=9.0, **kw):
        texts.append(ax.text(x, y, s, fontsize=size, fontfamily="DejaVu Sans", **kw))

    def mono(x, y, s, size=8.5, **kw):
        texts.append(ax.text(x, y, s, fontsize=size, fontfamily="DejaVu Sans Mono", **kw))

    def arrow(start, end, style):
        patch = ax.add_patch(FancyArrowPatch(start, end, shrinkA=0, shrinkB=0, **style))
        return patch

    x_name, out_name = _names(model)
    middle = BOX_X + BOX_W / 2
    y = footer_h + x_h  # bottom of layer 0
    # x, at the bottom
    mono(middle, footer_h + 14, f"x: {x_name} = {_shape(model.x)}", size=9.5, ha="center", va="center")
    up.append(arrow((middle, footer_h + 24), (middle, y), OUTPUT_ARROW))
    for k, layer in enumerate(model.layers):
        top = y + BOX_H
        if model.num_directions == 1:
            modules.append(ax.add_patch(Rectangle((BOX_X, y), BOX_W, BOX_H, facecolor=FILL, edgecolor="#333333")))
        else:  # the forward and backward halves of one module, side by side
            for half, (hatch, name) in enumerate(((HATCH_FWD, "forward \u2192"), (HATCH_BWD, "\u2190 backward"))):
                rect = Rectangle(
                    (BOX_X + half * BOX_W / 2, y),
                    BOX_W / 2,
                    BOX_H,
                    facecolor=FILL,
                    edgecolor="#333333",
                    hatch=hatch,
                    hatchcolor="#b3cde3",
                )
                modules.append(ax.add_patch(rect))
                write(BOX_X + (half + 0.5) * BOX_W / 2, y + 9, name, size=8, ha="center", va="center")
        mono(middle, top - 12, layer.call, size=8.5, ha="center", va="center", bbox=_plate())
        write(
            middle,
            top - 27 if model.num_directions == 1 else top - 25,
            f"layer {k}: the module's *_l{k}"
            + (f" and *_l{k}_reverse" if model.num_directions == 2 else "")
            + " weights",
            size=8,
            ha="center",
            va="center",
            bbox=_plate(),
        )
        write(BOX_X - 10, y + BOX_H / 2, f"layer {k}", size=10, ha="right", va="center")
        # its output goes up: to the module above, or out as `output`
        end = top + GAP if k < n - 1 else top + GAP - 6
        up.append(arrow((middle, top), (middle, end), OUTPUT_ARROW))
        if k < n - 1:
            said = [f"layer {k}'s output, every step: {_shape(layer.output)}"]
            if model.num_directions == 2:
                said.append("= cat(fwd, bwd), read by both halves")
            if model.cell == "nn.LSTM":
                said.append(f"h only: its c stays in layer {k}")
            for i, line in enumerate(said):
                mono(middle + 8, top + GAP / 2 + 5.5 * (len(said) - 1) - 11 * i, line, size=8, ha="left", va="center")
        # its final state goes right, to its rows of h_n
        for j, row in enumerate(layer.rows):
            row_y = y + BOX_H / 2 - ROW_H * (len(layer.rows) / 2) + ROW_H * j
            rows.append(ax.add_patch(Rectangle((ROW_X, row_y), ROW_W, ROW_H, facecolor="#f5c77e", edgecolor="#333333")))
            label = f"h_n[{row}]" + ("" if model.num_directions == 1 else (" fwd" if j == 0 else " bwd"))
            mono(ROW_X + ROW_W + 6, row_y + ROW_H / 2, label, size=8.5, ha="left", va="center")
        right.append(arrow((BOX_X + BOX_W, y + BOX_H / 2), (ROW_X - 2, y + BOX_H / 2), FINAL_ARROW))
        final = "final (h, c)" if model.cell == "nn.LSTM" else "final state"
        final += "s" if model.num_directions == 2 and model.cell != "nn.LSTM" else ""
        write((BOX_X + BOX_W + ROW_X) / 2, y + BOX_H / 2 + 9, final, size=8, ha="center", va="center")
        y = top + GAP
    top_y = y - 6
    mono(middle, top_y + 12, f"output: {out_name} = {_shape(model.output)}", size=9.5, ha="center", va="center")
    write(middle, top_y + 27, "the top module's output, at every step", size=8.5, ha="center", va="center")
    # h_n's name and shape above its rows, and which way its rows run
    rows_top = footer_h + x_h + (n - 1) * (BOX_H + GAP) + BOX_H / 2 + ROW_H * model.num_directions / 2
    mono(ROW_X + ROW_W / 2, rows_top + 27, f"h_n: {_shape(model.h_n)}", size=9, ha="center", va="center")
    write(ROW_X + ROW_W / 2, rows_top + 14, "(num_layers * D, N, H_out)", size=7.5, ha="center", va="center")
    write(
        ROW_X + ROW_W / 2,
        footer_h + x_h - 12,
        "rows bottom first: h_n[0]\nis the module that reads x"
        + (",\nforward then backward" if model.num_directions == 2 else ""),
        size=8,
        ha="center",
        va="top",
        linespacing=1.3,
    )
    rows_bottom = footer_h + x_h + BOX_H / 2 - ROW_H * model.num_directions / 2
    ax.add_patch(  # one tensor: a dashed outline around all its rows
        Rectangle(
            (ROW_X - 5, rows_bottom - 5),
            ROW_W + 10,
            rows_top - rows_bottom + 10,
            facecolor="none",
            edgecolor="#777777",
            linestyle=(0, (2, 2)),
            linewidth=0.9,
        )
    )
    if model.c_n is not None:
        mono(ROW_X + ROW_W / 2, rows_top + 40, f"c_n: {_shape(model.c_n)}, same rows", size=8, ha="center", va="center")
    texts.append(ax.text(18, footer_h + (height - footer_h) / 2, "layer \u2192", rotation=90, fontsize=9, va="center"))
    write(WIDTH / 2, height - 16, f"{model.call}: a stack of {n} one-layer modules", size=11, ha="center", va="center")
    # legend: the two kinds of arrows, by line style and by words
    last = " (step L-1 forward, step 0 backward)" if model.num_directions == 2 else " (its last step)"
    for i, (style, words) in enumerate(
        (
            (OUTPUT_ARROW, "solid: a module's output at every step (what the module above reads)"),
            (FINAL_ARROW, "dashed: a module's final state, which becomes its rows of h_n" + last),
        )
    ):
        yy = 48 - 14 * i
        arrow((60, yy), (96, yy), style)
        write(104, yy, words, size=8, va="center")
    checks = (
        f"Checked with torch on this x: top module's output equals output: {model.output_equal}; "
        f"final states, bottom first, equal h_n: {model.h_n_equal}"
        + ("" if model.c_n_equal is None else f"; and c_n: {model.c_n_equal}")
    )
    write(WIDTH / 2, 10, checks, size=8, ha="center", va="center", color="#333333")
    set_alt(fig, stack_alt(model))
    return StackArtists(fig, ax, modules, rows, up, right, texts)


def _plate() -> dict:
    """A white plate behind text on a hatched box, so the hatch never runs through the letters."""
    return dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85)


def stack_figure(module: nn.Module, x: torch.Tensor) -> Figure:
    """The stack picture of module run on x, as a static Figure."""
    return stack(stack_model(module, x)).fig


def stack_alt(model: StackModel) -> str:
    """The picture in words: each one-layer module bottom first, what it reads and returns, its rows of h_n."""
    n = len(model.layers)
    layers = []
    for layer in model.layers:
        rows = listing([f"h_n[{r}]" for r in layer.rows])
        feeds = "the module above reads its output" if layer.index < n - 1 else "its output is the module's output"
        layers.append(
            f"layer {layer.index}, {layer.call}, reads {layer.reads}, returns output {layer.output} at every step "
            f"({feeds}) and its final state{'s' if len(layer.rows) > 1 else ''} as {rows}"
        )
    checks = f"Checked with torch: the top module's output equals output: {model.output_equal}; the final states, bottom first, equal h_n: {model.h_n_equal}"
    if model.c_n_equal is not None:
        checks += f"; and c_n: {model.c_n_equal}"
    return (
        f"{model.call} drawn as a stack of {n} one-layer modules, bottom first, on x of shape {model.x}: "
        + "; ".join(layers)
        + f". output {model.output} comes from the top module only; h_n {model.h_n} stacks every module's final "
        + "state"
        + ("" if model.c_n is None else f", and c_n {model.c_n} the same rows")
        + f". {checks}."
    )
