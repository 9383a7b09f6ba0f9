"""Gate heatmaps over time for one GRU or LSTM layer: one panel per gate, hidden units down, time steps across."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from .alt import set_alt
from .base import heatmap, ticks
from .text import path_label

FIGSIZE = (6.4, 4.8)  # inches
MAX_PANELS = 4
# What each gate panel is called, and the range its values live in: sigmoid gates in (0, 1), tanh in (-1, 1).
PANELS = {
    "gru": [
        ("z", "update gate z: 1 keeps the old h"),
        ("r", "reset gate r: 0 hides the old h from n"),
        ("n", "new gate n (tanh): the candidate that (1 - z) lets in"),
    ],
    "lstm": [
        ("i", "input gate i: how much of g enters c"),
        ("f", "forget gate f: how much of c is kept"),
        ("o", "output gate o: how much of tanh(c) reaches h"),
        ("g", "cell candidate g (tanh)"),
    ],
}
GATE_CMAP, CANDIDATE_CMAP = "viridis", "RdBu_r"


@dataclass(frozen=True)
class GateFrame:
    """The gates of one (layer, batch element) of a run, ready to draw: name -> (H, L) array."""

    cell: str
    layer: int
    batch: int
    gates: dict[str, np.ndarray]


@dataclass
class GateArtists:
    """Everything gate_heatmaps drew, so a view can update it in place."""

    fig: Figure
    axes: list[Axes]
    images: list[AxesImage]
    scale_axes: list[Axes]  # gate scale (0 to 1), candidate scale (-1 to 1)
    labels: list = field(default_factory=list)
    specs: list = field(default_factory=list)  # what each label says and where, to skip unchanged ones


def _is_candidate(name: str) -> bool:
    """True for the tanh candidates (LSTM's g, GRU's n), which live in (-1, 1)."""
    return name in ("g", "n")


def _layout(art: GateArtists, rows: int, cols: int, panels: int) -> float:
    """Stack the panels vertically across the full width; two colour scales at the right; returns a row's height."""
    width, height = art.fig.get_size_inches()
    left, right, top, bottom, gap = 0.75, 0.95, 0.65, 0.5, 0.42
    panel_width = width - left - right
    row = (height - top - bottom - gap * (MAX_PANELS - 1)) / (rows * MAX_PANELS)
    y = height - top
    for k, ax in enumerate(art.axes):
        ax.set_visible(k < panels)
        ax.set_position([left / width, (y - rows * row) / height, panel_width / width, rows * row / height])
        y -= rows * row + gap
    x_scale = left + panel_width + 0.3
    scale_height = (height - top - bottom) / 2 - 0.45
    for k, ax in enumerate(art.scale_axes):
        y_top = height - top - k * (scale_height + 0.9)
        ax.set_position([x_scale / width, (y_top - scale_height) / height, 0.12 / width, scale_height / height])
    return row


def _show(image: AxesImage, data: np.ndarray) -> None:
    """Replace an image's data and fit extent and limits if its shape changed."""
    if image.get_array().shape != data.shape:
        rows, cols = data.shape
        image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        image.axes.set_xlim(-0.5, cols - 0.5)
        image.axes.set_ylim(rows - 0.5, -0.5)
    image.set_data(data)


