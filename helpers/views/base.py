"""What every slider view shares: PNG bytes from Agg, a cached run, and SliderView, which wires controls to an Image."""

from __future__ import annotations

import asyncio
import base64
import struct
import zlib
from collections.abc import Callable
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

from ..models import RNNConfig, RNNRun, run
from ..plots.alt import alt_of
from .page import (
    ALL_AT_ONCE,
    STATIC_BUDGET,
    PagePictures,
    control_spec,
    every_setting,
    key_of,
    setting_count,
    static_note,
    subset_settings,
)

VIEW_DPI = 72
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# After a control moves, a view with a frame memory draws the pictures one step away while the kernel
# is idle, so that the next step is already drawn. It waits this long first (seconds), which leaves
# the CPU to the browser while it shows the picture just sent, and draws one picture per turn of the
# kernel's event loop, so a new message never waits for more than one drawing.
PREFETCH_DELAY_S = 0.01
PNG_DATA_URL = b"data:image/png;base64,"
_CURRENT = object()  # neighbours(): no value given, use the control's own


def png_data_url(png: bytes) -> bytes:
    """PNG bytes as a data: URL, which is what a view's Image carries."""
    return PNG_DATA_URL + base64.b64encode(png)


@lru_cache(maxsize=128)
def cached_run(config: RNNConfig, seq_len: int, batch_size: int) -> RNNRun:
    """helpers.run, remembered per (config, seq_len, batch_size); treat the result as read-only."""
    return run(config, seq_len=seq_len, batch_size=batch_size)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(fig: Figure) -> bytes:
    """Render fig with Agg to PNG bytes, favouring speed over file size."""
    width, height = (int(n) for n in fig.bbox.max)
    renderer = RendererAgg(width, height, fig.dpi)  # the pixels savefig would draw, without its ~1 ms of set-up
    fig.draw(renderer)
    return rgba_png(np.asarray(renderer.buffer_rgba()))


def rgba_png(rgba: np.ndarray) -> bytes:
    """Encode an (height, width, 4) uint8 RGBA array as PNG bytes, favouring speed over file size.

    An opaque picture (every alpha 255, as a figure on its white face is) is stored as RGB: a quarter
    fewer bytes to deflate, send and inflate, for the same pixels.
    """
    height, width = rgba.shape[:2]
    opaque = bool((rgba[..., 3] == 255).all())
    pixels = rgba[..., :3] if opaque else rgba
    channels = pixels.shape[2]
    # A minimal PNG: every row behind a 0 byte (no filter), deflated at level 1. Pillow spends ~1.5 ms
    # more per frame choosing a filter for each row, which shrinks these flat pictures very little.
    rows = np.zeros((height, 1 + channels * width), np.uint8)
    rows[:, 1:] = pixels.reshape(height, -1)
    colour_type = 2 if opaque else 6  # 8-bit RGB or RGBA; deflate, no filter, no interlace
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 1)) + _chunk(b"IEND", b"")


def neighbours(control, change=None, value=_CURRENT) -> list:
    """The values one step from a control's value (or from `value`), the way it last moved first; [] if none.

    Sliders and selections step to the next value on either side; a checkbox flips. `change` is the
    traitlets change that last moved this control, if any.
    """
    value = control.value if value is _CURRENT else value
    if isinstance(value, bool):
        return [not value]
    if hasattr(control, "options") and hasattr(control, "index"):  # dropdowns, selection sliders, toggles
        options = _option_values(control)
        index = options.index(value) if value in options else None
        if index is None:
            return []
        candidates = [options[i] for i in (index + 1, index - 1) if 0 <= i < len(options)]
    elif all(hasattr(control, a) for a in ("min", "max", "step")) and control.step:
        candidates = [v for v in (value + control.step, value - control.step) if control.min <= v <= control.max]
    else:
        return []
    if change is not None and change.owner is control and _moved_down(change) and len(candidates) == 2:
        candidates.reverse()
    return candidates


def _option_values(control) -> list:
    """The values a selection control can take, in order (a dropdown's options may be (label, value) pairs)."""
    return list(getattr(control, "_options_values", None) or control.options)


