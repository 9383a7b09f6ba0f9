"""helpers.plots: the heatmap shows output and h_n exactly, and its outlines sit on slices that are equal.

Positions are checked against helpers.states (locate_final_state, state_index, last_valid_steps), and
the strongest check reads the numbers under each pair of outlines back out of the drawn images.
"""

import io
import itertools

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from PIL import Image

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
from helpers.plots import MARK_PAD, MARK_STYLE, MARK_WORDS, value_text
from helpers.plots.text import Label, draw_labels, label_vertices

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


def image_data(image) -> np.ndarray:
    """The 2-D array a heatmap (an AxesImage or a QuadMesh) shows."""
    return np.asarray(image.get_array())


def labels(art, ax) -> list[str]:
    """The texts the last update wrote on ax, in drawing order."""
    return [label.text for label in art.texts if label.ax is ax]


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


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(data=np.ones(3)), r"data.shape=\(3,\) is not allowed: data must be 2-D"),
        (dict(data=np.ones((2, 2)), row_labels=["a"]), r"row_labels has 1 entries, which is not allowed"),
        (dict(data=np.ones((2, 2)), col_labels=["a", "b", "c"]), r"col_labels has 3 entries, which is not allowed"),
    ],
)
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
    # one colour scale for both panels, symmetric, fitted to output (a big value in a lower layer cannot fade it)
    assert art.output_image.get_clim() == art.h_n_image.get_clim()
    low, high = art.output_image.get_clim()
    assert low == -high and high == pytest.approx(out.abs().max().item())
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
        np.testing.assert_array_equal(
            image_data(art.output_image)[out_row, out_cols], image_data(art.h_n_image)[h_row, h_cols]
        )
        style = MARK_STYLE[direction]
        for key in ("output", "h_n"):
            assert matplotlib.colors.same_color(art.marks[key, direction].get_edgecolor(), style["edgecolor"])


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_output_vs_h_n_marks_the_equal_slices(config):
    r = run(config, seq_len=4, batch_size=3)
    for batch in range(3):
        check_drawing(output_vs_h_n(r, batch=batch), r, batch)


def test_marks_follow_each_sequence_length_in_a_packed_batch():
    r = run(
        RNNConfig(cell="gru", num_layers=2, bidirectional=True, batch_first=True),
        seq_len=6,
        batch_size=3,
        lengths=[6, 2, 4],
    )
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
    assert "output[1]: (5, 6)" in labels(art, art.output_ax)
    assert {"t=0", "t=4", "forward :3", "backward 3:"} <= set(labels(art, art.output_ax))
    assert labels(art, art.h_n_ax)[0] == "h_n[:, 1]: (4, 3)"
    assert labels(art, art.h_n_ax)[1:5] == ["layer 0 fwd", "layer 0 bwd", "layer 1 fwd", "layer 1 bwd"]
    time_major = output_vs_h_n(run(RNNConfig(num_layers=1), seq_len=3, batch_size=2))
    assert "output[:, 0]: (3, 3)" in labels(time_major, time_major.output_ax)


