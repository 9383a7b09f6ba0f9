"""The cheat-sheet view: run a module for the chosen options, read every shape and final-state index off it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from ..checks import check_bool, check_int
from ..models import CELLS, RNNConfig, build_module, make_input
from ..plots.cheat_sheet import SheetArtists, draw_sheet, update_sheet
from ..states import state_index
from .base import VIEW_DPI, SliderView, png_bytes

VIEW_FIGSIZE = (7.2, 4.6)  # inches
INPUT_SIZE, HIDDEN_SIZE, SEQ_LEN, BATCH_SIZE = 3, 4, 5, 3
LENGTHS = (5, 3, 2)  # the packed batch's real lengths


@dataclass(frozen=True)
class Location:
    """Where one (layer, direction)'s final state is in output, as an expression, and whether torch agrees."""

    layer: int
    direction: int
    h_n_index: str  # e.g. "h_n[3]"
    expression: str | None  # e.g. "output[:, 0, 4:]"; None when the state is not in output
    holds: bool  # torch.equal(eval(expression), h_n[row]) on this run; True for "not in output" if it is nowhere


@dataclass(frozen=True)
class Sheet:
    """What the cheat sheet shows for one set of options: shapes read off a real run, and final-state locations."""

    config: RNNConfig
    unbatched: bool
    packed: bool
    shapes: dict[str, tuple[int, ...] | None]  # "x", "h_0", "output", "h_n", "c_n" (None: not returned)
    packed_data: tuple[int, ...] | None  # output.data of the PackedSequence, when packed
    locations: tuple[Location, ...]
    notes: tuple[str, ...]


def _call(module, x, state=None):
    with warnings.catch_warnings():  # a note about which CPU kernel runs, not about the results
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        return module(x, state) if state is not None else module(x)


def _expression(layer_top: bool, direction: int, h_out: int, batch_first: bool, unbatched: bool, packed: bool):
    """The index into (padded) output that holds a top-layer final state."""
    if not layer_top:
        return None
    features = f":{h_out}" if direction == 0 else f"{h_out}:"
    if direction == 1:
        step = "0"
    elif packed:
        step = "lengths - 1"
    else:
        step = "-1"
    if unbatched:
        return f"output[{step}, {features}]"
    if packed and direction == 0:
        return f"output[arange(N), {step}, {features}]" if batch_first else f"output[{step}, arange(N), {features}]"
    return f"output[:, {step}, {features}]" if batch_first else f"output[{step}, :, {features}]"


def _in_output(state: torch.Tensor, output: torch.Tensor) -> bool:
    """True if this state vector (per sequence) appears anywhere in output."""
    flat = output.reshape(-1, output.shape[-1])  # (steps, D * H_out)
    vectors = state.reshape(-1, state.shape[-1])  # (N, H_out)
    width = vectors.shape[-1]
    return any(
        bool((flat[:, k : k + width] == v).all(dim=1).any())
        for v in vectors
        for k in range(0, flat.shape[-1] - width + 1, width)
    )


def compute_sheet(
    cell: str = "gru",
    num_layers: int = 2,
    bidirectional: bool = False,
    batch_first: bool = False,
    proj_size: int = 0,
    unbatched: bool = False,
    packed: bool = False,
) -> Sheet:
    """Run the module these options describe and read the cheat sheet off what it returns (remembered)."""
    if cell not in CELLS:
        raise ValueError(f"cell={cell!r} is not allowed: cell must be one of {sorted(CELLS)}")
    for name, value in (
        ("bidirectional", bidirectional),
        ("batch_first", batch_first),
        ("unbatched", unbatched),
        ("packed", packed),
    ):
        check_bool(name, value)
    check_int("num_layers", num_layers, 1)
    check_int("proj_size", proj_size, 0, HIDDEN_SIZE - 1)
    notes = []
    if proj_size and cell != "lstm":
        notes.append(f"proj_size={proj_size} ignored: only nn.LSTM takes a projection")
        proj_size = 0
    if packed and unbatched:
        notes.append("packed ignored: packing needs a batch, and unbatched input is one sequence")
        packed = False
    return _sheet(cell, num_layers, bidirectional, batch_first, proj_size, unbatched, packed, tuple(notes))


