"""Many labels drawn as one filled path per colour: a picture with dozens of labels redraws as fast as one with few."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.textpath import text_to_path

from .text import glyphs


@lru_cache(maxsize=256)
def _char(char: str, size: float) -> tuple[Path, float]:
    """One character's outline at size points and how far the pen moves after it."""
    advance = text_to_path.get_text_width_height_descent(char, FontProperties(size=size), ismath=False)[0]
    if char.isspace():  # TextPath cannot hold a path with no points
        return Path(np.zeros((0, 2))), advance
    path = glyphs(char, size)[0]
    return Path(path.vertices.copy(), np.array(path.codes)), advance  # a plain Path: TextPath.codes is slow to read


@lru_cache(maxsize=4096)
def fast_glyphs(text: str, size: float) -> tuple[Path, float, float]:
    """Like text.glyphs, put together from cached characters (no kerning): a new string costs no font layout."""
    vertices, codes, pen = [np.zeros((0, 2))], [np.zeros(0, Path.code_type)], 0.0
    for char in text:
        path, advance = _char(char, size)
        if len(path.vertices):
            vertices.append(path.vertices + (pen, 0))
            codes.append(path.codes if path.codes is not None else _line_codes(len(path.vertices)))
        pen += advance
    xs = np.concatenate(vertices)[:, 0]
    if not len(xs):
        return Path(np.zeros((0, 2))), 0.0, 0.0
    return Path(np.concatenate(vertices), np.concatenate(codes)), float(xs.min()), float(xs.max())


@lru_cache(maxsize=4096)
def _placed(text: str, size: float, ha: str, va: str, offset: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """text's outline in points, moved so that (0, 0) is its anchor: (vertices, codes)."""
    path, x0, x1 = fast_glyphs(text, size)
    dx = {"left": 0, "center": (x0 + x1) / 2, "right": x1}[ha]
    dy = {"bottom": 0, "center": 0.36 * size, "top": 0.73 * size}[va]  # from the font's cap height
    return path.vertices + (offset[0] - dx, offset[1] - dy), path.codes


class TextBatch:
    """Labels collected with add() and drawn by draw() as one PathPatch per colour, in figure coordinates."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.patches: dict[str, PathPatch] = {}  # colour -> its patch, kept and re-pathed on every draw
        self._items: list[tuple] = []
        self.texts: list[str] = []  # what the last draw() wrote, in order, for tests and readers of the figure

    def add(
        self,
        ax: Axes,
        x: float,
        y: float,
        text: str,
        ha: str = "left",
        va: str = "center",
        size: float = 9,
        coords: str = "data",
        color: str = "black",
        offset: tuple[float, float] = (0, 0),
    ) -> None:
        """Queue text at (x, y) in ax's data (or axes) coordinates, moved by offset points; drawn by draw()."""
        self._items.append((ax, x, y, text, ha, va, size, coords, color, offset))

    def draw(self) -> dict[str, PathPatch]:
        """Turn the queued labels into paths; call it after the axes have their final positions and limits."""
        width, height = self.fig.get_size_inches()
        self.texts = [item[3] for item in self._items]
        # Every anchor to figure fractions, one transform call per (axes, coordinate system): calls are the cost.
        groups = defaultdict(list)
        for index, (ax, *_, coords, _color, _offset) in enumerate(self._items):
            groups[ax, coords].append(index)
        anchors = np.zeros((len(self._items), 2))
        to_figure = self.fig.transFigure.inverted()
        for (ax, coords), indices in groups.items():
            points = np.array([self._items[i][1:3] for i in indices], dtype=float)
            transform = (ax.transData if coords == "data" else ax.transAxes) + to_figure
            anchors[indices] = transform.transform(points)
        pieces = defaultdict(lambda: ([], [], []))  # colour -> (vertex arrays in points, code arrays, anchor rows)
        for index, (_ax, _x, _y, text, ha, va, size, _coords, color, offset) in enumerate(self._items):
            vertices, codes = _placed(text, size, ha, va, tuple(offset))
            if len(vertices):
                pieces[color][0].append(vertices)
                pieces[color][1].append(codes)
                pieces[color][2].append(np.full(len(vertices), index))
        # points -> fractions of the figure, so the paths survive a change of dpi or a tight bbox
        scale = np.array([72 * width, 72 * height])
        pieces = {
            color: (np.concatenate(v) / scale + anchors[np.concatenate(rows)], np.concatenate(c))
            for color, (v, c, rows) in pieces.items()
        }
        self._items = []
        for color in set(self.patches) - set(pieces):
            self.patches[color].set_visible(False)
        for color, (vertices, codes) in pieces.items():
            compound = Path(vertices, codes)
            if color not in self.patches:
                self.patches[color] = self.fig.add_artist(
                    PathPatch(
                        compound, transform=self.fig.transFigure, facecolor=color, edgecolor="none", clip_on=False
                    )
                )
            self.patches[color].set_path(compound)
            self.patches[color].set_visible(True)
        return self.patches


def _line_codes(n: int) -> np.ndarray:
    """Codes for a path given only vertices: move to the first, line to the rest."""
    codes = np.full(n, Path.LINETO, dtype=Path.code_type)
    codes[0] = Path.MOVETO
    return codes
