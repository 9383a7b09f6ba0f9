"""Compare every figure a notebook draws under nbval with the stored one, pixel by pixel.

nbval compares text outputs exactly but skips image/png, so a static figure could drift from the
code that draws it while the tests pass. This pytest plugin (loaded by the repository's root
conftest.py) runs after each notebook cell that nbval checked and passed, decodes the cell's new and
stored PNGs, and fails the cell when they differ by more than antialiasing noise. On a mismatch it
writes the stored image, the new one and a difference image under artifacts/figures/ (git-ignored)
and names them in the failure message.
"""

from __future__ import annotations

import base64
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
# Where mismatching figures are written; FIGURE_CHECK_DIR moves it (the tests that prove the check use a temp folder).
ARTIFACTS = Path(os.environ.get("FIGURE_CHECK_DIR", REPO / "artifacts" / "figures"))

# A pixel counts as changed when one of its channels moves by more than CHANNEL_TOLERANCE levels of
# 255. Re-drawing the same figure on another CPU can nudge a heatmap cell by a level or two (the
# last bits of a float decide the colour-map entry, and neighbouring entries of RdBu_r differ by at
# most ~5 levels) and an antialiased edge by a few; a changed colour moves whole areas by tens of
# levels, and an added, removed or moved line or glyph turns light pixels dark.
CHANNEL_TOLERANCE = 16
# A figure fails when more than MAX_CHANGED_PIXELS pixels changed. The smallest change that matters
# (a one-character label, an outline moved by one cell) changes dozens of pixels, and a rounding flip
# in the colour map changes none, so a handful leaves room for stray edge pixels and no more.
MAX_CHANGED_PIXELS = 8


@dataclass(frozen=True)
class Comparison:
    """How a new figure differs from the stored one."""

    same_size: bool
    changed_pixels: int  # pixels with a channel off by more than CHANNEL_TOLERANCE (0 if sizes differ)
    largest_change: int  # in levels of 255

    @property
    def matches(self) -> bool:
        return self.same_size and self.changed_pixels <= MAX_CHANGED_PIXELS


def decode_png(data: str | bytes) -> np.ndarray:
    """A PNG, raw or base64 as notebooks store it, as an (height, width, 4) uint8 RGBA array."""
    from PIL import Image

    raw = base64.b64decode(data) if isinstance(data, str) else bytes(data)
    with Image.open(io.BytesIO(raw)) as image:
        return np.asarray(image.convert("RGBA"))


def compare_images(stored: np.ndarray, new: np.ndarray) -> Comparison:
    """Count the pixels of new that differ from stored beyond antialiasing noise."""
    if stored.shape != new.shape:
        return Comparison(False, 0, 255)
    delta = np.abs(stored.astype(np.int16) - new.astype(np.int16)).max(axis=-1)  # (height, width)
    return Comparison(True, int((delta > CHANNEL_TOLERANCE).sum()), int(delta.max(initial=0)))


def difference_image(stored: np.ndarray, new: np.ndarray) -> np.ndarray:
    """The stored figure faded to grey, with every changed pixel in solid red (size mismatch: side by side)."""
    if stored.shape != new.shape:
        height = max(stored.shape[0], new.shape[0])
        pad = [np.pad(a, ((0, height - a.shape[0]), (0, 0), (0, 0)), constant_values=255) for a in (stored, new)]
        return np.concatenate([pad[0], np.full((height, 8, 4), 255, np.uint8), pad[1]], axis=1)
    grey = stored[..., :3].mean(axis=-1, keepdims=True)
    faded = (255 - (255 - grey) * 0.25).astype(np.uint8).repeat(3, axis=-1)
    changed = np.abs(stored.astype(np.int16) - new.astype(np.int16)).max(axis=-1) > CHANNEL_TOLERANCE
    faded[changed] = (220, 0, 0)
    return np.dstack([faded, np.full(faded.shape[:2], 255, np.uint8)])


def write_png(array: np.ndarray, path: Path) -> Path:
    """Save an RGBA array as a PNG, making the folder if needed."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, "RGBA").save(path)
    return path


def pngs(outputs) -> list[str]:
    """The base64 PNGs among a cell's outputs, in order."""
    return [
        out["data"]["image/png"]
        for out in outputs
        if out.get("output_type") in ("display_data", "execute_result") and "image/png" in out.get("data", {})
    ]


def check_cell_figures(stored_outputs, new_outputs, label: str, folder: Path = ARTIFACTS) -> list[str]:
    """Compare a cell's figures; return one line per problem (empty if all match), writing images for each."""
    stored, new = pngs(stored_outputs), pngs(new_outputs)
    problems = []
    if len(stored) != len(new):
        problems.append(f"the cell drew {len(new)} figure(s) where {len(stored)} are stored")
    for k, (old_png, new_png) in enumerate(zip(stored, new)):
        old_image, new_image = decode_png(old_png), decode_png(new_png)
        result = compare_images(old_image, new_image)
        if result.matches:
            continue
        stem = folder / f"{label}-figure{k}"
        paths = [
            write_png(old_image, stem.with_name(stem.name + "-stored.png")),
            write_png(new_image, stem.with_name(stem.name + "-new.png")),
            write_png(difference_image(old_image, new_image), stem.with_name(stem.name + "-diff.png")),
        ]
        if result.same_size:
            why = (
                f"{result.changed_pixels} pixels changed by more than {CHANNEL_TOLERANCE} levels "
                f"(at most {MAX_CHANGED_PIXELS} allowed; largest change {result.largest_change})"
            )
        else:
            why = f"size {new_image.shape[1]}x{new_image.shape[0]}, stored {old_image.shape[1]}x{old_image.shape[0]}"
        shown = ", ".join(str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in paths)
        problems.append(f"figure {k} differs from the stored one: {why}. Look at {shown}")
    return problems


def _label(item) -> str:
    """A file-name-safe name for a notebook cell, e.g. 01_output_vs_h_n-cell12."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{Path(str(item.fspath)).stem}-cell{item.cell_num}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After nbval has run a cell and found its text outputs equal, compare its figures too."""
    result = yield  # raises, and we stop here, if nbval already failed the cell
    stored, new = getattr(item, "cell", None), getattr(item, "test_outputs", None)
    if stored is None or new is None or not item.options.get("check", True) or stored.get("execution_count") is None:
        return result
    if "nbval-ignore-output" in stored.get("metadata", {}).get("tags", []):
        return result
    problems = check_cell_figures(stored.get("outputs", []), new, _label(item))
    if problems:
        from nbval.plugin import NbCellError

        detail = "\n".join(problems) + "\nRun `make outputs` if the change is meant, and commit the notebooks."
        raise NbCellError(item.cell_num, "Cell figures differ from the stored ones", item.cell.source, detail)
    return result
