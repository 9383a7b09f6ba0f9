"""A view with a picture memory draws the next steps while the kernel is idle, and they are the right pictures."""

from __future__ import annotations

import asyncio
import io
import struct

import ipywidgets
import numpy as np
from PIL import Image

from helpers import output_vs_h_n_view
from helpers.views.base import PNG_SIGNATURE, neighbours, rgba_png


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def fresh_picture(values: dict) -> bytes:
    """The picture a brand-new view draws for these values: nothing remembered, nothing updated in place."""
    view = output_vs_h_n_view(
        num_layers=values["num_layers"], seq_len=values["seq_len"], bidirectional=values["bidirectional"]
    )
    view.controls["batch"].value = values["batch"]
    return bytes(view.image.value)


def move_in_a_loop(view, name: str, value, idle_s: float = 1.0) -> None:
    """Move one control from inside a running event loop, as a message from the page does in a kernel."""

    async def main():
        view.controls[name].value = value
        await asyncio.sleep(idle_s)

    asyncio.run(main())


def test_neighbours_step_both_ways_the_way_the_control_moved_first():
    slider = ipywidgets.IntSlider(3, min=1, max=8)
    changes = []
    slider.observe(changes.append, names="value")
    assert neighbours(slider) == [4, 2]
    slider.value = 2  # moved down: the next step down comes first
    assert neighbours(slider, changes[-1]) == [1, 3]
    slider.value = 1  # at the end: only one way to go
    assert neighbours(slider, changes[-1]) == [2]
    assert neighbours(ipywidgets.Checkbox(True)) == [False]
    dropdown = ipywidgets.Dropdown(options=["rnn", "gru", "lstm"], value="gru")
    assert neighbours(dropdown) == ["lstm", "rnn"]
    assert neighbours(ipywidgets.Text("x")) == []


def test_after_a_move_in_a_kernel_loop_every_next_step_is_drawn_and_right():
    view = output_vs_h_n_view(num_layers=2, seq_len=5, bidirectional=True)
    move_in_a_loop(view, "seq_len", 6)
    current = view.values()
    expected = [
        {**current, "seq_len": 7},
        {**current, "seq_len": 5},
        {**current, "num_layers": 3},
        {**current, "num_layers": 1},
        {**current, "batch": 1},
        {**current, "bidirectional": False},
    ]
    assert view.next_steps() == [expected[i] for i in (2, 3, 0, 1, 4, 5)]  # no move given: controls in order
    for values in expected:
        key = tuple(values.items())
        assert key in view.picture_memory, f"not drawn ahead: {values}"
        assert np.array_equal(pixels(view.picture_memory[key]), pixels(fresh_picture(values))), values
    # the picture on show is still the one for the current values
    assert np.array_equal(pixels(bytes(view.image.value)), pixels(fresh_picture(current)))


def test_a_step_drawn_ahead_is_shown_without_drawing():
    view = output_vs_h_n_view(num_layers=2, seq_len=5, bidirectional=True)
    move_in_a_loop(view, "seq_len", 6)
    drawn = []
    render = view._render
    view._render = lambda **values: drawn.append(values) or render(**values)
    view.controls["seq_len"].value = 7  # drawn ahead after the last move
    assert drawn == []
    assert np.array_equal(pixels(bytes(view.image.value)), pixels(fresh_picture(view.values())))


def test_outside_an_event_loop_nothing_is_drawn_ahead():
    view = output_vs_h_n_view(num_layers=2, seq_len=5, bidirectional=True)
    view.controls["seq_len"].value = 6
    assert len(view.picture_memory) == 2  # the first picture and this one


def test_opaque_pictures_are_stored_as_rgb_and_keep_every_pixel():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(5, 7, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    png = rgba_png(rgba)
    assert png.startswith(PNG_SIGNATURE)
    width, height, depth, colour_type = struct.unpack(">IIBB", png[16:26])
    assert (width, height, depth, colour_type) == (7, 5, 8, 2)
    assert np.array_equal(pixels(png), rgba)
    rgba[0, 0, 3] = 128  # one see-through pixel: the alpha channel stays
    png = rgba_png(rgba)
    assert struct.unpack(">B", png[25:26]) == (6,)
    assert np.array_equal(pixels(png), rgba)