def _moved_down(change) -> bool:
    """Whether a change moved a value down (towards the start of a slider or of a list of options)."""
    owner = change.owner
    if hasattr(owner, "options") and hasattr(owner, "index"):
        options = _option_values(owner)
        return change.old in options and options.index(change.old) > options.index(change.new)
    try:
        return change.new < change.old
    except TypeError:
        return False


class SliderView(widgets.VBox):
    """Controls above a picture that the page holds (helpers/views/page.py and page.js).

    When a control moves, the page shows the picture for the new values from its own memory; the kernel learns
    the values, sets `png` (the PNG for them, drawn or remembered) and sends the page that picture if it was not
    sent before. Once a page is open it draws ahead while the kernel is idle and sends each picture as it is drawn:
    the settings one step away on every control (the control just moved first, onwards first), then, for a view
    with at most page.ALL_AT_ONCE settings, every other one. Pictures travel as data: URLs, which the page
    decodes ahead of time.

    `render` must depend on the controls' values alone: a picture is remembered by them (`picture_memory`, a
    FrameCache; a view given none gets one, and draws the picture on show anew at each move, so that its
    figure and attributes describe the current values). Attributes named in `_shown_attributes` describe the
    picture on show; drawing ahead leaves them as they were.
    """

    png = traitlets.Bytes(b"")  # the PNG for the current values (not synced: the page has its own copy)
    _shown_attributes: tuple[str, ...] = ()

    def __init__(
        self,
        controls: dict[str, widgets.ValueWidget],
        render: Callable[..., bytes],
        picture_memory: FrameCache | None = None,
    ):
        self.controls = dict(controls)
        self.alts: dict[str, str] = {}  # each picture's alt text by the page's key, written by its plot (issue 29)
        self._render = self._with_alt(render)
        self.settings = setting_count(self.controls)
        self.all_at_once = self.settings <= ALL_AT_ONCE
        size = max(picture_memory.size if picture_memory is not None else 64, self.settings if self.all_at_once else 0)
        self.picture_memory = picture_memory if picture_memory is not None else FrameCache(size)
        self.picture_memory.size = size
        self._prefetch: asyncio.Handle | None = None
        self._page_open = False
        # A view given no memory draws the picture on show every time (its figure and attributes then always
        # describe the current values); it still remembers what it drew, for the pages.
        self.redraw_on_show = picture_memory is None
        png = self.picture(self.values())
        self.image = PagePictures(self.controls, alt=self.alts.get(self.key(), type(self).__name__))
        self.image.start = {"key": self.key(), "url": png_data_url(png).decode()}
        self.image.sent.add(self.key())
        self.image.on_hello = self._hello
        items = list(self.controls.values())
        rows = [widgets.HBox(items[i : i + 2]) for i in range(0, len(items), 2)]  # two controls per row
        super().__init__([*rows, self.image])
        self.add_class("rnn-slider-view")  # page.js gives this view's menu and toggle buttons their arrow keys
        self.png = png
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def key(self, values: dict | None = None) -> str:
        """The page's key for these values (default: the current ones)."""
        return key_of(self.controls, self.values() if values is None else values)

    def refresh(self) -> None:
        """Set `png` for the current values, and send it to the page if it was not sent before."""
        values = self.values()
        if self.redraw_on_show:
            self.png = self._render(**values)
            self.picture_memory.put(tuple(values.items()), self.png)
        else:
            self.png = self.picture(values)
        self.image.offer({self.key(): png_data_url(self.png).decode()})
        self.image.alt = self.alts.get(self.key(), self.image.alt)  # the page's <img alt> follows the controls

    def _with_alt(self, render: Callable[..., bytes]) -> Callable[..., bytes]:
        """render, remembering the alt text its plot gave the figure for these values."""

        def draw(**values) -> bytes:
            png = render(**values)
            alt = alt_of(getattr(self, "figure", None)) if getattr(self, "figure", None) is not None else None
            if alt:
                self.alts[key_of(self.controls, values)] = alt
            return png

        return draw

    def picture(self, values: dict) -> bytes:
        """The PNG for these control values: from the frame memory if drawn before, else drawn now."""
        return self.picture_memory.get_or_draw(tuple(values.items()), lambda: self._render(**values))

    def _on_change(self, change) -> None:
        self.refresh()
        self.prefetch_after(change)

    def _hello(self) -> None:
        """A page opened: send it every picture remembered, then draw ahead."""
        self._page_open = True
        self.image.offer(
            {self.key(dict(key)): png_data_url(png).decode() for key, png in list(self.picture_memory.items())}
        )
        self.prefetch_after()

    def next_steps(self, change=None) -> list[dict]:
        """The control values one step away from the current ones, the likeliest next step first."""
        current = self.values()
        moved = [name for name, control in self.controls.items() if change is not None and control is change.owner]
        order = moved + [name for name in self.controls if name not in moved]
        return [{**current, name: value} for name in order for value in neighbours(self.controls[name], change)]

    def ahead(self, change=None) -> list[dict]:
        """What to draw ahead: the next steps; then, with a page open, every other setting of a small view, or the
        settings two steps away of a larger one (a new move cancels what is left)."""
        steps = self.next_steps(change)
        if self._page_open:
            if self.all_at_once:
                steps += every_setting(self.controls)
            else:
                steps += [
                    {**step, name: value}
                    for step in list(steps)
                    for name in self.controls
                    for value in neighbours(self.controls[name], value=step[name])
                ]
        return steps

    def draw_ahead(self, values: dict) -> None:
        """Draw (or recall) the picture for `values` and send it, leaving the picture on show as it was."""
        shown = {name: getattr(self, name) for name in self._shown_attributes}
        png = self.picture(values)
        for name, value in shown.items():
            setattr(self, name, value)
        self.image.offer({self.key(values): png_data_url(png).decode()})

    def prefetch_after(self, change=None) -> None:
        """Draw ahead while the kernel is idle; nothing outside an event loop."""
        if self._prefetch is not None:
            self._prefetch.cancel()  # a newer move: its own next steps matter now
            self._prefetch = None
        try:
            loop = asyncio.get_running_loop()  # the kernel's loop, when a message from the page moved a control
        except RuntimeError:
            return  # plain Python: nobody waits for a next picture
        pending = []
        for values in self.ahead(change):
            if self.key(values) not in self.image.sent or tuple(values.items()) not in self.picture_memory:
                if values not in pending:
                    pending.append(values)

        def draw_next() -> None:
            if pending:
                self.draw_ahead(pending.pop(0))
                self._prefetch = loop.call_soon(draw_next) if pending else None

        self._prefetch = loop.call_later(PREFETCH_DELAY_S, draw_next)

    def static_state(self, budget: int = STATIC_BUDGET) -> dict:
        """Controls, pictures and a note for a static page: every setting if they fit `budget` bytes, else a subset.

        The subset (page.subset_settings): every combination of the first controls with the others at their
        starting values, and every value of each other control.
        """
        start = self.values()
        size = len(png_data_url(self.picture(start))) * 1.2  # an estimate: pictures differ in size a little
        settings, free = subset_settings(self.controls, start, lambda count: count * size <= budget)
        shown = {name: getattr(self, name) for name in self._shown_attributes}
        pictures = {self.key(values): png_data_url(self.picture(values)).decode() for values in settings}
        for name, value in shown.items():
            setattr(self, name, value)
        return {
            "uid": self.image.uid,
            "view": type(self).__name__,
            "alt": self.alts.get(self.key(start), type(self).__name__),
            "alts": {key: self.alts[key] for key in pictures if key in self.alts},
            "controls": [control_spec(name, c) for name, c in self.controls.items()],
            "start": self.key(start),
            "pictures": pictures,
            "settings": self.settings,
            "note": static_note(len(pictures), self.settings, self.controls, start, free),
        }


class FrameCache(dict):
    """The last `size` PNGs a view drew, keyed by what fixes the picture: a control moved back costs nothing."""

    def __init__(self, size: int = 64):
        super().__init__()
        self.size = size

    def get_or_draw(self, key, draw: Callable[[], bytes]) -> bytes:
        """The PNG for key, drawn by draw() the first time; the oldest is dropped past `size`."""
        if key not in self:
            self.put(key, draw())
        return self[key]

    def put(self, key, png: bytes) -> None:
        """Remember png for key; the oldest is dropped past `size`."""
        self[key] = png
        while len(self) > self.size:
            del self[next(iter(self))]  # dicts keep insertion order: this is the oldest
