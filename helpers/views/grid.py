"""The unrolled-grid view: compute where each state lands, draw the grid, wire the controls to the picture."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..checks import check_bool, check_int, check_only
from ..models import CELLS, RNNConfig, RNNRun, check_lengths, run
from ..plots.grid import FIGWIDTH, GridArtists, grid, update_grid
from ..unroll import GridModel, grid_model
from .base import VIEW_DPI, FrameCache, SliderView, png_bytes

MAX_LAYERS, MAX_SEQ_LEN = 4, 8
MAX_FRAMES = 64  # PNGs a view keeps (~20-40 kB each)
CONTROLS = ("num_layers", "seq_len", "bidirectional", "cell", "cell_states")  # batch is added with lengths
VIEW_CONFIG_KEYS = {"input_size", "hidden_size", "batch_first", "seed"}  # fixed while the controls move
# The menu shows and holds the upper-case names (plain values, not (label, value) pairs, so any tool that sets a
# control's value from its options works); helpers take the lower-case cell names of RNNConfig.
CELL_OPTIONS = ["RNN", "GRU", "LSTM"]


@lru_cache(maxsize=256)
def _run(config: RNNConfig, seq_len: int, batch_size: int, lengths: tuple[int, ...] | None) -> RNNRun:
    """helpers.run, remembered per settings (lengths included); treat the result as read-only."""
    return run(config, seq_len=seq_len, batch_size=batch_size, lengths=lengths)


def compute_grid(
    num_layers: int = 3,
    seq_len: int = 5,
    bidirectional: bool = False,
    cell: str = "gru",
    batch: int | None = None,
    lengths: tuple[int, ...] | None = None,
    cell_states: bool = False,
    **config,
) -> GridModel:
    """The grid for these settings; with lengths, batch picks the sequence (0 if None)."""
    _check_config(config)
    check_int("seq_len", seq_len, 1)
    check_bool("cell_states", cell_states)
    if lengths is not None:
        size = len(lengths) if hasattr(lengths, "__len__") and not isinstance(lengths, str) else 1
        lengths = tuple(check_lengths(lengths, seq_len, size).tolist())
        batch = 0 if batch is None else batch
    return _model(num_layers, seq_len, bidirectional, cell, batch, lengths, cell_states, **config)


@lru_cache(maxsize=512)
def _model(
    num_layers: int,
    seq_len: int,
    bidirectional: bool,
    cell: str,
    batch: int | None,
    lengths: tuple[int, ...] | None,
    cell_states: bool,
    input_size: int = 4,
    hidden_size: int = 3,
    batch_first: bool = True,
    seed: int = 0,
) -> GridModel:
    """compute_grid's result, remembered per settings (a pure function of them)."""
    config = RNNConfig(
        cell=cell,
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        seed=seed,
    )
    the_run = _run(config, seq_len, len(lengths) if lengths else 2, lengths)
    return grid_model(the_run, batch, cell_states and cell == "lstm")


def draw_grid(
    fig: Figure,
    model: GridModel,
    artists: GridArtists | None = None,
    note: str | None = None,
    batch_first: bool | None = None,
) -> GridArtists:
    """Draw the grid on fig, or update artists already drawn there; returns the artists."""
    # The note is said in the picture, so the cell-state toggle visibly answers even for a module without them.
    # batch_first: the layout of the index expressions under the boxes, which the picture states under its title.
    if artists is None:
        return grid(model, fig, note, batch_first)
    return update_grid(artists, model, note, batch_first)


def _no_cell_state_note(cell: str, cell_states: bool) -> str | None:
    """What the picture says when cell states are asked of a module that has none."""
    if cell_states and cell != "lstm":
        return f"nn.{cell.upper()} keeps no cell state: only nn.LSTM returns c_n. Showing h."
    return None


def grid_figure(
    num_layers: int = 3,
    seq_len: int = 5,
    bidirectional: bool = False,
    cell: str = "gru",
    batch: int | None = None,
    lengths: tuple[int, ...] | None = None,
    cell_states: bool = False,
    **config,
) -> Figure:
    """The grid for fixed settings, as a static Figure (the same drawing code as the live view)."""
    _check_config(config)
    fig = Figure(figsize=(FIGWIDTH, 4.0))
    model = compute_grid(num_layers, seq_len, bidirectional, cell, batch, lengths, cell_states, **config)
    draw_grid(fig, model, note=_no_cell_state_note(cell, cell_states), batch_first=config.get("batch_first", True))
    return fig


def _check_config(config: dict) -> None:
    check_only(config, VIEW_CONFIG_KEYS, "the grid", "its control settings")


