"""What every picture shares: a labelled heatmap, outlines on its cells, and the style that marks each direction."""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle

from ..states import BACKWARD, FORWARD

# One colour and line style per direction: the same outline marks the slice in output and the row in h_n.
MARK_STYLE = {
    FORWARD: dict(edgecolor="tab:green", linestyle="-"),
    BACKWARD: dict(edgecolor="tab:purple", linestyle="--"),
}
# The same style in words, for sentences about the figures; tests/test_meaning.py keeps both in step.
MARK_WORDS = {FORWARD: "green, solid", BACKWARD: "purple, dashed"}
MARK_LABEL = {FORWARD: "top layer, forward final state", BACKWARD: "top layer, backward final state"}
MARK_PAD = 0.06  # outlines sit this far inside their cells, so marks on neighbouring rows do not overlap


def ticks(n: int, max_ticks: int = 10) -> range:
    """Every index if there are few, else every k-th, so labels never overlap."""
    return range(0, n, max(1, math.ceil(n / max_ticks)))


def heatmap(data, ax: Axes | None = None, row_labels=None, col_labels=None, cbar: bool = False, cbar_kw=None, **kwargs):
    """Draw a 2-D array as a heatmap with labelled ticks; returns (image, colorbar or None)."""
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"data.shape={data.shape} is not allowed: data must be 2-D (rows x columns)")
    for name, labels, size in (("row_labels", row_labels, data.shape[0]), ("col_labels", col_labels, data.shape[1])):
        if labels is not None and len(labels) != size:
            raise ValueError(
                f"{name} has {len(labels)} entries, which is not allowed: it needs one per {name[:3]} ({size})"
            )
    if ax is None:
        import matplotlib.pyplot as plt  # only when the caller leaves the axes to us, as in the gallery

        ax = plt.gca()
    kwargs.setdefault("interpolation", "nearest")
    image = ax.imshow(data, **kwargs)
    rows, cols = ticks(data.shape[0]), ticks(data.shape[1])
    ax.set_yticks(list(rows), None if row_labels is None else [str(row_labels[i]) for i in rows])
    ax.set_xticks(list(cols), None if col_labels is None else [str(col_labels[i]) for i in cols])
    colorbar = ax.figure.colorbar(image, ax=ax, **(cbar_kw or {})) if cbar else None
    return image, colorbar


def place_mark(rect: Rectangle, row: int, cols: slice) -> Rectangle:
    """Move an outline onto row `row`, columns cols.start:cols.stop of a heatmap."""
    width = cols.stop - cols.start
    rect.set_bounds(cols.start - 0.5 + MARK_PAD, row - 0.5 + MARK_PAD, width - 2 * MARK_PAD, 1 - 2 * MARK_PAD)
    return rect


def mark_cells(ax: Axes, row: int, cols: slice, direction: int = FORWARD, **kwargs) -> Rectangle:
    """Outline one row's columns cols.start:cols.stop of a heatmap in direction's style; returns the Rectangle."""
    if isinstance(direction, bool) or direction not in MARK_STYLE:
        raise ValueError(
            f"direction={direction!r} is not allowed: direction must be {FORWARD} (forward) or {BACKWARD} (backward)"
        )
    if isinstance(row, bool) or not isinstance(row, Integral) or row < 0:
        raise ValueError(f"row={row!r} is not allowed: row must be an integer >= 0")
    if (
        not isinstance(cols, slice)
        or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in (cols.start, cols.stop))
        or not 0 <= cols.start < cols.stop
    ):
        raise ValueError(
            f"cols={cols!r} is not allowed: cols must be a slice(start, stop) of integers with 0 <= start < stop"
        )
    style = dict(MARK_STYLE[direction], facecolor="none", linewidth=2.5, clip_on=False)
    rect = Rectangle((0, 0), 1, 1, **{**style, **kwargs})
    ax.add_patch(place_mark(rect, row, cols))
    return rect


def value_text(value: float) -> str:
    """A cell's value as printed on a heatmap: 2 decimals, and never "-0.00"."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def direction_arrow(ax: Axes, direction: int = FORWARD) -> tuple[Line2D, Polygon]:
    """A vertical arrow (shaft, head) in direction's mark style; place it with place_arrow."""
    style = MARK_STYLE[direction]
    shaft = Line2D([0, 0], [0, 1], color=style["edgecolor"], linestyle=style["linestyle"], linewidth=2, clip_on=False)
    head = Polygon(np.zeros((3, 2)), closed=True, facecolor=style["edgecolor"], edgecolor="none", clip_on=False)
    ax.add_line(shaft)
    ax.add_patch(head)
    return shaft, head


def place_arrow(arrow: tuple[Line2D, Polygon], x: float, start: float, end: float, head: float = 0.3) -> None:
    """Lay an arrow along x (data units) from y=start to y=end, its head ending at end."""
    shaft, tip = arrow
    sign = 1.0 if end >= start else -1.0
    base = end - sign * head
    shaft.set_data([x, x], [start, base])
    tip.set_xy([(x - 0.6 * head, base), (x + 0.6 * head, base), (x, end)])
