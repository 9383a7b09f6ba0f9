"""Heatmaps of output beside h_n, with the slices that are equal outlined in matching colours."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..checks import check_int
from ..models import RNNRun
from ..states import BACKWARD, FORWARD, last_valid_steps, locate_final_state, state_index, time_major
from .alt import listing, number_table, set_alt
from .base import MARK_LABEL, direction_arrow, mark_cells, place_arrow, place_mark, ticks, value_text
from .text import Label, draw_labels, glyphs

FIGSIZE = (9.0, 4.5)  # inches: about 650 px wide in the live view (72 dpi), 900 px in a static figure (100 dpi)
MAX_CELL = 0.45  # inches; cells never grow past this, so small runs stay compact
VALUES_MAX_CELLS = 100  # print every value when the two panels together have at most this many cells
ALL_STEPS_MAX = 8  # label every time step up to this many steps; past it, the ends and the marked steps
# Margins around the panels, in points (1/72 inch), so text never scales with the cells:
LEFT, BETWEEN, RIGHT, TOP, BOTTOM, LEGEND = 70, 120, 160, 24, 44, 26
SCALE_MIN_HEIGHT = 1.7  # inches: room for the colour scale's label, however few rows there are


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


def row_tags(run: RNNRun, batch: int = 0) -> list[str]:
    """For each row of h_n: where output holds it ("in output, t=4") or "not in output"."""
    cfg = run.config
    tags = ["not in output"] * (cfg.num_layers * cfg.num_directions)
    for step, _, row in mark_rows(run, batch).values():
        tags[row] = f"in output, t={step}"
    return tags


@dataclass
class OutputHnArtists:
    """Everything output_vs_h_n drew, so a view can update it in place."""

    fig: Figure
    output_ax: Axes
    h_n_ax: Axes
    scale_ax: Axes | None  # the shared colour scale
    output_image: QuadMesh | None  # the heatmap on show in each panel (one QuadMesh per shape, made once)
    h_n_image: QuadMesh | None
    marks: dict = field(default_factory=dict)  # ("output" | "h_n", direction) -> Rectangle
    divider: object = None  # vertical line between output's forward and backward halves
    texts: list = field(default_factory=list)  # every Label written by the last update, in drawing order
    text_patches: dict = field(default_factory=dict)  # colour -> the one PathPatch that draws its labels
    legend: bool = True
    arrows: dict = field(default_factory=dict)  # direction -> (shaft, head): the order each pass reads the steps
    values: dict = field(default_factory=dict)  # ("output" | "h_n", row, col) -> the Label printing that value
    cell: float = MAX_CELL  # side of one cell, inches
    step_width: float = 0.0  # points: the widest time-step label, which the forward arrow stands clear of
    meshes: dict = field(default_factory=dict)  # ("output" | "h_n", shape) -> QuadMesh, shown when data has it
    mesh_kw: dict = field(default_factory=dict)  # cmap, norm and the caller's pcolormesh options, for new meshes
    legend_y: float = 0.0  # top of the legend, as a fraction of the figure's height: just under the labels


def _titles(run: RNNRun, batch: int) -> tuple[str, str]:
    """Titles naming the indexing that gives each panel, in this run's layout."""
    if run.unbatched:
        return "output", "h_n"
    return (f"output[{batch}]" if run.config.batch_first else f"output[:, {batch}]"), f"h_n[:, {batch}]"


def _layout(art: OutputHnArtists, out_shape: tuple[int, int], h_shape: tuple[int, int]) -> None:
    """Place both panels with one cell size, top-aligned and centred, and the colour scale at the right."""
    width, height = art.fig.get_size_inches()
    left, between, right, top = LEFT / 72, BETWEEN / 72, RIGHT / 72, TOP / 72
    bottom = (BOTTOM + (LEGEND if art.legend else 0)) / 72
    cols, rows = out_shape[1] + h_shape[1], max(out_shape[0], h_shape[0])
    art.cell = cell = min((width - left - between - right) / cols, (height - top - bottom) / rows, MAX_CELL)
    y_top = height - top
    art.legend_y = (y_top - rows * cell - BOTTOM / 72) / height
    x = (width - cols * cell - between - right + left) / 2
    for ax, (r, c) in ((art.output_ax, out_shape), (art.h_n_ax, h_shape)):
        ax.set_position([x / width, (y_top - r * cell) / height, c * cell / width, r * cell / height])
        x += c * cell + between
    if art.scale_ax is not None:
        tall = max(rows * cell, min(SCALE_MIN_HEIGHT, y_top - 0.1))
        art.scale_ax.set_position([(x - between + 1.3) / width, (y_top - tall) / height, 0.12 / width, tall / height])


