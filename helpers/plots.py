"""Heatmaps of output beside h_n, with the slices that are equal outlined in matching colours."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D, ScaledTranslation

from .checks import check_int
from .models import RNNRun
from .states import BACKWARD, FORWARD, last_valid_steps, locate_final_state, state_index, time_major

# One colour and line style per direction: the same outline marks the slice in output and the row in h_n.
MARK_STYLE = {
    FORWARD: dict(edgecolor="tab:green", linestyle="-"),
    BACKWARD: dict(edgecolor="tab:purple", linestyle="--"),
}
MARK_LABEL = {FORWARD: "top layer, forward final state", BACKWARD: "top layer, backward final state"}
MARK_PAD = 0.06  # outlines sit this far inside their cells, so marks on neighbouring rows do not overlap
FIGSIZE = (6.4, 3.2)  # inches


def _ticks(n: int, max_ticks: int = 10) -> range:
    """Every index if there are few, else every k-th, so labels never overlap."""
    return range(0, n, max(1, math.ceil(n / max_ticks)))


def heatmap(data, ax: Axes | None = None, row_labels=None, col_labels=None, cbar: bool = False, cbar_kw=None,
            **kwargs):
    """Draw a 2-D array as a heatmap with labelled ticks; returns (image, colorbar or None)."""
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"data.shape={data.shape} is not allowed: data must be 2-D (rows x columns)")
    for name, labels, size in (("row_labels", row_labels, data.shape[0]), ("col_labels", col_labels, data.shape[1])):
        if labels is not None and len(labels) != size:
            raise ValueError(f"{name} has {len(labels)} entries, which is not allowed: it needs one per "
                             f"{name[:3]} ({size})")
    if ax is None:
        import matplotlib.pyplot as plt  # only when the caller leaves the axes to us, as in the gallery

        ax = plt.gca()
    kwargs.setdefault("interpolation", "nearest")
    image = ax.imshow(data, **kwargs)
    rows, cols = _ticks(data.shape[0]), _ticks(data.shape[1])
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
    style = dict(MARK_STYLE[direction], facecolor="none", linewidth=2.5, clip_on=False)
    rect = Rectangle((0, 0), 1, 1, **{**style, **kwargs})
    ax.add_patch(place_mark(rect, row, cols))
    return rect


def batch_slices(run: RNNRun, batch: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One sequence's output (L, D * H_out) and h_n (num_layers * D, H_out), as numpy arrays."""
    out = time_major(run)  # (L, N, D * H_out)
    n = out.shape[1]
    check_int("batch", batch, 0, n - 1)
    h_n = run.h_n if run.unbatched else run.h_n[:, batch]  # (num_layers * D, H_out)
    return out[:, batch].detach().numpy(), h_n.detach().numpy()


def mark_rows(run: RNNRun, batch: int = 0) -> dict[int, tuple[int, slice, int]]:
    """For each direction: (row of output, features of output, row of h_n) holding the top layer's final state."""
    cfg = run.config
    top, rows = cfg.num_layers - 1, {}
    for direction in range(cfg.num_directions):
        where = locate_final_state(run, top, direction)
        step = int(last_valid_steps(run)[batch]) if where.step == "last valid step" else 0
        rows[direction] = (step, where.features, state_index(top, direction, cfg.num_layers, cfg.bidirectional))
    return rows


@dataclass
class OutputHnArtists:
    """Everything output_vs_h_n drew, so a view can update it in place."""

    fig: Figure
    output_ax: Axes
    h_n_ax: Axes
    scale_ax: Axes | None  # the shared colour scale
    output_image: AxesImage
    h_n_image: AxesImage
    marks: dict = field(default_factory=dict)  # ("output" | "h_n", direction) -> Rectangle
    divider: object = None  # vertical line between output's forward and backward halves
    labels: list = field(default_factory=list)  # PathPatch labels, moved and rewritten on every update
    legend: bool = True


@lru_cache(maxsize=1024)
def _glyphs(text: str, size: float) -> tuple[TextPath, float, float]:
    """Outline of text at size points and its left and right ends, worked out once and then reused."""
    path = TextPath((0, 0), text, size=size)
    xs = path.vertices[:, 0]  # control points: close enough for alignment, and far cheaper than exact extents
    return path, float(xs.min()) if len(xs) else 0.0, float(xs.max()) if len(xs) else 0.0


