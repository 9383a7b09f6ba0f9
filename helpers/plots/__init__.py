"""Pictures: each module draws one kind of figure and knows nothing of widgets."""

from . import alt
from .base import (
    MARK_LABEL,
    MARK_PAD,
    MARK_STYLE,
    MARK_WORDS,
    direction_arrow,
    heatmap,
    mark_cells,
    place_arrow,
    place_mark,
    value_text,
)
from .grid import GridArtists, grid, update_grid
from .output_vs_h_n import FIGSIZE, OutputHnArtists, batch_slices, mark_rows, output_vs_h_n, update_output_vs_h_n
from .stack import StackArtists, StackModel, stack, stack_figure, stack_model
from .steps_read import StepsRead, StepsReadArtists, steps_read, update_steps_read

__all__ = [
    "FIGSIZE",
    "GridArtists",
    "MARK_LABEL",
    "MARK_PAD",
    "MARK_STYLE",
    "MARK_WORDS",
    "OutputHnArtists",
    "batch_slices",
    "direction_arrow",
    "grid",
    "heatmap",
    "mark_cells",
    "mark_rows",
    "output_vs_h_n",
    "place_arrow",
    "place_mark",
    "update_grid",
    "update_output_vs_h_n",
    "value_text",
    "StepsRead",
    "StepsReadArtists",
    "steps_read",
    "update_steps_read",
]
__all__ += ["StackArtists", "StackModel", "stack", "stack_figure", "stack_model"]

alt.register()  # in a notebook, every figure's PNG carries its alt text (helpers/plots/alt.py)
