"""Every figure reads without colour (issue 29).

1. Categories: every pair of categories a legend names differs by a pattern (hatch), a line style or a marker, or
   else stays apart in grayscale AND under simulated deuteranopia (red-green colour blindness, Machado, Oliveira &
   Fernandes 2009, severity 1.0): their colours differ by at least MIN_DELTA_E (CIE76 Delta E in CIELAB).
2. Text: every piece of text in every figure (matplotlib Text artists, and the glyph outlines the plot helpers
   draw as paths) meets WCAG AA contrast, 4.5:1, against the pixels drawn under it.
"""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.text import Text

from helpers.plots.base import MARK_STYLE
from helpers.plots.stack import stack_figure
from helpers.views.cheat_sheet import cheat_sheet_figure
from helpers.views.gates import gates_figure
from helpers.views.grid import grid_figure
from helpers.views.lstm_states import lstm_states_figure
from helpers.views.output_vs_h_n import output_vs_h_n_figure
from helpers.views.shapes import shapes_figure
from helpers.views.steps_read import steps_read_figure

grid_plot = importlib.import_module("helpers.plots.grid")
lstm_plot = importlib.import_module("helpers.plots.lstm_states")
shapes_plot = importlib.import_module("helpers.plots.shapes")
stack_plot = importlib.import_module("helpers.plots.stack")
steps_plot = importlib.import_module("helpers.plots.steps_read")
summaries_plot = importlib.import_module("helpers.plots.summaries")

WCAG_AA = 4.5
MIN_DELTA_E = 20.0  # CIE76; about 2.3 is a just-noticeable difference, 20 a clear one at a glance
# Machado, Oliveira & Fernandes (2009), deuteranomaly at severity 1.0, on linear RGB.
DEUTERANOPIA = np.array(
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
)


# --- colour science -------------------------------------------------------------------------------------------


def _linear(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb, float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def luminance(rgb) -> np.ndarray:
    """WCAG relative luminance of sRGB colours in [0, 1] (last axis: r, g, b)."""
    return _linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a, b) -> np.ndarray:
    la, lb = luminance(a), luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def grayscale(rgb) -> np.ndarray:
    y = _srgb(luminance(rgb))
    return np.stack([y, y, y], axis=-1)


def deuteranopia(rgb) -> np.ndarray:
    return _srgb(_linear(rgb) @ DEUTERANOPIA.T)


def lab(rgb) -> np.ndarray:
    xyz = _linear(rgb) @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(a, b) -> float:
    return float(np.linalg.norm(lab(a) - lab(b)))


def test_colour_science_matches_known_values():
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert contrast(to_rgb("#767676"), (1, 1, 1)) == pytest.approx(4.54, abs=0.01)  # the lightest AA grey on white
    # deuteranopia makes red and green hard to tell apart; grayscale keeps only lightness
    red, green = to_rgb("#d62728"), to_rgb("#2ca02c")
    assert delta_e(red, green) > 60 and delta_e(deuteranopia(red), deuteranopia(green)) < 30
    assert delta_e(grayscale(red), grayscale(green)) < 15


# --- 1. categories --------------------------------------------------------------------------------------------


def _category(name, colour, hatch="", linestyle="-", marker=None) -> tuple:
    return name, to_rgb(colour), hatch or "", str(linestyle), str(marker)


def _apart(a: tuple, b: tuple) -> str | None:
    """None if a and b can be told apart without colour, or else why not."""
    if a[2:] != b[2:]:
        return None  # a different hatch, line style or marker
    for view, simulate in (("grayscale", grayscale), ("deuteranopia", deuteranopia)):
        d = delta_e(simulate(np.array(a[1])), simulate(np.array(b[1])))
        if d < MIN_DELTA_E:
            return f"{a[0]!r} and {b[0]!r} share their pattern and differ by Delta E {d:.1f} in {view}"
    return None


def _legend_categories(fig: Figure) -> list[tuple]:
    """The categories of every matplotlib legend on fig, from its handles."""
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    found = []
    for legend in legends:
        for handle, text in zip(legend.legend_handles, legend.get_texts()):
            if hasattr(handle, "get_linestyle") and hasattr(handle, "get_marker"):  # a line
                found.append(
                    _category(text.get_text(), handle.get_color(), "", handle.get_linestyle(), handle.get_marker())
                )
            else:  # a patch
                colour = handle.get_edgecolor() if handle.get_facecolor()[3] == 0 else handle.get_facecolor()
                # a patch's get_linestyle() can say "solid" while it draws dashes: compare the dash pattern drawn
                dashes = str(getattr(handle, "_unscaled_dash_pattern", handle.get_linestyle()))
                found.append(_category(text.get_text(), colour[:3], handle.get_hatch(), dashes))
    return found


def _module_categories() -> dict[str, list[tuple]]:
    """Categories the helpers draw with their own legends (drawn as paths) or name in words."""
    grid = [
        _category(grid_plot.LEGEND[c], grid_plot.FILL[c], grid_plot.HATCH[c])
        for c in grid_plot.FILL
        if c in grid_plot.LEGEND
    ]
    marks = [_category(f"direction {d}", s["edgecolor"], "", s["linestyle"]) for d, s in MARK_STYLE.items()]
    read = [_category(f"read {d}", s["facecolor"], "", s["linestyle"]) for d, s in steps_plot.READ_STYLE.items()]
    lstm = [
        _category(name, style["edgecolor"], "", style["linestyle"])
        for name, style in (
            ("h_n", lstm_plot.H_N_STYLE),
            ("c_n", lstm_plot.C_N_STYLE),
            ("output", lstm_plot.OUTPUT_STYLE),
        )
    ]
    arrows = [
        _category(name, style["color"], "", style["linestyle"])
        for name, style in (("output", stack_plot.OUTPUT_ARROW), ("final", stack_plot.FINAL_ARROW))
    ]
    lines = [_category(name, s["color"], "", s["linestyle"], s["marker"]) for name, s in summaries_plot.STYLES.items()]
    return {
        "grid": grid,
        "marks": marks,
        "steps read": read,
        "lstm states": lstm,
        "stack arrows": arrows,
        "summaries": lines,
    }


