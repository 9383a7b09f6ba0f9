"""Exercise checkers: the shared runner (core), diagnosis by provenance, and one module per notebook."""

from .bidirectional import check_backward_after, check_wrong_view
from .core import Case, check_function, check_shapes, check_tensor
from .layers import check_layer_output, check_layer_shapes
from .output_vs_h_n import (
    check_backward_final,
    check_both_finals,
    check_classifier_summary,
    check_h_n_batch_first,
    check_last_step,
    check_predicted_shapes,
    check_reshape_blocks,
    check_rows_not_in_output,
)
from .start_here import check_grid_shapes, check_packed_steps, check_top_layer_final

__all__ = [
    "Case",
    "check_function",
    "check_shapes",
    "check_tensor",
    "check_backward_final",
    "check_both_finals",
    "check_h_n_batch_first",
    "check_classifier_summary",
    "check_reshape_blocks",
    "check_last_step",
    "check_predicted_shapes",
    "check_rows_not_in_output",
    "check_backward_after",
    "check_wrong_view",
    "check_layer_output",
    "check_layer_shapes",
    "check_grid_shapes",
    "check_packed_steps",
    "check_top_layer_final",
]