def _mesh(ax: Axes, shape: tuple[int, int], **kwargs) -> QuadMesh:
    """A heatmap of shape (rows, cols) whose cell (r, c) is centred on (c, r), as imshow would place it.

    A QuadMesh, not an image: Agg fills a few dozen quads in a fraction of the time it resamples an image.
    """
    rows, cols = shape
    return ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, np.zeros(shape), zorder=0.5, **kwargs)


def _show(art: OutputHnArtists, key: str, data: np.ndarray) -> QuadMesh:
    """Show data on its panel: the panel's mesh of that shape (made on first need) takes the data; returns it."""
    ax = art.output_ax if key == "output" else art.h_n_ax
    current = art.output_image if key == "output" else art.h_n_image
    mesh = art.meshes.get((key, data.shape))
    if mesh is None:
        mesh = art.meshes[key, data.shape] = _mesh(ax, data.shape, **art.mesh_kw)
    if mesh is not current:  # limits cost more than data, and most slider moves keep the shape
        if current is not None:
            current.set_visible(False)
        mesh.set_visible(True)
        rows, cols = data.shape
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
    mesh.set_array(data)
    return mesh


def _width(text: str, size: float) -> float:
    """Width of text in points, from its cached glyph outline."""
    _, x0, x1 = glyphs(text, size)
    return x1 - x0


def _value_labels(key: str, ax: Axes, data: np.ndarray, vmax: float, size: float) -> dict[tuple, Label]:
    """One centred label per cell, white on dark cells and black on light ones, keyed (panel, row, col)."""
    return {
        (key, r, c): Label(
            ax, c, r, value_text(v), ha="center", size=size, color="white" if abs(v) > 0.6 * vmax else "black"
        )
        for (r, c), v in np.ndenumerate(data)
    }