@pytest.mark.parametrize("name", list(_module_categories()))
def test_categories_stay_apart_without_colour(name):
    categories = _module_categories()[name]
    assert len(categories) >= 2
    problems = [p for a, b in itertools.combinations(categories, 2) if (p := _apart(a, b))]
    assert not problems, problems


def test_shape_blocks_that_share_a_pattern_each_carry_their_axis_name():
    """The shapes figure marks axis kinds by fill and hatch; kinds that share a hatch are told apart by the name
    written in each block ("L = 5", "H_in = 8"), which the figure's alt text repeats block by block."""
    from helpers.plots.alt import alt_of

    fig = shapes_figure(batch_first=True, unbatched=False)
    art_rows = [row for row in shapes_plot.ROWS] if hasattr(shapes_plot, "ROWS") else []
    same = [
        (a, b)
        for a, b in itertools.combinations(shapes_plot.AXIS_STYLE, 2)
        if shapes_plot.AXIS_STYLE[a]["hatch"] == shapes_plot.AXIS_STYLE[b]["hatch"]
    ]
    assert same, "if every kind had its own hatch, this test would have nothing to check"
    alt = alt_of(fig)
    assert "L = 5" in alt and "H_in = 8" in alt and "D * H_out = 12" in alt
    del art_rows


# --- the figures ------------------------------------------------------------------------------------------------


def _stack():
    torch.manual_seed(0)
    return stack_figure(torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True), torch.randn(5, 2, 3))


FIGURES = {
    "grid 2-layer bidirectional": lambda: grid_figure(num_layers=2, seq_len=5, bidirectional=True),
    "grid padded": lambda: grid_figure(num_layers=1, seq_len=6, bidirectional=True, batch=2, lengths=(4, 6, 2)),
    "grid cell states": lambda: grid_figure(num_layers=2, seq_len=6, cell="lstm", cell_states=True),
    "output vs h_n": lambda: output_vs_h_n_figure(num_layers=2, seq_len=5, batch=0, bidirectional=True),
    "steps read": lambda: steps_read_figure(seq_len=6, t=2),
    "lstm states": lambda: lstm_states_figure(layer=1, batch=0, proj=True),
    "gates": lambda: gates_figure(cell="lstm"),
    "shapes": lambda: shapes_figure(batch_first=True, unbatched=False),
    "cheat sheet": lambda: cheat_sheet_figure(cell="lstm", num_layers=2, bidirectional=True, batch_first=True),
    "stack": _stack,
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_legend_categories_stay_apart_without_colour(name):
    categories = _legend_categories(FIGURES[name]())
    problems = [p for a, b in itertools.combinations(categories, 2) if (p := _apart(a, b))]
    assert not problems, problems


# --- 2. text contrast -------------------------------------------------------------------------------------------


def _is_text(artist) -> bool:
    if isinstance(artist, Text):
        return artist.get_visible() and bool(artist.get_text().strip())
    if isinstance(artist, PathPatch) and artist.get_visible():
        codes = artist.get_path().codes
        return codes is not None and bool(np.isin(codes, (Path.CURVE3, Path.CURVE4)).any())  # glyph outlines
    return False


def _colour(artist) -> tuple:
    return to_rgb(artist.get_color() if isinstance(artist, Text) else artist.get_facecolor())


def _render(fig: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(float) / 255


def text_contrasts(fig: Figure) -> list[tuple[str, float]]:
    """For each text artist: what it says (or its kind) and the contrast of its colour with the pixels under it."""
    texts = [a for a in fig.findobj(_is_text) if a is not fig]
    everything = _render(fig)
    for a in texts:
        a.set_visible(False)
    background = _render(fig)
    found = []
    for a in texts:
        a.set_visible(True)
        alone = _render(fig)
        a.set_visible(False)
        covered = np.abs(alone - background).max(axis=-1) > 0.2  # the pixels this text paints
        if not covered.any():
            continue
        ratios = contrast(np.array(_colour(a)), background[covered])
        name = a.get_text() if isinstance(a, Text) else f"glyph path ({len(a.get_path().vertices)} vertices)"
        found.append((name, float(np.median(ratios))))
    for a in texts:
        a.set_visible(True)
    assert np.allclose(_render(fig), everything)
    return found


@pytest.mark.parametrize("name", list(FIGURES))
def test_text_in_figures_meets_wcag_aa(name):
    fig = FIGURES[name]()
    found = text_contrasts(fig)
    assert found, "no text found: the check would pass on anything"
    low = [(text, round(ratio, 2)) for text, ratio in found if ratio < WCAG_AA]
    assert not low, f"text under {WCAG_AA}:1 against what is drawn under it: {low}"


def test_contrast_check_catches_pale_text():
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, "pale", color="#bbbbbb", fontsize=20)
    fig.text(0.6, 0.5, "dark", color="#333333", fontsize=20)
    ratios = dict(text_contrasts(fig))
    assert ratios["pale"] < WCAG_AA <= ratios["dark"]
