"""helpers.views: setting a control re-renders the Image, and what is drawn is what torch returns."""

import base64
import io

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

from helpers import RNNConfig, output_vs_h_n_figure, output_vs_h_n_view, run
from helpers.views import (
    VIEW_DPI,
    VIEW_FIGSIZE,
    SliderView,
    cached_run,
    compute_output_vs_h_n,
    draw_output_vs_h_n,
    png_bytes,
)
from helpers.views.page import PagePictures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png(view) -> bytes:
    """The Image's value as bytes (ipywidgets keeps it as a memoryview)."""
    return view.png


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(data)).size


def fresh(num_layers, seq_len, bidirectional, batch_size=3, **config):
    """The run the view should show, built from scratch by helpers.run (no cache)."""
    cfg = RNNConfig(
        cell=config.pop("cell", "gru"),
        input_size=4,
        hidden_size=3,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=True,
        **config,
    )
    return run(cfg, seq_len=seq_len, batch_size=batch_size)


def drawn(view):
    """The arrays on the view's two heatmaps."""
    return np.asarray(view.artists.output_image.get_array()), np.asarray(view.artists.h_n_image.get_array())


def assert_shows(view, num_layers, seq_len, batch, bidirectional):
    expected = fresh(num_layers, seq_len, bidirectional)
    assert torch.equal(view.current_run.output, expected.output)
    assert torch.equal(view.current_run.h_n, expected.h_n)
    out, h = drawn(view)
    assert torch.equal(torch.from_numpy(out), expected.output[batch].detach())  # (L, D * H_out)
    assert torch.equal(torch.from_numpy(h), expected.h_n[:, batch].detach())  # (num_layers * D, H_out)


def test_view_has_the_shared_convention_attributes():
    view = output_vs_h_n_view()
    assert isinstance(view, ipywidgets.VBox) and isinstance(view, SliderView)
    assert set(view.controls) == {"num_layers", "seq_len", "batch", "bidirectional"}
    # the page's side of the picture: it starts with exactly the PNG on show, as a data: URL, by its key
    assert isinstance(view.image, PagePictures) and view.image in view.children
    prefix = "data:image/png;base64,"
    start = view.image.start
    assert start["key"] == view.key() == "[2,5,0,false]"
    assert start["url"].startswith(prefix) and base64.b64decode(start["url"][len(prefix) :]) == png(view)
    assert view.image.controls == list(view.controls.values()) and view.image.kinds == ["value"] * 4
    assert png_size(png(view)) == (int(VIEW_FIGSIZE[0] * VIEW_DPI), int(VIEW_FIGSIZE[1] * VIEW_DPI))
    assert view.values() == {"num_layers": 2, "seq_len": 5, "batch": 0, "bidirectional": False}
    assert_shows(view, 2, 5, 0, False)


@pytest.mark.parametrize("name,value", [("num_layers", 3), ("seq_len", 1), ("batch", 2), ("bidirectional", True)])
def test_each_control_re_renders_what_torch_returns(name, value):
    view = output_vs_h_n_view()
    before = png(view)
    view.controls[name].value = value
    assert png(view) != before and png(view).startswith(PNG_SIGNATURE)
    settings = {**view.values()}
    assert settings[name] == value
    assert_shows(view, settings["num_layers"], settings["seq_len"], settings["batch"], settings["bidirectional"])


def test_a_walk_through_the_controls_keeps_the_picture_right_and_the_figure_reused():
    view = output_vs_h_n_view(num_layers=1, seq_len=2)
    figure, axes = view.figure, list(view.figure.axes)
    images = {png(view)}
    for name, value in [
        ("bidirectional", True),
        ("num_layers", 3),
        ("seq_len", 8),
        ("batch", 1),
        ("num_layers", 2),
        ("bidirectional", False),
        ("seq_len", 3),
    ]:
        view.controls[name].value = value
        s = view.values()
        assert_shows(view, s["num_layers"], s["seq_len"], s["batch"], s["bidirectional"])
        assert view.figure is figure and view.figure.axes == axes
        images.add(png(view))
    assert len(images) == 8  # every position gave a different picture
    view.controls["seq_len"].value = 2
    view.controls["seq_len"].value = 3
    assert png(view) in images  # and going back gives the same bytes again


def test_the_view_options_reach_the_model():
    view = output_vs_h_n_view(
        cell="lstm",
        max_layers=4,
        max_seq_len=3,
        batch_size=5,
        num_layers=4,
        seq_len=3,
        bidirectional=True,
        hidden_size=2,
        seed=7,
    )
    cfg = view.current_run.config
    assert (cfg.cell, cfg.num_layers, cfg.bidirectional, cfg.hidden_size, cfg.seed) == ("lstm", 4, True, 2, 7)
    assert view.controls["batch"].max == 4 and view.controls["seq_len"].max == 3
    assert tuple(view.current_run.output.shape) == (5, 3, 4)  # (N, L, D * H_out)


