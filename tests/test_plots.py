"""helpers.plots: the heatmap shows output and h_n exactly, and its outlines sit on slices that are equal.

Positions are checked against helpers.states (locate_final_state, state_index, last_valid_steps), and
the strongest check reads the numbers under each pair of outlines back out of the drawn images.
"""

import itertools

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from helpers import (
    BACKWARD,
    FORWARD,
    RNNConfig,
    heatmap,
    last_valid_steps,
    locate_final_state,
    mark_cells,
    output_vs_h_n,
    run,
    state_index,
    update_output_vs_h_n,
)
from helpers.plots import MARK_PAD, MARK_STYLE

CONFIGS = [
    RNNConfig(cell=cell, num_layers=layers, bidirectional=bi, batch_first=bf, seed=3)
    for cell, layers, bi, bf in itertools.product(["rnn", "gru", "lstm"], [1, 2, 3], [False, True], [False, True])
]


def cells_under(rect: Rectangle) -> tuple[int, slice]:
    """The heatmap row and columns an outline encloses, read from its geometry."""
    x, y, w, h = rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()
    row = round(y + h / 2)
    assert row - 0.5 < y < y + h < row + 0.5  # the outline stays inside one row
    start, stop = round(x + MARK_PAD + 0.5), round(x + w - MARK_PAD + 0.5)
    assert x == pytest.approx(start - 0.5 + MARK_PAD) and x + w == pytest.approx(stop - 0.5 - MARK_PAD)
    return row, slice(start, stop)


def image_data(image: AxesImage) -> np.ndarray:
    return np.asarray(image.get_array())


def labels(ax) -> list[str]:
    return [a.get_gid() for a in ax.get_children() if a.get_gid()]


# --- heatmap, gallery style -------------------------------------------------------------------------------

def test_heatmap_draws_data_with_labels_and_optional_colorbar():
    fig = matplotlib.figure.Figure()
    ax = fig.add_subplot()
    data = np.arange(6.0).reshape(2, 3)
    image, colorbar = heatmap(data, ax=ax, row_labels=["a", "b"], col_labels=["x", "y", "z"], cmap="viridis")
    assert isinstance(image, AxesImage) and colorbar is None
    np.testing.assert_array_equal(image_data(image), data)
    assert image.get_cmap().name == "viridis"  # kwargs reach imshow
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    _, colorbar = heatmap(data, ax=fig.add_subplot(2, 1, 2), cbar=True)
    assert colorbar is not None and colorbar.mappable.get_array().shape == (2, 3)


def test_heatmap_without_ax_uses_the_current_pyplot_axes():
    fig, ax = plt.subplots()
    try:
        image, _ = heatmap(np.ones((2, 2)))
        assert image.axes is ax
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kwargs,message", [
    (dict(data=np.ones(3)), r"data.shape=\(3,\) is not allowed: data must be 2-D"),
    (dict(data=np.ones((2, 2)), row_labels=["a"]), r"row_labels has 1 entries, which is not allowed"),
    (dict(data=np.ones((2, 2)), col_labels=["a", "b", "c"]), r"col_labels has 3 entries, which is not allowed"),
])
def test_heatmap_rejects_bad_input(kwargs, message):
    ax = matplotlib.figure.Figure().add_subplot()
    with pytest.raises(ValueError, match=message):
        heatmap(ax=ax, **kwargs)


def test_mark_cells_outlines_exactly_the_given_cells():
    ax = matplotlib.figure.Figure().add_subplot()
    rect = mark_cells(ax, 3, slice(2, 5), BACKWARD)
    assert rect in ax.patches
    assert cells_under(rect) == (3, slice(2, 5))
    assert rect.get_linestyle() == "--" and rect.get_facecolor()[3] == 0  # an outline, not a filled box


# --- output beside h_n --------------------------------------------------------------------------------------

