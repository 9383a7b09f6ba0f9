"""helpers.views.lstm_states and helpers.plots.lstm_states: what is drawn is what torch returns."""

import io

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

from helpers import RNNConfig, run
from helpers.lstm_steps import lstm_steps
from helpers.plots.lstm_states import layer_slices, lstm_states
from helpers.plots.text import glyphs
from helpers.plots.text_batch import TextBatch, fast_glyphs
from helpers.views.lstm_states import compute_lstm_states, lstm_states_figure, lstm_states_view


def drawn(art):
    return np.asarray(art.h_image.get_array()), np.asarray(art.c_image.get_array())


def expected(num_layers, proj, layer, batch):
    """h_t and c_t of one layer and sequence, from a fresh run: the top layer from output, the last step from h_n."""
    r = run(
        RNNConfig(cell="lstm", input_size=3, hidden_size=4, num_layers=num_layers, proj_size=2 if proj else 0),
        seq_len=6,
        batch_size=3,
    )
    return r, lstm_steps(r.module, r.x)


@pytest.mark.parametrize("layer,batch,proj", [(0, 0, False), (1, 2, False), (1, 1, True), (0, 2, True)])
def test_view_shows_one_layers_states_and_they_agree_with_torch(layer, batch, proj):
    view = lstm_states_view()
    for name, value in (("layer", layer), ("batch", batch), ("proj", proj)):
        view.controls[name].value = value
    h, c = drawn(view.artists)
    r, _ = expected(2, proj, layer, batch)
    assert h.shape == (2 if proj else 4, 6) and c.shape == (4, 6)  # (H_out, L), (hidden_size, L)
    torch.testing.assert_close(torch.from_numpy(h[:, -1]), r.h_n[layer, batch].detach())
    torch.testing.assert_close(torch.from_numpy(c[:, -1]), r.c_n[layer, batch].detach())
    if layer == 1:  # the top layer's h at every step is output
        torch.testing.assert_close(torch.from_numpy(h.T), r.output[:, batch].detach())
    assert view.artists.output_mark.get_visible() == (layer == 1)
    texts = view.artists.text.texts
    assert f"solid outline: last column = h_n[{layer}, {batch}]" in texts
    assert f"dashed outline: last column = c_n[{layer}, {batch}]" in texts
    assert f"{c[0, 0]:.2f}".replace("-0.00", "0.00") in texts  # values are written in their cells
    assert Image.open(io.BytesIO(view.png)).size[0] >= 600


def test_layer_slices_is_plain_indexing():
    r, steps = expected(2, True, 0, 0)
    h, c = layer_slices(steps, 1, 2)
    assert np.array_equal(h, steps.h[1, 0, :, 2].T.numpy()) and np.array_equal(c, steps.c[1, 0, :, 2].T.numpy())


def test_figure_is_the_views_drawing_and_compute_is_cached():
    fig = lstm_states_figure(layer=1, batch=2, proj=True)
    view = lstm_states_view()
    view.controls["layer"].value, view.controls["batch"].value, view.controls["proj"].value = 1, 2, True
    for static, live in zip(fig.axes[:2], (view.artists.h_image, view.artists.c_image)):
        np.testing.assert_array_equal(static.images[0].get_array(), live.get_array())
    assert compute_lstm_states(2, True) is compute_lstm_states(2, True)


def test_update_reuses_the_artists():
    fig = Figure()
    _, steps = compute_lstm_states(3, False)
    art = lstm_states(steps, layer=0, batch=0, fig=fig)
    axes, patches = list(fig.axes), dict(art.text.patches)
    from helpers.views.lstm_states import draw_lstm_states

    assert draw_lstm_states(fig, steps, 2, 1, art) is art
    assert fig.axes == axes and art.text.patches == patches


def test_text_batch_writes_every_label_and_fast_glyphs_match_textpath():
    fig = Figure()
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    batch = TextBatch(fig)
    batch.add(ax, 0, 0, "h_n[1, 0] = -0.25")
    batch.add(ax, 0.5, 0.5, "white", color="white", coords="axes")
    patches = batch.draw()
    assert set(patches) == {"black", "white"} and batch.texts == ["h_n[1, 0] = -0.25", "white"]
    for text in ("-0.25", "0.125", "t \u2192"):
        np.testing.assert_allclose(fast_glyphs(text, 8)[0].vertices, glyphs(text, 8)[0].vertices, atol=1e-9)
    assert len(fast_glyphs(" ", 8)[0].vertices) == 0


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(num_layers=5), r"num_layers=5 is not allowed: num_layers must be an integer from 1 to 4"),
        (dict(proj_size=4), r"proj_size=4 is not allowed: proj_size must be an integer from 1 to 3"),
        (dict(bidirectional=True), r"bidirectional=True is not allowed: the view takes only"),
        (dict(seq_len=0), r"seq_len=0 is not allowed"),
    ],
)
def test_bad_view_options_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lstm_states_view(**kwargs)


def test_static_figure_rejects_a_layer_that_is_not_there():
    with pytest.raises(ValueError, match=r"layer=2 is not allowed: layer must be an integer from 0 to 1"):
        lstm_states_figure(layer=2)


def test_a_control_moved_back_shows_the_same_frame_without_drawing_again():
    view = lstm_states_view()
    first = view.png
    view.controls["batch"].value = 1
    drawn_texts = list(view.artists.text.texts)
    view.controls["batch"].value = 0
    assert view.png == first
    assert view.artists.text.texts == drawn_texts  # served from the frame cache, not redrawn
    assert set(view.picture_memory) == {
        (("layer", 0), ("batch", 0), ("proj", False)),
        (("layer", 0), ("batch", 1), ("proj", False)),
    }