def update_gate_heatmaps(art: GateArtists, frame: GateFrame) -> GateArtists:
    """Redraw art for another cell, layer or batch element by changing its artists."""
    panels = PANELS[frame.cell]
    rows, cols = frame.gates[panels[0][0]].shape  # (H, L)
    cell = _layout(art, rows, cols, len(panels))
    specs = []  # (axes, x, y, text, options)
    for ax, image, (name, title) in zip(art.axes, art.images, panels):
        _show(image, frame.gates[name])
        cmap = CANDIDATE_CMAP if _is_candidate(name) else GATE_CMAP
        if image.get_cmap().name != cmap:  # only the LSTM's last panel switches scale
            image.set_cmap(cmap)
            image.set_norm(Normalize(-1, 1) if _is_candidate(name) else Normalize(0, 1))
        specs.append((ax, 0, 1.06, title, dict(va="bottom", size=10, coords="axes")))
        specs += [(ax, -0.7, u, f"unit {u}", dict(ha="right", size=8)) for u in ticks(rows, 6)]
    last = art.axes[len(panels) - 1]
    specs += [(last, t, rows - 0.5 + 0.05 / cell, f"{t}", dict(ha="center", va="top", size=8)) for t in ticks(cols, 12)]
    specs.append(
        (last, (cols - 1) / 2, rows - 0.5 + 0.25 / cell, "time step t  \u2192", dict(ha="center", va="top", size=9))
    )
    specs.append(
        (
            art.axes[0],
            -0.5,
            -0.5 - 0.4 / cell,
            f"{frame.cell.upper()}, layer {frame.layer}, batch element {frame.batch}: every gate at every step",
            dict(va="bottom", size=11),
        )
    )
    gate_ax, cand_ax = art.scale_axes
    specs += [
        (gate_ax, 1.6, 1, "1", dict(coords="axes")),
        (gate_ax, 1.6, 0, "0", dict(coords="axes")),
        (gate_ax, 0.5, 1.04, "gates", dict(ha="center", va="bottom", coords="axes")),
    ]
    candidate = panels[-1][0]
    specs += [
        (cand_ax, 1.6, 1, "+1", dict(coords="axes")),
        (cand_ax, 1.6, 0, "-1", dict(coords="axes")),
        (cand_ax, 0.5, 1.04, candidate, dict(ha="center", va="bottom", coords="axes")),
    ]

    def key(spec):
        a, x, y, text, options = spec
        return id(a), x, y, text, tuple(sorted(options.items()))

    # A label whose text and place did not change keeps its patch untouched: building transforms is the slow part.
    unchanged = dict(zip(map(key, art.specs), art.labels))
    new_keys = [key(spec) for spec in specs]
    reused = {k: unchanged.pop(k) for k in new_keys if k in unchanged}
    spare = {}
    for patch in unchanged.values():
        spare.setdefault(patch.axes, []).append(patch)
    labels = []
    for spec, k in zip(specs, new_keys):
        a, x, y, text, options = spec
        if k in reused:
            labels.append(reused.pop(k))
        else:
            labels.append(path_label(a, x, y, text, patch=spare[a].pop() if spare.get(a) else None, **options))
    for patch in (p for patches in spare.values() for p in patches):
        patch.remove()
    art.labels, art.specs = labels, specs
    set_alt(art.fig, gates_alt(frame))
    return art


def gate_heatmaps(frame: GateFrame, fig: Figure | None = None) -> GateArtists:
    """Draw one heatmap per gate (GRU: z, r, n; LSTM: i, f, o, g) over time, with labelled scales; returns artists."""
    if fig is None:
        fig = Figure(figsize=FIGSIZE)
    axes, images = [], []
    for _ in range(MAX_PANELS):
        ax = fig.add_axes((0, 0, 1, 1))
        image, _ = heatmap(np.zeros((1, 1)), ax=ax, cmap=GATE_CMAP, norm=Normalize(0, 1), aspect="auto")
        ax.set_axis_off()  # labels are drawn as paths, cheaper than tick machinery on every update
        axes.append(ax)
        images.append(image)
    scale_axes = []
    for cmap, low in ((GATE_CMAP, 0), (CANDIDATE_CMAP, -1)):
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(np.linspace(1, low, 64)[:, None], cmap=cmap, norm=Normalize(low, 1), aspect="auto")
        ax.set_axis_off()
        scale_axes.append(ax)
    return update_gate_heatmaps(GateArtists(fig, axes, images, scale_axes), frame)


def gates_alt(frame: GateFrame) -> str:
    """The picture in words: one panel per gate, its range, and where each gate's values lie."""
    panels = PANELS[frame.cell]
    rows, cols = frame.gates[panels[0][0]].shape
    parts = []
    for name, title in panels:
        values = frame.gates[name]
        parts.append(
            f"{title}: from {values.min():.2f} to {values.max():.2f}, mean {values.mean():.2f}, "
            f"at the last step mean {values[:, -1].mean():.2f}"
        )
    return (
        f"{len(panels)} heatmaps, one per gate of layer {frame.layer} of an {frame.cell.upper()}, sequence "
        f"{frame.batch}: {rows} hidden units down, {cols} time steps across. Sigmoid gates lie between 0 and 1, "
        f"the tanh candidate between -1 and 1. " + "; ".join(parts) + "."
    )
