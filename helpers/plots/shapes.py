"""The shapes of x, output, h_n and c_n as rows of labelled blocks, one block per axis, named as in PyTorch's docs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from .alt import set_alt
from .text_batch import TextBatch

FIGSIZE = (8.4, 3.4)  # inches
ROWS = ("x", "output", "h_n", "c_n")
# One look per kind of axis; the batch axis is hatched as well as coloured, so it is found without colour.
AXIS_STYLE = {
    "N": dict(facecolor="#f4b26b", hatch="///", edgecolor="#8a4b08"),
    "L": dict(facecolor="#9ecae1", hatch="", edgecolor="#08519c"),
    "layers": dict(facecolor="#a1d99b", hatch="..", edgecolor="#238b45"),
    "features": dict(facecolor="#dddddd", hatch="", edgecolor="#525252"),
}
BLOCK_WIDTH, BLOCK_HEIGHT, BLOCK_GAP = 2.3, 0.72, 0.15  # data units of the single axes
NAME_WIDTH = 1.7  # room for the tensor's name at the left of its row


@dataclass(frozen=True)
class ShapeRow:
    """One tensor: its name, and each axis as (name in PyTorch's docs, size, kind of axis)."""

    name: str
    axes: tuple[tuple[str, int, str], ...]
    note: str = ""  # a few words on what the row shows

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(size for _, size, _ in self.axes)


@dataclass
class ShapesArtists:
    """Everything shapes_figure drew, so a view can update it in place."""

    fig: Figure
    ax: Axes
    blocks: dict  # kind of axis -> one PathPatch holding every block of that kind (one draw call per kind)
    backs: PathPatch  # white boxes behind the labels, so a hatch never crosses the text
    text: TextBatch
    placed: list = field(default_factory=list)  # per row: (axis name, size, kind, (x, y, width, height)) per block


def _boxes(rects: list[tuple[float, float, float, float]]) -> Path:
    """Closed rectangles (x, y, width, height) as one compound path; an empty path if there are none."""
    if not rects:
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    vertices = np.array([[(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)] for x, y, w, h in rects], float)
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(rects))
    return Path(vertices.reshape(-1, 2), codes)


def update_shapes(art: ShapesArtists, rows: list[ShapeRow], title: str) -> ShapesArtists:
    """Move, restyle and relabel the blocks for new rows (a row of fewer axes has fewer blocks)."""
    text = art.text
    text.add(art.ax, 0, -0.35, title, va="bottom", size=10, coords="data", offset=(0, 6))
    by_kind, backs, art.placed = {kind: [] for kind in AXIS_STYLE}, [], []
    for r, row in enumerate(rows):
        y = r * (BLOCK_HEIGHT + 0.35)  # top of the row; the axes' y grows downwards
        text.add(art.ax, 0, y + BLOCK_HEIGHT / 2, row.name, size=11)
        placed = []
        for a, (label, size, kind) in enumerate(row.axes):
            x = NAME_WIDTH + a * (BLOCK_WIDTH + BLOCK_GAP)
            by_kind[kind].append((x, y, BLOCK_WIDTH, BLOCK_HEIGHT))
            backs.append((x + 0.12, y + 0.2, BLOCK_WIDTH - 0.24, BLOCK_HEIGHT - 0.4))
            text.add(art.ax, x + BLOCK_WIDTH / 2, y + BLOCK_HEIGHT / 2, f"{label} = {size}", ha="center", size=9)
            placed.append((label, size, kind, (x, y, BLOCK_WIDTH, BLOCK_HEIGHT)))
        art.placed.append(placed)
        end = NAME_WIDTH + 3 * (BLOCK_WIDTH + BLOCK_GAP)
        text.add(art.ax, end, y + BLOCK_HEIGHT / 2, f"{row.shape}" + (f"  {row.note}" if row.note else ""), size=9)
    for kind, patch in art.blocks.items():
        patch.set_path(_boxes(by_kind[kind]))
        patch.set_visible(bool(by_kind[kind]))
    art.backs.set_path(_boxes(backs))
    text.add(
        art.ax,
        0,
        len(rows) * (BLOCK_HEIGHT + 0.35) - 0.1,
        "hatched ///: the batch axis N      dotted: num_layers * D      blue: time L      grey: features",
        va="top",
        size=8.5,
    )
    text.draw()
    set_alt(art.fig, shapes_alt(rows, title))
    return art


def shapes_figure(rows: list[ShapeRow], title: str = "", fig: Figure | None = None) -> ShapesArtists:
    """Draw each tensor's shape as labelled blocks on one axes of fig (a new Figure if None); returns artists."""
    if fig is None:
        fig = Figure(figsize=FIGSIZE)
    ax = fig.add_axes((0.02, 0.04, 0.96, 0.84))
    ax.set_axis_off()
    width = NAME_WIDTH + 3 * (BLOCK_WIDTH + BLOCK_GAP) + 3.2
    height = len(ROWS) * (BLOCK_HEIGHT + 0.35) + 0.25
    ax.set_xlim(0, width)
    ax.set_ylim(height, -0.35)  # rows go down the page
    blocks = {kind: ax.add_patch(PathPatch(_boxes([]), linewidth=1.5, **style)) for kind, style in AXIS_STYLE.items()}
    backs = ax.add_patch(PathPatch(_boxes([]), facecolor="white", edgecolor="none"))
    art = ShapesArtists(fig, ax, blocks, backs, TextBatch(fig))
    return update_shapes(art, rows, title)


def shapes_alt(rows: list[ShapeRow], title: str = "") -> str:
    """The picture in words: each tensor's shape, axis by axis, in the order PyTorch gives them."""
    lines = []
    for row in rows:
        axes = ", ".join(f"{label} = {size}" for label, size, _ in row.axes)
        lines.append(f"{row.name}: {row.shape}, axes {axes}" + (f" ({row.note.strip()})" if row.note.strip() else ""))
    head = f"{title.strip()}. " if title.strip() else ""
    return f"{head}Each tensor's shape as a row of blocks, one block per axis: " + "; ".join(lines) + "."
