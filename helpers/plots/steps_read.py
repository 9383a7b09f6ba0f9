"""One sequence's one-layer bidirectional output beside the tokens each half of output[t] has read."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import FancyArrowPatch, PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, ScaledTranslation

from ..checks import check_int
from ..states import BACKWARD, FORWARD
from .alt import count, number_table, set_alt
from .base import MARK_STYLE, heatmap, mark_cells, place_mark
from .text import glyphs, path_label

FIGSIZE = (7.4, 3.8)  # inches
# Tokens read: filled, outlined in the direction's line style (solid forward, dashed backward), so neither
# colour nor fill is the only cue. (A hatch would say it too, but costs Agg ~8 ms per frame.)
READ_STYLE = {
    d: dict(facecolor=fill, edgecolor=MARK_STYLE[d]["edgecolor"], linestyle=MARK_STYLE[d]["linestyle"], linewidth=2)
    for d, fill in ((FORWARD, "#c7e9c0"), (BACKWARD, "#e2d4f0"))
}


@dataclass(frozen=True)
class StepsRead:
    """What the picture shows: one sequence's output (L, 2 * H_out) of a ONE-LAYER bidirectional module, a step t,
    and torch's verdicts on it. The counts t + 1 and L - t hold for one layer only (see views.steps_read)."""

    output: np.ndarray  # (L, 2 * H_out): forward half, then backward half
    t: int
    title: str  # the indexing that gives output, e.g. "output[:, 0]"
    forward_matches: bool  # output[t, :H_out] matches h_n[0] of a run over x[:t + 1] (assert_close)
    backward_matches: bool  # output[t, H_out:] matches h_n[1] of a run over x[t:] (assert_close)

    def __post_init__(self) -> None:
        if self.output.ndim != 2 or self.output.shape[1] % 2:
            raise ValueError(f"output.shape={self.output.shape} is not allowed: output must be (L, 2 * H_out)")
        check_int("t", self.t, 0, self.output.shape[0] - 1)

    @property
    def seq_len(self) -> int:
        return self.output.shape[0]

    @property
    def h_out(self) -> int:
        return self.output.shape[1] // 2

    @property
    def forward_read(self) -> int:
        """Tokens the forward half of output[t] has read: x[0] ... x[t]."""
        return self.t + 1

    @property
    def backward_read(self) -> int:
        """Tokens the backward half of output[t] has read: x[L-1] ... x[t]."""
        return self.seq_len - self.t


@dataclass
class StepsReadArtists:
    """Everything steps_read drew, so a view can update it in place."""

    fig: Figure
    output_ax: Axes
    read_ax: Axes
    scale_ax: Axes
    image: AxesImage
    marks: dict  # direction -> Rectangle around row t's half in output
    row_mark: Rectangle  # around row t in the read panel
    spans: dict  # direction -> Rectangle over the tokens that half has read
    boxes: PolyCollection  # one outline per token and half, drawn over the spans
    arrows: dict  # direction -> FancyArrowPatch, the reading direction
    divider: object  # line between output's halves
    labels: list = field(default_factory=list)  # PathPatch labels, reused on every update
    columns: dict = field(default_factory=dict)  # name -> one PathPatch holding a label for every row
    rows: tuple = ()  # (seq_len, cell size) the boxes and row labels were last drawn for
    shown: np.ndarray | None = None  # the output they were drawn for


def _layout(art: StepsReadArtists, seq_len: int, width_cols: int) -> float:
    """Place output, its colour scale and the read panel with one row height; returns the cell size (inches)."""
    width, height = art.fig.get_size_inches()
    left, top, bottom, gap, read_w = 0.6, 0.8, 0.85, 1.0, 2.4
    cell = min((height - top - bottom) / seq_len, (width - left - gap - read_w - 0.8) / width_cols, 0.45)
    y0 = height - top - seq_len * cell
    x_out = left
    x_scale = x_out + width_cols * cell + 0.12
    x_read = x_scale + gap
    art.output_ax.set_position([x_out / width, y0 / height, width_cols * cell / width, seq_len * cell / height])
    art.scale_ax.set_position([x_scale / width, y0 / height, 0.1 / width, seq_len * cell / height])
    art.read_ax.set_position([x_read / width, y0 / height, read_w / width, seq_len * cell / height])
    return cell


def _relabel(art: StepsReadArtists, specs: list) -> None:
    """Write every (axes, x, y, text, options) label, reusing the patches of the last update."""
    spare = {}
    for patch in art.labels:
        spare.setdefault(patch.axes, []).append(patch)
    art.labels = [
        path_label(a, x, y, text, patch=spare[a].pop(0) if spare.get(a) else None, **options)
        for a, x, y, text, options in specs
    ]
    for patch in (p for patches in spare.values() for p in patches):
        patch.remove()


