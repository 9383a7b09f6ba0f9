"""Helpers for the notebooks on what nn.RNN, nn.GRU and nn.LSTM return.

Importing this package changes no global state: no rcParams, no warning filters.
"""

from .cells import GATE_ORDER, largest_difference, layer_weights, scratch_forward, significant
from .exercises import (
    Case,
    check_backward_after,
    check_backward_final,
    check_both_finals,
    check_classifier_summary,
    check_function,
    check_grid_shapes,
    check_h_n_batch_first,
    check_last_step,
    check_layer_output,
    check_layer_shapes,
    check_packed_steps,
    check_predicted_shapes,
    check_reshape_blocks,
    check_rows_not_in_output,
    check_shapes,
    check_tensor,
    check_top_layer_final,
    check_wrong_view,
)
from .exercises.batch_first import check_batch_first_shapes, check_rows_to_h_0, check_unbatched_shapes
from .exercises.cheat_sheet import check_projected_shapes, check_summary_from_packed
from .exercises.inside_the_cell import check_first_backward_forget_gate, check_frozen_update_gate, check_weight_shapes
from .exercises.lstm_cell_state import check_cell_by_layer, check_initial_state_shapes, check_lstm_shapes
from .exercises.using_the_states import check_decoder_state, check_padded_run, check_seq2seq_shapes
from .exercises.variable_lengths import check_packed_fields, check_padded_shapes, check_state_at
from .explain import explain
from .lstm_steps import LSTMSteps, lstm_cell_step, lstm_steps
from .models import CELLS, RNNConfig, RNNRun, build_module, make_input, run
from .plots import OutputHnArtists, heatmap, mark_cells, output_vs_h_n, update_output_vs_h_n
from .plots.experiment import experiment_figure
from .plots.stack import stack_figure, stack_model
from .relations import Relation, format_table, relation_table
from .stack import StackRun, run_layers, split_layers
from .states import (
    BACKWARD,
    CATEGORIES,
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
    state_category,
    state_index,
    time_major,
)
from .tasks import (
    CONCLUSIONS,
    ExperimentConfig,
    TaskConfig,
    accuracy_table,
    build_encoder,
    compare_summaries,
    conclusions_table,
    experiment_table,
    first_tokens,
    graph_size,
    make_task,
    run_experiment,
    summaries,
    train_head,
)
from .unroll import GridBox, GridModel, UnrolledStates, grid_model, layer_twin, unroll, unroll_module
from .views import (
    SliderView,
    grid_figure,
    grid_view,
    output_vs_h_n_figure,
    output_vs_h_n_view,
    steps_read_figure,
    steps_read_view,
)
from .views.cheat_sheet import cheat_sheet_figure, cheat_sheet_view, compute_sheet
from .views.gates import gates_figure, gates_view
from .views.lstm_states import lstm_states_figure, lstm_states_view
from .views.shapes import shapes_figure, shapes_view
from .views.summaries import accuracy_by_length_figure, accuracy_by_length_view, learning_curves_figure

__all__ = [
    "BACKWARD",
    "CATEGORIES",
    "CELLS",
    "FORWARD",
    "RNNConfig",
    "RNNRun",
    "Relation",
    "StateLocation",
    "build_module",
    "final_state_from_h_n",
    "final_state_from_output",
    "flat_view",
    "format_table",
    "last_valid_output",
    "last_valid_steps",
    "layer_direction_view",
    "locate_final_state",
    "make_input",
    "relation_table",
    "run",
    "sequence_summary",
    "state_category",
    "state_index",
    "time_major",
    # every state at every step, and the unrolled grid
    "GridBox",
    "GridModel",
    "UnrolledStates",
    "grid_figure",
    "grid_model",
    "grid_view",
    "layer_twin",
    "unroll",
    "unroll_module",
    # pictures, views and exercise checkers
    "OutputHnArtists",
    "SliderView",
    # exercise checkers
    "Case",
    "check_function",
    "check_tensor",
    "check_shapes",
    "check_backward_final",
    "check_both_finals",
    "check_h_n_batch_first",
    "check_classifier_summary",
    "check_reshape_blocks",
    "check_last_step",
    "check_predicted_shapes",
    "check_rows_not_in_output",
    "check_grid_shapes",
    "check_packed_steps",
    "check_top_layer_final",
    "heatmap",
    "mark_cells",
    "output_vs_h_n",
    "output_vs_h_n_figure",
    "output_vs_h_n_view",
    "update_output_vs_h_n",
    # notebooks 02 and 03
    "StackRun",
    "run_layers",
    "split_layers",
    "steps_read_figure",
    "steps_read_view",
    "check_wrong_view",
    "check_layer_output",
    "check_layer_shapes",
    "check_backward_after",
    # bring your own model
    "explain",
]

__all__ += [  # notebooks 04, 05, 06
    "LSTMSteps",
    "lstm_cell_step",
    "lstm_steps",
    "lstm_states_figure",
    "lstm_states_view",
    "shapes_figure",
    "shapes_view",
    "check_packed_fields",
    "check_batch_first_shapes",
    "check_cell_by_layer",
    "check_initial_state_shapes",
    "check_state_at",
    "check_lstm_shapes",
    "check_padded_shapes",
    "check_rows_to_h_0",
    "check_unbatched_shapes",
]

__all__ += [
    "GATE_ORDER",
    "TaskConfig",
    "accuracy_table",
    "compare_summaries",
    "gates_figure",
    "gates_view",
    "largest_difference",
    "layer_weights",
    "make_task",
    "scratch_forward",
    "significant",
    "check_first_backward_forget_gate",
    "check_frozen_update_gate",
    "check_weight_shapes",
    "accuracy_by_length_figure",
    "accuracy_by_length_view",
    "CONCLUSIONS",
    "ExperimentConfig",
    "conclusions_table",
    "experiment_figure",
    "experiment_table",
    "run_experiment",
    "build_encoder",
    "check_decoder_state",
    "check_padded_run",
    "check_seq2seq_shapes",
    "first_tokens",
    "graph_size",
    "learning_curves_figure",
    "summaries",
    "train_head",
    "cheat_sheet_figure",
    "cheat_sheet_view",
    "check_projected_shapes",
    "check_summary_from_packed",
    "compute_sheet",
]

__all__ += ["stack_figure", "stack_model"]  # notebook 02: the stack of one-layer modules, drawn
