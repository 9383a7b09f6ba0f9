"""The module unrolled in time: one box per (layer, direction, step), filled and hatched by where its state lands.

The arrows are what feeds what (see feeds): along a row, each state feeds its own next step; between layers, a
state feeds the layer above at the same step. With two directions, the layer above reads both directions of the
layer below side by side (its input is cat(forward, backward), D * H_out features) in both of its own rows: the
picture frames the two boxes of one layer at one step and draws one arrow from frame to frame. Cell states c never
leave their layer: the layer above reads h, so the cell-state grid has no arrow between layers.
"""

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
from .alt import count, listing, set_alt, steps_text

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
LEFT, RIGHT, TOP, BOTTOM = 92.0, 12.0, 44.0, 62.0
BOX_H, UNDER, PAIR_GAP, LAYER_GAP = 20.0, 22.0, 2.0, 16.0
PAIR_LAYER_GAP = 26.0  # between two-direction layers: room for the arrow from one frame to the next
FRAME_PAD = 4.0  # how far a frame (both directions of one layer at one step) reaches past its boxes
FOOTER_LINE = 11.0  # one line of the footer
LEGEND_LINE = 18.0  # one line of the legend
FRAME_LEGEND = "both directions of one layer at one step"

Box = tuple[int, int, int]  # (layer, direction, step)


def feeds(model: GridModel) -> tuple[tuple[Box, Box], ...]:
    """What feeds what, as (from, to) pairs of boxes: what the grid's arrows draw.

    Along a row, each state feeds the next step its direction reads (forward: t + 1, backward: t - 1). Between
    layers (hidden states only), layer k at step t feeds layer k + 1 at step t: every direction of layer k feeds
    every direction of layer k + 1, since layer k + 1 reads cat(forward, backward) of layer k. A cell state c
    feeds only its own row: the layer above reads h. Padding (past a sequence's end) feeds nothing.
    """
    valid = {(b.layer, b.direction, b.step) for b in model.boxes if b.category != PADDING}
    pairs = []
    for layer, d, step in sorted(valid):
        nxt = (layer, d, step + 1 if d == 0 else step - 1)
        if nxt in valid:
            pairs.append(((layer, d, step), nxt))
        if not model.cell_states:
            for above in range(model.num_directions):
                if (layer + 1, above, step) in valid:
                    pairs.append(((layer, d, step), (layer + 1, above, step)))
    return tuple(pairs)


def index_line(model: GridModel, batch_first: bool | None) -> str:
    """The line that says which layout the index expressions under the boxes are written for."""
    if batch_first is None:
        return "Under each box: how to get that state" + (" (H means H_out)." if model.num_directions == 2 else ".")
    one = model.batch is not None  # one sequence of a packed batch: its index n is in every expression
    if model.cell_states:
        row = "c_n[k, n]" if one else "c_n[k]"
        return (
            f"Indices for batch_first={batch_first}: c_n is (num_layers * D, N, H_cell) either way, "
            f"so row k is {row}; no c is in output."
        )
    if batch_first:
        shape, step = "(N, L, D * H_out)", "output[n, t]" if one else "output[:, t]"
    else:
        shape, step = "(L, N, D * H_out)", "output[t, n]" if one else "output[t]"
    row = "h_n[k, n]" if one else "h_n[k]"
    return (
        f"Indices for batch_first={batch_first}: output is {shape}, step t{' of sequence n' if one else ''} "
        f"is {step}; h_n is (num_layers * D, N, H_out) either way, row k is {row}."
        + (" H means H_out." if model.num_directions == 2 else "")
    )


def footer_lines(model: GridModel) -> list[str]:
    """What the arrows, the frames and the grey boxes mean, one line each, for this model."""
    rows = "Arrows: what feeds what. Along a row, each state feeds its next step"
    rows += "; fwd runs left to right, bwd right to left." if model.num_directions == 2 else "."
    if model.cell_states:
        return [
            rows.replace("each state", "each cell state c"),
            "c never leaves its layer: the layer above reads this layer's h (its output), never its c, "
            "so no arrow goes up.",
            "A grey 'neither' box holds a cell state that no returned tensor holds (no c is in output).",
        ]
    lines = [rows]
    if model.num_layers > 1 and model.num_directions == 2:
        lines.append(
            "Between layers, a dashed frame holds both directions of one layer at one step: the layer above "
            "reads them side by side, cat(fwd, bwd), in both of its rows."
        )
    elif model.num_layers > 1:
        lines.append("Between layers, each state feeds the layer above at the same step.")
    lines.append("A grey 'neither' box holds a state that no returned tensor holds, so there is no index under it.")
    return lines


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