def check_drawing(art, r, batch):
    """The images hold output and h_n for this batch element; each pair of outlines encloses equal numbers."""
    cfg = r.config
    out = r.output if r.unbatched else (r.output[batch] if cfg.batch_first else r.output[:, batch])  # (L, D*H_out)
    h = r.h_n if r.unbatched else r.h_n[:, batch]  # (num_layers * D, H_out)
    np.testing.assert_array_equal(image_data(art.output_image), out.detach().numpy())
    np.testing.assert_array_equal(image_data(art.h_n_image), h.detach().numpy())
    # one colour scale, symmetric, that covers both panels
    assert art.output_image.get_clim() == art.h_n_image.get_clim()
    low, high = art.output_image.get_clim()
    assert low == -high and high >= max(out.abs().max().item(), h.abs().max().item())
    top = cfg.num_layers - 1
    for direction in (FORWARD, BACKWARD):
        shown = direction < cfg.num_directions
        assert art.marks["output", direction].get_visible() == shown
        assert art.marks["h_n", direction].get_visible() == shown
        if not shown:
            continue
        where = locate_final_state(r, top, direction)
        step = int(last_valid_steps(r)[batch]) if direction == FORWARD else 0
        assert cells_under(art.marks["output", direction]) == (step, where.features)
        row = state_index(top, direction, cfg.num_layers, cfg.bidirectional)
        assert cells_under(art.marks["h_n", direction]) == (row, slice(0, cfg.h_out))
        # the numbers under the two outlines are the same numbers
        out_row, out_cols = cells_under(art.marks["output", direction])
        h_row, h_cols = cells_under(art.marks["h_n", direction])
        np.testing.assert_array_equal(image_data(art.output_image)[out_row, out_cols],
                                      image_data(art.h_n_image)[h_row, h_cols])
        style = MARK_STYLE[direction]
        for key in ("output", "h_n"):
            assert matplotlib.colors.same_color(art.marks[key, direction].get_edgecolor(), style["edgecolor"])


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_output_vs_h_n_marks_the_equal_slices(config):
    r = run(config, seq_len=4, batch_size=3)
    for batch in range(3):
        check_drawing(output_vs_h_n(r, batch=batch), r, batch)


def test_marks_follow_each_sequence_length_in_a_packed_batch():
    r = run(RNNConfig(cell="gru", num_layers=2, bidirectional=True, batch_first=True), seq_len=6, batch_size=3,
             lengths=[6, 2, 4])
    for batch, length in enumerate([6, 2, 4]):
        art = output_vs_h_n(r, batch=batch)
        check_drawing(art, r, batch)
        assert cells_under(art.marks["output", FORWARD])[0] == length - 1


def test_unbatched_and_projected_runs():
    r = run(RNNConfig(num_layers=2, bidirectional=True), unbatched=True)
    check_drawing(output_vs_h_n(r), r, 0)
    r = run(RNNConfig(cell="lstm", hidden_size=5, proj_size=2, num_layers=2, bidirectional=True), seq_len=3)
    check_drawing(output_vs_h_n(r, batch=1), r, 1)


def test_update_in_place_reuses_the_figure_and_its_axes():
    small = run(RNNConfig(num_layers=1, batch_first=True), seq_len=2, batch_size=2)
    big = run(RNNConfig(num_layers=3, bidirectional=True, batch_first=True), seq_len=7, batch_size=2)
    art = output_vs_h_n(small)
    axes = list(art.fig.axes)
    for r, batch in [(big, 1), (small, 0), (big, 0)]:
        assert update_output_vs_h_n(art, r, batch) is art
        assert art.fig.axes == axes  # no axes rebuilt
        check_drawing(art, r, batch)
        rows, cols = image_data(art.output_image).shape
        assert art.output_ax.get_xlim() == (-0.5, cols - 0.5) and art.output_ax.get_ylim() == (rows - 0.5, -0.5)
    assert len(art.fig.legends) == 1 and len(art.fig.legends[0].get_texts()) == 2