def _label(ax: Axes, x: float, y: float, text: str, ha: str = "left", va: str = "center", size: float = 9,
           coords: str = "data", patch: PathPatch | None = None) -> PathPatch:
    """Write text at (x, y) as a filled path whose gid is the text, reusing patch if given (Agg draws paths fast)."""
    path, x0, x1 = _glyphs(text, size)
    dx = {"left": 0, "center": (x0 + x1) / 2, "right": x1}[ha]
    dy = {"bottom": 0, "center": 0.36 * size, "top": 0.73 * size}[va]  # from the font's cap height, not the glyphs
    anchor = ax.transData if coords == "data" else ax.transAxes
    to_display = (Affine2D().translate(-dx, -dy).scale(1 / 72) + ax.figure.dpi_scale_trans
                  + ScaledTranslation(x, y, anchor))
    if patch is None:  # a new patch costs more than its drawing; moving an old one is cheap
        patch = ax.add_artist(PathPatch(path, transform=to_display, facecolor="black", edgecolor="none",
                                        clip_on=False))
    patch.set_path(path)
    patch.set_transform(to_display)
    patch.set_gid(text)
    return patch


def _titles(run: RNNRun, batch: int) -> tuple[str, str]:
    """Titles naming the indexing that gives each panel, in this run's layout."""
    if run.unbatched:
        return "output", "h_n"
    return (f"output[{batch}]" if run.config.batch_first else f"output[:, {batch}]"), f"h_n[:, {batch}]"


def _layout(art: OutputHnArtists, out_shape: tuple[int, int], h_shape: tuple[int, int]) -> None:
    """Place both panels with one cell size, top-aligned and centred, and the colour scale at the right."""
    width, height = art.fig.get_size_inches()
    left, gap, right, top, bottom = 0.45, 0.95, 0.75, 0.45, 0.6 if art.legend else 0.35
    cols, rows = out_shape[1] + h_shape[1], max(out_shape[0], h_shape[0])
    cell = min((width - left - gap - right) / cols, (height - top - bottom) / rows, 0.45)
    y_top = height - top
    x = (width - cols * cell - gap - right + left) / 2
    for ax, (r, c) in ((art.output_ax, out_shape), (art.h_n_ax, h_shape)):
        ax.set_position([x / width, (y_top - r * cell) / height, c * cell / width, r * cell / height])
        x += c * cell + gap
    if art.scale_ax is not None:
        art.scale_ax.set_position([(x - gap + 0.2) / width, (y_top - rows * cell) / height, 0.1 / width,
                                   rows * cell / height])


def _show(image: AxesImage, data: np.ndarray) -> None:
    """Replace an image's data and, if its shape changed, fit the image and the axes to it."""
    reshaped = image.get_array().shape != data.shape
    image.set_data(data)
    if reshaped:  # limits cost more than data, and most slider moves keep the shape
        rows, cols = data.shape
        image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        image.axes.set_xlim(-0.5, cols - 0.5)
        image.axes.set_ylim(rows - 0.5, -0.5)


def _write_labels(art: OutputHnArtists, run: RNNRun, batch: int, out_shape, h_shape, vmax: float) -> None:
    """Titles, the rows that matter, direction halves and the scale's ends; few characters, as text is slow."""
    cfg, h_out = run.config, run.config.h_out
    out_title, h_title = _titles(run, batch)
    ax, hx = art.output_ax, art.h_n_ax
    # (axes, x, y, text, options), in drawing order
    specs = [
        (ax, 0.5, 1.03, f"{out_title}: {out_shape}", dict(ha="center", va="bottom", size=10, coords="axes")),
        (hx, 0.5, 1.03, f"{h_title}: {h_shape}", dict(ha="center", va="bottom", size=10, coords="axes")),
    ]
    steps = sorted({0, out_shape[0] - 1} | {row for row, _, _ in mark_rows(run, batch).values()})
    specs += [(ax, -0.6, t, f"t={t}", dict(ha="right")) for t in steps]
    for row in _ticks(h_shape[0], 12):
        name = f"layer {row // cfg.num_directions}" + ((" fwd", " bwd")[row % 2] if cfg.bidirectional else "")
        specs.append((hx, -0.6, row, name, dict(ha="right")))
    if cfg.bidirectional:
        specs += [(ax, (d + 0.5) * h_out - 0.5, out_shape[0] - 0.35, name, dict(ha="center", va="top"))
                  for d, name in enumerate(("fwd", "bwd"))]
    if art.scale_ax is not None:
        specs += [(art.scale_ax, 1.5, y, f"{value:+.2f}", dict(coords="axes")) for y, value in ((1, vmax), (0, -vmax))]
    spare = {}  # axes -> its labels from the last update, reused in order so each axes keeps its label order
    for patch in art.labels:
        spare.setdefault(patch.axes, []).append(patch)
    art.labels = [_label(a, x, y, text, patch=spare[a].pop(0) if spare.get(a) else None, **options)
                  for a, x, y, text, options in specs]
    for patch in (p for patches in spare.values() for p in patches):
        patch.remove()


