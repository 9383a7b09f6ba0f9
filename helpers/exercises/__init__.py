"""Exercise checkers: the shared runner (core), diagnosis by provenance, and one module per notebook."""

from .core import Case, check_function, check_shapes, check_tensor
from .output_vs_h_n import (
    check_backward_final,
    check_classifier_summary,
    check_h_n_batch_first,
    check_last_step,
    check_predicted_shapes,
    check_rows_not_in_output,
)
from .start_here import check_grid_shapes

__all__ = [
    "Case", "check_function", "check_shapes", "check_tensor",
    "check_backward_final", "check_classifier_summary", "check_h_n_batch_first", "check_last_step",
    "check_predicted_shapes", "check_rows_not_in_output",
    "check_grid_shapes",
]
