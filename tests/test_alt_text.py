"""Every picture has text that carries its point (issue 29): alt text written by the plot helpers from the figure's
data, stored with every PNG the notebooks show, and stating that figure's own numbers and settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers.plots.alt import alt_of, mimebundle_metadata, register, set_alt
from helpers.plots.base import value_text
from helpers.plots.output_vs_h_n import batch_slices
from helpers.plots.stack import stack_figure
from helpers.views.base import cached_run
from helpers.views.cheat_sheet import cheat_sheet_figure
from helpers.views.gates import gates_figure
from helpers.views.grid import grid_figure
from helpers.views.lstm_states import lstm_states_figure
from helpers.views.output_vs_h_n import output_vs_h_n_figure
from helpers.views.shapes import shapes_figure
from helpers.views.steps_read import steps_read_figure

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MIN_WORDS = 12  # a title is not alt text: it must say what the picture shows and its point


def _image_outputs(path: Path):
    nb = json.loads(path.read_text())
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                yield index, output


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_picture_has_alt_text(path):
    missing = []
    for index, output in _image_outputs(path):
        alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
        if len(alt.split()) < MIN_WORDS:
            missing.append((index, alt))
    assert not missing, f"{path.name}: pictures without alt text of {MIN_WORDS}+ words (cell, alt): {missing}"


def test_the_notebooks_show_pictures():
    """The test above cannot pass by finding no picture at all."""
    assert sum(1 for path in NOTEBOOKS for _ in _image_outputs(path)) >= 15


def test_ipython_stores_the_alt_text_with_the_png():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    assert register(shell)
    fig = grid_figure(num_layers=2, seq_len=5, bidirectional=True)
    _, metadata = shell.display_formatter.format(fig)
    assert metadata["image/png"]["alt"] == alt_of(fig)
    assert mimebundle_metadata(Figure()) is None  # a figure no helper described gets no made-up text


def test_set_alt_refuses_empty_text():
    with pytest.raises(ValueError, match="text="):
        set_alt(Figure(), "  ")


@pytest.mark.parametrize(
    ("num_layers", "bidirectional", "seq_len"), [(1, False, 3), (2, True, 5), (3, False, 5), (3, True, 4)]
)
def test_grid_alt_names_its_settings_and_where_each_final_state_is(num_layers, bidirectional, seq_len):
    alt = alt_of(grid_figure(num_layers=num_layers, seq_len=seq_len, bidirectional=bidirectional, cell="gru"))
    assert alt.startswith(f"Unrolled {num_layers}-layer {'bidirectional ' if bidirectional else ''}GRU")
    assert f"over {seq_len} steps" in alt
    rows = "two rows" if bidirectional else "row"
    assert f"output holds the top layer's {rows} at every step" in alt
    if bidirectional:
        assert f"step {seq_len - 1} of each forward row and step 0 of each backward row" in alt
        assert "two final states" in alt
    else:
        assert f"step {seq_len - 1} of each layer's row" in alt
    assert ("lower layers' final states are only in h_n" in alt) == (num_layers > 1)


def test_grid_alt_follows_a_sequence_shorter_than_the_batch():
    alt = alt_of(grid_figure(num_layers=2, seq_len=6, bidirectional=True, batch=2, lengths=(4, 6, 2)))
    assert "2 valid steps" in alt
    assert "step 1 of each forward row and step 0 of each backward row" in alt


def test_cell_state_grid_says_output_holds_none():
    alt = alt_of(grid_figure(num_layers=2, seq_len=6, cell="lstm", cell_states=True))
    assert "output holds no cell state" in alt and "c_n holds step 5" in alt


def test_output_vs_h_n_alt_gives_every_number_the_heatmaps_print():
    fig = output_vs_h_n_figure(num_layers=2, seq_len=5, batch=0, bidirectional=True)
    alt = alt_of(fig)
    from helpers.views.output_vs_h_n import compute_output_vs_h_n

    out, h = batch_slices(compute_output_vs_h_n(2, 5, True), 0)
    for values in (out, h):
        for value in values.ravel():
            assert f"={value_text(float(value))}" in alt
    assert "row 2 equals" in alt and "at step 4" in alt and "row 3 equals" in alt and "at step 0" in alt
    assert "rows 0 and 1 (lower layers) appear nowhere in output" in alt


def test_steps_read_alt_counts_the_tokens_each_half_read():
    alt = alt_of(steps_read_figure(seq_len=6, t=2))
    assert "has read 3 tokens, x[0] to x[2]" in alt and "has read 4 tokens, x[5] down to x[2]" in alt
    assert alt.count("matches h_n[") == 2


def test_lstm_states_alt_names_the_columns_and_numbers():
    alt = alt_of(lstm_states_figure(layer=1, batch=0, proj=True))
    assert "layer 1 of a 2-layer LSTM" in alt and "proj_size makes h narrower than c" in alt
    assert "all of h is output (top layer)" in alt
    bottom = alt_of(lstm_states_figure(layer=0, batch=0, proj=True))
    assert "none of it is in output" in bottom
    assert len(re.findall(r"t=\d+=-?\d\.\d\d", alt)) >= 2 * 6  # every step of h and c


def test_stack_alt_gives_each_layer_its_rows_of_h_n():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    alt = alt_of(stack_figure(lstm, torch.randn(5, 2, 3)))
    assert "layer 0" in alt and "h_n[0] and h_n[1]" in alt and "h_n[2] and h_n[3]" in alt
    assert "equal h_n: True" in alt and "c_n: True" in alt


def test_shapes_gates_and_sheet_alt_state_their_data():
    assert "h_n: (4, 3, 6)" in alt_of(shapes_figure(batch_first=True, unbatched=False))
    gates = alt_of(gates_figure(cell="gru"))
    assert gates.startswith("3 heatmaps") and "update gate z" in gates
    sheet = alt_of(cheat_sheet_figure(cell="lstm", num_layers=2))
    assert "h_n[1]" in sheet and "(num_layers * D, N, H_out)" in sheet


def test_alt_follows_the_figure_when_it_is_redrawn():
    """A view redraws one figure in place: the alt text must move with it."""
    from helpers.plots.grid import grid, update_grid
    from helpers.unroll import grid_model

    small = grid_model(cached_run(_config(1), 3, 1))
    big = grid_model(cached_run(_config(3), 3, 1))
    art = grid(small)
    before = alt_of(art.fig)
    update_grid(art, big)
    assert alt_of(art.fig) != before and "3-layer" in alt_of(art.fig)


def _config(num_layers: int):
    from helpers.models import RNNConfig

    return RNNConfig(cell="gru", num_layers=num_layers, input_size=2, hidden_size=2)


def test_number_table_rounds_like_the_heatmaps():
    from helpers.plots.alt import number_table

    text = number_table("v", np.array([[-0.001, 1.234]]), ["r"], ["a", "b"])
    assert text == "v: r: a=0.00, b=1.23."


@pytest.mark.parametrize("name", ["grid_view", "output_vs_h_n_view", "steps_read_view"])
def test_a_live_views_picture_has_the_same_alt_text_and_it_follows_the_controls(name):
    import helpers.views as views

    view = getattr(views, name)()
    assert view.image.alt == alt_of(view.figure)  # the picture on show, described by its plot
    control = next(c for c in view.controls.values() if hasattr(c, "max") and c.value < c.max)
    before = view.image.alt
    control.value = control.value + (control.step or 1)
    assert view.image.alt == alt_of(view.figure) != before
    state = view.static_state(budget=10**6)
    assert state["alts"] and set(state["alts"]) <= set(state["pictures"])
