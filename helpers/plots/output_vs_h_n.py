"""Heatmaps of output beside h_n, with the slices that are equal outlined in matching colours."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from ..checks import check_int
from ..models import RNNRun
from ..states import BACKWARD, FORWARD, last_valid_steps, locate_final_state, state_index, time_major
from .base import MARK_LABEL, ticks, heatmap, mark_cells, place_mark
from .text import path_label

FIGSIZE = (6.4, 3.2)  # inches


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
    for row in ticks(h_shape[0], 12):
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
    art.labels = [path_label(a, x, y, text, patch=spare[a].pop(0) if spare.get(a) else None, **options)
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