def test_compute_is_pure_and_cached():
    a = compute_output_vs_h_n(2, 4, True)
    assert compute_output_vs_h_n(2, 4, True) is a  # remembered
    b = fresh(2, 4, True)
    assert torch.equal(a.output, b.output) and torch.equal(a.h_n, b.h_n)
    assert cached_run.cache_info().maxsize >= 48  # every slider position of the default view fits


def test_static_figure_is_the_same_drawing_as_the_view():
    fig = output_vs_h_n_figure(num_layers=3, seq_len=6, batch=2, bidirectional=True)
    assert isinstance(fig, Figure)
    view = output_vs_h_n_view()
    for name, value in [("num_layers", 3), ("seq_len", 6), ("batch", 2), ("bidirectional", True)]:
        view.controls[name].value = value
    static_images = [c for ax in fig.axes[:2] for c in ax.collections if c.get_visible()]  # output, then h_n
    assert len(static_images) == 2
    for static, live in zip(static_images, [view.artists.output_image, view.artists.h_n_image]):
        np.testing.assert_array_equal(static.get_array(), live.get_array())
    assert fig.legends  # the static figure explains its outlines; the live view leaves that to the text
    assert plt.get_fignums() == []  # neither was registered with pyplot


def test_the_live_view_reads_like_the_static_figure():
    """At least 600 px wide, and the same labels (values, axis names, tags, arrows) as the static figure."""
    view = output_vs_h_n_view(num_layers=3, seq_len=8, bidirectional=True)  # the most cells the sliders allow
    assert png_size(png(view))[0] >= 600
    static = draw_output_vs_h_n(Figure(figsize=VIEW_FIGSIZE), compute_output_vs_h_n(3, 8, True), 0, legend=True)
    live = view.artists
    assert [lb.text for lb in live.texts] == [lb.text for lb in static.texts]
    out, h = drawn(view)
    assert len(live.values) == out.size + h.size  # every value printed, even at the largest setting
    assert {
        "time step t",
        "hidden unit",
        "layer, direction",
        "hidden-state value",
        "not in output",
        "forward pass",
        "backward pass",
    } <= {lb.text for lb in live.texts}
    assert all(part.get_visible() for arrow in live.arrows.values() for part in arrow)


def test_draw_updates_artists_on_the_figure_it_is_given():
    fig = Figure(figsize=VIEW_FIGSIZE, dpi=VIEW_DPI)
    first = draw_output_vs_h_n(fig, fresh(1, 2, False))
    again = draw_output_vs_h_n(fig, fresh(3, 4, True), batch=1, artists=first)
    assert again is first and first.fig is fig
    assert np.asarray(first.h_n_image.get_array()).shape == (6, 3)
    assert png_bytes(fig).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(batch_size=0), r"batch_size=0 is not allowed: batch_size must be an integer >= 1"),
        (dict(max_layers=2, num_layers=3), r"num_layers=3 is not allowed: num_layers must be an integer from 1 to 2"),
        (dict(seq_len=9), r"seq_len=9 is not allowed: seq_len must be an integer from 1 to 8"),
        (dict(max_seq_len=2.5), r"max_seq_len=2.5 is not allowed"),
        (dict(cell="transformer"), r"cell='transformer' is not allowed"),
        (dict(bidirectional=1), r"bidirectional=1 is not allowed"),
        (dict(proj_size=1), r"proj_size=1 is not allowed: the view takes only"),
    ],
)
def test_bad_view_options_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        output_vs_h_n_view(**kwargs)


def test_static_figure_rejects_a_batch_element_that_is_not_there():
    with pytest.raises(ValueError, match=r"batch=3 is not allowed: batch must be an integer from 0 to 2"):
        output_vs_h_n_figure(batch=3)


def test_frame_cache_draws_once_per_key_and_forgets_the_oldest():
    from helpers.views.base import FrameCache

    drawn = []
    cache = FrameCache(size=2)
    for key in ["a", "b", "a", "c", "a"]:
        cache.get_or_draw(key, lambda key=key: drawn.append(key) or key.encode())
    # the second "a" comes from memory; "c" pushes out the oldest, "a", which is then drawn again
    assert drawn == ["a", "b", "c", "a"]
    assert list(cache) == ["c", "a"] and cache["a"] == b"a"