def _fitting(text: str, size: float, room: float) -> float:
    """The font size for text: size, or smaller if it would be wider than room points."""
    _, _, x0, x1 = _glyphs(text, size, False)
    return size if x1 - x0 <= room else size * room / (x1 - x0)


def _legend(model: GridModel, framed: bool, width: float) -> list[list[tuple[str, str | None, float]]]:
    """The legend's items (label, category or None for the frame, width), on as many lines as width needs."""
    legend = CELL_LEGEND if model.cell_states else LEGEND
    shown = [c for c in legend if c != PADDING or model.lengths is not None]
    items = [(legend[c], c) for c in shown] + ([(FRAME_LEGEND, None)] if framed else [])
    lines = [[]]
    for label, category in items:
        item = (label, category, 30 + _glyphs(label, 7.5, False)[3])
        if lines[-1] and sum(w + 14 for *_, w in lines[-1]) + item[2] > width - 16:
            lines.append([])
        lines[-1].append(item)
    return lines


@dataclass
class GridArtists:
    """Everything grid() drew: one patch per category, one for the arrows, one for all the text."""

    fig: Figure
    ax: Axes
    boxes: dict  # category -> PathPatch holding every box (and the legend swatch) of that category
    plates: PathPatch  # white plates behind the tags
    arrows: PathPatch
    text: PathPatch
    footer: PathPatch  # grey text: the footer lines
    frames: PathPatch  # dashed outlines: both directions of one layer at one step (two directions only)


