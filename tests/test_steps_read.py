"""The steps-read view: what it draws is torch's output, the read spans are t + 1 and L - t, controls re-render."""

import io

import numpy as np
import pytest
import torch
from matplotlib.patches import Rectangle
from PIL import Image

from helpers import RNNConfig, run, steps_read_figure, steps_read_view
from helpers.plots.steps_read import StepsRead
from helpers.views import VIEW_DPI, SliderView
from helpers.views.page import PagePictures
from helpers.views.steps_read import VIEW_FIGSIZE, compute_steps_read, halves_match, steps_read_config


def fresh(seq_len, cell="gru"):
    """The run the view should show, built from scratch (no cache)."""
    return run(RNNConfig(cell=cell, input_size=4, hidden_size=3, bidirectional=True), seq_len=seq_len, batch_size=1)


def png(view) -> bytes:
    return view.png


def gids(ax) -> list[str]:
    return [a.get_gid() for a in ax.get_children() if a.get_gid()]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_compute_shows_torch_output_and_both_halves_match_shorter_runs(cell):
    r = fresh(6, cell)
    for t in range(6):
        data = compute_steps_read(6, t, cell=cell)
        assert np.array_equal(data.output, r.output[:, 0].detach().numpy())
        assert (data.forward_read, data.backward_read) == (t + 1, 6 - t)
        assert data.forward_matches and data.backward_matches
        # the same check, written here by plain indexing: x[0..t] forward, x[t..5] backward
        head, tail = r.module(r.x[: t + 1])[1], r.module(r.x[t:])[1]
        head, tail = (head[0], tail[0]) if cell == "lstm" else (head, tail)
        torch.testing.assert_close(r.output[t, :, :3], head[0])
        torch.testing.assert_close(r.output[t, :, 3:], tail[1])


def test_a_wrong_half_would_be_caught():
    r = fresh(5)
    tail = r.module(r.x[4:])[1]
    assert not torch.allclose(r.output[4, :, :3], tail[0])  # forward half at the end has read all 5 tokens


def test_figure_draws_the_data_and_marks_row_t():
    fig = steps_read_figure(seq_len=7, t=3)
    assert fig.get_size_inches()[0] * fig.dpi >= 600
    output_ax, scale_ax, read_ax = fig.axes
    image = output_ax.images[0]
    assert np.array_equal(np.asarray(image.get_array()), fresh(7).output[:, 0].detach().numpy())
    labels = gids(read_ax)
    assert "t + 1 = 4" in labels and "L - t = 4" in labels and "tokens read by output[3], one layer" in labels
    assert any(
        g.startswith("checked against runs over x[0..3] (forward) and x[3..6] (backward) only: True, True")
        for g in gids(output_ax)
    )
    spans = [p for p in read_ax.patches if isinstance(p, Rectangle) and p.get_width() == pytest.approx(0.9)]
    forward, backward = spans
    assert (forward.get_y(), forward.get_y() + forward.get_height()) == pytest.approx((-0.45, 3.45))  # x[0..3]
    assert (backward.get_y(), backward.get_y() + backward.get_height()) == pytest.approx((2.55, 6.45))  # x[3..6]


def test_view_controls_rerender_and_show_what_torch_returns():
    view = steps_read_view(seq_len=6, t=2)
    assert isinstance(view, SliderView) and set(view.controls) == {"t", "seq_len"}
    assert isinstance(view.image, PagePictures) and view.image in view.children
    size = Image.open(io.BytesIO(png(view))).size
    assert size == (int(VIEW_FIGSIZE[0] * VIEW_DPI), int(VIEW_FIGSIZE[1] * VIEW_DPI))
    before = png(view)
    view.controls["t"].value = 5
    assert png(view) != before and view.current.t == 5
    view.controls["seq_len"].value = 3  # t must follow: 5 is past the end now
    assert view.controls["t"].max == 2 and view.values() == {"t": 2, "seq_len": 3}
    assert view.current.t == 2 and view.current.seq_len == 3
    assert np.array_equal(np.asarray(view.artists.image.get_array()), fresh(3).output[:, 0].detach().numpy())
    view.controls["seq_len"].value = 8
    assert view.controls["t"].max == 7 and view.current.seq_len == 8


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: steps_read_view(seq_len=9), r"seq_len=9 is not allowed"),
        (lambda: steps_read_view(seq_len=4, t=4), r"t=4 is not allowed"),
        (lambda: steps_read_view(batch_first=True), r"batch_first=True is not allowed"),
        (lambda: steps_read_view(num_layers=2), r"num_layers=2 is not allowed"),
        (lambda: halves_match(RNNConfig(num_layers=1), 4, 0), r"bidirectional=False is not allowed"),
        (lambda: halves_match(steps_read_config(), 4, 4), r"t=4 is not allowed"),
        (lambda: steps_read_view(cell="transformer"), r"cell='transformer' is not allowed"),
        (lambda: steps_read_figure(seq_len=0), r"seq_len=0 is not allowed"),
        (lambda: compute_steps_read(5, -1), r"t=-1 is not allowed"),
        (lambda: StepsRead(np.zeros((3, 5)), 0, "output", True, True), r"output.shape=\(3, 5\) is not allowed"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_view_module_has_one_layer():
    assert steps_read_config().num_layers == 1 and steps_read_config().bidirectional


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("num_layers", [2, 3])
def test_counts_fail_just_outside_one_layer(cell, num_layers):
    """With two layers or more, the top layer's halves are not runs over t + 1 and L - t tokens: why one layer."""
    config = RNNConfig(cell=cell, input_size=4, hidden_size=3, num_layers=num_layers, bidirectional=True)
    seq_len = 5
    for t in range(seq_len):
        forward, backward = halves_match(config, seq_len, t)
        assert forward == (t == seq_len - 1)  # only the last step's forward half is a run over the whole sequence
        assert backward == (t == 0)  # only step 0's backward half is
    # and by perturbation: x[-1] moves the forward half of output[0], x[0] the backward half of output[-1]
    r = run(config, seq_len=seq_len, batch_size=1)
    last, first = r.x.clone(), r.x.clone()
    last[-1] += 1.0
    first[0] += 1.0
    assert not torch.equal(r.module(last)[0][0, :, :3], r.output[0, :, :3])
    assert not torch.equal(r.module(first)[0][-1, :, 3:], r.output[-1, :, 3:])
    one = run(steps_read_config(cell), seq_len=seq_len, batch_size=1)  # one layer: neither moves
    assert torch.equal(one.module(torch.cat([one.x[:-1], one.x[-1:] + 1.0]))[0][0, :, :3], one.output[0, :, :3])
