"""Text drawn as filled paths: far cheaper for Agg than Text artists when a view redraws often.

path_label draws one label as its own PathPatch. draw_labels draws many labels as one compound PathPatch
per colour, which is what a view with a hundred labels needs: one Agg call per colour instead of one per label.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D, ScaledTranslation

_CAP = {"bottom": 0.0, "center": 0.36, "top": 0.73}  # va -> share of the size, from the font's cap height


@lru_cache(maxsize=2048)
def glyphs(text: str, size: float) -> tuple[TextPath, float, float]:
    """Outline of text at size points and its left and right ends, worked out once and then reused."""
    path = TextPath((0, 0), text, size=size)
    xs = path.vertices[:, 0]  # control points: close enough for alignment, and far cheaper than exact extents
    return path, float(xs.min()) if len(xs) else 0.0, float(xs.max()) if len(xs) else 0.0


def _shift(text: str, size: float, ha: str, va: str) -> tuple[float, float]:
    """How far (points) to move the outline so that its (ha, va) point sits on the anchor."""
    _, x0, x1 = glyphs(text, size)
    return {"left": 0, "center": (x0 + x1) / 2, "right": x1}[ha], _CAP[va] * size


def path_label(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    ha: str = "left",
    va: str = "center",
    size: float = 9,
    coords: str = "data",
    patch: PathPatch | None = None,
) -> PathPatch:
    """Write text at (x, y) as a filled path whose gid is the text, reusing patch if given (Agg draws paths fast)."""
    path = glyphs(text, size)[0]
    dx, dy = _shift(text, size, ha, va)
    anchor = ax.transData if coords == "data" else ax.transAxes
    to_display = (
        Affine2D().translate(-dx, -dy).scale(1 / 72) + ax.figure.dpi_scale_trans + ScaledTranslation(x, y, anchor)
    )
    if patch is None:  # a new patch costs more than its drawing; moving an old one is cheap
        patch = ax.add_artist(PathPatch(path, transform=to_display, facecolor="black", edgecolor="none", clip_on=False))
    patch.set_path(path)
    patch.set_transform(to_display)
    patch.set_gid(text)
    return patch


@dataclass(frozen=True)
class Label:
    """One piece of text: anchored at (x, y) in ax's data or axes coordinates, then moved by offset points.

    ha and va align the text in its own frame; rotation (0 or 90, counter-clockwise) turns it about the anchor.
    """

    ax: Axes
    x: float
    y: float
    text: str
    ha: str = "left"
    va: str = "center"
    size: float = 9
    coords: str = "data"  # "data" or "axes"
    rotation: int = 0
    offset: tuple[float, float] = (0.0, 0.0)  # points on the page: margins that do not scale with the cells
    color: str = "black"

    def __post_init__(self) -> None:
        if self.rotation not in (0, 90):
            raise ValueError(f"rotation={self.rotation!r} is not allowed: rotation must be 0 or 90")
        if self.coords not in ("data", "axes"):
            raise ValueError(f"coords={self.coords!r} is not allowed: coords must be 'data' or 'axes'")


@lru_cache(maxsize=2048)
def outline(text: str, size: float, ha: str, va: str, rotation: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (points, relative to the anchor) and codes of text aligned and turned as asked."""
    path = glyphs(text, size)[0]
    vertices = path.vertices - _shift(text, size, ha, va)
    if rotation == 90:
        vertices = np.column_stack([-vertices[:, 1], vertices[:, 0]])
    return vertices, path.codes


def label_vertices(labels: list[Label], fig: Figure) -> list[np.ndarray]:
    """Each label's outline in figure fractions (what draw_labels draws), anchors transformed in one go per axes."""
    size = fig.get_size_inches() * 72  # the figure in points
    to_fraction = fig.transFigure.inverted()
    anchors = np.zeros((len(labels), 2))
    groups: dict = {}
    for i, label in enumerate(labels):
        groups.setdefault((label.ax, label.coords), []).append(i)
    for (ax, coords), index in groups.items():
        points = np.array([(labels[i].x, labels[i].y) for i in index], dtype=float)
        anchors[index] = to_fraction.transform((ax.transData if coords == "data" else ax.transAxes).transform(points))
    return [
        anchor + (outline(lb.text, lb.size, lb.ha, lb.va, lb.rotation)[0] + lb.offset) / size
        for anchor, lb in zip(anchors, labels)
    ]


def draw_labels(fig: Figure, labels: list[Label], patches: dict | None = None) -> dict[str, PathPatch]:
    """Draw labels on fig as one compound PathPatch per colour, reusing patches (colour -> PathPatch); returns them.

    The outlines are placed in figure fractions from the axes' current positions and limits, so call this after
    the layout is final. A colour with no label left keeps its patch, emptied.
    """
    patches = dict(patches or {})
    by_color: dict[str, tuple[list, list]] = {color: ([], []) for color in patches}
    for label, vertices in zip(labels, label_vertices(labels, fig)):
        verts, codes = by_color.setdefault(label.color, ([], []))
        verts.append(vertices)
        codes.append(outline(label.text, label.size, label.ha, label.va, label.rotation)[1])
    for color, (verts, codes) in by_color.items():
        path = Path(np.concatenate(verts), np.concatenate(codes)) if verts else Path(np.zeros((0, 2)))
        if color not in patches:
            patches[color] = fig.add_artist(
                PathPatch(path, transform=fig.transFigure, facecolor=color, edgecolor="none", clip_on=False, zorder=3)
            )
        patches[color].set_path(path)
    return patches