def _layout(
    model: GridModel, width: float, note: str | None = None, batch_first: bool | None = None
) -> tuple[float, dict, list, list, list, list, list]:
    """Height, rectangles by category, tag plates, arrows, frames, black text and grey text, in points."""
    rows = [(layer, d) for layer in reversed(range(model.num_layers)) for d in range(model.num_directions)]
    col = min((width - LEFT - RIGHT) / model.seq_len, 130.0)
    box_w = min(col - 16.0, 84.0)
    x_start = LEFT + (width - LEFT - RIGHT - col * model.seq_len) / 2
    pitch = BOX_H + UNDER
    framed = model.num_directions == 2 and model.num_layers > 1 and not model.cell_states
    layer_gap = PAIR_LAYER_GAP if framed else LAYER_GAP
    grid_h = len(rows) * pitch + (model.num_layers - 1) * layer_gap + (len(rows) - model.num_layers) * PAIR_GAP
    subtitles = [index_line(model, batch_first)]
    if model.lengths is not None:
        subtitles.append(f"batch element {model.batch}: length {model.length} of lengths={model.lengths} (packed)")
    footer = ([note] if note else []) + footer_lines(model)
    lines = _legend(model, framed, width)
    top = TOP + 13 * (len(subtitles) - 1)
    bottom = BOTTOM + FOOTER_LINE * len(footer) + LEGEND_LINE * (len(lines) - 1) + (3.0 if framed else 0.0)
    height = top + grid_h + bottom
    rects = {key: [] for key in FILL}
    plates = []  # white behind each box's tag, so the hatch never runs through the letters
    arrows, frames, text, notes = [], [], [], []
    box_at, y = {}, height - top
    for i, (layer, d) in enumerate(rows):
        if i:
            y -= layer_gap if d == 0 else PAIR_GAP
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

    # A frame holds both boxes and the indices under them, and leaves room between columns for the arrows.
    half = min(max(box_w / 2 + FRAME_PAD, 0.602 * code * longest / 2 + 2.0), (col - 6.0) / 2)

    def frame(layer: int, step: int) -> tuple[float, float, float, float]:
        """Left, bottom, right, top of the frame around both directions of layer at step (with the indices)."""
        x, y_bwd = box_at[layer, 1, step]
        middle = x + box_w / 2
        return middle - half, y_bwd - UNDER + 1.0, middle + half, box_at[layer, 0, step][1] + BOX_H + 2.0

    framed_steps = set()
    for (layer, d, step), (to_layer, to_d, to_step) in feeds(model):
        x, y0 = box_at[layer, d, step]
        if to_layer == layer:  # along the row, to the next step this direction reads
            x1 = box_at[layer, d, to_step][0]
            start, end = (x + box_w, x1) if to_step > step else (x, x1 + box_w)
            arrows.append((start + 1.5, y0 + BOX_H / 2, end - 1.5, y0 + BOX_H / 2))
        elif not framed:  # one direction: straight up, past the indices under the box above
            y1 = box_at[to_layer, to_d, to_step][1]
            arrows.append((x + box_w / 2, y0 + BOX_H + 1.5, x + box_w / 2, y1 - UNDER - 0.5))
        elif (layer, step) not in framed_steps:  # two directions: one arrow from frame to frame stands for all four
            framed_steps.add((layer, step))
            _, _, _, y_from = frame(layer, step)
            _, y_to, _, _ = frame(to_layer, step)
            arrows.append((x + box_w / 2, y_from + 1.0, x + box_w / 2, y_to - 1.0))
    if framed:
        valid = {(b.layer, b.step) for b in model.boxes if b.category != PADDING}
        for layer, step in valid:  # a frame wherever both directions of a layer hold a state at that step
            x0, y0, x1, y1 = frame(layer, step)
            frames.append((x0, y0, x1 - x0, y1 - y0))
    said = ("both rows feed", "both above \u2191") if framed else ("layer above", "reads h, not c")
    for layer in range(model.num_layers - 1) if framed or model.cell_states else ():  # each gap, by the row names
        between = (box_at[layer, 0, 0][1] + BOX_H + box_at[layer + 1, model.num_directions - 1, 0][1]) / 2
        for k, line in enumerate(said):
            text.append((LEFT - 8, between + 4.5 - 9 * k, line, 7.0, "right", False, False))
    bottom_row = box_at[0, model.num_directions - 1, 0][1]
    below = bottom_row - UNDER - (9.0 if framed else 6.0)  # the step numbers, clear of the frames
    for step in range(model.seq_len):
        x = box_at[0, 0, step][0] + box_w / 2
        text.append((x, below, f"t={step}", 8.0, "center", False, False))
    text.append((x_start + col * model.seq_len / 2, below - 14, "time step t \u2192", 9.0, "center", False, False))
    axis = "layer (and direction) \u2192" if model.num_directions == 2 and grid_h > 110 else "layer \u2192"
    text.append((14, bottom_row + grid_h / 2, axis, 9.0, "center", False, True))
    what = "cell states c" if model.cell_states else "hidden states h"
    title = (
        f"{NAMES[model.cell]}, num_layers={model.num_layers}"
        + (", bidirectional" if model.num_directions == 2 else "")
        + f", {model.seq_len} steps: {what}"
    )
    text.append((width / 2, height - 14, title, 10.0, "center", False, False))
    for k, line in enumerate(subtitles):
        text.append((width / 2, height - 29 - 13 * k, line, _fitting(line, 8.0, width - 16), "center", False, False))
    y_legend = 12 + FOOTER_LINE * len(footer) + LEGEND_LINE * (len(lines) - 1)
    for line in lines:
        x = (width - sum(w for *_, w in line) - 14 * (len(line) - 1)) / 2
        for label, category, item in line:
            if category is not None:
                rects[category].append((x, y_legend, 22, 12))
            else:  # the frame's swatch: a dashed outline
                frames.append((x, y_legend - 2, 22, 16))
            text.append((x + 27, y_legend + 6, label, 7.5, "left", False, False))
            x += item + 14
        y_legend -= LEGEND_LINE
    for k, line in enumerate(footer):  # the note, if any, first
        size = _fitting(line, 8.0, width - 16)
        notes.append((width / 2, 9 + FOOTER_LINE * (len(footer) - 1 - k), line, size, "center", False, False))
    return height, rects, plates, arrows, frames, text, notes


@lru_cache(maxsize=256)
def _paths(model: GridModel, width: float, note: str | None, batch_first: bool | None) -> tuple:
    """The layout of model as ready paths, worked out once per model: a slider moved back costs no layout."""
    height, rects, plates, arrows, frames, text, notes = _layout(model, width, note, batch_first)
    return (
        height,
        {category: _rects(r) for category, r in rects.items()},
        _rects(plates),
        _arrows(arrows),
        _rects(frames),
        _text_path(text),
        _text_path(notes),
    )