def test_both_panels_use_the_same_cell_size():
    r = run(RNNConfig(num_layers=3, bidirectional=True), seq_len=4)
    art = output_vs_h_n(r)
    fig_w, fig_h = art.fig.get_size_inches()
    sizes = []
    for ax, image in ((art.output_ax, art.output_image), (art.h_n_ax, art.h_n_image)):
        rows, cols = image_data(image).shape
        box = ax.get_position()
        sizes += [box.width * fig_w / cols, box.height * fig_h / rows]
    assert sizes == pytest.approx([sizes[0]] * 4)


def test_titles_and_row_labels_name_the_indexing():
    r = run(RNNConfig(num_layers=2, bidirectional=True, batch_first=True), seq_len=5, batch_size=2)
    art = output_vs_h_n(r, batch=1)
    assert "output[1]: (5, 6)" in labels(art.output_ax)
    assert {"t=0", "t=4", "fwd", "bwd"} <= set(labels(art.output_ax))
    assert labels(art.h_n_ax)[0] == "h_n[:, 1]: (4, 3)"
    assert labels(art.h_n_ax)[1:] == ["layer 0 fwd", "layer 0 bwd", "layer 1 fwd", "layer 1 bwd"]
    time_major = run(RNNConfig(num_layers=1), seq_len=3, batch_size=2)
    assert "output[:, 0]: (3, 3)" in labels(output_vs_h_n(time_major).output_ax)


def test_draws_on_the_given_figure_and_leaves_pyplot_alone(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    before = plt.get_fignums()
    fig = matplotlib.figure.Figure(figsize=(5, 3))
    art = output_vs_h_n(run(RNNConfig()), fig=fig, legend=False, scale=False)
    assert art.fig is fig and art.scale_ax is None and not fig.legends
    assert output_vs_h_n(run(RNNConfig())).fig.get_size_inches().tolist() == [6.4, 3.2]
    assert plt.get_fignums() == before


def test_imshow_kwargs_are_passed_on():
    art = output_vs_h_n(run(RNNConfig()), cmap="PiYG", interpolation="bilinear")
    assert art.output_image.get_cmap().name == "PiYG" and art.h_n_image.get_interpolation() == "bilinear"


@pytest.mark.parametrize("batch", [-1, 2, 1.0, True])
def test_bad_batch_element_is_a_value_error(batch):
    with pytest.raises(ValueError, match=rf"batch={batch!r} is not allowed: batch must be an integer from 0 to 1"):
        output_vs_h_n(run(RNNConfig(), batch_size=2), batch=batch)


def test_the_drawing_is_the_same_numbers_as_torch_gives():
    """Independent of helpers.run: build the module by hand and compare with what the figure holds."""
    config = RNNConfig(cell="gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True)
    r = run(config, seq_len=5, batch_size=2)
    torch.manual_seed(0)
    gru = torch.nn.GRU(4, 3, num_layers=2, batch_first=True, bidirectional=True)
    output, h_n = gru(r.x)
    art = output_vs_h_n(r, batch=1)
    np.testing.assert_array_equal(image_data(art.output_image), output[1].detach().numpy())
    np.testing.assert_array_equal(image_data(art.h_n_image), h_n[:, 1].detach().numpy())


@pytest.mark.parametrize("kwargs,named", [
    (dict(direction=7), "direction=7"),
    (dict(direction=True), "direction=True"),
    (dict(row=-1), "row=-1"),
    (dict(cols=slice(2, 1)), "cols=slice(2, 1, None)"),
    (dict(cols=3), "cols=3"),
])
def test_mark_cells_rejects_bad_input_with_a_value_error(kwargs, named):
    ax = Figure().add_subplot()
    args = dict(row=0, cols=slice(0, 1), direction=0) | kwargs
    with pytest.raises(ValueError, match="is not allowed") as info:
        mark_cells(ax, args["row"], args["cols"], direction=args["direction"])
    assert str(info.value).startswith(named)
