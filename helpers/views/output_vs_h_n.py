"""The output-vs-h_n view: compute a run, draw it beside h_n, wire sliders to the picture."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..checks import check_int, check_only
from ..models import RNNConfig, RNNRun
from ..plots import FIGSIZE, OutputHnArtists, output_vs_h_n, update_output_vs_h_n
from .base import VIEW_DPI, FrameCache, SliderView, cached_run, png_bytes

VIEW_FIGSIZE = FIGSIZE  # inches; at VIEW_DPI about 650 px wide, as wide as the static figure reads in JupyterLab
VIEW_CONFIG_KEYS = {"input_size", "hidden_size", "batch_first", "seed"}  # fixed while the sliders move
# Every setting of the default sliders (3 layers x 8 steps x 3 batch elements x 2 directions), at
# about 40 kB a picture.
MAX_FRAMES = 144


def compute_output_vs_h_n(
    num_layers: int,
    seq_len: int,
    bidirectional: bool = False,
    cell: str = "gru",
    input_size: int = 4,
    hidden_size: int = 3,
    batch_size: int = 3,
    batch_first: bool = True,
    seed: int = 0,
) -> RNNRun:
    """The run that the output-vs-h_n view shows for these settings."""
    config = RNNConfig(
        cell=cell,
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        seed=seed,
    )
    return cached_run(config, seq_len, batch_size)


# --- draw: a run -> artists on a Figure ------------------------------------------------------------


def draw_output_vs_h_n(
    fig: Figure, run: RNNRun, batch: int = 0, artists: OutputHnArtists | None = None, legend: bool = False
):
    """Draw the view on fig, or update artists already drawn there; returns the artists."""
    if artists is None:
        return output_vs_h_n(run, batch=batch, fig=fig, legend=legend)
    return update_output_vs_h_n(artists, run, batch=batch)


def output_vs_h_n_figure(
    num_layers: int = 2, seq_len: int = 5, batch: int = 0, bidirectional: bool = False, **config
) -> Figure:
    """The view's picture for fixed settings, as a static Figure (same drawing code as the live view)."""
    fig = Figure(figsize=VIEW_FIGSIZE)
    draw_output_vs_h_n(fig, compute_output_vs_h_n(num_layers, seq_len, bidirectional, **config), batch, legend=True)
    return fig


# --- wire: sliders -> re-render into an Image ------------------------------------------------------


class OutputHnView(SliderView):
    """The output-vs-h_n heatmap driven by num_layers, seq_len, batch element and bidirectional controls."""

    def __init__(
        self,
        cell: str,
        max_layers: int,
        max_seq_len: int,
        batch_size: int,
        num_layers: int,
        seq_len: int,
        bidirectional: bool,
        config: dict,
    ):
        self.figure = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI)
        FigureCanvasAgg(self.figure)
        self.artists: OutputHnArtists | None = None  # made by the first render, then updated in place
        self._settings = dict(cell=cell, batch_size=batch_size, **config)
        style = {"description_width": "initial"}
        controls = {
            "num_layers": widgets.IntSlider(num_layers, min=1, max=max_layers, description="num_layers", style=style),
            "seq_len": widgets.IntSlider(seq_len, min=1, max=max_seq_len, description="seq_len", style=style),
            "batch": widgets.IntSlider(0, min=0, max=batch_size - 1, description="batch element", style=style),
            "bidirectional": widgets.Checkbox(bidirectional, description="bidirectional", indent=False),
        }
        super().__init__(controls, self._render, picture_memory=FrameCache(MAX_FRAMES))

    @property
    def current_run(self) -> RNNRun:
        """The run behind the picture for the controls' current values."""
        values = self.values()
        return compute_output_vs_h_n(values["num_layers"], values["seq_len"], values["bidirectional"], **self._settings)

    def _render(self, num_layers: int, seq_len: int, batch: int, bidirectional: bool) -> bytes:
        run = compute_output_vs_h_n(num_layers, seq_len, bidirectional, **self._settings)
        self.artists = draw_output_vs_h_n(self.figure, run, batch, self.artists)
        return png_bytes(self.figure)


def output_vs_h_n_view(
    cell: str = "gru",
    max_layers: int = 3,
    max_seq_len: int = 8,
    batch_size: int = 3,
    num_layers: int = 2,
    seq_len: int = 5,
    bidirectional: bool = False,
    **config,
) -> OutputHnView:
    """Sliders for num_layers, seq_len and batch element, a bidirectional checkbox, and the heatmap they drive."""
    check_int("max_layers", max_layers, 1)
    check_int("max_seq_len", max_seq_len, 1)
    check_int("batch_size", batch_size, 1)
    check_int("num_layers", num_layers, 1, max_layers)
    check_int("seq_len", seq_len, 1, max_seq_len)
    check_only(config, VIEW_CONFIG_KEYS, "the view", "its slider settings")
    RNNConfig(cell=cell, bidirectional=bidirectional, **config)  # raises ValueError for a bad cell, flag or size
    return OutputHnView(cell, max_layers, max_seq_len, batch_size, num_layers, seq_len, bidirectional, config)
