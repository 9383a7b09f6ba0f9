"""helpers.unroll, helpers.states.state_category and the grid view: right against torch, bad input refused."""

import io
import statistics
import time

import ipywidgets
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

from helpers import RNNConfig, SliderView, grid_figure, grid_model, grid_view, layer_twin, run, state_category, unroll
from helpers.plots.grid import HATCH, LEGEND, TAG
from helpers.states import CATEGORIES, IN_BOTH, IN_H_N, IN_NEITHER, IN_OUTPUT, PADDING
from helpers.views.grid import compute_grid

# --- every state at every step --------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_unroll_top_layer_is_output_and_final_steps_are_h_n(cell, bidirectional):
    r = run(RNNConfig(cell=cell, num_layers=3, bidirectional=bidirectional), seq_len=5, batch_size=2)
    states = unroll(r)  # hidden: (num_layers, D, L, N, H)
    h = r.config.h_out
    assert states.hidden.shape == (3, r.config.num_directions, 5, 2, h)
    assert torch.equal(states.hidden[-1, 0], r.output[:, :, :h])  # forward half of output, every step
    assert torch.equal(states.hidden[0, 0, -1], r.h_n[0])  # bottom layer, forward, last step
    if bidirectional:
        assert torch.equal(states.hidden[-1, 1], r.output[:, :, h:])
        assert torch.equal(states.hidden[1, 1, 0], r.h_n[3])  # layer 1 backward ends at step 0
    if cell == "lstm":
        assert torch.equal(states.cell[2, 0, -1], r.c_n[4 if bidirectional else 2])
    else:
        assert states.cell is None


def test_unroll_cell_states_match_a_step_by_step_lstm_cell():
    r = run(RNNConfig(cell="lstm", num_layers=1, hidden_size=3), seq_len=4, batch_size=2)
    step = torch.nn.LSTMCell(4, 3)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(step, name).copy_(getattr(r.module, name + "_l0"))
        h, c = torch.zeros(2, 3), torch.zeros(2, 3)
        expected = []
        for t in range(4):
            h, c = step(r.x[t], (h, c))
            expected.append(c)
    torch.testing.assert_close(unroll(r).cell[0, 0], torch.stack(expected))  # by hand: equal to rounding


def test_unroll_packed_batch_pads_with_zeros_and_marks_validity():
    r = run(RNNConfig(num_layers=2, bidirectional=True), seq_len=5, batch_size=3, lengths=(5, 2, 3))
    states = unroll(r)
    assert states.valid[:, 1].tolist() == [True, True, False, False, False]
    assert torch.equal(states.hidden[:, :, 2:, 1], torch.zeros(2, 2, 3, 3))
    assert torch.equal(states.hidden[1, 0, 1, 1], r.h_n[2, 1])  # sequence 1 ends at step 1


def test_unroll_refuses_dropout_in_train_mode():
    r = run(RNNConfig(num_layers=2, dropout=0.5), seq_len=3)
    with pytest.raises(ValueError, match="dropout=0.5"):
        unroll(r)


def test_layer_twin_refuses_a_missing_layer():
    r = run(RNNConfig(num_layers=2))
    with pytest.raises(ValueError, match="layer=2"):
        layer_twin(r.module, 2)


# --- where each state lands -------------------------------------------------------------------------------------


def test_state_category_by_hand():
    r = run(RNNConfig(num_layers=2, bidirectional=True), seq_len=4, batch_size=2, lengths=(4, 2))
    assert state_category(r, 1, 0, 3, 0) == IN_BOTH  # top layer forward, last step
    assert state_category(r, 1, 1, 0, 0) == IN_BOTH  # top layer backward ends at step 0
    assert state_category(r, 1, 0, 1, 0) == IN_OUTPUT
    assert state_category(r, 0, 0, 3, 0) == IN_H_N
    assert state_category(r, 0, 1, 2, 0) == IN_NEITHER
    assert state_category(r, 0, 0, 1, 1) == IN_H_N  # sequence 1 has length 2
    assert state_category(r, 1, 0, 2, 1) == PADDING


