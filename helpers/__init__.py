"""Helpers for the notebooks on what nn.RNN, nn.GRU and nn.LSTM return.

Importing this package changes no global state: no rcParams, no warning filters.
"""

from .exercises import check_backward_final, check_classifier_summary, check_last_step
from .models import CELLS, RNNConfig, RNNRun, build_module, make_input, run
from .plots import OutputHnArtists, heatmap, mark_cells, output_vs_h_n, update_output_vs_h_n
from .relations import Relation, format_table, relation_table
from .states import (
    BACKWARD,
    FORWARD,
    StateLocation,
    final_state_from_h_n,
    final_state_from_output,
    flat_view,
    last_valid_output,
    last_valid_steps,
    layer_direction_view,
    locate_final_state,
    sequence_summary,
    state_index,
    time_major,
)
from .views import SliderView, output_vs_h_n_figure, output_vs_h_n_view

__all__ = [
    "BACKWARD", "CELLS", "FORWARD", "RNNConfig", "RNNRun", "Relation", "StateLocation",
    "build_module", "final_state_from_h_n", "final_state_from_output", "flat_view",
    "format_table", "last_valid_output", "last_valid_steps", "layer_direction_view",
    "locate_final_state", "make_input", "relation_table", "run", "sequence_summary",
    "state_index", "time_major",
    # pictures, views and exercise checkers
    "OutputHnArtists", "SliderView", "check_backward_final", "check_classifier_summary", "check_last_step",
    "heatmap", "mark_cells", "output_vs_h_n", "output_vs_h_n_figure", "output_vs_h_n_view", "update_output_vs_h_n",
]

# Notebooks 07 (inside the cell), 08 (using the states) and 09 (cheat sheet)
from .cells import GATE_ORDER, layer_weights, largest_difference, scratch_forward, significant
from .tasks import TaskConfig, accuracy_table, compare_summaries, make_task
from .views.gates import gates_figure, gates_view

__all__ += [
    "GATE_ORDER", "TaskConfig", "accuracy_table", "compare_summaries", "gates_figure", "gates_view",
    "largest_difference", "layer_weights", "make_task", "scratch_forward", "significant",
]