def test_draws_on_the_given_figure_and_leaves_pyplot_alone(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    before = plt.get_fignums()
    fig = matplotlib.figure.Figure(figsize=(5, 3))
    art = output_vs_h_n(run(RNNConfig()), fig=fig, legend=False, scale=False)
    assert art.fig is fig and art.scale_ax is None and not fig.legends
    assert output_vs_h_n(run(RNNConfig())).fig.get_size_inches().tolist() == [9.0, 4.5]
    assert plt.get_fignums() == before


def test_pcolormesh_kwargs_are_passed_on():
    art = output_vs_h_n(run(RNNConfig()), cmap="PiYG", edgecolors="white", linewidth=0.5)
    assert art.output_image.get_cmap().name == "PiYG" and art.h_n_image.get_linewidth()[0] == 0.5
    assert matplotlib.colors.same_color(art.output_image.get_edgecolor()[0], "white")


def test_one_heatmap_per_panel_is_shown_and_each_shape_keeps_its_own():
    """A mesh per shape, made once: going back to a shape reuses its mesh, and only the current one is visible."""
    small = run(RNNConfig(num_layers=1), seq_len=2)
    big = run(RNNConfig(num_layers=2, bidirectional=True), seq_len=4)
    art = output_vs_h_n(small)
    first = art.output_image
    update_output_vs_h_n(art, big)
    assert art.output_image is not first and not first.get_visible()
    update_output_vs_h_n(art, small, batch=1)
    assert art.output_image is first and first.get_visible()
    for ax in (art.output_ax, art.h_n_ax):
        shown = [c for c in ax.collections if c.get_visible()]
        assert len(shown) == 1 and shown[0] in (art.output_image, art.h_n_image)
        assert all(c.zorder < mark.zorder for c in ax.collections for mark in ax.patches)  # outlines stay on top


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


# --- reading the figure without the text: names, values, arrows, tags, size ------------------------------


def batch_tensors(r, batch):
    """This sequence's output (L, D * H_out) and h_n (num_layers * D, H_out), by plain indexing."""
    if r.unbatched:
        return r.output.detach(), r.h_n.detach()
    out = r.output[batch] if r.config.batch_first else r.output[:, batch]
    return out.detach(), r.h_n[:, batch].detach()


def texts_on(art, ax, **where):
    """Labels the last update wrote on ax whose attributes match where (e.g. rotation=90)."""
    return [lb for lb in art.texts if lb.ax is ax and all(getattr(lb, k) == v for k, v in where.items())]


FEW = [
    RNNConfig(cell=c, num_layers=n, bidirectional=b, batch_first=bf, seed=5)
    for c, n, b, bf in [("gru", 2, True, True), ("lstm", 3, False, False), ("rnn", 1, True, False)]
]


@pytest.mark.parametrize("config", FEW, ids=str)
def test_every_value_is_printed_in_its_own_cell(config):
    r = run(config, seq_len=4, batch_size=2)
    art = output_vs_h_n(r, batch=1)
    out, h = batch_tensors(r, 1)
    for key, ax, tensor in (("output", art.output_ax, out), ("h_n", art.h_n_ax, h)):
        rows, cols = tensor.shape
        assert {k[1:] for k in art.values if k[0] == key} == set(itertools.product(range(rows), range(cols)))
        for (row, col), value in np.ndenumerate(tensor.numpy()):
            label = art.values[key, row, col]
            assert label.ax is ax and label.text == value_text(value) == f"{tensor[row, col].item():.2f}".replace(
                "-0.00", "0.00"
            )
            # where it is drawn: the outline's middle lies inside the cell, in the figure's own coordinates
            verts = label_vertices([label], art.fig)[0]
            middle = art.fig.transFigure.transform((verts.min(0) + verts.max(0)) / 2)
            x, y = ax.transData.inverted().transform(middle)
            assert abs(x - col) < 0.5 and abs(y - row) < 0.5
            assert label in texts_on(art, ax)


def test_the_values_are_drawn_by_the_patch_of_their_colour():
    r = run(RNNConfig(num_layers=2, bidirectional=True), seq_len=3)
    art = output_vs_h_n(r)
    for color, patch in art.text_patches.items():
        mine = [lb for lb in art.texts if lb.color == color]
        np.testing.assert_array_equal(patch.get_path().vertices, np.concatenate(label_vertices(mine, art.fig)))
        assert matplotlib.colors.same_color(patch.get_facecolor(), color)
    # a value on a dark cell is white, on a light cell black
    vmax = art.output_image.get_clim()[1]
    for (key, row, col), label in art.values.items():
        value = image_data(art.output_image if key == "output" else art.h_n_image)[row, col]
        assert label.color == ("white" if abs(value) > 0.6 * vmax else "black")


def test_many_cells_print_no_values():
    art = output_vs_h_n(run(RNNConfig(hidden_size=6, num_layers=2, bidirectional=True), seq_len=30))
    assert art.values == {}
    in_panels = [lb for lb in art.texts if lb.ax in (art.output_ax, art.h_n_ax)]
    assert not [lb for lb in in_panels if lb.text[-3:-2] == "." and lb.text.lstrip("-")[0].isdigit()]


@pytest.mark.parametrize("bidirectional", [False, True])
def test_axes_are_named_and_the_scale_is_labelled(bidirectional):
    art = output_vs_h_n(run(RNNConfig(num_layers=2, bidirectional=bidirectional), seq_len=4))
    assert [lb.text for lb in texts_on(art, art.output_ax, rotation=90) if lb.text == "time step t"]
    layer_name = "layer, direction" if bidirectional else "layer"
    assert [lb.text for lb in texts_on(art, art.h_n_ax, rotation=90)] == [layer_name]
    for ax in (art.output_ax, art.h_n_ax):
        assert "hidden unit" in labels(art, ax)
        # every unit is numbered under its column
        columns = image_data(art.output_image if ax is art.output_ax else art.h_n_image).shape[1]
        numbered = [lb for lb in texts_on(art, ax, va="top", size=8, rotation=0)]
        assert [(lb.text, lb.x) for lb in numbered] == [(str(c), c) for c in range(columns)]
    name = texts_on(art, art.scale_ax, rotation=90)
    assert [lb.text for lb in name] == ["hidden-state value"]


@pytest.mark.parametrize("seq_len", [1, 5, 8])
def test_every_time_step_is_labelled_up_to_eight(seq_len):
    art = output_vs_h_n(run(RNNConfig(num_layers=2), seq_len=seq_len))
    steps = [(lb.text, lb.y) for lb in texts_on(art, art.output_ax, ha="right")]
    assert steps == [(f"t={t}", t) for t in range(seq_len)]


def test_past_eight_steps_the_ends_and_the_marked_steps_are_labelled():
    r = run(RNNConfig(num_layers=1, bidirectional=True), seq_len=12, batch_size=2, lengths=[12, 7])
    art = output_vs_h_n(r, batch=1)
    steps = [lb.text for lb in texts_on(art, art.output_ax, ha="right")]
    assert steps == ["t=0", "t=6", "t=11"]  # step 6 is sequence 1's last valid step, outlined in output


def arrow_geometry(arrow):
    """(x, tail y, tip y) of an arrow: the shaft's x and start, and the head's point."""
    shaft, head = arrow
    xs, ys = shaft.get_data()
    tip = head.get_xy()[2]
    assert xs[0] == xs[1] == tip[0]
    return xs[0], ys[0], tip[1]


@pytest.mark.parametrize(
    "config,lengths",
    [
        (RNNConfig(num_layers=2, bidirectional=True, batch_first=True), None),
        (RNNConfig(num_layers=1, bidirectional=False), None),
        (RNNConfig(cell="lstm", num_layers=2, bidirectional=True), [5, 3]),
    ],
    ids=["bi", "one-direction", "bi-packed"],
)
def test_arrows_show_the_order_each_pass_reads_the_steps(config, lengths):
    r = run(config, seq_len=5, batch_size=2, lengths=lengths)
    for batch in range(2):
        art = output_vs_h_n(r, batch=batch)
        last = int(last_valid_steps(r)[batch])
        columns = image_data(art.output_image).shape[1]
        # forward: left of output, from step 0 down to the last valid step
        x, tail, tip = arrow_geometry(art.arrows[FORWARD])
        assert x < -0.5 and tail < 0 < last < tip or (last == 0 and tail < tip)
        assert round(tip) == last and round(tail) == 0
        # backward: right of output, from the last valid step up to step 0; only with two directions
        x, tail, tip = arrow_geometry(art.arrows[BACKWARD])
        assert all(a.get_visible() for a in art.arrows[BACKWARD]) == config.bidirectional
        assert x > columns - 0.5 and tail > tip and round(tail) == last and round(tip) == 0
        for direction, (shaft, head) in art.arrows.items():  # drawn like the outlines of the same direction
            assert shaft.get_linestyle() == MARK_STYLE[direction]["linestyle"]
            for color in (shaft.get_color(), head.get_facecolor()):
                assert matplotlib.colors.same_color(color, MARK_STYLE[direction]["edgecolor"])
        passes = [lb.text for lb in texts_on(art, art.output_ax, rotation=90, size=8)]
        assert passes == ["forward pass", "backward pass"][: config.num_directions]


@pytest.mark.parametrize(
    "config,lengths",
    [
        (RNNConfig(num_layers=3, bidirectional=True, batch_first=True), None),
        (RNNConfig(cell="lstm", num_layers=2), None),
        (RNNConfig(num_layers=2, bidirectional=True), [2, 4]),
    ],
    ids=["gru-3-bi", "lstm-2", "gru-2-bi-packed"],
)
def test_rows_of_h_n_are_tagged_with_where_output_holds_them(config, lengths):
    r = run(config, seq_len=4, batch_size=2, lengths=lengths)
    for batch in range(2):
        art = output_vs_h_n(r, batch=batch)
        out, h = batch_tensors(r, batch)
        tags = {lb.y: lb.text for lb in texts_on(art, art.h_n_ax, ha="left", rotation=0) if lb.x == h.shape[1] - 0.5}
        assert sorted(tags) == list(range(h.shape[0]))
        for row in range(h.shape[0]):
            # search output by torch: every step, both halves
            found = [
                t
                for t in range(out.shape[0])
                for d in range(config.num_directions)
                if torch.equal(out[t, d * config.h_out : (d + 1) * config.h_out], h[row])
            ]
            if tags[row] == "not in output":
                assert not found, (row, found)
            else:
                assert tags[row] == f"in output, t={found[0]}" and len(found) == 1
        # the untagged-by-torch rows are exactly the lower layers
        lower = {
            state_index(layer, d, config.num_layers, config.bidirectional)
            for layer in range(config.num_layers - 1)
            for d in range(config.num_directions)
        }
        assert {row for row, tag in tags.items() if tag == "not in output"} == lower


def test_a_large_value_in_a_lower_layer_is_clipped_and_the_scale_says_so():
    for seed in range(40):  # find a run whose lower layer goes past output's range; found quickly
        r = run(RNNConfig(num_layers=2, seed=seed), seq_len=3, batch_size=1)
        out, h = batch_tensors(r, 0)
        if h.abs().max() > out.abs().max():
            break
    else:
        pytest.fail("no run with a lower layer beyond output's range")
    art = output_vs_h_n(r)
    vmax = out.abs().max().item()
    assert art.h_n_image.get_clim() == pytest.approx((-vmax, vmax))
    ends = [lb.text for lb in texts_on(art, art.scale_ax, rotation=0)]
    top, bottom = f"{vmax:+.2f}", f"{-vmax:+.2f}"
    assert ends == [("≥" if h.max() > vmax else "") + top, "0", ("≤" if h.min() < -vmax else "") + bottom]


def rendered_width(fig) -> int:
    """Width in pixels of the PNG JupyterLab stores for fig (the inline backend: fig.dpi, tight box)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    return Image.open(io.BytesIO(buffer.getvalue())).size[0]


@pytest.mark.parametrize(
    "config,seq_len",
    [
        (RNNConfig(num_layers=2, batch_first=True), 7),
        (RNNConfig(num_layers=2, bidirectional=True), 5),
        (RNNConfig(num_layers=1), 1),
    ],
)
def test_static_figures_are_at_least_600_px_wide(config, seq_len):
    assert rendered_width(output_vs_h_n(run(config, seq_len=seq_len)).fig) >= 600


def test_mark_words_name_the_mark_styles():
    """The words a notebook uses for the marks ("green, solid") say what MARK_STYLE draws."""
    for direction, words in MARK_WORDS.items():
        colour, line = words.split(", ")
        assert MARK_STYLE[direction]["edgecolor"] == f"tab:{colour}"
        assert MARK_STYLE[direction]["linestyle"] == {"solid": "-", "dashed": "--"}[line]


# --- text as paths ----------------------------------------------------------------------------------------


def test_draw_labels_draws_each_colour_as_one_patch_and_reuses_it():
    fig = matplotlib.figure.Figure(figsize=(4, 3))
    ax = fig.add_axes((0.2, 0.2, 0.6, 0.6))
    ax.set_xlim(0, 10)
    first = [Label(ax, 1, 1, "ab"), Label(ax, 5, 5, "c", color="white"), Label(ax, 0.5, 0.5, "d", coords="axes")]
    patches = draw_labels(fig, first)
    assert set(patches) == {"black", "white"} and all(p in fig.artists for p in patches.values())
    black = label_vertices([first[0], first[2]], fig)
    np.testing.assert_array_equal(patches["black"].get_path().vertices, np.concatenate(black))
    # a label anchored at axes (0.5, 0.5) with ha="left", va="center" starts at the axes' middle
    x0 = fig.transFigure.transform(black[1]).min(0)[0]
    assert x0 == pytest.approx(ax.transAxes.transform((0.5, 0.5))[0], abs=1.5)
    again = draw_labels(fig, [Label(ax, 2, 2, "ab")], patches)
    assert again["black"] is patches["black"] and len(again["white"].get_path().vertices) == 0


def test_a_turned_label_reads_upwards_and_offsets_are_points():
    fig = matplotlib.figure.Figure(figsize=(4, 3), dpi=100)
    ax = fig.add_axes((0.2, 0.2, 0.6, 0.6))
    flat, turned, moved = label_vertices(
        [Label(ax, 0, 0, "time"), Label(ax, 0, 0, "time", rotation=90), Label(ax, 0, 0, "time", offset=(72, 0))], fig
    )
    size = fig.get_size_inches()
    flat_w, flat_h = np.ptp(flat, axis=0) * size
    turned_w, turned_h = np.ptp(turned, axis=0) * size
    assert turned_h == pytest.approx(flat_w) and turned_w == pytest.approx(flat_h)  # inches, turned a quarter
    np.testing.assert_allclose((moved - flat) * size, np.tile([1.0, 0.0], (len(flat), 1)), atol=1e-9)  # 72 pt


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(rotation=45), r"rotation=45 is not allowed: rotation must be 0 or 90"),
        (dict(coords="figure"), r"coords='figure' is not allowed: coords must be 'data' or 'axes'"),
    ],
)
def test_bad_label_options_are_value_errors(kwargs, message):
    ax = matplotlib.figure.Figure().add_subplot()
    with pytest.raises(ValueError, match=message):
        Label(ax, 0, 0, "x", **kwargs)


@pytest.mark.parametrize(
    "kwargs,named",
    [
        (dict(direction=7), "direction=7"),
        (dict(direction=True), "direction=True"),
        (dict(row=-1), "row=-1"),
        (dict(cols=slice(2, 1)), "cols=slice(2, 1, None)"),
        (dict(cols=3), "cols=3"),
    ],
)
def test_mark_cells_rejects_bad_input_with_a_value_error(kwargs, named):
    ax = Figure().add_subplot()
    args = dict(row=0, cols=slice(0, 1), direction=0) | kwargs
    with pytest.raises(ValueError, match="is not allowed") as info:
        mark_cells(ax, args["row"], args["cols"], direction=args["direction"])
    assert str(info.value).startswith(named)
