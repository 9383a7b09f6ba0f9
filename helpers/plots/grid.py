"""The module unrolled in time: one box per (layer, direction, step), filled and hatched by where its state lands."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.textpath import TextPath

from ..states import IN_BOTH, IN_H_N, IN_NEITHER, IN_OUTPUT, PADDING
from ..unroll import GridModel

FIGWIDTH = 10.0  # inches; at 72 dpi the live view is 720 px wide, the static figure (100 dpi) 1000 px
# Okabe-Ito tints, and a hatch per category so that print and colour-blind readers need no colour at all.
FILL = {IN_OUTPUT: "#a6d4f2", IN_H_N: "#f5c77e", IN_BOTH: "#8fd3b8", IN_NEITHER: "#e6e6e6", PADDING: "white"}
HATCH = {IN_OUTPUT: "//", IN_H_N: "\\\\", IN_BOTH: "xx", IN_NEITHER: "", PADDING: ".."}
HATCH_COLOUR = {IN_OUTPUT: "#4a90c2", IN_H_N: "#c98a1e", IN_BOTH: "#2f9673", IN_NEITHER: "#999999", PADDING: "#aaaaaa"}
TAG = {IN_OUTPUT: "output", IN_H_N: "h_n", IN_BOTH: "both", IN_NEITHER: "neither", PADDING: "pad"}
LEGEND = {
    IN_OUTPUT: "in output only",
    IN_H_N: "in h_n only",
    IN_BOTH: "in output and h_n",
    IN_NEITHER: "in neither (not returned)",
    PADDING: "padding (past its end)",
}
CELL_LEGEND = {
    IN_H_N: "in c_n",
    IN_NEITHER: "not returned (no cell state is in output)",
    PADDING: "padding (past its end)",
}
NAMES = {"rnn": "nn.RNN", "gru": "nn.GRU", "lstm": "nn.LSTM"}
SANS, MONO = FontProperties(family="DejaVu Sans"), FontProperties(family="DejaVu Sans Mono")
# Layout, in points (1/72 inch): the axes' data units are points, so text and boxes keep their size.
LEFT, RIGHT, TOP, BOTTOM = 92.0, 12.0, 44.0, 74.0
BOX_H, UNDER, PAIR_GAP, LAYER_GAP = 20.0, 22.0, 2.0, 16.0


@lru_cache(maxsize=2048)
def _glyphs(text: str, size: float, mono: bool) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Vertices and codes of text at size points, and its left and right ends; worked out once per string."""
    path = TextPath((0, 0), text, size=size, prop=MONO if mono else SANS)
    xs = path.vertices[:, 0]
    return path.vertices, path.codes, float(xs.min()) if len(xs) else 0.0, float(xs.max()) if len(xs) else 0.0


def _text_path(items: list[tuple]) -> Path:
    """One compound path for many strings: (x, y, text, size, ha, mono, rotated) each, vertically centred."""
    vertices, codes = [np.zeros((0, 2))], [np.zeros(0, np.uint8)]
    for x, y, text, size, ha, mono, rotated in items:
        verts, kinds, x0, x1 = _glyphs(text, size, mono)
        if not len(verts):
            continue
        shift = np.array([-{"left": 0.0, "center": (x0 + x1) / 2, "right": x1}[ha], -0.36 * size])
        v = verts + shift
        if rotated:  # a quarter turn anticlockwise, for the vertical axis label
            v = v[:, ::-1] * np.array([-1.0, 1.0])
        vertices.append(v + (x, y))
        codes.append(kinds)
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _rects(rects: list[tuple[float, float, float, float]]) -> Path:
    """One compound path of axis-aligned rectangles (x, y, width, height)."""
    if not rects:
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    corners = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], float)
    verts = np.concatenate([corners * (w, h) + (x, y) for x, y, w, h in rects])
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(rects))
    return Path(verts, codes)


def _arrows(segments: list[tuple[float, float, float, float]], width: float = 1.0, head: float = 4.5) -> Path:
    """Filled arrows from (x0, y0) to (x1, y1), horizontal or vertical, as one compound path."""
    polys = []
    for x0, y0, x1, y1 in segments:
        d = np.array([x1 - x0, y1 - y0], float)
        length = float(np.hypot(*d)) or 1.0
        u, n = d / length, np.array([-d[1], d[0]]) / length
        base = np.array([x1, y1]) - u * head
        start = np.array([x0, y0])
        polys.append(
            [
                start + n * width / 2,
                base + n * width / 2,
                base + n * head / 2,
                (x1, y1),
                base - n * head / 2,
                base - n * width / 2,
                start - n * width / 2,
                start + n * width / 2,
            ]
        )
    if not polys:
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    codes = np.tile([Path.MOVETO] + [Path.LINETO] * 6 + [Path.CLOSEPOLY], len(polys))
    return Path(np.concatenate(polys).astype(float), codes)


