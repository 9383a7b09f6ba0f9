"""One LSTM layer's h_t and c_t over time as two heatmaps, with the columns that are h_n, c_n and output marked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from ..checks import check_int
from ..lstm_steps import LSTMSteps
from .alt import number_table, set_alt
from .base import heatmap
from .text_batch import TextBatch

FIGSIZE = (8.4, 3.6)  # inches
CMAP = "RdBu_r"
# One outline style per final state; line style as well as colour tells them apart.
H_N_STYLE = dict(edgecolor="tab:green", linestyle="-", linewidth=2.5)  # solid
C_N_STYLE = dict(edgecolor="tab:orange", linestyle="--", linewidth=2.5)
OUTPUT_STYLE = dict(edgecolor="black", linestyle=":", linewidth=1.8)
# Captions in darker shades of the outlines' colours: text needs 4.5:1 against white (WCAG AA), which
# tab:green (3.3:1) and tab:orange (2.5:1) miss; tests/test_colour.py checks every figure's text.
CAPTION_COLOUR = {"h_n": "#1a7a1a", "c_n": "#a65200"}


def layer_slices(steps: LSTMSteps, layer: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """One layer's forward h and c for one sequence, features down and time across: (H_out, L), (hidden_size, L)."""
    num_layers, _, _, n, _ = steps.h.shape
    check_int("layer", layer, 0, num_layers - 1)
    check_int("batch", batch, 0, n - 1)
    h = steps.h[layer, 0, :, batch].T  # (H_out, L)
    c = steps.c[layer, 0, :, batch].T  # (hidden_size, L)
    return h.detach().numpy(), c.detach().numpy()


@dataclass
class LSTMStatesArtists:
    """Everything lstm_states drew, so a view can update it in place."""

    fig: Figure
    h_ax: Axes
    c_ax: Axes
    scale_ax: Axes
    h_image: AxesImage
    c_image: AxesImage
    h_n_mark: Rectangle  # around h's last column
    c_n_mark: Rectangle  # around c's last column
    output_mark: Rectangle  # around all of h, shown for the top layer only
    text: TextBatch  # every label, drawn as one path per colour


def _layout(art: LSTMStatesArtists, h_shape: tuple[int, int], c_shape: tuple[int, int]) -> None:
    """Both panels with one cell size, top-aligned, the colour scale at the right."""
    width, height = art.fig.get_size_inches()
    left, gap, right, top, bottom = 0.45, 0.8, 0.85, 0.7, 1.05
    cols, rows = h_shape[1] + c_shape[1], max(h_shape[0], c_shape[0])
    cell = min((width - left - gap - right) / cols, (height - top - bottom) / rows, 0.5)
    y_top = height - top
    x = left + ((width - left - gap - right) - cols * cell) / 2
    for ax, (r, c) in ((art.h_ax, h_shape), (art.c_ax, c_shape)):
        ax.set_position([x / width, (y_top - r * cell) / height, c * cell / width, r * cell / height])
        x += c * cell + gap
    art.scale_ax.set_position(
        [(x - gap + 0.3) / width, (y_top - rows * cell) / height, 0.12 / width, rows * cell / height]
    )


def _show(image: AxesImage, data: np.ndarray, vmax: float) -> None:
    """Put data on image, fitting extent and limits when its shape changed."""
    reshaped = image.get_array().shape != data.shape
    image.set_data(data)
    image.set_clim(-vmax, vmax)
    if reshaped:
        rows, cols = data.shape
        image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        image.axes.set_xlim(-0.5, cols - 0.5)
        image.axes.set_ylim(rows - 0.5, -0.5)


def _frame(rect: Rectangle, rows: int, col_start: int, col_stop: int, pad: float = 0.06) -> None:
    """Move an outline around columns col_start:col_stop of every row."""
    rect.set_bounds(col_start - 0.5 + pad, -0.5 + pad, col_stop - col_start - 2 * pad, rows - 2 * pad)