def _axis_labels(art: OutputHnArtists, run: RNNRun, batch: int, out: np.ndarray, h: np.ndarray) -> list[Label]:
    """Titles, time steps, the passes, rows of h_n, hidden units and the axes' names."""
    cfg, h_out = run.config, run.config.h_out
    (steps, out_cols), h_rows = out.shape, h.shape[0]
    out_title, h_title = _titles(run, batch)
    ax, hx, pt = art.output_ax, art.h_n_ax, art.cell * 72  # pt: one cell in points
    fit = min(9.0, round(0.9 * pt * 2) / 2)  # labels one per row stay within their row
    top = dict(coords="axes", ha="center", va="bottom", size=10, offset=(0, 4))
    labels = [
        Label(ax, 0.5, 1, f"{out_title}: {tuple(out.shape)}", **top),
        Label(hx, 0.5, 1, f"{h_title}: {tuple(h.shape)}", **top),
    ]
    # output, left: every time step (or the ends and marked steps), then the forward arrow, then the axis name
    shown = (
        range(steps)
        if steps <= ALL_STEPS_MAX
        else sorted({0, steps - 1} | {row for row, _, _ in mark_rows(run, batch).values()})
    )
    labels += [Label(ax, -0.5, t, f"t={t}", ha="right", offset=(-4, 0), size=fit) for t in shown]
    art.step_width = step_w = max(_width(f"t={t}", fit) for t in shown)
    valid = int(last_valid_steps(run)[batch]) / 2  # middle of the steps each pass reads
    names = [
        (ax, -0.5, valid, "forward pass", -(step_w + 26), "bottom", 8),
        (ax, -0.5, (steps - 1) / 2, "time step t", -(step_w + 40), "bottom", 9),
    ]
    if cfg.bidirectional:
        names.append((ax, out_cols - 0.5, valid, "backward pass", 22, "top", 8))
    # h_n, left: one name per row, then the axis name
    rows = list(ticks(h_rows, max(1, int(h_rows * pt // 10))))
    row_names = [
        f"layer {r // cfg.num_directions}" + ((" fwd", " bwd")[r % 2] if cfg.bidirectional else "") for r in rows
    ]
    labels += [Label(hx, -0.5, r, name, ha="right", offset=(-4, 0), size=fit) for r, name in zip(rows, row_names)]
    names.append(
        (
            hx,
            -0.5,
            (h_rows - 1) / 2,
            "layer, direction" if cfg.bidirectional else "layer",
            -(max(_width(n, fit) for n in row_names) + 10),
            "bottom",
            9,
        )
    )
    labels += [
        Label(a, x, y, text, ha="center", va=va, rotation=90, offset=(dx, 0), size=size)
        for a, x, y, text, dx, va, size in names
    ]
    # below each panel: unit numbers, output's two halves, the axis name
    for a, (r, c) in ((ax, out.shape), (hx, h.shape)):
        labels += [
            Label(a, col, r - 0.5, str(col), ha="center", va="top", size=8, offset=(0, -3))
            for col in ticks(c, max(1, int(c * pt // 14)))
        ]
        below = -29 if a is ax and cfg.bidirectional else -16  # under output's half names, if any
        labels.append(Label(a, (c - 1) / 2, r - 0.5, "hidden unit", ha="center", va="top", offset=(0, below)))
    if cfg.bidirectional:
        labels += [
            Label(ax, (d + 0.5) * h_out - 0.5, steps - 0.5, name, ha="center", va="top", offset=(0, -15))
            for d, name in enumerate((f"forward :{h_out}", f"backward {h_out}:"))
        ]
    # h_n, right: where each row is in output, if anywhere
    labels += [
        Label(hx, h.shape[1] - 0.5, r, tag, size=min(8.0, fit), offset=(6, 0))
        for r, tag in enumerate(row_tags(run, batch))
    ]
    return labels


def _scale_labels(scale_ax: Axes, h: np.ndarray, vmax: float) -> list[Label]:
    """The scale's ends and middle, and its name; an end says when h_n goes past output's range (clipped there)."""
    ends = [
        (1, f"{vmax:+.2f}", float(h.max()) > vmax, "≥"),
        (0.5, "0", False, ""),
        (0, f"{-vmax:+.2f}", float(h.min()) < -vmax, "≤"),
    ]
    ends = [(y, sign + text if clipped else text) for y, text, clipped, sign in ends]
    labels = [Label(scale_ax, 1, y, text, coords="axes", offset=(4, 0)) for y, text in ends]
    name_at = max(_width(text, 9) for _, text in ends) + 10
    return labels + [
        Label(
            scale_ax,
            1,
            0.5,
            "hidden-state value",
            coords="axes",
            ha="center",
            va="top",
            rotation=90,
            offset=(name_at, 0),
        )
    ]


def _write_labels(art: OutputHnArtists, run: RNNRun, batch: int, out: np.ndarray, h: np.ndarray, vmax: float) -> None:
    """Every label, drawn as one compound path per colour, since Text artists are slow to draw."""
    art.texts = _axis_labels(art, run, batch, out, h)
    art.values = {}
    if out.size + h.size <= VALUES_MAX_CELLS and art.cell * 72 >= 20:
        size = min(9.0, round(0.75 * art.cell * 72 / 2.6 * 2) / 2)  # "-0.82" is about 2.6 em wide; 0.5 pt grid
        art.values = {
            **_value_labels("output", art.output_ax, out, vmax, size),
            **_value_labels("h_n", art.h_n_ax, h, vmax, size),
        }
        art.texts += list(art.values.values())
    if art.scale_ax is not None:
        art.texts += _scale_labels(art.scale_ax, h, vmax)
    art.text_patches = draw_labels(art.fig, art.texts, art.text_patches)


def _place_arrows(art: OutputHnArtists, run: RNNRun, batch: int, out_cols: int) -> None:
    """Forward arrow left of output, down from t=0; backward arrow right of it, up to t=0; both over valid steps.

    Runs after _write_labels, whose time-step labels the forward arrow stands clear of.
    """
    last = int(last_valid_steps(run)[batch])
    pt = art.cell * 72
    head = max(0.3, 9 / pt)  # at least 9 points long, however small the cells
    place_arrow(art.arrows[FORWARD], -0.5 - (art.step_width + 16) / pt, -0.4, last + 0.4, head)
    place_arrow(art.arrows[BACKWARD], out_cols - 0.5 + 14 / pt, last + 0.4, -0.4, head)
    art.arrows[BACKWARD][0].set_visible(run.config.bidirectional)
    art.arrows[BACKWARD][1].set_visible(run.config.bidirectional)


def update_output_vs_h_n(art: OutputHnArtists, run: RNNRun, batch: int = 0) -> OutputHnArtists:
    """Redraw art for another run or batch element by changing its artists, not rebuilding axes."""
    out, h = batch_slices(run, batch)
    # One scale for both panels, so equal numbers get equal colours. It is fitted to output alone: a large
    # value in a lower layer of h_n saturates its own cell (and the scale's end says so) instead of fading output.
    vmax = float(max(np.abs(out).max(), 1e-6))
    art.output_image, art.h_n_image = _show(art, "output", out), _show(art, "h_n", h)
    for mesh in (art.output_image, art.h_n_image):
        mesh.set_clim(-vmax, vmax)
    _layout(art, out.shape, h.shape)
    _write_labels(art, run, batch, out, h, vmax)
    _place_arrows(art, run, batch, out.shape[1])
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
        art.fig.legend(
            handles,
            [MARK_LABEL[d] for d in rows],
            loc="upper center",
            ncols=2,
            fontsize="small",
            frameon=False,
            bbox_to_anchor=(0.5, art.legend_y),
        )
    set_alt(art.fig, output_vs_h_n_alt(run, batch))
    return art


def output_vs_h_n(
    run: RNNRun,
    batch: int = 0,
    fig: Figure | None = None,
    scale: bool = True,
    legend: bool = True,
    cmap: str = "RdBu_r",
    **kwargs,
) -> OutputHnArtists:
    """Draw one sequence's output beside its h_n on one colour scale, outlining the equal slices; returns artists."""
    # Without fig, draw on a new Figure that pyplot does not manage. kwargs go to pcolormesh.
    if fig is None:
        fig = Figure(figsize=FIGSIZE)
    output_ax, h_n_ax = fig.add_axes((0, 0, 1, 1)), fig.add_axes((0, 0, 1, 1))
    scale_ax = None
    if scale:  # a plain gradient: its ends are labelled by _write_labels, cheaper than a Colorbar's ticks
        scale_ax = fig.add_axes((0, 0, 1, 1))
        scale_ax.pcolormesh(np.linspace(-1, 1, 64)[:, None], cmap=cmap, norm=Normalize(-1, 1))
        scale_ax.set_xlim(0, 1)
        scale_ax.set_ylim(0, 64)
    for ax in (output_ax, h_n_ax, scale_ax):
        if ax is not None:
            ax.set_axis_off()  # tick machinery costs more than the labels we place ourselves
            ax.set_aspect("auto")  # _layout already makes the cells square; refitting them on every draw is wasted
    marks = {
        (key, d): mark_cells(ax, 0, slice(0, 1), d)
        for key, ax in (("output", output_ax), ("h_n", h_n_ax))
        for d in (FORWARD, BACKWARD)
    }
    arrows = {d: direction_arrow(output_ax, d) for d in (FORWARD, BACKWARD)}
    for ax in (output_ax, h_n_ax):  # fixed limits: the arrows and outlines outside the cells must not widen them
        ax.set_xlim(-0.5, 0.5)
        ax.set_ylim(0.5, -0.5)
    divider = output_ax.axvline(0, color="black", linewidth=1)
    art = OutputHnArtists(
        fig,
        output_ax,
        h_n_ax,
        scale_ax,
        None,
        None,
        marks,
        divider,
        legend=legend,
        arrows=arrows,
        mesh_kw=dict(cmap=cmap, norm=Normalize(-1, 1), **kwargs),
    )
    return update_output_vs_h_n(art, run, batch)


def output_vs_h_n_alt(run: RNNRun, batch: int = 0) -> str:
    """The picture in words, from the run: the two heatmaps' shapes, which rows match, and their numbers."""
    cfg = run.config
    out, h = batch_slices(run, batch)
    out_title, h_title = _titles(run, batch)
    direction_word = "bidirectional " if cfg.bidirectional else ""
    rows = mark_rows(run, batch)
    matches = []
    for direction, (step, features, row) in rows.items():
        half = (
            ""
            if not cfg.bidirectional
            else f" features {features.start} to {features.stop - 1} ({'forward' if direction == FORWARD else 'backward'})"
        )
        matches.append(f"{h_title} row {row} equals {out_title} at step {step}{half}")
    others = [r for r in range(h.shape[0]) if r not in {row for _, _, row in rows.values()}]
    text = (
        f"Two heatmaps of one {cfg.num_layers}-layer {direction_word}{cfg.cell.upper()} run on sequence {batch}: "
        f"{out_title}, {out.shape[0]} steps by {out.shape[1]} features, and {h_title}, {h.shape[0]} rows by "
        f"{h.shape[1]} features. Outlined: {listing(matches)}. "
    )
    if others:
        text += f"{h_title} rows {listing([str(r) for r in others])} (lower layers) appear nowhere in output. "
    else:
        text += "Every row of h_n is in output. "
    text += number_table(
        out_title, out, [f"step {t}" for t in range(out.shape[0])], [str(f) for f in range(out.shape[1])]
    )
    text += " " + number_table(h_title, h, [f"row {r}" for r in range(h.shape[0])], [str(f) for f in range(h.shape[1])])
    return text
