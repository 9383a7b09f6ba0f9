"""Exercise checkers: the shared runner (core), diagnosis by provenance, and one module per notebook."""

from .core import Case, check_function, check_shapes, check_tensor
from .output_vs_h_n import check_backward_final, check_classifier_summary, check_last_step

__all__ = [
    "Case", "check_backward_final", "check_classifier_summary", "check_function", "check_last_step",
    "check_shapes", "check_tensor",
]