def _number(value: float) -> str:
    """A cell's value in 2 decimals, without a minus sign on zero."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _write_labels(
    art: LSTMStatesArtists, steps: LSTMSteps, layer: int, batch: int, h: np.ndarray, c: np.ndarray, vmax: float
) -> None:
    """Titles, axis names, step and feature numbers, values in cells and what each outline is."""
    text = art.text
    top = layer == steps.h.shape[0] - 1
    seq_len = h.shape[1]
    panels = (
        (art.h_ax, h, "h_t", "H_out", "h_n", CAPTION_COLOUR["h_n"], "solid"),
        (art.c_ax, c, "c_t", "hidden_size", "c_n", CAPTION_COLOUR["c_n"], "dashed"),
    )
    for ax, data, name, size, final, colour, line in panels:
        rows = data.shape[0]
        bottom = rows - 0.5
        if name == "h_t" and rows != c.shape[0]:
            size = "H_out = proj_size"
        text.add(ax, -0.5, -0.5, f"{name}: layer {layer}, sequence {batch}", va="bottom", size=10, offset=(0, 20))
        text.add(ax, -0.5, -0.5, f"{size} = {rows} features", va="bottom", size=8.5, offset=(0, 7))
        text.add(ax, -0.6, -0.5, "feature \u2193", ha="right", va="bottom", size=8, offset=(0, 2))
        for f in range(rows):
            text.add(ax, -0.6, f, str(f), ha="right", size=8, offset=(-3, 0))
            for t in range(seq_len):
                light = abs(data[f, t]) > 0.55 * vmax
                text.add(ax, t, f, _number(data[f, t]), ha="center", size=7, color="white" if light else "black")
        for t in range(seq_len):
            text.add(ax, t, bottom, str(t), ha="center", va="top", size=8, offset=(0, -5))
        text.add(ax, (seq_len - 1) / 2, bottom, "time step t \u2192", ha="center", va="top", size=9, offset=(0, -17))
        text.add(
            ax,
            -0.5,
            bottom,
            f"{line} outline: last column = {final}[{layer}, {batch}]",
            va="top",
            size=9,
            color=colour,
            offset=(0, -33),
        )
    in_output = (
        f"dotted outline: all of h_t = output[:, {batch}].T (top layer)"
        if top
        else f"layer {layer} is below the top layer: not in output"
    )
    text.add(art.h_ax, -0.5, h.shape[0] - 0.5, in_output, va="top", size=9, offset=(0, -48))
    text.add(art.c_ax, -0.5, c.shape[0] - 0.5, "no column of c_t is in output", va="top", size=9, offset=(0, -48))
    for y, value, va in ((1, vmax, "bottom"), (0, -vmax, "top")):
        text.add(
            art.scale_ax,
            0.5,
            y,
            f"{value:+.2f}",
            ha="center",
            va=va,
            size=8,
            coords="axes",
            offset=(0, 3 if va == "bottom" else -3),
        )
    text.add(art.scale_ax, 1, 0.5, "value", size=8, coords="axes", offset=(4, 0))
    text.draw()


def update_lstm_states(art: LSTMStatesArtists, steps: LSTMSteps, layer: int = 0, batch: int = 0) -> LSTMStatesArtists:
    """Redraw art for another layer, sequence or set of steps by changing its artists."""
    h, c = layer_slices(steps, layer, batch)
    vmax = float(max(np.abs(h).max(), np.abs(c).max(), 1e-6))
    _show(art.h_image, h, vmax)
    _show(art.c_image, c, vmax)
    _layout(art, h.shape, c.shape)
    seq_len = h.shape[1]
    _frame(art.h_n_mark, h.shape[0], seq_len - 1, seq_len)
    _frame(art.c_n_mark, c.shape[0], seq_len - 1, seq_len)
    _frame(art.output_mark, h.shape[0], 0, seq_len, pad=-0.04)
    art.output_mark.set_visible(layer == steps.h.shape[0] - 1)
    _write_labels(art, steps, layer, batch, h, c, vmax)
    set_alt(art.fig, lstm_states_alt(steps, layer, batch))
    return art


def lstm_states(steps: LSTMSteps, layer: int = 0, batch: int = 0, fig: Figure | None = None) -> LSTMStatesArtists:
    """Draw one layer's h_t and c_t for one sequence on one scale, marking h_n, c_n and output; returns artists."""
    if fig is None:
        fig = Figure(figsize=FIGSIZE)
    norm = Normalize(-1, 1)
    h_ax, c_ax, scale_ax = (fig.add_axes((0, 0, 1, 1)) for _ in range(3))
    h_image, _ = heatmap(np.zeros((1, 1)), ax=h_ax, cmap=CMAP, norm=norm, aspect="auto")
    c_image, _ = heatmap(np.zeros((1, 1)), ax=c_ax, cmap=CMAP, norm=norm, aspect="auto")
    scale_ax.imshow(np.linspace(1, -1, 64)[:, None], cmap=CMAP, norm=Normalize(-1, 1), aspect="auto")
    for ax in (h_ax, c_ax, scale_ax):
        ax.set_axis_off()  # labels are drawn as paths, which Agg renders faster than ticks
    marks = [
        Rectangle((0, 0), 1, 1, facecolor="none", clip_on=False, **style)
        for style in (H_N_STYLE, C_N_STYLE, OUTPUT_STYLE)
    ]
    h_ax.add_patch(marks[0])
    c_ax.add_patch(marks[1])
    h_ax.add_patch(marks[2])
    art = LSTMStatesArtists(fig, h_ax, c_ax, scale_ax, h_image, c_image, *marks, TextBatch(fig))
    return update_lstm_states(art, steps, layer, batch)


def lstm_states_alt(steps: LSTMSteps, layer: int = 0, batch: int = 0) -> str:
    """The picture in words: h and c of one layer over time, which columns are h_n, c_n and output, the numbers."""
    h, c = layer_slices(steps, layer, batch)
    num_layers, seq_len = steps.h.shape[0], h.shape[1]
    top = layer == num_layers - 1
    proj = h.shape[0] != c.shape[0]
    text = (
        f"Two heatmaps of layer {layer} of a {num_layers}-layer LSTM, sequence {batch}, time across: h, "
        f"{h.shape[0]} features by {seq_len} steps, and c, {c.shape[0]} features by {seq_len} steps"
        + (" (proj_size makes h narrower than c)" if proj else "")
        + f". Outlined: h's last column (step {seq_len - 1}) is this layer's row of h_n, c's last column is its "
        "row of c_n"
        + (
            ", and all of h is output (top layer)."
            if top
            else "; this is not the top layer, so none of it is in output."
        )
        + " "
    )
    cols = [f"t={t}" for t in range(seq_len)]
    text += number_table("h", h, [f"feature {f}" for f in range(h.shape[0])], cols)
    return text + " " + number_table("c", c, [f"feature {f}" for f in range(c.shape[0])], cols)
