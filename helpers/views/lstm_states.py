"""The LSTM-states view: compute every h_t and c_t by hand, draw one layer as heatmaps, wire sliders to it."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..checks import check_int, check_only
from ..lstm_steps import LSTMSteps, lstm_steps
from ..models import RNNConfig, RNNRun
from ..plots.lstm_states import FIGSIZE, LSTMStatesArtists, lstm_states, update_lstm_states
from .base import VIEW_DPI, FrameCache, SliderView, cached_run, png_bytes

VIEW_FIGSIZE = (8.4, 3.6)  # inches; at VIEW_DPI this is about 600 px wide
MAX_FRAMES = 64  # PNGs remembered per view (~60 kB each)


@lru_cache(maxsize=32)
def compute_lstm_states(
    num_layers: int = 2,
    proj: bool = False,
    hidden_size: int = 4,
    proj_size: int = 2,
    input_size: int = 3,
    seq_len: int = 6,
    batch_size: int = 3,
    seed: int = 0,
) -> tuple[RNNRun, LSTMSteps]:
    """The LSTM run the view shows and every h_t, c_t stepped by hand from its weights."""
    config = RNNConfig(
        cell="lstm",
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        proj_size=proj_size if proj else 0,
        seed=seed,
    )
    lstm_run = cached_run(config, seq_len, batch_size)
    return lstm_run, lstm_steps(lstm_run.module, lstm_run.x)  # x: (L, N, H_in)


def draw_lstm_states(
    fig: Figure, steps: LSTMSteps, layer: int = 0, batch: int = 0, artists: LSTMStatesArtists | None = None
) -> LSTMStatesArtists:
    """Draw the view on fig, or update artists already drawn there; returns the artists."""
    if artists is None:
        return lstm_states(steps, layer=layer, batch=batch, fig=fig)
    return update_lstm_states(artists, steps, layer=layer, batch=batch)


def lstm_states_figure(layer: int = 0, batch: int = 0, proj: bool = False, num_layers: int = 2, **config) -> Figure:
    """The view's picture for fixed settings, as a static Figure (same drawing code as the live view)."""
    check_int("layer", layer, 0, num_layers - 1)
    fig = Figure(figsize=FIGSIZE)
    draw_lstm_states(fig, compute_lstm_states(num_layers, proj, **config)[1], layer, batch)
    return fig


class LSTMStatesView(SliderView):
    """h_t and c_t heatmaps of one layer, driven by layer, batch element and proj_size controls."""

    def __init__(self, num_layers: int, batch_size: int, proj_size: int, config: dict):
        self.figure = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI)
        FigureCanvasAgg(self.figure)
        self.artists: LSTMStatesArtists | None = None  # the last picture drawn, updated in place
        self._settings = dict(num_layers=num_layers, batch_size=batch_size, proj_size=proj_size, **config)
        style = {"description_width": "initial"}
        controls = {
            "layer": widgets.IntSlider(0, min=0, max=num_layers - 1, description="layer", style=style),
            "batch": widgets.IntSlider(0, min=0, max=batch_size - 1, description="batch element", style=style),
            "proj": widgets.Checkbox(False, description=f"proj_size={proj_size} (off: no projection)", indent=False),
        }
        super().__init__(controls, self._render, picture_memory=FrameCache(MAX_FRAMES))

    @property
    def current(self) -> tuple[RNNRun, LSTMSteps]:
        """The run and its steps behind the picture for the controls' current values."""
        return compute_lstm_states(proj=self.controls["proj"].value, **self._settings)

    def _render(self, layer: int, batch: int, proj: bool) -> bytes:
        _, steps = compute_lstm_states(proj=proj, **self._settings)
        self.artists = draw_lstm_states(self.figure, steps, layer, batch, self.artists)
        return png_bytes(self.figure)


def lstm_states_view(
    num_layers: int = 2, batch_size: int = 3, proj_size: int = 2, hidden_size: int = 4, **config
) -> LSTMStatesView:
    """Sliders for the layer and batch element, a proj_size checkbox, and the h_t, c_t heatmaps they drive."""
    check_int("num_layers", num_layers, 1, 4)
    check_int("batch_size", batch_size, 1, 8)
    check_int("hidden_size", hidden_size, 2, 8)
    check_int("proj_size", proj_size, 1, hidden_size - 1)
    check_only(config, {"input_size", "seq_len", "seed"}, "the view", "its own settings")
    check_int("seq_len", config.get("seq_len", 6), 1, 10)
    RNNConfig(
        cell="lstm",
        hidden_size=hidden_size,
        num_layers=num_layers,
        proj_size=proj_size,
        **{k: v for k, v in config.items() if k != "seq_len"},
    )  # raises ValueError for a bad size
    return LSTMStatesView(num_layers, batch_size, proj_size, dict(hidden_size=hidden_size, **config))
