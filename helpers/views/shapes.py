"""The shapes view: run a real module for batch_first and unbatched input, draw the shapes, wire checkboxes to it."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..checks import check_bool, check_int, check_only
from ..models import RNNConfig, RNNRun, run
from ..plots.shapes import FIGSIZE, ShapeRow, ShapesArtists, update_shapes
from ..plots.shapes import shapes_figure as draw_shapes
from .base import VIEW_DPI, FrameCache, SliderView, png_bytes

MAX_LAYERS = 4


@lru_cache(maxsize=16)
def compute_shapes(
    batch_first: bool,
    unbatched: bool,
    num_layers: int = 2,
    bidirectional: bool = True,
    input_size: int = 8,
    hidden_size: int = 6,
    seq_len: int = 5,
    batch_size: int = 3,
) -> list[ShapeRow]:
    """Run a seeded LSTM on x and name every axis of x, output, h_n and c_n; sizes are what torch returned."""
    config = RNNConfig(
        cell="lstm",
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
    )
    r = run(config, seq_len=seq_len, batch_size=batch_size, unbatched=unbatched)
    return shape_rows(r)


def shape_rows(r: RNNRun) -> list[ShapeRow]:
    """Name the axes of a run's x, output, h_n and c_n; raise if torch's sizes do not fit the names."""
    cfg = r.config
    time, batch = ("L", "L"), ("N", "N")
    if r.unbatched:
        lead = [time]
    elif cfg.batch_first:
        lead = [batch, time]
    else:
        lead = [time, batch]
    rows_batch = [] if r.unbatched else [batch]
    layout = {
        "x": (r.x, [*lead, ("H_in", "features")], "batch_first applies" if not r.unbatched else "unbatched: no N"),
        "output": (r.output, [*lead, ("D * H_out", "features")], "batch_first applies" if not r.unbatched else ""),
        "h_n": (r.h_n, [("num_layers * D", "layers"), *rows_batch, ("H_out", "features")], "never batch first"),
        "c_n": (r.c_n, [("num_layers * D", "layers"), *rows_batch, ("hidden_size", "features")], "never batch first"),
    }
    seq_len = r.x.shape[0] if (r.unbatched or not cfg.batch_first) else r.x.shape[1]
    n = 1 if r.unbatched else r.x.shape[1 if not cfg.batch_first else 0]
    meaning = {
        "L": seq_len,
        "N": n,
        "H_in": cfg.input_size,
        "D * H_out": cfg.num_directions * cfg.h_out,
        "num_layers * D": cfg.num_layers * cfg.num_directions,
        "H_out": cfg.h_out,
        "hidden_size": cfg.hidden_size,
    }
    rows = []
    for name, (tensor, names, note) in layout.items():
        if tensor.dim() != len(names) or any(tensor.shape[i] != meaning[label] for i, (label, _) in enumerate(names)):
            raise RuntimeError(f"{name} has shape {tuple(tensor.shape)}, which does not fit {[n for n, _ in names]}")
        axes = tuple(
            (label, int(tensor.shape[i]), "N" if label == "N" else "L" if label == "L" else kind)
            for i, (label, kind) in enumerate(names)
        )
        rows.append(ShapeRow(name, axes, note))
    return rows


def _title(batch_first: bool, unbatched: bool) -> str:
    """The call being drawn, in PyTorch's words."""
    x = "x: (L, H_in), unbatched" if unbatched else ("x: (N, L, H_in)" if batch_first else "x: (L, N, H_in)")
    return f"output, (h_n, c_n) = lstm(x)   with batch_first={batch_first},  {x}"


def draw_shapes_view(
    fig: Figure, rows: list[ShapeRow], title: str, artists: ShapesArtists | None = None
) -> ShapesArtists:
    """Draw the blocks on fig, or update artists already drawn there; returns the artists."""
    if artists is None:
        return draw_shapes(rows, title, fig=fig)
    return update_shapes(artists, rows, title)


def shapes_figure(batch_first: bool = True, unbatched: bool = False, num_layers: int = 2, **config) -> Figure:
    """The view's picture for fixed settings, as a static Figure (same drawing code as the live view)."""
    check_bool("batch_first", batch_first)
    check_bool("unbatched", unbatched)
    fig = Figure(figsize=FIGSIZE)
    check_int("num_layers", num_layers, 1, MAX_LAYERS)
    draw_shapes_view(fig, compute_shapes(batch_first, unbatched, num_layers, **config), _title(batch_first, unbatched))
    return fig


class ShapesView(SliderView):
    """The shapes of x, output, h_n and c_n, driven by batch_first and unbatched checkboxes and a num_layers slider."""

    def __init__(self, batch_first: bool, unbatched: bool, num_layers: int, config: dict):
        self.figure = Figure(figsize=FIGSIZE, dpi=VIEW_DPI)
        FigureCanvasAgg(self.figure)
        self.artists: ShapesArtists | None = None  # the last picture drawn, updated in place
        self._config = config
        style = {"description_width": "initial"}
        controls = {
            "batch_first": widgets.Checkbox(batch_first, description="batch_first", indent=False),
            "unbatched": widgets.Checkbox(unbatched, description="unbatched input (L, H_in)", indent=False),
            "num_layers": widgets.IntSlider(num_layers, min=1, max=MAX_LAYERS, description="num_layers", style=style),
        }
        super().__init__(controls, self._render, picture_memory=FrameCache())

    @property
    def rows(self) -> list[ShapeRow]:
        """The shapes behind the picture for the controls' current values."""
        return compute_shapes(**self.values(), **self._config)

    def _render(self, batch_first: bool, unbatched: bool, num_layers: int) -> bytes:
        rows = compute_shapes(batch_first, unbatched, num_layers, **self._config)
        self.artists = draw_shapes_view(self.figure, rows, _title(batch_first, unbatched), self.artists)
        return png_bytes(self.figure)


def shapes_view(
    batch_first: bool = False, unbatched: bool = False, num_layers: int = 2, bidirectional: bool = True, **config
) -> ShapesView:
    """Checkboxes for batch_first and unbatched input, a num_layers slider, and the shape blocks they drive."""
    check_bool("batch_first", batch_first)
    check_bool("unbatched", unbatched)
    check_int("num_layers", num_layers, 1, MAX_LAYERS)
    check_bool("bidirectional", bidirectional)
    allowed = {"input_size", "hidden_size", "seq_len", "batch_size"}
    check_only(config, allowed, "the view", "batch_first, unbatched, num_layers and bidirectional")
    for name, value in config.items():
        check_int(name, value, 1, 99)
    return ShapesView(batch_first, unbatched, num_layers, dict(bidirectional=bidirectional, **config))