@dataclass
class GridArtists:
    """Everything grid() drew: one patch per category, one for the arrows, one for all the text."""

    fig: Figure
    ax: Axes
    boxes: dict  # category -> PathPatch holding every box (and the legend swatch) of that category
    plates: PathPatch  # white plates behind the tags
    arrows: PathPatch
    text: PathPatch
    footer: PathPatch  # grey text: the footer line


def _layout(model: GridModel, width: float, note: str | None = None) -> tuple[float, dict, list, list, list, list]:
    """Height, rectangles by category, tag plates, arrows, black text and grey text, in points, for this model."""
    rows = [(layer, d) for layer in reversed(range(model.num_layers)) for d in range(model.num_directions)]
    col = min((width - LEFT - RIGHT) / model.seq_len, 130.0)
    box_w = min(col - 16.0, 84.0)
    x_start = LEFT + (width - LEFT - RIGHT - col * model.seq_len) / 2
    pitch = BOX_H + UNDER
    grid_h = len(rows) * pitch + (model.num_layers - 1) * LAYER_GAP + (len(rows) - model.num_layers) * PAIR_GAP
    height = TOP + grid_h + BOTTOM
    rects = {key: [] for key in FILL}
    plates = []  # white behind each box's tag, so the hatch never runs through the letters
    arrows, text, notes = [], [], []
    box_at, y = {}, height - TOP
    for i, (layer, d) in enumerate(rows):
        if i:
            y -= LAYER_GAP if d == 0 else PAIR_GAP
        y_box = y - BOX_H  # bottom of this row's boxes
        arrow = "" if model.num_directions == 1 else (" fwd \u2192" if d == 0 else " bwd \u2190")
        text.append((LEFT - 8, y_box + BOX_H / 2, f"layer {layer}{arrow}", 8.5, "right", False, False))
        for step in range(model.seq_len):
            box_at[layer, d, step] = (x_start + col * step + (col - box_w) / 2, y_box)
        y -= pitch
    longest = max((len(e) for box in model.boxes for e in box.expressions), default=1)
    code = min(8.0, (col - 8) / (0.602 * longest))  # the index expressions: as large as the columns allow
    for box in model.boxes:
        x, y0 = box_at[box.layer, box.direction, box.step]
        rects[box.category].append((x, y0, box_w, BOX_H))
        tag = "c_n" if model.cell_states and box.category == IN_H_N else TAG[box.category]
        text.append((x + box_w / 2, y0 + BOX_H / 2, tag, 8.0, "center", False, False))
        _, _, t0, t1 = _glyphs(tag, 8.0, False)
        plates.append((x + box_w / 2 - (t1 - t0) / 2 - 3, y0 + 4, t1 - t0 + 6, BOX_H - 8))
        for k, expression in enumerate(box.expressions):
            text.append(
                (x + box_w / 2, y0 - 0.5 * code - 2.5 - (code + 1.2) * k, expression, code, "center", True, False)
            )
    valid = {(b.layer, b.direction, b.step) for b in model.boxes if b.category != PADDING}
    for layer, d, step in valid:  # what feeds what: the previous step, and the layer below at the same step
        x, y0 = box_at[layer, d, step]
        nxt = step + 1 if d == 0 else step - 1
        if (layer, d, nxt) in valid:
            x1 = box_at[layer, d, nxt][0]
            start, end = (x + box_w, x1) if d == 0 else (x, x1 + box_w)
            arrows.append((start + 1.5, y0 + BOX_H / 2, end - 1.5, y0 + BOX_H / 2))
        if layer and d == model.num_directions - 1 or (layer and model.num_directions == 1):
            below = box_at[layer - 1, 0, step]  # the layer below's upper row (forward)
            arrows.append((x + box_w / 2, below[1] + BOX_H + 1.5, x + box_w / 2, y0 - UNDER - 0.5))
    bottom_row = box_at[0, model.num_directions - 1, 0][1]
    for step in range(model.seq_len):
        x = box_at[0, 0, step][0] + box_w / 2
        text.append((x, bottom_row - UNDER - 6, f"t={step}", 8.0, "center", False, False))
    text.append(
        (x_start + col * model.seq_len / 2, bottom_row - UNDER - 20, "time step t \u2192", 9.0, "center", False, False)
    )
    axis = "layer (and direction) \u2192" if grid_h > 110 else "layer \u2192"  # the long one only where it fits
    text.append((14, bottom_row + grid_h / 2, axis, 9.0, "center", False, True))
    what = "cell states c" if model.cell_states else "hidden states h"
    title = (
        f"{NAMES[model.cell]}, num_layers={model.num_layers}"
        + (", bidirectional" if model.num_directions == 2 else "")
        + f", {model.seq_len} steps: {what}"
    )
    text.append((width / 2, height - 14, title, 10.0, "center", False, False))
    if model.lengths is not None:
        sub = f"batch element {model.batch}: length {model.length} of lengths={model.lengths} (packed)"
        text.append((width / 2, height - 29, sub, 8.5, "center", False, False))
    legend = CELL_LEGEND if model.cell_states else LEGEND
    shown = [c for c in legend if c != PADDING or model.lengths is not None]
    widths = [30 + _glyphs(legend[c], 7.5, False)[3] for c in shown]
    x = (width - sum(widths) - 16 * (len(shown) - 1)) / 2
    for category, item in zip(shown, widths):
        rects[category].append((x, 24, 22, 12))
        text.append((x + 27, 30, legend[category], 7.5, "left", False, False))
        x += item + 16
    feeds = "; a layer reads both rows of the layer below" if model.num_directions == 2 else ""
    footer = note or (
        f"Arrows: what feeds what{feeds}. Under each box: how to get that state (H means H_out)."
        + ("" if model.cell_states else " Blank: no returned tensor holds it.")
    )
    notes.append((width / 2, 9, footer, 8.0 if note else 7.5, "center", False, False))
    return height, rects, plates, arrows, text, notes