@pytest.mark.parametrize(
    "kwargs,name",
    [
        (dict(step=4), "step=4"),
        (dict(batch=2), "batch=2"),
        (dict(layer=2), "layer=2"),
        (dict(direction=2), "direction=2"),
    ],
)
def test_state_category_bad_input(kwargs, name):
    r = run(RNNConfig(num_layers=2, bidirectional=True), seq_len=4, batch_size=2)
    args = dict(layer=0, direction=0, step=0, batch=0) | kwargs
    with pytest.raises(ValueError, match=name):
        state_category(r, **args)


def test_grid_model_expressions_follow_the_layout():
    r = run(RNNConfig(num_layers=2, bidirectional=True, batch_first=True), seq_len=3, batch_size=2)
    boxes = {(b.layer, b.direction, b.step): b for b in grid_model(r).boxes}
    assert boxes[1, 0, 2].expressions == ("output[:, 2, :H]", "h_n[2]")
    assert boxes[1, 1, 0].expressions == ("output[:, 0, H:]", "h_n[3]")
    assert boxes[0, 1, 1].expressions == ()
    r = run(RNNConfig(num_layers=1), seq_len=3, batch_size=2, lengths=(3, 2))  # time-major, one sequence
    boxes = {(b.layer, b.direction, b.step): b for b in grid_model(r, batch=1).boxes}
    assert boxes[0, 0, 1].expressions == ("output[1, 1]", "h_n[0, 1]")
    assert boxes[0, 0, 2].category == PADDING


def test_grid_model_cell_states_are_never_in_output():
    r = run(RNNConfig(cell="lstm", num_layers=2), seq_len=3)
    model = grid_model(r, cell_states=True)
    assert {b.category for b in model.boxes} == {IN_H_N, IN_NEITHER}
    assert [b.expressions for b in model.boxes if b.category == IN_H_N] == [("c_n[0]",), ("c_n[1]",)]


def test_grid_model_bad_input():
    with pytest.raises(ValueError, match="cell_states=True"):
        grid_model(run(RNNConfig(cell="gru")), cell_states=True)
    with pytest.raises(ValueError, match="batch=None"):
        grid_model(run(RNNConfig(), seq_len=3, lengths=(3, 2)))
    with pytest.raises(ValueError, match="batch=5"):
        grid_model(run(RNNConfig()), batch=5)


# --- the picture ------------------------------------------------------------------------------------------------


def test_every_category_has_its_own_hatch_tag_and_legend_entry():
    assert len({HATCH[c] for c in CATEGORIES}) == len(CATEGORIES)
    assert len({TAG[c] for c in CATEGORIES}) == len(CATEGORIES)
    assert set(LEGEND) == set(CATEGORIES)


def test_static_figure_is_wide_enough_to_read():
    fig = grid_figure(num_layers=3, seq_len=5)
    assert isinstance(fig, Figure)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    width, height = Image.open(buffer).size
    assert width >= 600 and height >= 250


