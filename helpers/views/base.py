"""What every slider view shares: PNG bytes from Agg, a cached run, and SliderView, which wires controls to an Image."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

from ..models import RNNConfig, RNNRun, run

VIEW_DPI = 72
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
    """Encode an (height, width, 4) uint8 RGBA array as PNG bytes, favouring speed over file size."""
    height, width = rgba.shape[:2]
    # A minimal PNG: every row behind a 0 byte (no filter), deflated at level 1. Pillow spends ~1.5 ms
    # more per frame choosing a filter for each row, which shrinks these flat pictures very little.
    rows = np.zeros((height, 1 + 4 * width), np.uint8)
    rows[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, deflate, no filter, no interlace
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 1)) + _chunk(b"IEND", b"")


class SliderView(widgets.VBox):
    """Controls above an Image; changing any control's value re-renders the Image synchronously."""

    def __init__(self, controls: dict[str, widgets.ValueWidget], render: Callable[..., bytes]):
        self.controls = dict(controls)
        self.image = widgets.Image(format="png")
        self._render = render
        items = list(self.controls.values())
        rows = [widgets.HBox(items[i : i + 2]) for i in range(0, len(items), 2)]  # two controls per row
        super().__init__([*rows, self.image])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        """Render the current values into the Image."""
        self.image.value = self._render(**self.values())

    def _on_change(self, change) -> None:
        self.refresh()


class FrameCache(dict):
    """The last `size` PNGs a view drew, keyed by what fixes the picture: a control moved back costs nothing."""

    def __init__(self, size: int = 64):
        super().__init__()
        self.size = size

    def get_or_draw(self, key, draw: Callable[[], bytes]) -> bytes:
        """The PNG for key, drawn by draw() the first time; the oldest is dropped past `size`."""
        if key not in self:
            self[key] = draw()
            if len(self) > self.size:
                del self[next(iter(self))]  # dicts keep insertion order: this is the oldest
        return self[key]