def _number(value: float, digits: int) -> str:
    """value rounded to digits decimals, without the sign of a rounded zero ("-0.0" reads as a bug)."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _labels_at(
    art: StepsReadArtists,
    name: str,
    ax: Axes,
    x: float,
    items: list[tuple[int, int, str]],
    cell: float,
    ha: str = "center",
    size: float = 9,
    color: str = "black",
) -> PathPatch:
    """Labels on a grid of cells, item (row, col, text) at data (x + col, row), drawn as one compound path."""
    paths = []
    for row, col, text in items:  # offsets in points from data (x, 0): the cells are `cell` inches square
        path, x0, x1 = glyphs(text, size)
        dx = {"left": 0, "center": (x0 + x1) / 2, "right": x1}[ha]
        paths.append(path.transformed(Affine2D().translate(-dx + col * cell * 72, -0.36 * size - row * cell * 72)))
    compound = Path.make_compound_path(*paths) if paths else Path(np.zeros((1, 2)), [Path.MOVETO])
    to_display = Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans + ScaledTranslation(x, 0, ax.transData)
    patch = art.columns.get(name)
    if patch is None:
        patch = art.columns[name] = ax.add_artist(PathPatch(compound, facecolor=color, edgecolor="none", clip_on=False))
    patch.set_path(compound)
    patch.set_transform(to_display)
    patch.set_gid(" ".join(text for _, _, text in items))
    return patch


def update_steps_read(art: StepsReadArtists, data: StepsRead) -> StepsReadArtists:
    """Redraw art for other data by changing its artists, not rebuilding axes."""
    seq_len, h_out, t = data.seq_len, data.h_out, data.t
    vmax = float(max(np.abs(data.output).max(), 1e-6))
    if art.image.get_array().shape != data.output.shape:
        art.image.set_data(data.output)
        art.image.set_extent((-0.5, 2 * h_out - 0.5, seq_len - 0.5, -0.5))
        art.output_ax.set_xlim(-0.5, 2 * h_out - 0.5)
        art.output_ax.set_ylim(seq_len - 0.5, -0.5)
        art.read_ax.set_ylim(seq_len - 0.5, -0.5)
    art.image.set_data(data.output)
    art.image.set_clim(-vmax, vmax)
    cell = _layout(art, seq_len, 2 * h_out)  # inches
    height = seq_len * cell  # of the panels, in inches
    art.divider.set_xdata([h_out - 0.5] * 2)
    for direction in (FORWARD, BACKWARD):
        place_mark(art.marks[direction], t, slice(direction * h_out, (direction + 1) * h_out))
    art.row_mark.set_bounds(-0.5, t - 0.5, 2, 1)
    art.spans[FORWARD].set_bounds(-0.45, -0.45, 0.9, t + 0.9)  # x[0] ... x[t]
    art.spans[BACKWARD].set_bounds(0.55, t - 0.45, 0.9, seq_len - t - 0.1)  # x[t] ... x[L-1]
    rows_changed = art.rows != (seq_len, cell) or not np.array_equal(art.shown, data.output)
    art.rows, art.shown = (seq_len, cell), data.output  # boxes and every label per row depend only on these
    if rows_changed:
        art.boxes.set_verts(
            [
                [(d - 0.45, s - 0.45), (d + 0.45, s - 0.45), (d + 0.45, s + 0.45), (d - 0.45, s + 0.45)]
                for d in (FORWARD, BACKWARD)
                for s in range(seq_len)
            ]
        )
    # Arrows run along the side of each column, in reading order, and end at row t.
    art.arrows[FORWARD].set_positions((0.38, -0.35), (0.38, t + 0.3))
    art.arrows[BACKWARD].set_positions((1.38, seq_len - 0.65), (1.38, t - 0.3))
    above = 1 + 0.08 / height  # axes coordinates, just over the panels
    specs = [
        (
            art.output_ax,
            0.5,
            1 + 0.4 / height,
            f"{data.title}: ({seq_len}, {2 * h_out})",
            dict(ha="center", va="bottom", size=11, coords="axes"),
        ),
        (
            art.read_ax,
            0.5,
            1 + 0.4 / height,
            f"tokens read by output[{t}], one layer",
            dict(ha="center", va="bottom", size=11, coords="axes"),
        ),
        (art.scale_ax, 1.6, 1.0, f"{vmax:+.2f}", dict(coords="axes", va="top")),
        (art.scale_ax, 1.6, 0.0, f"{-vmax:+.2f}", dict(coords="axes", va="bottom")),
        (art.scale_ax, 0.5, above, "value", dict(coords="axes", ha="center", va="bottom")),
    ]
    if rows_changed:
        _labels_at(art, "steps", art.output_ax, -0.6, [(s, 0, f"t={s}") for s in range(seq_len)], cell, ha="right")
        digits = 2 if cell >= 0.33 else 1  # "-0.24" needs about 0.33 inches at 7 points
        values = [(s, j, _number(v, digits), abs(v) > 0.55 * vmax) for (s, j), v in np.ndenumerate(data.output)]
        for name, color, dark in (("values on light", "black", False), ("values on dark", "white", True)):
            _labels_at(
                art,
                name,
                art.output_ax,
                0,
                [(s, j, text) for s, j, text, d in values if d == dark],
                cell,
                size=7,
                color=color,
            )
    specs += [
        (art.output_ax, (d + 0.5) / 2, above, name, dict(ha="center", va="bottom", coords="axes"))
        for d, name in ((FORWARD, "forward"), (BACKWARD, "backward"))
    ]
    for direction, name in ((FORWARD, "forward half"), (BACKWARD, "backward half")):
        specs.append((art.read_ax, (direction + 0.5) / 2, above, name, dict(ha="center", va="bottom", coords="axes")))
        if rows_changed:
            _labels_at(
                art,
                f"tokens {direction}",
                art.read_ax,
                direction - 0.1,
                [(step, 0, f"x[{step}]") for step in range(seq_len)],
                cell,
            )
    specs += [
        (art.read_ax, 0, seq_len - 0.4, f"t + 1 = {data.forward_read}", dict(ha="center", va="top")),
        (art.read_ax, 1, seq_len - 0.4, f"L - t = {data.backward_read}", dict(ha="center", va="top")),
    ]
    last = seq_len - 1
    check = (
        f"checked against runs over x[0..{t}] (forward) and x[{t}..{last}] (backward) only: "
        f"{data.forward_matches}, {data.backward_matches}"
    )
    specs.append((art.output_ax, 0.0, -0.45 / height, check, dict(coords="axes", va="top")))  # 0.45 in under
    _relabel(art, specs)
    set_alt(art.fig, steps_read_alt(data))
    return art


def steps_read(data: StepsRead, fig: Figure | None = None, cmap: str = "RdBu_r") -> StepsReadArtists:
    """Draw output beside the tokens each half of output[t] has read; returns the artists."""
    if fig is None:
        fig = Figure(figsize=FIGSIZE)
    output_ax, scale_ax, read_ax = (fig.add_axes((0, 0, 1, 1)) for _ in range(3))
    image, _ = heatmap(np.zeros((1, 1)), ax=output_ax, cmap=cmap, norm=Normalize(-1, 1), aspect="auto")
    scale_ax.imshow(
        np.linspace(1, -1, 64)[:, None], cmap=cmap, norm=Normalize(-1, 1), aspect="auto", interpolation="nearest"
    )  # "auto" would antialias 64 rows on every frame: ~8 ms
    for ax in (output_ax, scale_ax, read_ax):
        ax.set_axis_off()  # labels are placed by hand: cheaper than tick machinery
    read_ax.set_xlim(-0.5, 1.5)
    marks = {d: mark_cells(output_ax, 0, slice(0, 1), d) for d in (FORWARD, BACKWARD)}
    row_mark = read_ax.add_patch(
        Rectangle((0, 0), 1, 1, facecolor="none", edgecolor="black", linewidth=2, clip_on=False, zorder=3)
    )
    spans = {d: read_ax.add_patch(Rectangle((0, 0), 1, 1, zorder=1, **READ_STYLE[d])) for d in (FORWARD, BACKWARD)}
    boxes = read_ax.add_collection(PolyCollection([], facecolors="none", edgecolors="0.6", linewidths=0.8, zorder=2))
    arrow_style = dict(arrowstyle="-|>", mutation_scale=12, shrinkA=0, shrinkB=0, linewidth=1.6, zorder=4)
    arrows = {
        d: read_ax.add_patch(
            FancyArrowPatch(
                (0, 0), (0, 1), color=MARK_STYLE[d]["edgecolor"], linestyle=MARK_STYLE[d]["linestyle"], **arrow_style
            )
        )
        for d in (FORWARD, BACKWARD)
    }
    divider = output_ax.axvline(0, color="black", linewidth=1)
    art = StepsReadArtists(fig, output_ax, read_ax, scale_ax, image, marks, row_mark, spans, boxes, arrows, divider)
    return update_steps_read(art, data)


def steps_read_alt(data: StepsRead) -> str:
    """The picture in words: which tokens each half of output[t] has read, torch's verdicts, and the numbers."""
    t, seq_len, h_out = data.t, data.seq_len, data.h_out
    verdict = {True: "matches", False: "does not match"}
    return (
        f"One sequence's output of a one-layer bidirectional module, {seq_len} steps by {2 * h_out} features "
        f"({data.title}), step t={t} highlighted. Its forward half (features 0 to {h_out - 1}) has read "
        f"{count(data.forward_read, 'token')}, x[0] to x[{t}]; checked with torch, it "
        f"{verdict[data.forward_matches]} h_n[0] of a run over x[:{t + 1}]. Its backward half (features {h_out} to "
        f"{2 * h_out - 1}) has read {count(data.backward_read, 'token')}, x[{seq_len - 1}] down to x[{t}]; it "
        f"{verdict[data.backward_matches]} h_n[1] of a run over x[{t}:]. "
        + number_table(data.title, data.output, [f"t={s}" for s in range(seq_len)], [str(f) for f in range(2 * h_out)])
    )