def test_figure_patches_hold_the_boxes_of_each_category():
    from helpers.plots.grid import grid

    model = compute_grid(num_layers=3, seq_len=5)
    art = grid(model)
    rectangles = {c: len(p.get_path().vertices) // 5 for c, p in art.boxes.items()}  # 5 vertices per box
    counted = {c: sum(b.category == c for b in model.boxes) + 1 for c in (IN_OUTPUT, IN_H_N, IN_BOTH, IN_NEITHER)}
    assert {c: rectangles[c] for c in counted} == counted  # + 1: the legend's swatch


# --- the view ----------------------------------------------------------------------------------------------------


def png(view) -> bytes:
    return view.png


def test_view_controls_and_every_control_changes_the_picture():
    view = grid_view()
    assert isinstance(view, ipywidgets.VBox) and isinstance(view, SliderView)
    assert list(view.controls) == ["num_layers", "seq_len", "bidirectional", "cell", "cell_states"]
    assert (view.controls["num_layers"].min, view.controls["num_layers"].max) == (1, 4)
    assert (view.controls["seq_len"].min, view.controls["seq_len"].max) == (1, 8)
    for name, value in [
        ("num_layers", 2),
        ("seq_len", 7),
        ("bidirectional", True),
        ("cell", "LSTM"),
        ("cell_states", True),
        ("cell", "RNN"),
        ("cell_states", False),
    ]:
        before = png(view)
        view.controls[name].value = value
        assert png(view) != before, f"{name}={value!r} left the picture unchanged"
    assert view.model.num_layers == 2 and view.model.seq_len == 7 and view.model.cell == "rnn"


def test_view_with_lengths_adds_a_batch_element_slider():
    view = grid_view(lengths=(5, 3, 2))
    assert view.controls["batch"].max == 2 and view.controls["seq_len"].min == 5
    before = png(view)
    view.controls["batch"].value = 2
    assert png(view) != before and view.model.length == 2


def test_view_can_show_only_some_controls():
    view = grid_view(num_layers=2, seq_len=3, controls=("seq_len",))
    assert list(view.controls) == ["seq_len"]
    before = png(view)
    view.controls["seq_len"].value = 6
    assert png(view) != before and (view.model.num_layers, view.model.seq_len) == (2, 6)


@pytest.mark.parametrize(
    "kwargs,name",
    [
        (dict(controls=("batch",)), "controls="),
        (dict(controls="seq_len"), "controls="),
        (dict(controls=()), "controls="),
        (dict(num_layers=5), "num_layers=5"),
        (dict(seq_len=9), "seq_len=9"),
        (dict(cell="cnn"), "cell='cnn'"),
        (dict(lengths=(9, 2)), "lengths="),
        (dict(lengths=(5, 3), seq_len=4), "seq_len=4"),
        (dict(proj_size=1), "proj_size=1"),
        (dict(bidirectional=1), "bidirectional=1"),
    ],
)
def test_view_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name.replace("(", r"\(")):
        grid_view(**kwargs)


def test_view_sweeps_every_control_as_make_bench_does():
    from tools.slider_latency import sweep

    timings, unchanged = sweep(grid_view(lengths=(5, 3, 2)), min_changes=12)  # every value of every control
    assert unchanged == 0 and len(timings) >= 12


def test_view_keeps_recent_pictures_and_shows_the_same_one_again():
    view = grid_view()
    first = png(view)
    view.controls["num_layers"].value = 1
    view.controls["num_layers"].value = 3
    assert png(view) == first and len(view.frames) == 2


def test_view_update_is_fast():
    view = grid_view(lengths=(5, 3, 2))
    moves = [("num_layers", v) for v in (4, 1, 3)] + [
        ("bidirectional", True),
        ("cell", "LSTM"),
        ("cell_states", True),
        ("batch", 2),
        ("seq_len", 8),
    ]
    for name, value in moves:  # once to fill the caches, as a student moving back and forth does
        view.controls[name].value = value
    timings = []
    for _ in range(3):
        for name, value in moves + [("bidirectional", False), ("cell_states", False), ("batch", 0)]:
            view.frames.clear()  # time the drawing, not the view's memory of pictures already drawn
            start = time.process_time()  # CPU time: the machine running the tests may be busy
            view.controls[name].value = value
            timings.append((time.process_time() - start) * 1000)
    assert statistics.median(timings) <= 25, f"median update {statistics.median(timings):.1f} ms"


def test_unroll_module_takes_a_module_built_by_hand():
    from torch import nn

    from helpers import unroll_module

    torch.manual_seed(0)
    lstm = nn.LSTM(input_size=4, hidden_size=3, num_layers=2, batch_first=True)
    x = torch.randn(2, 5, 4)  # (N, L, H_in)
    output, (h_n, c_n) = lstm(x)
    states = unroll_module(lstm, x)
    assert torch.equal(states.hidden[-1, 0], output.transpose(0, 1))  # (L, N, H) vs output (N, L, H)
    assert torch.equal(states.hidden[:, 0, -1], h_n) and torch.equal(states.cell[:, 0, -1], c_n)
    with pytest.raises(ValueError, match="module=Linear"):
        unroll_module(nn.Linear(2, 2), x)