class GridView(SliderView):
    """The unrolled grid driven by num_layers, seq_len, bidirectional, cell type, cell-state and batch controls."""

    _shown_attributes = ("model",)

    def __init__(
        self,
        num_layers: int,
        seq_len: int,
        bidirectional: bool,
        cell: str,
        cell_states: bool,
        lengths: tuple[int, ...] | None,
        max_layers: int,
        shown: tuple[str, ...],
        config: dict,
    ):
        self.figure = Figure(figsize=(FIGWIDTH, 4.0), dpi=VIEW_DPI)
        FigureCanvasAgg(self.figure)
        self.artists: GridArtists | None = None  # made by the first render, then updated in place
        self.model: GridModel | None = None
        self.frames = FrameCache(MAX_FRAMES)  # (model, note) -> PNG
        self._lengths, self._config = lengths, config
        style = {"description_width": "initial"}
        low = max(lengths) if lengths else 1
        controls = {
            "num_layers": widgets.IntSlider(num_layers, min=1, max=max_layers, description="num_layers", style=style),
            "seq_len": widgets.IntSlider(seq_len, min=low, max=MAX_SEQ_LEN, description="seq_len", style=style),
            "bidirectional": widgets.Checkbox(bidirectional, description="bidirectional", indent=False),
            "cell": widgets.Dropdown(options=CELL_OPTIONS, value=cell.upper(), description="cell type", style=style),
            "cell_states": widgets.Checkbox(cell_states, description="show cell states c (LSTM)", indent=False),
        }
        if lengths is not None:
            controls["batch"] = widgets.IntSlider(
                0, min=0, max=len(lengths) - 1, description="batch element", style=style
            )
        # Controls left out keep their starting value: a notebook can show only the ones its lesson is about.
        self._fixed = {name: control.value for name, control in controls.items() if name not in shown}
        super().__init__({name: c for name, c in controls.items() if name in shown}, self._render)

    def _render(self, **values) -> bytes:
        return self._draw(**{**self._fixed, **values})

    def _draw(
        self, num_layers: int, seq_len: int, bidirectional: bool, cell: str, cell_states: bool, batch: int | None = None
    ) -> bytes:
        cell = cell.lower()  # the menu's "GRU" is RNNConfig's "gru"
        self.model = compute_grid(
            num_layers, seq_len, bidirectional, cell, batch, self._lengths, cell_states, **self._config
        )
        note = _no_cell_state_note(cell, cell_states)
        key = (self.model, note)

        batch_first = self._config.get("batch_first", True)

        def draw() -> bytes:  # the picture is a pure function of the model (and the view's fixed batch_first)
            self.artists = draw_grid(self.figure, self.model, self.artists, note, batch_first)
            return png_bytes(self.figure)

        return self.frames.get_or_draw(key, draw)


def grid_view(
    num_layers: int = 3,
    seq_len: int = 5,
    bidirectional: bool = False,
    cell: str = "gru",
    cell_states: bool = False,
    lengths: tuple[int, ...] | None = None,
    max_layers: int = MAX_LAYERS,
    controls: tuple[str, ...] | None = None,
    **config,
) -> GridView:
    """Controls for num_layers, seq_len, bidirectional, cell type and cell states (and batch element with lengths)."""
    # controls: the names of the controls to show, e.g. ("num_layers", "seq_len"); None shows them all.
    check_int("max_layers", max_layers, 1, MAX_LAYERS)
    check_int("num_layers", num_layers, 1, max_layers)
    check_int("seq_len", seq_len, 1, MAX_SEQ_LEN)
    check_bool("bidirectional", bidirectional)
    check_bool("cell_states", cell_states)
    if not isinstance(cell, str) or cell not in CELLS:
        raise ValueError(f"cell={cell!r} is not allowed: cell must be one of {sorted(CELLS)}")
    _check_config(config)
    allowed = CONTROLS + (("batch",) if lengths is not None else ())
    shown = allowed if controls is None else controls
    if (
        isinstance(shown, str)
        or not isinstance(shown, (tuple, list))
        or not shown
        or any(name not in allowed for name in shown)
    ):
        raise ValueError(
            f"controls={controls!r} is not allowed: controls must be a non-empty tuple of names "
            f"from {allowed} (batch needs lengths), or None for all"
        )
    if lengths is not None:
        if isinstance(lengths, (str, bytes)) or not hasattr(lengths, "__len__") or len(lengths) < 2:
            raise ValueError(f"lengths={lengths!r} is not allowed: give one length per sequence, at least two")
        lengths = tuple(check_lengths(lengths, MAX_SEQ_LEN, len(lengths)).tolist())
        if seq_len < max(lengths):
            raise ValueError(
                f"seq_len={seq_len} is not allowed with lengths={lengths}: "
                f"seq_len must be at least the longest length, {max(lengths)}"
            )
    RNNConfig(cell=cell, bidirectional=bidirectional, **config)  # raises ValueError for a bad size or flag
    return GridView(num_layers, seq_len, bidirectional, cell, cell_states, lengths, max_layers, tuple(shown), config)