def update_grid(
    art: GridArtists, model: GridModel, note: str | None = None, batch_first: bool | None = None
) -> GridArtists:
    """Redraw art for another model by giving its few patches new paths; no artist is made or removed."""
    width = float(art.fig.get_size_inches()[0] * 72)
    height, boxes, plates, arrows, frames, text, footer = _paths(model, width, note, batch_first)
    art.fig.set_size_inches(width / 72, height / 72, forward=False)
    art.ax.set_xlim(0, width)
    art.ax.set_ylim(0, height)
    for category, patch in art.boxes.items():
        patch.set_path(boxes[category])
    art.plates.set_path(plates)
    art.arrows.set_path(arrows)
    art.frames.set_path(frames)
    art.text.set_path(text)
    art.footer.set_path(footer)
    set_alt(art.fig, grid_alt(model))
    return art


def grid(
    model: GridModel, fig: Figure | None = None, note: str | None = None, batch_first: bool | None = None
) -> GridArtists:
    """Draw the unrolled grid of model on fig (a new Figure FIGWIDTH wide if None); returns the artists."""
    # note, if given, is a first footer line (the view uses it to say a module has no cell state).
    # batch_first: the layout the index expressions were written for, said under the title (None: not said).
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
    frames = ax.add_patch(PathPatch(empty, facecolor="none", edgecolor="#555555", linestyle=(0, (3, 2)), linewidth=0.9))
    plates = ax.add_patch(PathPatch(empty, facecolor="white", edgecolor="none", alpha=0.85))
    arrows = ax.add_patch(PathPatch(empty, facecolor="#333333", edgecolor="none"))
    text = ax.add_patch(PathPatch(empty, facecolor="black", edgecolor="none"))
    footer = ax.add_patch(PathPatch(empty, facecolor="#444444", edgecolor="none"))
    art = GridArtists(fig, ax, boxes, plates, arrows, text, footer, frames)
    return update_grid(art, model, note, batch_first)


def grid_alt(model: GridModel) -> str:
    """The grid in words, from its boxes: what output and h_n (or c_n) hold, and which states they share."""
    direction_word = "bidirectional " if model.num_directions == 2 else ""
    head = f"Unrolled {model.num_layers}-layer {direction_word}{model.cell.upper()} over {model.seq_len} steps"
    if model.lengths is not None:
        head += (
            f", sequence {model.batch} (lengths {listing([str(n) for n in model.lengths])}): "
            f"{count(model.length, 'valid step')}, the rest padding"
        )
    what = "cell states c" if model.cell_states else "hidden states h"
    final = "c_n" if model.cell_states else "h_n"
    top = model.num_layers - 1
    rows = "row" if model.num_directions == 1 else "two rows"
    in_output = [b for b in model.boxes if b.category in (IN_OUTPUT, IN_BOTH)]
    in_final = [b for b in model.boxes if b.category in (IN_H_N, IN_BOTH)]
    shared = [b for b in model.boxes if b.category == IN_BOTH]
    sentences = [f"{head}; each box is one of its {what}."]
    if in_output:
        out_steps = sorted({b.step for b in in_output})
        every = out_steps == list(range(model.length)) and all(b.layer == top for b in in_output)
        where = "at every valid step" if model.lengths is not None and every else "at every step" if every else ""
        where = where or f"at {steps_text(out_steps)}"
        sentences.append(f"output holds the top layer's {rows} {where}.")
    else:
        sentences.append("output holds no cell state.")
    parts = []
    for direction, name in ((0, "forward"), (1, "backward"))[: model.num_directions]:
        steps = sorted({b.step for b in in_final if b.direction == direction})
        row = f"each {name} row" if model.num_directions == 2 else "each layer's row"
        parts.append(f"{steps_text(steps)} of {row}")
    sentences.append(f"{final} holds {listing(parts)}.")
    if shared:
        states = "final state" if len(shared) == 1 else f"{count(len(shared), 'final state')}".replace("2 ", "two ")
        lower = f"; the lower layers' final states are only in {final}" if model.num_layers > 1 else ""
        sentences.append(f"They share the top layer's {states}{lower}.")
    elif not model.cell_states:
        sentences.append("They share no state.")
    neither = sum(b.category == IN_NEITHER for b in model.boxes)
    if neither:
        sentences.append(f"{count(neither, 'other state')} {'is' if neither == 1 else 'are'} returned in neither.")
    return " ".join(sentences)
