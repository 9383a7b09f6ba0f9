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

# Notebooks 04 (LSTM cell state), 05 (batch_first and unbatched), 06 (variable lengths)
from .lstm_steps import LSTMSteps, lstm_cell_step, lstm_steps
from .views.lstm_states import lstm_states_figure, lstm_states_view
from .views.shapes import shapes_figure, shapes_view

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
__all__ += [  # notebooks 04, 05, 06
    "LSTMSteps", "lstm_cell_step", "lstm_steps", "lstm_states_figure", "lstm_states_view", "shapes_figure",
    "shapes_view",
]
