"""The gates view: compute a from-scratch run's gates, draw them over time, wire cell, layer and batch controls."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..cells import ScratchRun, scratch_forward
from ..checks import check_int
from ..models import RNNConfig
from ..plots.gates import GateArtists, GateFrame, gate_heatmaps, update_gate_heatmaps
from .base import VIEW_DPI, SliderView, cached_run, png_bytes

VIEW_FIGSIZE = (6.4, 4.8)  # inches
GATE_CELLS = ("gru", "lstm")


@lru_cache(maxsize=16)
def gate_run(config: RNNConfig, seq_len: int, batch_size: int, input_scale: float = 1.0) -> ScratchRun:
    """The from-scratch loop over helpers.run's module and input_scale times its input, remembered; read-only."""
    # A larger input pushes the gates away from 0.5 (where small random weights leave them), so patterns show.
    r = cached_run(config, seq_len, batch_size)
    return scratch_forward(r.module, r.x * input_scale)


def compute_gates(
    cell: str = "lstm",
    layer: int = 0,
    batch: int = 0,
    num_layers: int = 2,
    hidden_size: int = 4,
    seq_len: int = 12,
    batch_size: int = 3,
    input_size: int = 3,
    input_scale: float = 3.0,
    seed: int = 0,
) -> GateFrame:
    """The gates the view shows: every step of one (layer, forward direction) and one batch element."""
    if cell not in GATE_CELLS:
        raise ValueError(f"cell={cell!r} is not allowed: cell must be one of {GATE_CELLS} (an RNN has no gates)")
    config = RNNConfig(cell=cell, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, seed=seed)
    check_int("layer", layer, 0, num_layers - 1)
    check_int("seq_len", seq_len, 1)
    check_int("batch_size", batch_size, 1)
    check_int("batch", batch, 0, batch_size - 1)
    if isinstance(input_scale, bool) or not isinstance(input_scale, (int, float)) or not input_scale > 0:
        raise ValueError(f"input_scale={input_scale!r} is not allowed: input_scale must be a number > 0")
    gates = gate_run(config, seq_len, batch_size, float(input_scale)).gates[layer, 0]  # name -> (L, N, H)
    return GateFrame(cell, layer, batch, {name: g[:, batch].detach().numpy().T for name, g in gates.items()})


def draw_gates(fig: Figure, frame: GateFrame, artists: GateArtists | None = None) -> GateArtists:
    """Draw the gates on fig, or update artists already drawn there."""
    if artists is None:
        return gate_heatmaps(frame, fig=fig)
    return update_gate_heatmaps(artists, frame)


def gates_figure(cell: str = "lstm", layer: int = 0, batch: int = 0, **settings) -> Figure:
    """The view's picture for fixed settings, as a static Figure (same drawing code as the live view)."""
    fig = Figure(figsize=VIEW_FIGSIZE)
    draw_gates(fig, compute_gates(cell, layer, batch, **settings))
    return fig


class GatesView(SliderView):
    """Gate heatmaps driven by a cell choice, a layer slider and a batch-element slider."""

    _shown_attributes = ("frame",)

    def __init__(self, cell: str, settings: dict):
        self.figure = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI)
        FigureCanvasAgg(self.figure)
        self.artists: GateArtists | None = None
        self.frame: GateFrame | None = None
        self._settings = settings
        style = {"description_width": "initial"}
        controls = {
            "cell": widgets.ToggleButtons(options=list(GATE_CELLS), value=cell, description="cell", style=style),
            "layer": widgets.IntSlider(0, min=0, max=settings["num_layers"] - 1, description="layer", style=style),
            "batch": widgets.IntSlider(
                0, min=0, max=settings["batch_size"] - 1, description="batch element", style=style
            ),
        }
        super().__init__(controls, self._render)

    def _render(self, cell: str, layer: int, batch: int) -> bytes:
        self.frame = compute_gates(cell, layer, batch, **self._settings)
        self.artists = draw_gates(self.figure, self.frame, self.artists)
        return png_bytes(self.figure)


def gates_view(
    cell: str = "lstm",
    num_layers: int = 2,
    hidden_size: int = 4,
    seq_len: int = 12,
    batch_size: int = 3,
    input_size: int = 3,
    input_scale: float = 3.0,
    seed: int = 0,
) -> GatesView:
    """Controls for the cell (GRU or LSTM), the layer and the batch element, and the gate heatmaps they drive."""
    settings = dict(
        num_layers=num_layers,
        hidden_size=hidden_size,
        seq_len=seq_len,
        batch_size=batch_size,
        input_size=input_size,
        input_scale=input_scale,
        seed=seed,
    )
    compute_gates(cell, 0, 0, **settings)  # raises ValueError for a bad cell or size before any widget exists
    return GatesView(cell, settings)
