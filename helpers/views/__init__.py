"""Slider views: base.py holds the shared wiring; each other module wires one picture to its controls."""

from .base import PNG_SIGNATURE, VIEW_DPI, SliderView, cached_run, png_bytes
from .grid import GridView, compute_grid, draw_grid, grid_figure, grid_view
from .output_vs_h_n import (
    VIEW_FIGSIZE,
    OutputHnView,
    compute_output_vs_h_n,
    draw_output_vs_h_n,
    output_vs_h_n_figure,
    output_vs_h_n_view,
)
from .steps_read import StepsReadView, compute_steps_read, draw_steps_read, steps_read_figure, steps_read_view

__all__ = [
    "GridView",
    "PNG_SIGNATURE",
    "compute_grid",
    "draw_grid",
    "grid_figure",
    "grid_view",
    "VIEW_DPI",
    "VIEW_FIGSIZE",
    "OutputHnView",
    "SliderView",
    "cached_run",
    "compute_output_vs_h_n",
    "draw_output_vs_h_n",
    "output_vs_h_n_figure",
    "output_vs_h_n_view",
    "png_bytes",
    "StepsReadView",
    "compute_steps_read",
    "draw_steps_read",
    "steps_read_figure",
    "steps_read_view",
]
