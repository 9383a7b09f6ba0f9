"""The steps-read view: compute what output[t] has read, draw it, wire a time-step slider to the picture."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..checks import check_int, check_only
from ..models import RNNConfig
from ..plots.steps_read import FIGSIZE, StepsRead, StepsReadArtists, steps_read, update_steps_read
from .base import VIEW_DPI, SliderView, cached_run, png_bytes

VIEW_FIGSIZE = FIGSIZE
BATCH_SIZE = 1  # one sequence: the picture is about time, not the batch


def steps_read_config(cell: str = "gru", input_size: int = 4, hidden_size: int = 3, seed: int = 0) -> RNNConfig:
    """The one-layer bidirectional module the view runs.

    One layer only: there each half of output[t] is a run over the tokens themselves, t + 1 forward and L - t
    backward. With two layers or more both halves depend on other tokens too (layer 1 reads both halves of layer 0's
    output), so the view has no num_layers control; halves_match shows the counts failing there.
    """
    return RNNConfig(
        cell=cell, input_size=input_size, hidden_size=hidden_size, num_layers=1, bidirectional=True, seed=seed
    )


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    """True if torch.testing.assert_close passes: a shorter run's matrix products may round differently."""
    try:
        torch.testing.assert_close(a, b)
    except AssertionError:
        return False
    return True


@lru_cache(maxsize=256)
def halves_match(config: RNNConfig, seq_len: int, t: int) -> tuple[bool, bool]:
    """Whether output[t]'s halves match the top layer's final states of runs over x[0..t] and x[t..L-1].

    True, True for every t with one layer; with more layers, False wherever the other direction's tokens matter.
    """
    if not config.bidirectional:
        raise ValueError(f"bidirectional={config.bidirectional} is not allowed: the config must be bidirectional")
    check_int("seq_len", seq_len, 1)
    check_int("t", t, 0, seq_len - 1)
    r = cached_run(config, seq_len, BATCH_SIZE)
    h = config.h_out
    with torch.no_grad():
        state_head = r.module(r.x[: t + 1])[1]  # a run over x[0..t]
        state_tail = r.module(r.x[t:])[1]  # a run over x[t..L-1]
    h_head = state_head[0] if config.cell == "lstm" else state_head  # h_n: (num_layers * 2, N, H_out)
    h_tail = state_tail[0] if config.cell == "lstm" else state_tail
    # rows -2 and -1: the top layer's forward and backward final states
    return _close(r.output[t, :, :h], h_head[-2]), _close(r.output[t, :, h:], h_tail[-1])


def compute_steps_read(
    seq_len: int, t: int, cell: str = "gru", input_size: int = 4, hidden_size: int = 3, seed: int = 0
) -> StepsRead:
    """What the view shows for these settings, with both halves of output[t] checked against shorter runs."""
    check_int("seq_len", seq_len, 1)
    check_int("t", t, 0, seq_len - 1)
    config = steps_read_config(cell, input_size, hidden_size, seed)
    r = cached_run(config, seq_len, BATCH_SIZE)
    forward, backward = halves_match(config, seq_len, t)
    return StepsRead(
        output=r.output[:, 0].detach().numpy(),
        t=t,
        title="output[:, 0]",
        forward_matches=forward,
        backward_matches=backward,
    )


# --- draw: data -> artists on a Figure ---------------------------------------------------------------


def draw_steps_read(fig: Figure, data: StepsRead, artists: StepsReadArtists | None = None) -> StepsReadArtists:
    """Draw the view on fig, or update artists already drawn there; returns the artists."""
    if artists is None:
        return steps_read(data, fig=fig)
    return update_steps_read(artists, data)


def steps_read_figure(seq_len: int = 6, t: int = 2, **config) -> Figure:
    """The view's picture for fixed settings, as a static Figure (same drawing code as the live view)."""
    fig = Figure(figsize=FIGSIZE)
    draw_steps_read(fig, compute_steps_read(seq_len, t, **config))
    return fig


# --- wire: sliders -> re-render into an Image ---------------------------------------------------------


class StepsReadView(SliderView):
    """The steps-read picture driven by a time-step slider and a seq_len slider."""

    _shown_attributes = ("current",)

    def __init__(self, seq_len: int, t: int, max_seq_len: int, config: dict):
        self.figure = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI)
        FigureCanvasAgg(self.figure)
        self.artists: StepsReadArtists | None = None  # made by the first render, then updated in place
        self.current: StepsRead | None = None
        self._config = config
        style = {"description_width": "initial"}
        controls = {
            "t": widgets.IntSlider(t, min=0, max=seq_len - 1, description="time step t", style=style),
            "seq_len": widgets.IntSlider(seq_len, min=1, max=max_seq_len, description="seq_len", style=style),
        }
        super().__init__(controls, self._render)

    def _on_change(self, change) -> None:
        if change.owner is self.controls["seq_len"]:
            self.controls["t"].max = change.new - 1  # may move t, which re-renders; then render once more
        self.refresh()
        self.prefetch_after(change)

    def _render(self, t: int, seq_len: int) -> bytes:
        self.current = compute_steps_read(seq_len, min(t, seq_len - 1), **self._config)
        self.artists = draw_steps_read(self.figure, self.current, self.artists)
        return png_bytes(self.figure)


def steps_read_view(seq_len: int = 6, t: int = 2, max_seq_len: int = 8, **config) -> StepsReadView:
    """A time-step slider over a one-layer bidirectional output, showing how many tokens each half has read at t."""
    check_int("max_seq_len", max_seq_len, 1)
    check_int("seq_len", seq_len, 1, max_seq_len)
    check_int("t", t, 0, seq_len - 1)
    check_only(config, {"cell", "input_size", "hidden_size", "seed"}, "the view", "seq_len, t and max_seq_len")
    steps_read_config(**config)  # raises ValueError for a bad cell or size
    return StepsReadView(seq_len, t, max_seq_len, config)