def update_output_vs_h_n(art: OutputHnArtists, run: RNNRun, batch: int = 0) -> OutputHnArtists:
    """Redraw art for another run or batch element by changing its artists, not rebuilding axes."""
    out, h = batch_slices(run, batch)
    vmax = float(max(np.abs(out).max(), np.abs(h).max(), 1e-6))
    for image, data in ((art.output_image, out), (art.h_n_image, h)):
        _show(image, data)
        image.set_clim(-vmax, vmax)
    _layout(art, out.shape, h.shape)
    _write_labels(art, run, batch, out.shape, h.shape, vmax)
    cfg = run.config
    art.divider.set_xdata([cfg.h_out - 0.5] * 2)
    art.divider.set_visible(cfg.bidirectional)
    rows = mark_rows(run, batch)
    for direction in (FORWARD, BACKWARD):
        for key in ("output", "h_n"):
            art.marks[key, direction].set_visible(direction in rows)
        if direction in rows:
            step, features, row = rows[direction]
            place_mark(art.marks["output", direction], step, features)
            place_mark(art.marks["h_n", direction], row, slice(0, cfg.h_out))
    if art.legend:
        for legend in list(art.fig.legends):
            legend.remove()
        handles = [art.marks["h_n", d] for d in rows]
        art.fig.legend(handles, [MARK_LABEL[d] for d in rows], loc="lower center", ncols=2, fontsize="small",
                       frameon=False)
    return art


def output_vs_h_n(run: RNNRun, batch: int = 0, fig: Figure | None = None, scale: bool = True, legend: bool = True,
                  cmap: str = "RdBu_r", **kwargs) -> OutputHnArtists:
    """Draw one sequence's output beside its h_n on one colour scale, outlining the equal slices; returns artists."""
    # Without fig, draw on a new Figure that pyplot does not manage. kwargs go to imshow.
    if fig is None:
        fig = Figure(figsize=FIGSIZE)
    norm = Normalize(-1, 1)
    output_ax, h_n_ax = fig.add_axes((0, 0, 1, 1)), fig.add_axes((0, 0, 1, 1))
    output_image, _ = heatmap(np.zeros((1, 1)), ax=output_ax, cmap=cmap, norm=norm, **kwargs)
    h_n_image, _ = heatmap(np.zeros((1, 1)), ax=h_n_ax, cmap=cmap, norm=norm, **kwargs)
    scale_ax = None
    if scale:  # a plain gradient: its ends are labelled by _write_labels, cheaper than a Colorbar's ticks
        scale_ax = fig.add_axes((0, 0, 1, 1))
        scale_ax.imshow(np.linspace(1, -1, 64)[:, None], cmap=cmap, norm=Normalize(-1, 1), aspect="auto")
    for ax in (output_ax, h_n_ax, scale_ax):
        if ax is not None:
            ax.set_axis_off()  # tick machinery costs more than the labels we place ourselves
    if "aspect" not in kwargs:  # _layout already makes the cells square; refitting them on every draw is wasted
        for ax in (output_ax, h_n_ax):
            ax.set_aspect("auto")
    marks = {(key, d): mark_cells(ax, 0, slice(0, 1), d) for key, ax in (("output", output_ax), ("h_n", h_n_ax))
             for d in (FORWARD, BACKWARD)}
    divider = output_ax.axvline(0, color="black", linewidth=1)
    art = OutputHnArtists(fig, output_ax, h_n_ax, scale_ax, output_image, h_n_image, marks, divider, legend=legend)
    return update_output_vs_h_n(art, run, batch)