@lru_cache(maxsize=256)
def _paths(model: GridModel, width: float, note: str | None) -> tuple[float, dict, Path, Path, Path, Path]:
    """The layout of model as ready paths, worked out once per model: a slider moved back costs no layout."""
    height, rects, plates, arrows, text, notes = _layout(model, width, note)
    return (
        height,
        {category: _rects(r) for category, r in rects.items()},
        _rects(plates),
        _arrows(arrows),
        _text_path(text),
        _text_path(notes),
    )


def update_grid(art: GridArtists, model: GridModel, note: str | None = None) -> GridArtists:
    """Redraw art for another model by giving its few patches new paths; no artist is made or removed."""
    width = float(art.fig.get_size_inches()[0] * 72)
    height, boxes, plates, arrows, text, footer = _paths(model, width, note)
    art.fig.set_size_inches(width / 72, height / 72, forward=False)
    art.ax.set_xlim(0, width)
    art.ax.set_ylim(0, height)
    for category, patch in art.boxes.items():
        patch.set_path(boxes[category])
    art.plates.set_path(plates)
    art.arrows.set_path(arrows)
    art.text.set_path(text)
    art.footer.set_path(footer)
    return art


def grid(model: GridModel, fig: Figure | None = None, note: str | None = None) -> GridArtists:
    """Draw the unrolled grid of model on fig (a new Figure FIGWIDTH wide if None); returns the artists."""
    # note, if given, replaces the footer line (the view uses it to say a module has no cell state).
    if fig is None:
        fig = Figure(figsize=(FIGWIDTH, 4.0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    empty = Path(np.zeros((1, 2)), [Path.MOVETO])
    boxes = {
        category: ax.add_patch(
            PathPatch(
                empty,
                facecolor=FILL[category],
                hatch=HATCH[category],
                hatchcolor=HATCH_COLOUR[category],
                edgecolor="#444444" if category != PADDING else "#999999",
                linestyle="-" if category != PADDING else (0, (2, 2)),
                linewidth=0.8,
            )
        )
        for category in FILL
    }
    plates = ax.add_patch(PathPatch(empty, facecolor="white", edgecolor="none", alpha=0.85))
    arrows = ax.add_patch(PathPatch(empty, facecolor="#333333", edgecolor="none"))
    text = ax.add_patch(PathPatch(empty, facecolor="black", edgecolor="none"))
    footer = ax.add_patch(PathPatch(empty, facecolor="#555555", edgecolor="none"))
    return update_grid(GridArtists(fig, ax, boxes, plates, arrows, text, footer), model, note)
