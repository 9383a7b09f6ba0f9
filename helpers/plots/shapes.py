"""The shapes of x, output, h_n and c_n as rows of labelled blocks, one block per axis, named as in PyTorch's docs."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

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
    blocks: list  # one list of Rectangles per row; extra ones are hidden
    backs: list  # a white box behind each block's label, so the hatch never crosses the text
    text: TextBatch


def update_shapes(art: ShapesArtists, rows: list[ShapeRow], title: str) -> ShapesArtists:
    """Move, restyle and relabel the blocks for new rows (a row of fewer axes hides its spare blocks)."""
    text = art.text
    text.add(art.ax, 0, -0.35, title, va="bottom", size=10, coords="data", offset=(0, 6))
    for r, (row, rects) in enumerate(zip(rows, art.blocks)):
        y = r * (BLOCK_HEIGHT + 0.35)  # top of the row; the axes' y grows downwards
        text.add(art.ax, 0, y + BLOCK_HEIGHT / 2, row.name, size=11)
        for a, (rect, back) in enumerate(zip(rects, art.backs[r])):
            rect.set_visible(a < len(row.axes))
            back.set_visible(a < len(row.axes))
            if a >= len(row.axes):
                continue
            label, size, kind = row.axes[a]
            x = NAME_WIDTH + a * (BLOCK_WIDTH + BLOCK_GAP)
            rect.set_bounds(x, y, BLOCK_WIDTH, BLOCK_HEIGHT)
            style = AXIS_STYLE[kind]
            rect.set_facecolor(style["facecolor"])
            rect.set_edgecolor(style["edgecolor"])
            rect.set_hatch(style["hatch"])
            back.set_bounds(x + 0.12, y + 0.2, BLOCK_WIDTH - 0.24, BLOCK_HEIGHT - 0.4)
            text.add(art.ax, x + BLOCK_WIDTH / 2, y + BLOCK_HEIGHT / 2, f"{label} = {size}", ha="center", size=9)
        end = NAME_WIDTH + 3 * (BLOCK_WIDTH + BLOCK_GAP)
        text.add(art.ax, end, y + BLOCK_HEIGHT / 2, f"{row.shape}" + (f"  {row.note}" if row.note else ""), size=9)
    text.add(art.ax, 0, len(rows) * (BLOCK_HEIGHT + 0.35) - 0.1,
             "hatched ///: the batch axis N      dotted: num_layers * D      blue: time L      grey: features",
             va="top", size=8.5)
    text.draw()
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
    blocks, backs = [], []
    for _ in ROWS:
        rects = [ax.add_patch(Rectangle((0, 0), 1, 1, linewidth=1.5)) for _ in range(3)]
        blocks.append(rects)
        backs.append([ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="none")) for _ in rects])
    art = ShapesArtists(fig, ax, blocks, backs, TextBatch(fig))
    return update_shapes(art, rows, title)