@lru_cache(maxsize=256)  # every distinct module the controls can make (216) fits
def _sheet(
    cell: str,
    num_layers: int,
    bidirectional: bool,
    batch_first: bool,
    proj_size: int,
    unbatched: bool,
    packed: bool,
    notes: tuple[str, ...],
) -> Sheet:
    """compute_sheet after its options are checked and made consistent."""
    config = RNNConfig(
        cell=cell,
        input_size=INPUT_SIZE,
        hidden_size=HIDDEN_SIZE,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        proj_size=proj_size,
    )
    module = build_module(config)
    x = make_input(config, seq_len=SEQ_LEN, batch_size=BATCH_SIZE, unbatched=unbatched)
    lengths = torch.tensor(LENGTHS)
    given = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False) if packed else x
    returned, state = _call(module, given)
    h_n, c_n = state if cell == "lstm" else (state, None)
    packed_data = None
    if isinstance(returned, PackedSequence):
        packed_data = tuple(returned.data.shape)
        output, _ = pad_packed_sequence(returned, batch_first=batch_first, total_length=SEQ_LEN)
    else:
        output = returned
    # h_0: the shape of h_n, confirmed by handing zeros of that shape back to the module
    h_0 = torch.zeros_like(h_n)
    _call(module, given, (h_0, torch.zeros_like(c_n)) if cell == "lstm" else h_0)
    shapes = {
        "x": tuple(x.shape),
        "h_0": tuple(h_0.shape),
        "output": tuple(output.shape),
        "h_n": tuple(h_n.shape),
        "c_n": None if c_n is None else tuple(c_n.shape),
    }
    namespace = {"output": output, "lengths": lengths, "arange": torch.arange, "N": BATCH_SIZE}
    locations = []
    for layer in range(num_layers):
        for direction in range(config.num_directions):
            row = state_index(layer, direction, num_layers, bidirectional)
            expression = _expression(layer == num_layers - 1, direction, config.h_out, batch_first, unbatched, packed)
            if expression is None:
                holds = not _in_output(h_n[row], output)
            else:
                holds = torch.equal(eval(expression, {}, namespace), h_n[row])  # noqa: S307 (our own expression)
            locations.append(Location(layer, direction, f"h_n[{row}]", expression, holds))
    return Sheet(config, unbatched, packed, shapes, packed_data, tuple(locations), notes)


def draw_cheat_sheet(fig: Figure, sheet: Sheet, artists: SheetArtists | None = None) -> SheetArtists:
    """Draw the sheet on fig, or update artists already drawn there."""
    if artists is None:
        return draw_sheet(sheet, fig=fig)
    return update_sheet(artists, sheet)


def cheat_sheet_figure(**options) -> Figure:
    """The view's picture for fixed options, as a static Figure (same drawing code as the live view)."""
    fig = Figure(figsize=VIEW_FIGSIZE)
    draw_cheat_sheet(fig, compute_sheet(**options))
    return fig


class CheatSheetView(SliderView):
    """The shape reference, driven by cell, num_layers, bidirectional, batch_first, proj_size, unbatched and packed."""

    _shown_attributes = ("sheet",)

    def __init__(self, options: dict):
        self.figure = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI)
        FigureCanvasAgg(self.figure)
        self.artists: SheetArtists | None = None
        self.sheet: Sheet | None = None
        style = {"description_width": "initial"}
        controls = {
            "cell": widgets.ToggleButtons(options=list(CELLS), value=options["cell"], description="cell", style=style),
            "num_layers": widgets.IntSlider(options["num_layers"], min=1, max=3, description="num_layers", style=style),
            "bidirectional": widgets.Checkbox(options["bidirectional"], description="bidirectional", indent=False),
            "batch_first": widgets.Checkbox(options["batch_first"], description="batch_first", indent=False),
            "proj_size": widgets.IntSlider(
                options["proj_size"], min=0, max=HIDDEN_SIZE - 1, description="proj_size (LSTM)", style=style
            ),
            "unbatched": widgets.Checkbox(options["unbatched"], description="unbatched input", indent=False),
            "packed": widgets.Checkbox(options["packed"], description="packed input", indent=False),
        }
        super().__init__(controls, self._render)

    def _render(self, **options) -> bytes:
        self.sheet = compute_sheet(**options)
        self.artists = draw_cheat_sheet(self.figure, self.sheet, self.artists)
        return png_bytes(self.figure)


def cheat_sheet_view(
    cell: str = "gru",
    num_layers: int = 2,
    bidirectional: bool = False,
    batch_first: bool = False,
    proj_size: int = 0,
    unbatched: bool = False,
    packed: bool = False,
) -> CheatSheetView:
    """Controls for every option that changes a shape, and the sheet they drive."""
    options = dict(
        cell=cell,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        proj_size=proj_size,
        unbatched=unbatched,
        packed=packed,
    )
    check_int("num_layers", num_layers, 1, 3)
    compute_sheet(**options)  # raises ValueError for a bad option before any widget exists
    return CheatSheetView(options)
