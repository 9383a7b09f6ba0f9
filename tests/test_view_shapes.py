"""helpers.views.shapes and helpers.plots.shapes: the blocks show the shapes torch really returns, axis by axis."""

import itertools

import pytest
import torch
from torch import nn

from helpers import shapes_figure, shapes_view
from helpers.views.shapes import compute_shapes

NAMES = {  # what each axis is called, written out by hand from PyTorch's docs
    (False, False): {
        "x": ("L", "N", "H_in"),
        "output": ("L", "N", "D * H_out"),
        "h_n": ("num_layers * D", "N", "H_out"),
        "c_n": ("num_layers * D", "N", "hidden_size"),
    },
    (True, False): {
        "x": ("N", "L", "H_in"),
        "output": ("N", "L", "D * H_out"),
        "h_n": ("num_layers * D", "N", "H_out"),
        "c_n": ("num_layers * D", "N", "hidden_size"),
    },
}
NAMES[False, True] = NAMES[True, True] = {
    "x": ("L", "H_in"),
    "output": ("L", "D * H_out"),
    "h_n": ("num_layers * D", "H_out"),
    "c_n": ("num_layers * D", "H_out"),
}
NAMES[False, True]["c_n"] = NAMES[True, True]["c_n"] = ("num_layers * D", "hidden_size")


def torch_shapes(batch_first, unbatched, num_layers=2, bidirectional=True):
    torch.manual_seed(0)
    lstm = nn.LSTM(8, 6, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    x = torch.randn((5, 8) if unbatched else (3, 5, 8) if batch_first else (5, 3, 8))
    output, (h_n, c_n) = lstm(x)
    return {"x": tuple(x.shape), "output": tuple(output.shape), "h_n": tuple(h_n.shape), "c_n": tuple(c_n.shape)}


@pytest.mark.parametrize("batch_first,unbatched", list(itertools.product([False, True], [False, True])))
def test_view_draws_torchs_shapes_with_the_axis_names(batch_first, unbatched):
    view = shapes_view()
    view.controls["batch_first"].value, view.controls["unbatched"].value = batch_first, unbatched
    want = torch_shapes(batch_first, unbatched)
    assert [row.name for row in view.rows] == ["x", "output", "h_n", "c_n"]
    for row, placed in zip(view.rows, view.artists.placed):
        assert row.shape == want[row.name]
        assert tuple(label for label, _, _ in row.axes) == NAMES[batch_first, unbatched][row.name]
        assert [(label, size) for label, size, _, _ in placed] == [(label, size) for label, size, _ in row.axes]
        for label, size, _, _ in placed:
            assert f"{label} = {size}" in view.artists.text.texts
    drawn = sum(
        len(view.artists.blocks[kind].get_path().vertices) // 5
        for kind in view.artists.blocks
        if view.artists.blocks[kind].get_visible()
    )
    assert drawn == (8 if unbatched else 12)  # one block per axis: 2 or 3 axes in each of 4 rows
    batch = [box for placed in view.artists.placed for label, _, kind, box in placed if label == "N"]
    assert len(batch) == (0 if unbatched else 4)
    assert view.artists.blocks["N"].get_hatch() == "///"  # the batch axis is marked without colour too
    assert len(view.artists.blocks["N"].get_path().vertices) == 5 * len(batch) or unbatched


def test_batch_first_moves_the_batch_axis_of_x_and_output_only():
    plain, first = compute_shapes(False, False), compute_shapes(True, False)
    for a, b in zip(plain, first):
        if a.name in ("x", "output"):
            assert b.shape == (a.shape[1], a.shape[0], a.shape[2])
        else:
            assert a.shape == b.shape


def test_num_layers_slider_changes_only_the_first_axis_of_h_n_and_c_n():
    view = shapes_view()
    before = [row.shape for row in view.rows]
    view.controls["num_layers"].value = 3
    after = [row.shape for row in view.rows]
    assert after[:2] == before[:2]  # x and output keep their shapes
    assert after[2] == (6, *before[2][1:]) and after[3] == (6, *before[3][1:])  # num_layers * D = 3 * 2
    assert after == [row.shape for row in compute_shapes(False, False, 3)]


def test_static_figure_matches_the_view_and_sizes_reach_the_model():
    fig = shapes_figure(batch_first=True, unbatched=False)
    assert fig.get_size_inches()[0] * fig.dpi >= 600
    view = shapes_view(num_layers=3, bidirectional=False, hidden_size=4, batch_size=2)
    assert view.rows[2].shape == (3, 2, 4)  # h_n: (num_layers * D, N, H_out)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(batch_first=1), r"batch_first=1 is not allowed: batch_first must be True or False"),
        (dict(num_layers=0), r"num_layers=0 is not allowed"),
        (dict(proj_size=2), r"proj_size=2 is not allowed: the view takes only"),
        (dict(hidden_size=0), r"hidden_size=0 is not allowed"),
    ],
)
def test_bad_view_options_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        shapes_view(**kwargs)


def test_a_control_moved_back_shows_the_same_frame():
    view = shapes_view()
    first = view.png
    view.controls["batch_first"].value = True
    assert view.png != first
    view.controls["batch_first"].value = False
    assert view.png == first and len(view.picture_memory) == 2
    assert [row.shape for row in view.rows] == [row.shape for row in compute_shapes(False, False)]
